"""What a trainee typed, to and from stored HTML (one sanitizer)."""
from __future__ import annotations

import html as html_lib
import re

from app.sanitize import plain_text, sanitize_html

# --- text ----------------------------------------------------------------------------------------

_TAG_RE = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b")


_SIMPLE_TAGS = {"p", "br", "a"}


def text_to_html(text: str | None) -> str:
    """What the trainee typed, as sanitized HTML. HTML from a rich-text editor is kept (allow-listed);
    plain text from the textarea becomes paragraphs, a blank line starting a new one."""
    text = (text or "").strip()
    if not text:
        return ""
    if _TAG_RE.search(text):
        return sanitize_html(text)
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    return sanitize_html("".join("<p>" + "<br>".join(html_lib.escape(line.strip()) for line in p.strip().split("\n"))
                                 + "</p>" for p in paragraphs if p.strip()))


def html_to_editable(html: str | None) -> str:
    """Stored HTML back into the textarea: text made of paragraphs and line breaks is shown as
    plain text again, anything richer as its HTML."""
    html = html or ""
    if {tag.lower() for tag in _TAG_RE.findall(html)} <= _SIMPLE_TAGS:
        text = re.sub(r"</p>\s*<p>", "\n\n", html)
        text = re.sub(r"<br\s*/?>", "\n", text)
        return plain_text(text).strip()
    return html


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
