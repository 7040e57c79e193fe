"""`flask backup create` and `flask backup restore` (README: Backups)."""
from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy.exc import DBAPIError

from . import BackupError

backup_cli = AppGroup("backup", help="Backups of the database and the uploaded files.")


@backup_cli.command("create")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="The archive to write (default: life-backup-<UTC time>.tar.gz here; - for standard output).")
def create(output: str | None) -> None:
    """Write one .tar.gz archive with the database, the uploaded files and a manifest. Safe to run
    while the app is serving requests. The archive holds personal data: keep it encrypted."""
    from . import service
    output = output or datetime.now(UTC).strftime("life-backup-%Y%m%dT%H%M%SZ.tar.gz")
    try:
        if output == "-":
            manifest = service.create(sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            manifest = _write_file(Path(output), service.create)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    except DBAPIError as exc:
        raise click.ClickException(_unreachable(exc)) from None
    files = len(manifest.uploads())
    rows = sum(manifest.tables.values())
    click.echo(f"Backed up {rows} rows in {len(manifest.tables)} tables and {files} uploaded file(s)"
               + ("" if output == "-" else f" to {output}") + ".", err=output == "-")


def _unreachable(exc: DBAPIError) -> str:
    # The engine hides bound parameters, so the driver's message names no one's data.
    said = " ".join(str(exc.orig).split())[:300]
    return f"the database (DATABASE_URL) cannot be used: {said}; nothing was changed"


def _write_file(path: Path, write):
    if path.exists():
        raise BackupError(f"{path} already exists: choose another --output")
    partial = path.with_name(path.name + ".part")
    # Mode 600 from the first byte: the archive holds everyone's journals and hand-ins.
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise BackupError(f"cannot write {partial}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            result = write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return result


@backup_cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--yes", is_flag=True, help="Replace a database or upload folder that already holds data.")
def restore(file: str, yes: bool) -> None:
    """Restore FILE (a `flask backup create` archive; - for standard input) into the configured
    database and UPLOAD_DIR. Every member is checked against the manifest before anything is
    replaced; an older backup is brought up to date with the migrations. Stop the app first."""
    from . import service
    try:
        if file == "-":
            result = service.restore(sys.stdin.buffer, replace=yes)
        else:
            try:
                source = open(file, "rb")  # noqa: SIM115  # closed below, after the restore
            except OSError as exc:
                raise BackupError(f"cannot read it ({exc.strerror})") from None
            with source:
                result = service.restore(source, replace=yes)
    except BackupError as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    except DBAPIError as exc:
        raise click.ClickException(_unreachable(exc)) from None
    manifest = result.manifest
    click.echo(f"Restored {sum(manifest.tables.values())} rows in {len(manifest.tables)} tables and "
               f"{len(manifest.uploads())} uploaded file(s) from the backup of "
               f"{manifest.created_at:%Y-%m-%d %H:%M} UTC; every count and checksum matches.")
    if result.upgraded_from:
        click.echo(f"The backup's schema ({', '.join(result.upgraded_from)}) was upgraded to this code's migrations.")
    if result.kept_uploads:
        click.echo(f"The files that were in the upload folder are kept in {result.kept_uploads}: "
                   "delete that folder once you have checked the restore.")
