"""Every user-facing string must be translatable: templates may not carry literal text."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [ROOT / "app" / "templates", *sorted((ROOT / "modules").glob("*/templates"))]
# Names and symbols that are the same in every language.
ALLOWED = {"LIFE Academy", "LIFE"}

_JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>", re.S)
_LITERAL_ATTR = re.compile(r'\b(aria-label|title|placeholder|alt)="([^"{]*[A-Za-z][^"{]*)"')


def literal_text(source: str) -> list[str]:
    found = [value for _name, value in _LITERAL_ATTR.findall(source)]
    text = _TAG.sub(" ", _SCRIPT.sub(" ", _JINJA.sub(" ", source)))
    for chunk in re.split(r"\s{2,}|\n", text):
        chunk = chunk.strip()
        if re.search(r"[A-Za-z]{2,}", chunk) and chunk.strip("·—-: ") not in ALLOWED:
            found.append(chunk)
    return found


def test_templates_have_no_untranslated_text():
    problems = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            if "tests" in path.parts:
                continue
            for text in literal_text(path.read_text()):
                problems.append(f"{path.relative_to(ROOT)}: {text!r}")
    assert not problems, "wrap these in _():\n" + "\n".join(problems)


def test_the_guard_itself_spots_literal_text():
    assert literal_text("<p>Hello there</p>") == ["Hello there"]
    assert literal_text('<a aria-label="Close">x</a>') == ["Close"]
    assert literal_text("<p>{{ _('Hello') }}</p>") == []


def test_extraction_configuration_finds_the_strings():
    method_map = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
    messages = {msg for _f, _l, msg, *_ in extract_from_dir(
        str(ROOT), method_map=method_map, keywords={"_": None, "_l": None, "gettext": None, "lazy_gettext": None})}
    assert "Log in" in messages
    assert "The e-mail or password is not right." in messages
    assert (ROOT / "babel.cfg").read_text().count("jinja2") >= 1


def test_the_date_filter_remembers_a_day_per_locale_within_a_request(app):
    """The date filter formats a plain date once per request and locale (the dashboard's meeting
    table), so a page that renders in two languages (e-mails) still gets each language's dates."""
    from datetime import date, datetime

    from flask import render_template_string
    from flask_babel import force_locale

    day = date(2026, 3, 5)
    with app.test_request_context():
        with force_locale("en"):
            english = render_template_string("{{ d|date }}", d=day)
        with force_locale("sv"):
            swedish = render_template_string("{{ d|date }}", d=day)
        with force_locale("en"):
            again = render_template_string("{{ d|date }} {{ d|date('short') }}", d=day)
        moment = render_template_string("{{ d|date }}", d=datetime(2026, 3, 5, 12, 0))
        nothing = render_template_string("{{ d|date }}", d=None)
    assert english != swedish and "Mar" in english and "mars" in swedish
    assert again.startswith(english + " ") and again != english + " " + english
    assert moment and nothing == ""
