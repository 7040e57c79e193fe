"""'What changed since the last feedback': readable word-level marks, escaped."""
from __future__ import annotations

from modules.assignment.diffing import word_diff

INS, DEL = '<ins class="bg-success-subtle">', '<del class="bg-danger-subtle">'


def test_a_rewritten_phrase_is_one_deletion_and_one_insertion():
    html = str(word_diff("Meet Family A on a walk instead of at the office.",
                         "Meet Family A on a walk. The mother chose it."))
    assert html == (f"Meet Family A on a {DEL}walk instead of at the office.</del>"
                    f"{INS}walk. The mother chose it.</ins>")


def test_separate_changes_stay_separate_and_text_is_escaped():
    assert str(word_diff("one two three <b>", "one 2 three <i>")) == \
        f"one {DEL}two</del>{INS}2</ins> three {DEL}&lt;b&gt;</del>{INS}&lt;i&gt;</ins>"


def test_added_text_and_line_breaks():
    assert str(word_diff("First line", "First line\nSecond line")) == f"First line{INS}<br>\nSecond line</ins>"
