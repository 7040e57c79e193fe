"""Autosaved drafts with conflict detection, shared by every form that holds long text.

A page that edits text renders the draft's `version`; each save sends it back. When another tab
or device saved in between, the save is refused with DraftConflict and nothing is overwritten.
Saves are a compare-and-set on the version (an UPDATE ... WHERE version = base) and a first save
an INSERT ... ON CONFLICT DO NOTHING, so two saves at the same moment never both win and never
raise a duplicate key: the loser gets DraftConflict, on SQLite as on PostgreSQL."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..conflicts import Conflict
from ..extensions import db, rows_changed
from ..models import Draft, User
from ..timeutil import utcnow

MAX_DRAFT_BYTES = 512 * 1024


class DraftConflict(Conflict):
    def __init__(self, current: Draft):
        super().__init__(current)


class DraftTooLarge(ValueError):
    pass


def get_draft(user: User, key: str) -> Draft | None:
    return db.session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.key == key))


def save_draft(user: User, key: str, data: dict[str, Any], base_version: int | None) -> Draft:
    """Store `data` if `base_version` is the stored version (0 or None: the first save)."""
    if len(json.dumps(data)) > MAX_DRAFT_BYTES:
        raise DraftTooLarge(key)
    if not base_version:
        return _insert(user, key, data)
    changed = db.session.execute(
        update(Draft).where(Draft.user_id == user.id, Draft.key == key, Draft.version == base_version)
        .values(data=data, version=Draft.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False))
    current = _reload(user, key)
    if rows_changed(changed) != 1:
        # Saved elsewhere in between, or saved for good (or discarded) elsewhere.
        raise DraftConflict(current or Draft(key=key, version=0, data={}, updated_at=utcnow()))
    return current


def _insert(user: User, key: str, data: dict[str, Any]) -> Draft:
    # INSERT ... ON CONFLICT DO NOTHING (SQLite and PostgreSQL): no duplicate-key error, no
    # savepoint (pysqlite would commit one that opens the transaction).
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    # RETURNING tells whether this INSERT wrote the row (rowcount is not reliable for an ORM
    # insert on psycopg); both databases support it.
    inserted = db.session.execute(insert(Draft).values(user_id=user.id, key=key, data=data, version=1,
                                                       updated_at=utcnow())
                                  .on_conflict_do_nothing(index_elements=["user_id", "key"])
                                  .returning(Draft.id)).scalar()
    current = _reload(user, key)
    if inserted is None:
        # Another tab's first save won the race: this page is now based on an old version.
        raise DraftConflict(current)
    return current


def _reload(user: User, key: str) -> Draft | None:
    """The stored draft as it is now, in one statement: a get-then-refresh would fail (a 500) when
    another request deletes the draft in between (it was handed in on another node)."""
    return db.session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.key == key)
                             .execution_options(populate_existing=True))


def discard_draft(user: User, key: str) -> None:
    """Called when the text is saved for good (submitted, published)."""
    db.session.execute(delete(Draft).where(Draft.user_id == user.id, Draft.key == key))
