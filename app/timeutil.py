"""One notion of 'now': naive UTC, because SQLite keeps no time zone and PostgreSQL must store
exactly what SQLite does for the suite to pass on both."""
from datetime import UTC, datetime, time

#: A meeting day without times in the content or the form: the national half-day, 09:00-13:00.
DEFAULT_START, DEFAULT_END = time(9, 0), time(13, 0)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
