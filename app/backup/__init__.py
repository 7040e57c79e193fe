"""Backups: `flask backup create` writes one .tar.gz archive with the database (a consistent copy
taken while the app runs), the uploaded files and a manifest; `flask backup restore` checks every
byte against the manifest before it replaces anything, and replaces the database in one step.

Archive layout (app/backup/archive.py): `manifest.json` first, then `database/life.sqlite` (the
SQLite online backup API) or `database/life.pgdump` (pg_dump's custom format), then
`uploads/<path under UPLOAD_DIR>` for every file."""
from __future__ import annotations


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do. Nothing was
    replaced."""
