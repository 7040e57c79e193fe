"""A small iCalendar (RFC 5545) writer for the calendar feed: all-day events (due dates) and
timed events (meetings, in their own zone, repeated each day of a meeting of several days).

Written by hand because the feed needs a handful of properties: CRLF line endings, text escaped
(section 3.3.11), content lines folded at 75 octets without splitting a UTF-8 character (section
3.1), and a VTIMEZONE for every TZID used (section 3.6.5), built from zoneinfo's transitions for
the years the events span."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from markdown_it import MarkdownIt

from ..timeutil import EARLIEST_DATE, LATEST_DATE, add_days

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


@dataclass
class TimedEvent:
    """`days` days in a row, each from `starts_at` to `ends_at` (aware, the first day's, in an
    IANA zone: its key is the TZID)."""
    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    days: int = 1
    location: str = ""
    description: str = ""
    url: str | None = None

    @property
    def zone(self) -> str:
        return str(getattr(self.starts_at.tzinfo, "key", "UTC"))  # a ZoneInfo names its IANA zone


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
    current: list[str] = []
    size, limit = 0, MAX_OCTETS
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


def _local(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%S")


def _offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _transitions(zone: ZoneInfo, first_year: int, last_year: int) -> list[datetime]:
    """UTC moments (aware) at which the zone's offset changes, found hour by hour and then to
    the minute: zoneinfo has the rules but does not list them."""
    found = []
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(hours=1)
    previous = moment.astimezone(zone).utcoffset()
    while moment < end:
        following = moment + step
        offset = following.astimezone(zone).utcoffset()
        if offset != previous:
            low, high = moment, following
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == previous:
                    low = middle
                else:
                    high = middle
            found.append(high.replace(second=0, microsecond=0))
            previous = offset
        moment = following
    return found


def vtimezone(key: str, first_year: int, last_year: int) -> list[str]:
    """A VTIMEZONE for the zone, with one observance per change from the year before the first
    event (so the first event's rule is there) to the last event's year."""
    zone = ZoneInfo(key)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{key}"]
    # Within the years forms accept (2000-2100): a date stored at the calendar's edge must not
    # make the feed scan thousands of years, nor step past year 9999.
    first_year = min(max(first_year, EARLIEST_DATE.year), LATEST_DATE.year)
    last_year = min(max(last_year, first_year), LATEST_DATE.year)
    changes = _transitions(zone, first_year - 1, last_year)
    if not changes:
        local = datetime.combine(date(first_year, 1, 1), time(0), tzinfo=zone)
        offset = _offset(local.utcoffset())
        lines += ["BEGIN:STANDARD", "DTSTART:19700101T000000", f"TZOFFSETFROM:{offset}", f"TZOFFSETTO:{offset}",
                  f"TZNAME:{local.tzname()}", "END:STANDARD"]
    for change in changes:
        before, after = (change - timedelta(minutes=1)).astimezone(zone), change.astimezone(zone)
        kind = "DAYLIGHT" if after.dst() else "STANDARD"
        # An observance starts at the local time of the offset in force before it (3.8.2.4).
        onset = (change + before.utcoffset()).replace(tzinfo=None)
        lines += [f"BEGIN:{kind}", f"DTSTART:{_local(onset)}", f"TZOFFSETFROM:{_offset(before.utcoffset())}",
                  f"TZOFFSETTO:{_offset(after.utcoffset())}", f"TZNAME:{after.tzname()}", f"END:{kind}"]
    lines.append("END:VTIMEZONE")
    return lines


def _timezones(events: list) -> list[str]:
    years: dict[str, tuple[int, int]] = {}
    for event in events:
        if isinstance(event, TimedEvent):
            last = add_days(event.starts_at.date(), event.days - 1).year
            first, latest = years.get(event.zone, (event.starts_at.year, last))
            years[event.zone] = (min(first, event.starts_at.year), max(latest, last))
    return [line for key in sorted(years) for line in vtimezone(key, *years[key])]


def _when(event: AllDayEvent | TimedEvent) -> list[str]:
    if isinstance(event, AllDayEvent):
        return [f"DTSTART;VALUE=DATE:{_date(event.starts_on)}",
                f"DTEND;VALUE=DATE:{_date(add_days(event.ends_on, 1))}"]
    lines = [f"DTSTART;TZID={event.zone}:{_local(event.starts_at)}",
             f"DTEND;TZID={event.zone}:{_local(event.ends_at)}"]
    if event.days > 1:
        lines.append(f"RRULE:FREQ=DAILY;COUNT={event.days}")
    return lines


def calendar(events: Iterable[AllDayEvent | TimedEvent], *, name: str, prodid: str, stamp: datetime) -> str:
    """The whole VCALENDAR; `stamp` (naive UTC) is every event's DTSTAMP."""
    events = list(events)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{prodid}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{escape_text(name)}", *_timezones(events)]
    for event in events:
        # A meeting blocks the time; a due date is a reminder across the whole day.
        busy = "OPAQUE" if isinstance(event, TimedEvent) else "TRANSPARENT"
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{_timestamp(stamp)}", *_when(event),
                  f"SUMMARY:{escape_text(event.summary)}", f"TRANSP:{busy}"]
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
