"""E-mail waiting to leave: written in the same transaction as the work that caused it, delivered
after the commit (app/outbox.py), so nothing is mailed for work that was rolled back."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class OutboxStatus(StrEnum):
    PENDING = "pending"
    #: Claimed by one deliverer; never claimed twice, so a message is never sent twice.
    SENDING = "sending"
    SENT = "sent"
    #: Gave up after the last retry, or a delivery was interrupted half-way (may or may not
    #: have left): an admin decides on /admin/outbox.
    FAILED = "failed"


class RetryColumns:
    """The columns of a row waiting to leave for another system (app/delivery.py sends it), and
    the index the sender finds the due rows by: `ix_<table>_status_due`."""
    #: pending, sending (claimed by one sender), sent or failed (OutboxStatus).
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING)
    #: Tries so far; the next one waits longer each time (app/delivery.py BACKOFF).
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The error of the last try, without what was sent (it may hold names and titles).
    last_error: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        name = cls.__tablename__  # type: ignore[attr-defined]  # each model using it has one
        return (Index(f"ix_{name}_status_due", "status", "next_attempt_at"),)


class OutboxMessage(RetryColumns, db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The recipient's account, so erasure removes their mail; None for an address with no account.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    #: What the mail is about, e.g. "assignment.feedback" (shown to admins instead of the text).
    kind: Mapped[str] = mapped_column(String(60))
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: The one-click unsubscribe address (List-Unsubscribe); None for mail one cannot leave
    #: (account e-mails, safety notices).
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"
