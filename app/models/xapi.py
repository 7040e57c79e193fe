"""xAPI statements waiting for, or delivered to, the configured LRS (app/xapi.py). Written in the
transaction of the completion or hand-in that caused them, sent after the commit; the statement
is built once and stored, so every retry sends the same bytes under the same id."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow
from .outbox import RetryColumns


class XapiStatement(RetryColumns, db.Model):
    __tablename__ = "xapi_statement"

    #: The statement's id: a UUID derived from what happened (verb, user, activity, version), so
    #: the same event never becomes two statements, here or in the LRS.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: "completed" or "submitted" (shown to admins instead of the statement).
    verb: Mapped[str] = mapped_column(String(20))
    #: The statement as sent: actor by platform account (never the e-mail), verb, object, timestamp.
    statement: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<XapiStatement {self.id} {self.verb} {self.status}>"


__all__ = ["XapiStatement"]
