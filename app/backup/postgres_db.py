"""PostgreSQL: pg_dump in its custom format from an exported snapshot (the row counts in the
manifest are read in the same snapshot, so they match the dump exactly while the app keeps
writing), and a restore that runs as one transaction: psql --single-transaction drops the public
schema, replays the dump (pg_restore turned into SQL) and checks every table's row count before
it commits. Any error rolls everything back and the old database stays as it was.

The client tools must be at least the server's major version (pg_dump refuses an older one):
they are looked for in /usr/lib/postgresql/<version>/bin (Debian keeps every installed version
there) and on PATH."""
from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, Engine

from . import BackupError
from .tables import compare_counts, count_rows, quoted, revisions

TOOL_DIRS = "/usr/lib/postgresql/*/bin"
#: How long the restore waits for the app's connections to let go of the tables.
LOCK_TIMEOUT = "60s"
#: libpq reads these from the environment: the password never appears on a command line.
QUERY_TO_ENV = {"host": "PGHOST", "port": "PGPORT", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
                "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "application_name": "PGAPPNAME",
                "connect_timeout": "PGCONNECT_TIMEOUT", "options": "PGOPTIONS"}


@dataclass
class Copy:
    counts: dict[str, int]
    revisions: list[str]
    version: str
    tool_version: str


def libpq_env(url: URL) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    parts = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username, "PGPASSWORD": url.password,
             "PGDATABASE": url.database}
    for key, value in url.query.items():
        if key in QUERY_TO_ENV:
            parts[QUERY_TO_ENV[key]] = value if isinstance(value, str) else value[-1]
    env.update({key: str(value) for key, value in parts.items() if value not in (None, "")})
    return env


def _major(version_output: str) -> int | None:
    match = re.search(r"\)\s+(\d+)(?:\.\d+)?", version_output) or re.search(r"(\d+)\.\d+", version_output)
    return int(match.group(1)) if match else None


def tool_version(path: str) -> tuple[int | None, str]:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False).stdout
    except OSError:
        return None, ""
    return _major(out), out.strip()


def candidates(name: str) -> list[str]:
    found = sorted(glob.glob(f"{TOOL_DIRS}/{name}"), key=lambda p: int(re.sub(r"\D", "", Path(p).parts[-3]) or 0),
                   reverse=True)
    on_path = shutil.which(name)
    return found + ([on_path] if on_path else [])


def find_tool(name: str, server_major: int, search: list[str] | None = None) -> tuple[str, str]:
    """The tool of the server's major version, else the newest newer one: (path, its --version)."""
    usable = []
    for path in candidates(name) if search is None else search:
        major, version = tool_version(path)
        if major is not None and major >= server_major:
            usable.append((major != server_major, -major, path, version))
    if not usable:
        raise BackupError(f"{name} for PostgreSQL {server_major} (or newer) was not found on PATH or in "
                          f"{TOOL_DIRS}: install it (Debian: apt-get install postgresql-client-{server_major})")
    _, _, path, version = min(usable)
    return path, version


def server_major(engine: Engine) -> tuple[int, str]:
    with engine.connect() as connection:
        number = int(connection.execute(text("SHOW server_version_num")).scalar_one())
        version = str(connection.execute(text("SHOW server_version")).scalar_one())
    return number // 10000, version


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise BackupError(f"{what} failed: {cmd[0]} cannot be run ({exc.strerror})") from None
    if result.returncode != 0:
        said = " ".join(result.stderr.strip().splitlines()[-3:])
        raise BackupError(f"{what} failed ({Path(cmd[0]).name} exit {result.returncode}: {said})")


def snapshot(engine: Engine, target: Path) -> Copy:
    major, version = server_major(engine)
    pg_dump, dump_version = find_tool("pg_dump", major)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection, connection.begin():
        exported = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()

        def query(sql: str):
            return connection.exec_driver_sql(sql).all()

        counts, revs = count_rows(query, "postgresql"), revisions(query, "postgresql")
        # pg_dump reads the snapshot this transaction exported: it must stay open until the dump ends.
        _run([pg_dump, "--no-password", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={exported}",
              f"--file={target}"], libpq_env(engine.url), "pg_dump")
    return Copy(counts, revs, version, dump_version)


def counts_of(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return count_rows(lambda sql: connection.exec_driver_sql(sql).all(), "postgresql")


def _check_sql(expected: dict[str, int]) -> str:
    """A block that raises (and so rolls back the restore) unless every table and count is as listed."""
    lines = [f"  IF (SELECT count(*) FROM {quoted(table, 'public')}) <> {int(n)} THEN "
             f"RAISE EXCEPTION 'restored table % has the wrong row count', '{table}'; END IF;"
             for table, n in sorted(expected.items())]
    names = ", ".join(f"'{table}'" for table in sorted(expected))
    lines.append("  IF (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                 f"AND tablename NOT IN ({names or chr(39) * 2})) <> 0 THEN "
                 "RAISE EXCEPTION 'the restored database has tables the manifest does not list'; END IF;")
    return "DO $check$\nBEGIN\n" + "\n".join(lines) + "\nEND\n$check$;\n"


def restore(engine: Engine, dump: Path, expected: dict[str, int], work: Path) -> str:
    """Replace the public schema by the dump's, in one transaction checked against `expected`."""
    major, _ = server_major(engine)
    pg_restore, version = find_tool("pg_restore", major)
    psql, _ = find_tool("psql", major)
    env = libpq_env(engine.url)
    script = work / "restore.sql"
    _run([pg_restore, "--no-owner", "--no-privileges", f"--file={script}", str(dump)], env,
         "reading the database dump (pg_restore)")
    before, after = work / "before.sql", work / "after.sql"
    before.write_text(f"SET lock_timeout = '{LOCK_TIMEOUT}';\nDROP SCHEMA IF EXISTS public CASCADE;\n"
                      "CREATE SCHEMA public;\n", encoding="utf-8")
    after.write_text(_check_sql(expected), encoding="utf-8")
    engine.dispose()  # our own pooled connections must not hold locks on the tables being dropped
    _run([psql, "--no-password", "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1",
          f"--file={before}", f"--file={script}", f"--file={after}"], env,
         "the restore (rolled back: the database was not changed)")
    compare_counts(expected, counts_of(engine))
    return version
