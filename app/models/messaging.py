"""Reaching trainees: announcements, notification preferences, the 48-hour reminder limit and
the digests already sent (app/services/announcements.py, preferences.py, reminders.py, digests.py)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .user import User


class NotificationPreference(db.Model):
    """How a user wants one kind of notification e-mailed (no row: the kind's default)."""
    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_notification_preference_user_kind"),
                      CheckConstraint("mode IN ('now', 'digest', 'off')", name="mode"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: A preference kind of app/services/preferences.py (announcement, reminder, activity, summary).
    kind: Mapped[str] = mapped_column(String(30))
    mode: Mapped[str] = mapped_column(String(10))


class Announcement(db.Model):
    """A message from a facilitator or coordinator to trainees, in one or several languages."""
    __tablename__ = "announcement"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    #: The language the sender wrote `subject` and `body` in: what a recipient without a version
    #: in their own language reads.
    language: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(200))
    #: Sanitized HTML (app/sanitize.py).
    body: Mapped[str] = mapped_column(Text)
    #: Other languages: {lang: {"subject": ..., "body": sanitized HTML}}.
    versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Who it went to, as the sender chose it ("Sweden pilot", "Norway: not handed in X").
    audience: Mapped[str] = mapped_column(String(300))
    recipients: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: The form's one-time key: the same form sent twice is stored (and mailed) once.
    send_key: Mapped[str | None] = mapped_column(String(32), index=True, unique=True)

    sender: Mapped[User | None] = relationship()

    def version_for(self, language: str | None) -> tuple[str, str]:
        """(subject, body) in `language` when the sender wrote that version, else the default."""
        version = self.versions.get(language or "") if language != self.language else None
        if version:
            return version["subject"], version["body"]
        return self.subject, self.body


class AnnouncementRecipient(db.Model):
    """Who an announcement went to: they, and the sender, may open it."""
    __tablename__ = "announcement_recipient"
    __table_args__ = (UniqueConstraint("announcement_id", "user_id", name="uq_announcement_recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcement.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)


class ReminderSent(db.Model):
    """The last reminder a trainee was sent about one item. The unique key makes the 48-hour
    limit hold under concurrent senders (app/services/reminders.py claims the row)."""
    __tablename__ = "reminder_sent"
    __table_args__ = (UniqueConstraint("user_id", "item", name="uq_reminder_sent_user_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: What the reminder was about, e.g. "activity:12".
    item: Mapped[str] = mapped_column(String(80))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class DigestSent(db.Model):
    """One digest per user and period: a second run of `flask notify digest` the same day (or
    week) finds the row and sends nothing."""
    __tablename__ = "digest_sent"
    __table_args__ = (UniqueConstraint("user_id", "period", name="uq_digest_sent_user_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: "daily:2026-12-03" or "weekly:2026-W49".
    period: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
