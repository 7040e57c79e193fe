"""One notion of 'now': naive UTC, because SQLite keeps no time zone and PostgreSQL must store
exactly what SQLite does for the suite to pass on both."""
from datetime import UTC, date, datetime, time, timedelta

#: A meeting day without times in the content or the form: the national half-day, 09:00-13:00.
DEFAULT_START, DEFAULT_END = time(9, 0), time(13, 0)
#: The dates a run, a meeting or a due date may take in a form (app/forms.py SaneDate).
EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2100, 12, 31)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def add_days(day: date, days: int) -> date:
    """`day` moved by `days`, kept within the calendar Python knows: a date stored at its edge
    (year 1 or 9999) makes a due date or a calendar end there too, never an OverflowError for
    every page that computes one."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def days_since(moment: datetime) -> int:
    """Whole days since a naive-UTC moment: the same answer whatever the reader's time zone and
    the hour (a local 'today' minus a UTC date is a day off around midnight)."""
    return (utcnow() - moment).days
