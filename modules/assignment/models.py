"""Tables of the assignment activity type (all prefixed `assignment_`).

A Submission is what one trainee (or one country group) hands in for one activity. It holds the
current status; every hand-in is a numbered Version that is never changed afterwards. Feedback
answers one version; Replies turn released feedback into a dialogue. Files belong to a version
(what was handed in), to a feedback (what the facilitator attached), or are "pending": uploaded
by the trainee for the next version, not handed in yet.

Group submissions: for an activity with `group: true` the owner is a national cohort
(`group_cohort_id`) instead of a user. The members of the group are that cohort's trainees, so
no separate group table is needed: a country group *is* the national cohort inside the
transnational week (see submissions.trainee_context)."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Activity, Cohort, User
from app.timeutil import utcnow


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REVISION_REQUESTED = "revision_requested"
    ACCEPTED = "accepted"


class Decision(StrEnum):
    ACCEPT = "accept"
    REVISE = "revise"


class FeedbackState(StrEnum):
    DRAFT = "draft"
    AWAITING_REVIEW = "awaiting_review"
    RELEASED = "released"


class Submission(db.Model):
    __tablename__ = "assignment_submission"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted', 'revision_requested', 'accepted')", name="status"),
        # Exactly one owner: a trainee, or a country group (a national cohort).
        CheckConstraint("(user_id IS NULL) <> (group_cohort_id IS NULL)", name="one_owner"),
        UniqueConstraint("activity_id", "user_id", name="uq_assignment_submission_activity_user"),
        UniqueConstraint("activity_id", "group_cohort_id", name="uq_assignment_submission_activity_group"),
        Index("ix_assignment_submission_queue", "cohort_id", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    #: The trainee who owns it (None for a group submission).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: The national cohort that owns a group submission; its trainees are the group.
    group_cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    #: The cohort whose facilitators give feedback (national or transnational, as the module is).
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT)
    #: Number of the latest version (0 while nothing has been handed in).
    latest_version: Mapped[int] = mapped_column(default=0)
    #: When the latest version was handed in: the facilitators' queue is ordered by it.
    submitted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    activity: Mapped[Activity] = relationship()
    user: Mapped[User | None] = relationship()
    group_cohort: Mapped[Cohort | None] = relationship(foreign_keys=[group_cohort_id])
    cohort: Mapped[Cohort] = relationship(foreign_keys=[cohort_id])
    versions: Mapped[list[Version]] = relationship(back_populates="submission", order_by="Version.number",
                                                   cascade="all, delete-orphan", passive_deletes=True)
    feedback: Mapped[list[Feedback]] = relationship(back_populates="submission", order_by="Feedback.id",
                                                    cascade="all, delete-orphan", passive_deletes=True)

    @property
    def is_group(self) -> bool:
        return self.group_cohort_id is not None

    def __repr__(self) -> str:
        owner = f"group={self.group_cohort_id}" if self.is_group else f"user={self.user_id}"
        return f"<Submission {self.id} activity={self.activity_id} {owner} {self.status}>"


class Version(db.Model):
    """One hand-in, kept as it was."""
    __tablename__ = "assignment_version"
    __table_args__ = (UniqueConstraint("submission_id", "number", name="uq_assignment_version_submission_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("assignment_submission.id", ondelete="CASCADE"),
                                               index=True)
    number: Mapped[int]
    #: Sanitized HTML of the rich-text answer (or of the note that goes with files).
    body_html: Mapped[str] = mapped_column(Text, default="")
    #: A structured template's answers: field name -> value (rows: a list of {column: value}).
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: What the version's audio or video recordings say, typed by the trainee (plain text).
    transcript: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: The structured template (its field definitions) this version was written against, as the
    #: content had it then: the version is always shown against it (template_versions.py).
    template: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)

    submission: Mapped[Submission] = relationship(back_populates="versions")
    submitted_by: Mapped[User | None] = relationship()
    files: Mapped[list[File]] = relationship(back_populates="version", order_by="File.id",
                                             passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Version {self.submission_id}#{self.number}>"


class Feedback(db.Model):
    """A facilitator's written answer to one version."""
    __tablename__ = "assignment_feedback"
    __table_args__ = (
        CheckConstraint("decision IN ('accept', 'revise')", name="decision"),
        CheckConstraint("state IN ('draft', 'awaiting_review', 'released')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("assignment_submission.id", ondelete="CASCADE"),
                                               index=True)
    #: The version this feedback answers.
    version_number: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    body_html: Mapped[str] = mapped_column(Text, default="")
    #: Comments on single template fields: field name -> plain text.
    field_comments: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    decision: Mapped[str] = mapped_column(String(10), default=Decision.REVISE)
    state: Mapped[str] = mapped_column(String(20), default=FeedbackState.DRAFT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    released_at: Mapped[datetime | None]
    #: The coordinator who approved it, in cohorts where feedback is reviewed before release.
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    #: Why a coordinator sent it back to its author.
    review_note: Mapped[str] = mapped_column(Text, default="")

    submission: Mapped[Submission] = relationship(back_populates="feedback")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    files: Mapped[list[File]] = relationship(back_populates="feedback", order_by="File.id", passive_deletes=True)
    replies: Mapped[list[Reply]] = relationship(back_populates="feedback", order_by="Reply.id",
                                                cascade="all, delete-orphan", passive_deletes=True)

    @property
    def is_released(self) -> bool:
        return self.state == FeedbackState.RELEASED

    def __repr__(self) -> str:
        return f"<Feedback {self.id} submission={self.submission_id} v{self.version_number} {self.state}>"


class FeedbackRead(db.Model):
    """A trainee has opened released feedback (drives "feedback to read" on the home page)."""
    __tablename__ = "assignment_feedback_read"
    __table_args__ = (UniqueConstraint("feedback_id", "user_id", name="uq_assignment_feedback_read_feedback_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("assignment_feedback.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<FeedbackRead feedback={self.feedback_id} user={self.user_id}>"


class Reply(db.Model):
    """A message in the dialogue under released feedback, from a trainee or a facilitator."""
    __tablename__ = "assignment_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("assignment_feedback.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    feedback: Mapped[Feedback] = relationship(back_populates="replies")
    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Reply {self.id} feedback={self.feedback_id}>"


class File(db.Model):
    """An uploaded file. The bytes live under UPLOAD_DIR/assignment/<stored_name>, never in the
    static folder; the random stored name says nothing about the content. Carrying a file into
    the next version copies this row, not the bytes, so several rows may share a stored name."""
    __tablename__ = "assignment_file"
    __table_args__ = (
        CheckConstraint("(version_id IS NULL) OR (feedback_id IS NULL)", name="one_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("assignment_submission.id", ondelete="CASCADE"),
                                               index=True)
    #: Set when handed in with a version; None with feedback_id None means pending.
    version_id: Mapped[int | None] = mapped_column(ForeignKey("assignment_version.id", ondelete="CASCADE"),
                                                   index=True)
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("assignment_feedback.id", ondelete="CASCADE"),
                                                    index=True)
    stored_name: Mapped[str] = mapped_column(String(64), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    version: Mapped[Version | None] = relationship(back_populates="files")
    feedback: Mapped[Feedback | None] = relationship(back_populates="files")
    submission: Mapped[Submission] = relationship()

    @property
    def is_pending(self) -> bool:
        return self.version_id is None and self.feedback_id is None

    def __repr__(self) -> str:
        return f"<File {self.id} {self.original_name}>"


class Extension(db.Model):
    """A later due date a facilitator granted to one trainee or one group for one activity."""
    __tablename__ = "assignment_extension"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (group_cohort_id IS NULL)", name="one_owner"),
        UniqueConstraint("activity_id", "user_id", name="uq_assignment_extension_activity_user"),
        UniqueConstraint("activity_id", "group_cohort_id", name="uq_assignment_extension_activity_group"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    group_cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text, default="")
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])

    def __repr__(self) -> str:
        return f"<Extension activity={self.activity_id} user={self.user_id} group={self.group_cohort_id} {self.due_on}>"


class CohortSetting(db.Model):
    """Per-cohort rules for feedback, set by the cohort's coordinators."""
    __tablename__ = "assignment_cohort_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), unique=True)
    #: Feedback waits for a coordinator's approval before the trainee sees it.
    feedback_needs_review: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<CohortSetting cohort={self.cohort_id} review={self.feedback_needs_review}>"


MODELS = (Submission, Version, Feedback, FeedbackRead, Reply, File, Extension, CohortSetting)
