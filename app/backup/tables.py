"""Row counts, schema revisions and "is this database empty?", for SQLite and PostgreSQL alike
(through a function that runs one SQL statement and returns its rows)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import BackupError
from .manifest import TABLE_NAME

Query = Callable[[str], Sequence[Sequence[Any]]]
#: Tables the migrations themselves fill: a freshly migrated database has rows only here.
FILLED_BY_MIGRATIONS = frozenset({"alembic_version", "country", "content_generation"})
TABLES_SQL = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
}


def quoted(table: str, schema: str | None = None) -> str:
    if not TABLE_NAME.match(table):
        raise BackupError(f"unexpected table name {table!r}")
    return (f'"{schema}".' if schema else "") + f'"{table}"'


def table_names(query: Query, kind: str) -> list[str]:
    return [str(row[0]) for row in query(TABLES_SQL[kind])]


def count_rows(query: Query, kind: str) -> dict[str, int]:
    schema = "public" if kind == "postgresql" else None
    return {table: int(query(f"SELECT count(*) FROM {quoted(table, schema)}")[0][0])
            for table in table_names(query, kind)}


def revisions(query: Query, kind: str) -> list[str]:
    if "alembic_version" not in table_names(query, kind):
        raise BackupError("the database has no alembic_version table: it was never migrated (flask db upgrade)")
    return sorted(str(row[0]) for row in query("SELECT version_num FROM alembic_version"))


def holds_data(counts: dict[str, int]) -> list[str]:
    """The tables with rows of their own (not those the migrations put there)."""
    return sorted(table for table, n in counts.items() if n and table not in FILLED_BY_MIGRATIONS)


def compare_counts(expected: dict[str, int], found: dict[str, int]) -> None:
    if expected != found:
        differ = sorted(t for t in set(expected) | set(found) if expected.get(t) != found.get(t))
        detail = ", ".join(f"{t}: {expected.get(t, 'none')} expected, {found.get(t, 'none')} found"
                           for t in differ[:5])
        raise BackupError(f"the restored database does not hold what the manifest lists ({detail})")
