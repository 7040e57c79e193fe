"""One notion of 'now': naive UTC, because SQLite keeps no time zone and PostgreSQL must store
exactly what SQLite does for the suite to pass on both."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
