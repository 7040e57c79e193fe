from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models import ProgrammeRun, User
from app.timeutil import utcnow


class Innovation(db.Model):
    """One trainee's micro-innovation in one run."""
    __tablename__ = "innovation"
    __table_args__ = (
        UniqueConstraint("owner_id", "run_id", name="uq_innovation_owner_run"),
        CheckConstraint("stage IN ('emergence', 'stabilisation', 'scaling_up')", name="stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("programme_run.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: The pseudonym the trainee gives the family ("Family A"), repeated in every hand-in.
    family_pseudonym: Mapped[str] = mapped_column(String(100), default="", server_default="")
    #: Sanitized HTML: the family situation it answers, pseudonymised ("Family A").
    situation_html: Mapped[str] = mapped_column(Text, default="")
    #: Sanitized HTML: what the families do in it, as co-creators.
    families_part_html: Mapped[str] = mapped_column(Text, default="")
    #: Sanitized HTML per kind of knowledge (stages.KNOWLEDGE): practice, education, research.
    knowledge: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Slugs of the Knowledge Triangle library's resources it draws on.
    resource_slugs: Mapped[list[str]] = mapped_column(JSON, default=list)
    stage: Mapped[str] = mapped_column(String(20), default="emergence")
    #: Shown to the trainee's country group (their national cohort) as input to the joint presentation.
    shared: Mapped[bool] = mapped_column(default=False)
    #: Incremented on every save; an edit based on an older version is refused as a conflict.
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User] = relationship()
    run: Mapped[ProgrammeRun] = relationship()
    stages: Mapped[list[StageChange]] = relationship(back_populates="innovation", order_by="StageChange.id",
                                                     cascade="all, delete-orphan", passive_deletes=True)
    factors: Mapped[list[Factor]] = relationship(back_populates="innovation", order_by="Factor.id",
                                                 cascade="all, delete-orphan", passive_deletes=True)
    comments: Mapped[list[InnovationComment]] = relationship(
        back_populates="innovation", order_by="InnovationComment.id", cascade="all, delete-orphan",
        passive_deletes=True)


class StageChange(db.Model):
    """The day the innovation reached a stage, and why the trainee says it did."""
    __tablename__ = "innovation_stage"
    __table_args__ = (CheckConstraint("stage IN ('emergence', 'stabilisation', 'scaling_up')", name="stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(ForeignKey("innovation.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    reached_on: Mapped[date]
    why_html: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    innovation: Mapped[Innovation] = relationship(back_populates="stages")


class Factor(db.Model):
    """A promoting or impeding factor the trainee met, at the toolkit's levels."""
    __tablename__ = "innovation_factor"
    __table_args__ = (
        CheckConstraint("kind IN ('promoting', 'impeding')", name="kind"),
        CheckConstraint("level IN ('professional', 'organisational', 'programme')", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(ForeignKey("innovation.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    level: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    innovation: Mapped[Innovation] = relationship(back_populates="factors")


class InnovationComment(db.Model):
    """A facilitator's comment on the record, or the trainee's answer."""
    __tablename__ = "innovation_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(ForeignKey("innovation.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    innovation: Mapped[Innovation] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()


MODELS = (Innovation, StageChange, Factor, InnovationComment)
