"""What a user typed in a rich-text field (app.js's editor, or a plain textarea without script),
to stored HTML and back, through the one sanitizer. Shared by the journal and other plugins."""
from __future__ import annotations

import html as html_lib
import re

from .sanitize import plain_text, sanitize_html

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
