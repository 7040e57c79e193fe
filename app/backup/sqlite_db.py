"""SQLite: a consistent copy through the online backup API (sqlite3.Connection.backup) while the
app may be writing, and a restore that replaces the database in one step through the same API
(the destination is rewritten inside one write transaction, so readers see the old database or
the new one, never a mix, and a WAL file beside it stays consistent — which replacing the file
on disk would not guarantee)."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from . import BackupError
from .tables import compare_counts, count_rows, revisions

BUSY_TIMEOUT_SECONDS = 30


@dataclass
class Copy:
    counts: dict[str, int]
    revisions: list[str]
    version: str


def database_path(url) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("the SQLite database is in memory: there is nothing on disk to back up")
    return Path(url.database)


def _query(connection: sqlite3.Connection):
    return lambda sql: connection.execute(sql).fetchall()


def snapshot(source: Path, target: Path) -> Copy:
    """Copy the live database at `source` to the new file `target` in one step."""
    if not source.is_file():
        raise BackupError(f"the SQLite database {source} does not exist")
    with closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_SECONDS)) as live, \
            closing(sqlite3.connect(target)) as copy:
        live.backup(copy)  # pages=-1: every page in one step, so the copy is of one moment
        query = _query(copy)
        return Copy(count_rows(query, "sqlite"), revisions(query, "sqlite"), sqlite3.sqlite_version)


def counts_of(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS)) as connection:
        return count_rows(_query(connection), "sqlite")


def restore(staged: Path, target: Path, expected: dict[str, int]) -> None:
    """Check the staged copy (integrity and counts), then write it over `target` in one step."""
    try:
        with closing(sqlite3.connect(staged)) as copy:
            problems = [row[0] for row in copy.execute("PRAGMA integrity_check").fetchall()]
            if problems != ["ok"]:
                raise BackupError(f"the database in the archive is damaged ({problems[0]}); nothing was restored")
            compare_counts(expected, count_rows(_query(copy), "sqlite"))
            target.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(target, timeout=BUSY_TIMEOUT_SECONDS)) as live:
                copy.backup(live)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the SQLite restore failed ({exc}); the database {target} was not changed") from None
    compare_counts(expected, counts_of(target))
