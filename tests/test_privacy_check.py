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


def test_review_finds_a_phone_number_in_the_rich_text_editors_html():
    texts = {"body": ("Entry", "<p>I called the mother on <strong>070-123 45 67</strong>.</p><ul><li>Next</li></ul>")}
    findings = review_texts(texts, confirmed=False).fields[0].findings
    assert [f.kind for f in findings] == ["phone"]


def test_review_of_clean_text_does_not_block():
    assert not review_texts({"body": ("Entry", "Family A chose the Thursday slot.")}, confirmed=False).blocked


def test_the_readme_scan_commands_work_as_documented(app, tmp_path, monkeypatch):
    """The README's two ways of calling the scan: with a file, and from standard input."""
    import re
    import shlex
    from pathlib import Path
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^FLASK_APP=wsgi\.py \.venv/bin/flask (privacy scan.*)$", readme, re.M)
    assert len(commands) == 2
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text(PHONE_TEXT, encoding="utf-8")
    for command in commands:
        args, _, stdin = command.partition("<")
        result = app.test_cli_runner().invoke(
            args=shlex.split(args), input=(tmp_path / stdin.strip()).read_text() if stdin else None)
        assert result.exit_code == 1, (command, result.output)
        assert [json.loads(line)["kind"] for line in result.output.splitlines()] == ["phone"]


def test_review_suggests_a_pseudonym_the_texts_do_not_use_yet():
    review = review_texts({"body": ("Entry", "Family A called from 070-123 45 67."),
                           "title": ("Title", "Família B")}, confirmed=False)
    assert review.family == "C"
    assert review_texts({"body": ("Entry", "x")}, confirmed=False).family == "A"


def test_the_review_is_shown_in_the_readers_language(app):
    """Ana chose Portuguese: the kind, the suggestion and the pseudonym are translated too."""
    from flask import render_template_string
    from flask_babel import force_locale
    review = review_texts({"body": ("Entry", "Vivem na Rua Augusta 120.")}, confirmed=False)
    template = '{% from "macros/privacy.html" import privacy_review %}{{ privacy_review(review, none) }}'
    with app.test_request_context():
        english = render_template_string(template, review=review)
        with force_locale("pt"):
            portuguese = render_template_string(template, review=review)
    assert "[address of Family A]" in english and "“Family A”" in english
    assert "Family A" not in portuguese and "Rua Augusta 120" in portuguese
