"""What the evaluation plugin stores. Identity and answers are kept apart:

- `Participation` says WHO answered WHICH questionnaire in WHICH cohort (and when); it holds no
  answers. It drives response rates, "who has not answered yet", reminders and completion.
- `AnonymousResponse` holds WHAT was answered in an anonymous questionnaire: the activity, the
  cohort, a pseudonymous code and the answers. No user id, no foreign key to a person or to a
  participation row, no timestamp, and a random primary key, so neither a join nor the order
  of rows ties an answer to the participation written in the same request (the README's
  "Evaluation anonymity: threat model" lists what remains).
- `NamedResponse` holds the answers of a questionnaire declared `anonymous: false`, with the
  trainee's id: a facilitator may follow that trainee's self-assessment over time.
- `Reminder` logs who reminded a cohort's non-respondents, and when."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Activity, Cohort, User
from app.timeutil import utcnow


def _random_id() -> str:
    return uuid.uuid4().hex


class Participation(db.Model):
    """That a user has answered an evaluation activity in a cohort. Never holds answers."""
    __tablename__ = "evaluation_participation"
    __table_args__ = (UniqueConstraint("activity_id", "cohort_id", "user_id",
                                       name="uq_evaluation_participation_activity_cohort_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: When the user first submitted (later edits do not change it).
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    activity: Mapped[Activity] = relationship()
    cohort: Mapped[Cohort] = relationship()
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Participation activity={self.activity_id} cohort={self.cohort_id} user={self.user_id}>"


class AnonymousResponse(db.Model):
    """The answers to an anonymous questionnaire. Deliberately without user, participation or
    time: see the module docstring before adding a column here."""
    __tablename__ = "evaluation_response"
    __table_args__ = (
        UniqueConstraint("activity_id", "cohort_id", "code", name="uq_evaluation_response_activity_cohort_code"),
        # SQLite would otherwise number rows in insertion order (the hidden rowid); without it,
        # rows are kept in the order of their random ids.
        {"sqlite_with_rowid": False},
    )

    #: Random, so the key says nothing about when the row was written.
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_random_id)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    #: HMAC-SHA256(EVALUATION_PSEUDONYM_KEY, "<user id>:<instrument family>"), hex. The same for a
    #: trainee's before/interim/final answers in one family; irreversible without the key.
    code: Mapped[str] = mapped_column(String(64))
    #: Question key -> answer (see services.py for the shapes).
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<AnonymousResponse {self.id} activity={self.activity_id} cohort={self.cohort_id}>"


class NamedResponse(db.Model):
    """The answers to a questionnaire declared `anonymous: false`."""
    __tablename__ = "evaluation_named_response"
    __table_args__ = (UniqueConstraint("activity_id", "cohort_id", "user_id",
                                       name="uq_evaluation_named_response_activity_cohort_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<NamedResponse activity={self.activity_id} cohort={self.cohort_id} user={self.user_id}>"


class Reminder(db.Model):
    """A reminder sent to a cohort's trainees who had not answered yet."""
    __tablename__ = "evaluation_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: How many trainees were reminded.
    recipients: Mapped[int] = mapped_column(default=0)

    sent_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Reminder activity={self.activity_id} cohort={self.cohort_id} {self.recipients}>"
