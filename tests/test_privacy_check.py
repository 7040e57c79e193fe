"""The privacy guard as users meet it: the CLI, and the review every free-text form uses."""
from __future__ import annotations

import json

from app.privacy_check import review_texts

PHONE_TEXT = "Visited the mother today.\nHer number is +46 70 123 45 67, call before 10.\n"


def test_cli_reads_stdin_prints_json_lines_and_exits_1(app):
    result = app.test_cli_runner().invoke(args=["privacy", "scan"], input=PHONE_TEXT)
    assert result.exit_code == 1
    finding = json.loads(result.output.splitlines()[0])
    assert finding["line"] == 2 and finding["kind"] == "phone" and finding["text"] == "+46 70 123 45 67"
    assert finding["suggestion"]


def test_cli_reads_a_file_and_exits_0_when_clean(app, tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("We met on 23.11.2026 for 2 hours; Family A agreed to try a weekly plan.\n")
    result = app.test_cli_runner().invoke(args=["privacy", "scan", str(path)])
    assert result.exit_code == 0 and result.output == ""


def test_review_blocks_until_confirmed_and_reads_html_as_text():
    texts = {"body": ("Entry", "<p>Mail: <b>anna.k@example.org</b></p>")}
    review = review_texts(texts, confirmed=False)
    assert review.found and review.blocked
    assert review.fields[0].findings[0].kind == "email"
    assert not review_texts(texts, confirmed=True).blocked


def test_review_of_clean_text_does_not_block():
    assert not review_texts({"body": ("Entry", "Family A chose the Thursday slot.")}, confirmed=False).blocked
