"""The one sanitizer for all user HTML. Everything a user types as rich text passes through
`sanitize_html` before it is stored. bleach is deprecated upstream (mozilla/bleach#698); keeping
it behind this single function makes a move to nh3 a one-file change."""
from __future__ import annotations

import html as html_lib
import re
from functools import lru_cache, partial

import bleach
from bleach.linkifier import LinkifyFilter
from markupsafe import Markup

ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "b", "em", "i", "u", "s", "blockquote", "code", "pre",
    "ul", "ol", "li", "h2", "h3", "h4", "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
})
# No style, class or event attributes: the Content Security Policy forbids inline styles anyway.
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "th": ["scope"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})


def _safe_link(attrs, new=False):
    # Links in user text must not hand our page to the target (no opener, no referrer).
    attrs[(None, "rel")] = "noopener noreferrer nofollow"
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS,
    strip=True, strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_safe_link], skip_tags=["pre", "code"], parse_email=False)])


def sanitize_html(html: str | None) -> str:
    """Allow-listed HTML; anything else (scripts, event handlers, styles, unknown tags) is
    stripped and bare URLs become safe links. Idempotent."""
    if not html:
        return ""
    return _cleaner.clean(html)


#: Texts kept cleaned for the pages: bleach takes about a millisecond per short paragraph, and a
#: submission's page shows its versions, feedback and replies on every view.
SAFE_HTML_CACHE_SIZE = 512


@lru_cache(maxsize=SAFE_HTML_CACHE_SIZE)
def _sanitized_for_page(html: str) -> str:
    # Keyed by the stored text itself: the result is a pure function of it (the allow-list is
    # fixed at import), so an edited text is a new key and nothing needs invalidating. Bounded,
    # and in this process only: it holds nothing a request could reach without the same text.
    return sanitize_html(html)


def safe_html(html: str | None) -> Markup:
    """For templates: stored text is sanitized again on the way out, so a row written by an old
    version or by hand can never carry script."""
    return Markup(_sanitized_for_page(html) if html else "")


def plain_text(html: str | None) -> str:
    """Text only, for previews and e-mails."""
    return html_lib.unescape(bleach.clean(html or "", tags=set(), strip=True))


_LINE_END = re.compile(r"(?i)<br\s*/?>|</(p|li|h[1-6]|blockquote|pre|tr|td|th)>")


def plain_lines(html: str | None) -> str:
    """Text only, one line per paragraph, list item or line break: for the privacy guard, which
    must not read "Maria" at the end of one paragraph and "Silva" starting the next as one word."""
    text = plain_text(_LINE_END.sub(lambda m: m.group(0) + "\n", html or ""))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
