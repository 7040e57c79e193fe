"""A small iCalendar (RFC 5545) writer for the calendar feed: all-day events only.

Written by hand because the feed needs a handful of properties: CRLF line endings, text escaped
(section 3.3.11) and content lines folded at 75 octets without splitting a UTF-8 character
(section 3.1)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from markdown_it import MarkdownIt

from ..timeutil import add_days

CRLF = "\r\n"
MAX_OCTETS = 75

_markdown = MarkdownIt("commonmark", {"html": False})


@dataclass
class AllDayEvent:
    uid: str
    starts_on: date
    #: The last day of the event (inclusive); DTEND is the day after, as RFC 5545 wants.
    ends_on: date
    summary: str
    location: str = ""
    description: str = ""
    url: str | None = None


def escape_text(value: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma and newlines."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n"))


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets; continuation lines start with a
    space (which counts toward their 75)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= MAX_OCTETS:
        return line
    parts: list[str] = []
    current, size, limit = [], 0, MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def _date(value: date) -> str:
    return value.strftime("%Y%m%d")


def _timestamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def calendar(events: Iterable[AllDayEvent], *, name: str, prodid: str, stamp: datetime) -> str:
    """The whole VCALENDAR; `stamp` (naive UTC) is every event's DTSTAMP."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{prodid}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{escape_text(name)}"]
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{_timestamp(stamp)}",
                  f"DTSTART;VALUE=DATE:{_date(event.starts_on)}",
                  f"DTEND;VALUE=DATE:{_date(add_days(event.ends_on, 1))}",
                  f"SUMMARY:{escape_text(event.summary)}", "TRANSP:TRANSPARENT"]
        if event.location:
            lines.append(f"LOCATION:{escape_text(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)


def markdown_to_text(text: str | None) -> str:
    """Markdown as plain text for a DESCRIPTION: list items keep a dash, links keep their
    address, emphasis and headings lose their marks."""
    if not text:
        return ""
    lines: list[str] = []
    depth, bullet = 0, ""
    for token in _markdown.parse(text):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "list_item_open":
            bullet = "  " * (depth - 1) + "- "
        elif token.type in ("inline", "code_block", "fence"):
            lines.append(bullet + (_inline_text(token) if token.type == "inline" else token.content.rstrip()))
            bullet = ""
    return "\n".join(lines)


def _inline_text(token) -> str:
    out: list[str] = []
    href = None
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type == "link_open":
            href = child.attrGet("href")
        elif child.type == "link_close" and href:
            out.append(f" ({href})")
            href = None
    return "".join(out).strip()
