"""The manifest of a backup archive: what the archive holds, with the size and SHA-256 of every
member, the schema revision and the row count of every table. A restore trusts nothing in the
archive that the manifest does not describe, and reads the manifest itself with a bounded size."""
from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import PurePosixPath
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import BackupError

MANIFEST_NAME = "manifest.json"
#: A manifest lists one line per file; 64 MiB holds several hundred thousand of them.
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
DATABASE_MEMBERS = {"sqlite": "database/life.sqlite", "postgresql": "database/life.pgdump"}
UPLOADS_PREFIX = "uploads/"
#: Table names are identifiers the restore quotes into SQL: nothing but these characters.
TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


def safe_member_name(name: str) -> bool:
    """A relative path of plain parts: no absolute path, no `..`, no backslash or control
    character, nothing a restore could write outside its own folder."""
    if not name or len(name) > 1024 or name.startswith("/") or "\\" in name:
        return False
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return False
    parts = PurePosixPath(name).parts
    return bool(parts) and all(part not in ("", ".", "..") for part in parts) and "/".join(parts) == name


class Member(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    size: Annotated[int, Field(ge=0)]
    sha256: Sha256

    @field_validator("name")
    @classmethod
    def _safe(cls, name: str) -> str:
        if not safe_member_name(name):
            raise ValueError(f"unsafe path {name!r}")
        return name


class DatabasePart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["sqlite", "postgresql"]
    #: The Alembic revision(s) in the database's alembic_version table when it was copied.
    revisions: list[Annotated[str, Field(pattern=r"^[0-9A-Za-z_]{1,64}$")]]
    server_version: str = ""
    tool_version: str = ""


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["life-academy-backup"] = "life-academy-backup"
    version: Literal[1] = 1
    created_at: datetime
    database: DatabasePart
    #: Rows per table (every table of the database, alembic_version included).
    tables: dict[str, Annotated[int, Field(ge=0)]]
    members: list[Member]

    @field_validator("tables")
    @classmethod
    def _table_names(cls, tables: dict[str, int]) -> dict[str, int]:
        bad = [name for name in tables if not TABLE_NAME.match(name)]
        if bad:
            raise ValueError(f"bad table name(s) {', '.join(map(repr, bad[:3]))}")
        return tables

    @field_validator("members")
    @classmethod
    def _members(cls, members: list[Member]) -> list[Member]:
        names = [m.name for m in members]
        if len(set(names)) != len(names):
            raise ValueError("a member is listed twice")
        if any(not (n in DATABASE_MEMBERS.values() or n.startswith(UPLOADS_PREFIX)) for n in names):
            raise ValueError("a member is neither the database nor an upload")
        return members

    @property
    def database_member(self) -> str:
        return DATABASE_MEMBERS[self.database.kind]

    def by_name(self) -> dict[str, Member]:
        return {m.name: m for m in self.members}

    def uploads(self) -> list[Member]:
        return [m for m in self.members if m.name.startswith(UPLOADS_PREFIX)]

    def to_bytes(self) -> bytes:
        return json.dumps(self.model_dump(mode="json"), indent=1, ensure_ascii=False).encode("utf-8")


def parse_manifest(data: bytes) -> Manifest:
    try:
        manifest = Manifest.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise BackupError(f"the archive's manifest is not valid ({where}: {first['msg']}): "
                          "this is not a LIFE Academy backup, or it was changed") from None
    if manifest.database_member not in manifest.by_name():
        raise BackupError("the archive's manifest lists no database copy")
    return manifest
