"""Tables of the journal activity type (all prefixed `journal_`).

An Entry belongs to one trainee and is private until the trainee shares it with the facilitators
of the cohort its module belongs to (`cohort_id`: national module or no module -> the trainee's
national cohort, transnational module -> the transnational cohort), or with the narrower list of
them the trainee chose (Audience rows); Comments are the conversation on a shared entry. A Flag
("this is weighing on me") sends one entry, privately, to the supervisor the trainee's cohort names (Supervisor rows),
and FlagReply is their conversation. Seen marks when a user last looked at an entry, so dashboards
can say "new comments" and "shared entries with new activity" without a query per entry.
GroupPost and GroupReply are the cohort's shared reflection space.

Who may read what is decided in access.py, nowhere else."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import Activity, Cohort, Module, User
from app.timeutil import utcnow


class Entry(db.Model):
    __tablename__ = "journal_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: Sanitized HTML of the free part of the entry.
    body_html: Mapped[str] = mapped_column(Text, default="")
    #: Answers per stage of the prompt's reflective model: stage key -> sanitized HTML.
    stage_answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: The day the reflection is about (the trainee chooses it; defaults to today).
    entry_date: Mapped[date]
    module_id: Mapped[int | None] = mapped_column(ForeignKey("module.id", ondelete="SET NULL"), index=True)
    #: The journal activity this entry answers (counts toward its completion).
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id", ondelete="SET NULL"), index=True)
    #: The cohort whose facilitators a share reaches (and whose run the entry belongs to for the
    #: retention purge): set from the module's component when the entry is written or shared.
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="SET NULL"), index=True)
    #: Slug of the reflection prompt (content/prompts.yaml) the entry follows; None: a free entry.
    prompt_slug: Mapped[str | None] = mapped_column(String(80))
    #: The prompt as it was when the entry was written (title, model, stages), so an entry stays
    #: readable after the content changes.
    prompt: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Competency codes, e.g. ["C4", "C7"].
    competencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    shared: Mapped[bool] = mapped_column(default=False)
    shared_at: Mapped[datetime | None]
    #: Incremented on every save; an edit based on an older version is refused as a conflict.
    version: Mapped[int] = mapped_column(default=1)
    #: Last thing the trainee did that facilitators should look at (shared, edited while shared,
    #: commented): the facilitators' "new activity" compares it with their Seen mark.
    activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User] = relationship()
    cohort: Mapped[Cohort | None] = relationship()
    module: Mapped[Module | None] = relationship()
    activity: Mapped[Activity | None] = relationship()
    comments: Mapped[list[Comment]] = relationship(back_populates="entry", order_by="Comment.id",
                                                   cascade="all, delete-orphan", passive_deletes=True)
    flag: Mapped[Flag | None] = relationship(back_populates="entry", cascade="all, delete-orphan",
                                             passive_deletes=True)
    audience: Mapped[list[Audience]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                    order_by="Audience.id")

    def __repr__(self) -> str:
        return f"<Entry {self.id} owner={self.owner_id}{' shared' if self.shared else ''}>"


class Audience(db.Model):
    """One facilitator a shared entry was shared with: the list the trainee saw and chose (all of
    the cohort's facilitators, or fewer). Rows go when the entry is taken back."""
    __tablename__ = "journal_audience"
    __table_args__ = (UniqueConstraint("entry_id", "user_id", name="uq_journal_audience_entry_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entry.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Audience entry={self.entry_id} user={self.user_id}>"


class Comment(db.Model):
    """A facilitator's comment on a shared entry, or the trainee's answer to one."""
    __tablename__ = "journal_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entry.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    entry: Mapped[Entry] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Comment {self.id} entry={self.entry_id}>"


class Seen(db.Model):
    """When a user last opened an entry (the owner, or a facilitator reading it shared)."""
    __tablename__ = "journal_seen"
    __table_args__ = (UniqueConstraint("entry_id", "user_id", name="uq_journal_seen_entry_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entry.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Seen entry={self.entry_id} user={self.user_id}>"


class Supervisor(db.Model):
    """The supervisor a cohort names for "this is weighing on me" flags: the cohort's default
    (trainee_id NULL) or, for one trainee, an override."""
    __tablename__ = "journal_supervisor"
    __table_args__ = (UniqueConstraint("cohort_id", "trainee_id", name="uq_journal_supervisor_cohort_trainee"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    #: None: the default for every trainee of the cohort.
    trainee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    set_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort: Mapped[Cohort] = relationship()
    trainee: Mapped[User | None] = relationship(foreign_keys=[trainee_id])
    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id])

    def __repr__(self) -> str:
        return f"<Supervisor cohort={self.cohort_id} trainee={self.trainee_id} supervisor={self.supervisor_id}>"


class Flag(db.Model):
    """"This is weighing on me": one entry sent privately to the trainee's named supervisor."""
    __tablename__ = "journal_flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entry.id", ondelete="CASCADE"), unique=True)
    #: Fixed when the entry is flagged, so a later change of supervisor does not hand it over.
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    #: What the trainee wrote when flagging (sanitized HTML, may be empty).
    note_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    entry: Mapped[Entry] = relationship(back_populates="flag")
    supervisor: Mapped[User | None] = relationship()
    replies: Mapped[list[FlagReply]] = relationship(back_populates="flag", order_by="FlagReply.id",
                                                    cascade="all, delete-orphan", passive_deletes=True)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def __repr__(self) -> str:
        return f"<Flag {self.id} entry={self.entry_id}{' open' if self.is_open else ''}>"


class FlagReply(db.Model):
    """The supervisor's answer to a flag, or the trainee's reply to it."""
    __tablename__ = "journal_flag_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("journal_flag.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    flag: Mapped[Flag] = relationship(back_populates="replies")
    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<FlagReply {self.id} flag={self.flag_id}>"


class GroupPost(db.Model):
    """A reflection posted to a cohort's group space, for its trainees and facilitators."""
    __tablename__ = "journal_group_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    cohort: Mapped[Cohort] = relationship()
    author: Mapped[User | None] = relationship()
    replies: Mapped[list[GroupReply]] = relationship(back_populates="post", order_by="GroupReply.id",
                                                     cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<GroupPost {self.id} cohort={self.cohort_id}>"


class GroupReply(db.Model):
    __tablename__ = "journal_group_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("journal_group_post.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[GroupPost] = relationship(back_populates="replies")
    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<GroupReply {self.id} post={self.post_id}>"


MODELS = (Entry, Audience, Comment, Seen, Supervisor, Flag, FlagReply, GroupPost, GroupReply)
