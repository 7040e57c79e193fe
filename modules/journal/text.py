"""What a trainee typed, to and from stored HTML (one sanitizer)."""
from __future__ import annotations

import html as html_lib
import re

# What a trainee typed to stored HTML and back is shared by every plugin (app/rich_text.py).
from app.rich_text import html_to_editable, text_to_html  # noqa: F401

_MARKDOWN_TAGS = [(r"<br\s*/?>", "\n"), (r"</p>|</h[2-4]>|</blockquote>|</pre>|</tr>", "\n\n"), (r"<li\b[^>]*>", "- "),
                  (r"</li>", "\n"), (r"</?(strong|b)>", "**"), (r"</?(em|i)>", "_"), (r"<h[2-4]>", "#### "),
                  (r"<hr\s*/?>", "\n---\n\n")]
_HTML_PIECES = re.compile(r"(<[^>]*>)")
# What could make Markdown out of someone's words: emphasis, code, links and images, raw HTML,
# headings and tables. A backslash keeps each character as it was typed.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def md_escape(text: object) -> str:
    """Text a user wrote (a name, a title, a comment), safe to put into Markdown: shown as typed
    in any viewer, never a link, an image or HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text or "")).replace("<", "&lt;")


def _tag_as_markdown(tag: str) -> str:
    for pattern, replacement in _MARKDOWN_TAGS:
        if re.fullmatch(pattern, tag, flags=re.IGNORECASE):
            return replacement
    return ""


def html_to_markdown(html: str | None) -> str:
    """Sanitized HTML as readable Markdown for the export (paragraphs, lists, emphasis). The
    words themselves are escaped, so text typed as "[x](javascript:...)" stays text."""
    pieces = _HTML_PIECES.split(html or "")
    text = "".join(_tag_as_markdown(p) if p.startswith("<") else md_escape(html_lib.unescape(p)) for p in pieces)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
