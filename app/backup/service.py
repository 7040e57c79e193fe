"""Making a backup and restoring one, for the database the app is configured with."""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from flask import current_app

from ..extensions import db
from . import BackupError, postgres_db, sqlite_db
from .archive import read_archive, sha256_of, write_archive
from .manifest import DATABASE_MEMBERS, DatabasePart, Manifest, Member
from .tables import count_rows, holds_data
from .uploads import has_files, list_files, new_staging, staged_path, swap_in

KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _kind() -> str:
    kind = db.engine.dialect.name
    if kind not in KINDS:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {kind}")
    return kind


def _upload_root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _work_dir() -> Path:
    Path(current_app.instance_path).mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".life-backup-", dir=current_app.instance_path))


def create(target: BinaryIO) -> Manifest:
    """Write a backup archive of the database and UPLOAD_DIR to `target`."""
    kind = _kind()
    work = _work_dir()
    try:
        copy_path = work / Path(DATABASE_MEMBERS[kind]).name
        if kind == "sqlite":
            lite = sqlite_db.snapshot(sqlite_db.database_path(db.engine.url), copy_path)
            counts = lite.counts
            part = DatabasePart(kind="sqlite", revisions=lite.revisions, server_version=lite.version)
        else:
            pg = postgres_db.snapshot(db.engine, copy_path)
            counts = pg.counts
            part = DatabasePart(kind="postgresql", revisions=pg.revisions, server_version=pg.version,
                                tool_version=pg.tool_version)
        size, digest = sha256_of(copy_path)
        # The files after the database: a file written since the copy has no row yet, and is harmless.
        files = list_files(_upload_root())
        database = Member(name=DATABASE_MEMBERS[kind], size=size, sha256=digest)
        manifest = Manifest(created_at=datetime.now(UTC), database=part, tables=counts,
                            members=[database, *(member for member, _ in files)])
        write_archive(target, manifest, {database.name: copy_path, **{m.name: path for m, path in files}})
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _migrations() -> tuple[set[str], set[str]]:
    """The code's head revision(s) and every revision it knows."""
    from alembic.script import ScriptDirectory
    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    return set(script.get_heads()), {rev.revision for rev in script.walk_revisions()}


def current_counts() -> dict[str, int]:
    with db.engine.connect() as connection:
        return count_rows(lambda sql: connection.exec_driver_sql(sql).all(), _kind())


@dataclass
class Restored:
    manifest: Manifest
    upgraded_from: list[str] | None
    kept_uploads: Path | None


def _check_before_reading(manifest: Manifest, kind: str, replace: bool) -> None:
    if manifest.database.kind != kind:
        raise BackupError(f"the backup holds a {KINDS[manifest.database.kind]} database, but this app is "
                          f"configured for {KINDS[kind]} (DATABASE_URL): restore it where DATABASE_URL "
                          f"points to {KINDS[manifest.database.kind]}")
    _, known = _migrations()
    unknown = [rev for rev in manifest.database.revisions if rev not in known]
    if unknown:
        raise BackupError(f"the backup's schema revision {unknown[0]} is not one of this code's migrations: "
                          "it was made by a newer version of LIFE Academy; restore it with that version")
    if not replace:
        tables = holds_data(current_counts())
        if tables:
            raise BackupError(f"the database already holds data (tables {', '.join(tables[:5])}): "
                              "pass --yes to replace it with the backup")
        if has_files(_upload_root()):
            raise BackupError(f"the upload folder {_upload_root()} already holds files: "
                              "pass --yes to replace them (they are moved aside, not deleted)")
    if kind == "postgresql":  # missing tools: say so before reading a large archive
        major, _ = postgres_db.server_major(db.engine)
        postgres_db.find_tool("pg_restore", major)
        postgres_db.find_tool("psql", major)


def restore(source: BinaryIO, replace: bool = False) -> Restored:
    """Check the archive against its manifest, then replace the database (in one step) and the
    upload folder. Raises BackupError with nothing replaced when anything is wrong."""
    kind = _kind()
    work = _work_dir()
    staging: list[Path] = []

    def before(manifest: Manifest) -> None:
        _check_before_reading(manifest, kind, replace)
        staging.append(new_staging(_upload_root()))

    def destination(manifest: Manifest, member: Member) -> Path:
        if member.name == manifest.database_member:
            return work / Path(member.name).name
        return staged_path(staging[0], member.name)

    try:
        manifest = read_archive(source, destination, before)
        dump = work / Path(manifest.database_member).name
        db.session.remove()
        db.engine.dispose()
        if kind == "sqlite":
            sqlite_db.restore(dump, sqlite_db.database_path(db.engine.url), manifest.tables)
        else:
            postgres_db.restore(db.engine, dump, manifest.tables, work)
        db.engine.dispose()
        stamp = manifest.created_at.strftime("%Y%m%dT%H%M%SZ") + "-" + work.name[-6:]
        try:
            kept = swap_in(_upload_root(), staging[0], stamp)
        except OSError as exc:
            folder = staging.pop()  # kept: it holds the backup's files
            raise BackupError(f"the database was restored, but moving the files into {_upload_root()} failed "
                              f"({exc.strerror}): they are in {folder}; move them there by hand") from None
        staging.clear()
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for folder in staging:
            shutil.rmtree(folder, ignore_errors=True)
    heads, _ = _migrations()
    upgraded_from = None
    if set(manifest.database.revisions) != heads:
        from flask_migrate import upgrade
        try:
            upgrade()
        except Exception as exc:  # any migration error: the restore itself is complete and consistent
            raise BackupError(f"the backup was restored at schema revision {', '.join(manifest.database.revisions)}, "
                              f"but bringing it up to date failed ({type(exc).__name__}); fix the cause and run "
                              "`flask db upgrade`") from None
        upgraded_from = manifest.database.revisions
    return Restored(manifest, upgraded_from, kept)
