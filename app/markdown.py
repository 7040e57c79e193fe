"""The one Markdown renderer for content (lessons, resources, summaries, agendas).

Raw HTML in Markdown is escaped, never passed through, and markdown-it refuses javascript:,
vbscript:, file: and data: links, so the output is safe to mark as Markup even though content
files are written by people outside the development team."""
from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

_ALIGN_CLASSES = {"text-align:left": "text-start", "text-align:center": "text-center", "text-align:right": "text-end"}

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def render_markdown(text: str | None, heading_offset: int = 1, title: str | None = None) -> Markup:
    """Render Markdown to HTML. Headings are pushed down by `heading_offset` levels (a `#` in
    a lesson becomes <h2>) so they nest under the page's own <h1>. A first heading that only
    repeats `title` (the page's <h1>) is left out."""
    if not text:
        return Markup("")
    return Markup(_rendered(text, heading_offset, title))


#: The same lesson is rendered for every trainee who opens it: the output depends on the three
#: arguments alone, so it is kept (a bounded number of texts, the least recently used dropped).
@lru_cache(maxsize=512)
def _rendered(text: str, heading_offset: int, title: str | None) -> str:
    tokens = _renderer.parse(text)
    if title and len(tokens) >= 3 and tokens[0].type == "heading_open" and tokens[1].content.strip() == title.strip():
        tokens = tokens[3:]
    if heading_offset:
        for token in tokens:
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{min(6, int(token.tag[1:]) + heading_offset)}"
    for token in tokens:
        if token.type == "table_open":
            token.attrSet("class", "table table-sm")
        if token.type in ("th_open", "td_open"):
            _alignment_as_class(token)
        if token.type == "th_open":
            token.attrSet("scope", "col")
    return _renderer.renderer.render(tokens, _renderer.options, {})


def _alignment_as_class(token) -> None:
    # The Content Security Policy forbids style attributes; table alignment becomes a class.
    style = token.attrs.pop("style", None)
    if style in _ALIGN_CLASSES:
        token.attrSet("class", _ALIGN_CLASSES[style])
