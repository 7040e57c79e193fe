"""Autosaved drafts with conflict detection, shared by every form that holds long text.

A page that edits text renders the draft's `version`; each save sends it back. When another tab
or device saved in between, the save is refused with DraftConflict and nothing is overwritten."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, select

from ..extensions import db
from ..models import Draft, User
from ..timeutil import utcnow

MAX_DRAFT_BYTES = 512 * 1024


class DraftConflict(Exception):
    def __init__(self, current: Draft):
        super().__init__(f"draft {current.key} is at version {current.version}")
        self.current = current


class DraftTooLarge(ValueError):
    pass


def get_draft(user: User, key: str) -> Draft | None:
    return db.session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.key == key))


def save_draft(user: User, key: str, data: dict[str, Any], base_version: int | None) -> Draft:
    """Store `data` if `base_version` is the stored version (0 or None: the first save)."""
    if len(json.dumps(data)) > MAX_DRAFT_BYTES:
        raise DraftTooLarge(key)
    draft = db.session.scalar(select(Draft).where(Draft.user_id == user.id, Draft.key == key)
                              .with_for_update())
    if draft is None:
        if base_version:
            # The draft this page was based on was saved for good (or discarded) elsewhere.
            raise DraftConflict(Draft(key=key, version=0, data={}, updated_at=utcnow()))
        draft = Draft(user_id=user.id, key=key, data=data, version=1, updated_at=utcnow())
        db.session.add(draft)
    elif draft.version != (base_version or 0):
        raise DraftConflict(draft)
    else:
        draft.data = data
        draft.version += 1
        draft.updated_at = utcnow()
    db.session.flush()
    return draft


def discard_draft(user: User, key: str) -> None:
    """Called when the text is saved for good (submitted, published)."""
    db.session.execute(delete(Draft).where(Draft.user_id == user.id, Draft.key == key))
