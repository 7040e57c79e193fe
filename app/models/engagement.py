"""Drafts that autosave, and notifications: core services every activity type shares."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class Draft(db.Model):
    """Unsaved work, kept on the server while the user types, so an expired session, a closed
    tab or a change of device loses nothing. One row per user and key."""
    __tablename__ = "draft"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_draft_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: Names what the draft is for, chosen by the plugin, e.g. "assignment:12" or "journal:new".
    key: Mapped[str] = mapped_column(String(120))
    #: Form field name -> value, exactly as typed.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Incremented on every save; a save based on an older version is a conflict.
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Draft {self.key} v{self.version} user={self.user_id}>"


class Notification(db.Model):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: What happened, e.g. "feedback.released"; lets users and tests tell notifications apart.
    kind: Mapped[str] = mapped_column(String(60))
    #: Rendered in the recipient's language when it was created.
    message: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]
    #: Its recipient wants this kind in their daily digest: the next digest e-mails it, then clears this.
    digest_pending: Mapped[bool] = mapped_column(default=False, server_default=false())

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} user={self.user_id}>"
