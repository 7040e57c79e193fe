"""A content version: what one `flask content import` made of the programme, frozen.

The programme's rows (modules, activities, meeting plans) always hold the latest import; a run
pinned to an older version sees that version's snapshot laid over the same rows (app/services/
pinned.py). Rows are never deleted, so every slug of every snapshot still has its row, and the
trainees' work (completions, hand-ins, attendance) keeps pointing at stable ids."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class ContentVersion(db.Model):
    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    #: The content's own label (programme.yaml `version:`), for people.
    label: Mapped[str] = mapped_column(String(40), default="")
    #: sha256 of the snapshot without source lines: an import that changes nothing makes no version.
    content_hash: Mapped[str] = mapped_column(String(64))
    #: {"programme": {...}, "modules": {slug: {...}}, "activities": {...}, "meeting_plans": {...}}
    #: (app/content/snapshot.py); each item also keeps "at": the file:line it came from.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<ContentVersion {self.id} {self.label} {self.content_hash[:8]}>"


class ContentGeneration(db.Model):
    """One row whose random token changes in the same transaction as any change to the programme's
    content rows (app/content_cache.py). Every worker compares it with the token its cached rows
    were read under, so an import in one process is seen by all the others on their next request.
    A random token, not a counter: a database built anew (or a test's emptied tables) never repeats
    a token another database had, so a process serving both can never mix their rows."""
    __tablename__ = "content_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
