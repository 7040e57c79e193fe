"""Crawl helpers for the language audit: every GET page of the authorization matrix that a
persona may open, rendered in a language, reduced to the text a user sees or hears (text
nodes, <title>, aria-label, alt, title, placeholder, button values)."""
from __future__ import annotations

from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGS = Path(__file__).resolve().parent.parent / "app" / "translations"
# Words that are the same in the language (a msgid whose translation is itself, e.g. "Start" in
# Swedish, or "OK") are not leftovers; neither is text the crawl's own world wrote in English.
WORLD_DATA = {"Private", "Shared", "Welcome", "About the programme"}


@cache
def catalogue(lang: str) -> tuple[dict[str, str], frozenset[str]]:
    """{msgid: translation} of the messages that differ from the English, and every translation."""
    with (CATALOGS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        messages = [m for m in read_po(fh) if m.id]
    def first(value):
        return value if isinstance(value, str) else value[0]
    translations = frozenset(s for m in messages for s in (m.string if isinstance(m.string, tuple) else (m.string,)))
    return {first(m.id): first(m.string) for m in messages
            if first(m.string) and first(m.string) != first(m.id)}, translations


def leftovers(lang: str, chunks: list[str]) -> list[str]:
    english, translations = catalogue(lang)
    return [c for c in chunks if c in english and c not in translations and c not in WORLD_DATA]


SEEN_ATTRS = ("aria-label", "alt", "title", "placeholder")
_SKIP = {"script", "style", "template"}


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.html_lang: str | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "html":
            self.html_lang = values.get("lang")
        if tag in _SKIP:
            self._skip += 1
        for name in SEEN_ATTRS:
            if values.get(name):
                self.chunks.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.chunks.append(values["value"])

    def handle_endtag(self, tag):
        if tag in _SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.chunks.append(data)


def visible_text(html: str) -> tuple[str | None, list[str]]:
    parser = VisibleText()
    parser.feed(html)
    return parser.html_lang, [" ".join(c.split()) for c in parser.chunks if c.strip()]
