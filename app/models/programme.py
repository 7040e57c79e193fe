"""The programme as imported from `content/` (Programme, Competency, EcvetUnit, Module, Activity,
Resource, MeetingPlan), what happens in a cohort (Meeting, Attendance) and a trainee's progress
(Completion).

Rows that come from content are matched by slug on every import and updated in place. Rows that
disappear from the files are marked `retired`, never deleted: a trainee's work may point to them.
Hours are `Numeric` so sums are exact (1.5 + 2.5 is 4, not 3.9999)."""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import DEFAULT_END, DEFAULT_START, utcnow
from .cohort import Cohort, Country
from .content_json import ContentJSON
from .user import User

HOURS = Numeric(6, 2)
CREDITS = Numeric(5, 2)


class Component(StrEnum):
    NATIONAL = "national"
    TRANSNATIONAL = "transnational"


class KnowledgeKind(StrEnum):
    """The three corners of the Knowledge Triangle; every resource says which one it is."""
    PRACTICE = "practice-based"
    TRAINING = "training-education"
    RESEARCH = "research-based"


class CompletionState(StrEnum):
    STARTED = "started"
    DONE = "done"


class Programme(db.Model):
    """The programme as a whole: `content/programme.yaml`."""
    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Content translations by language: {lang: {field: text or overlay}} (app/localized.py).
    translations: Mapped[dict[str, Any]] = mapped_column(ContentJSON, default=dict, server_default="{}")
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    #: The content's own version label, e.g. "2026.1".
    version: Mapped[str] = mapped_column(String(40))
    total_hours: Mapped[Decimal] = mapped_column(HOURS)
    duration_months: Mapped[int]
    summary_md: Mapped[str] = mapped_column(Text, default="")
    #: The EQF level the content declares (1-8), shown on the credentials; None: not declared.
    eqf_level: Mapped[int | None] = mapped_column(default=None)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The latest content version (ContentVersion.id); the rows below hold it. Not a foreign key:
    #: content_version already points here, and a cycle would complicate every migration.
    content_version_id: Mapped[int | None]
    #: The national variants' texts and hours, by country code: {"NO": {"notes_md", "module_notes":
    #: {slug: text}, "module_hours": {slug: "14"}, "translations": {lang: overlay}}} (content/variants).
    #: Decoded once per stored value (about 70 kB with five variants, read with every session lookup).
    variants: Mapped[dict[str, Any]] = mapped_column(ContentJSON, default=dict, server_default="{}")

    competencies: Mapped[list[Competency]] = relationship(back_populates="programme", order_by="Competency.position",
                                                          cascade="all, delete-orphan")
    ecvet_units: Mapped[list[EcvetUnit]] = relationship(back_populates="programme", order_by="EcvetUnit.position")
    modules: Mapped[list[Module]] = relationship(back_populates="programme", order_by="Module.order")

    def __repr__(self) -> str:
        return f"<Programme {self.slug} {self.version}>"


class Competency(db.Model):
    """One of the Competency Framework's elements (C1..C7)."""
    __tablename__ = "competency"
    __table_args__ = (UniqueConstraint("programme_id", "code", name="uq_competency_programme_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Content translations by language: {lang: {field: text or overlay}} (app/localized.py).
    translations: Mapped[dict[str, Any]] = mapped_column(ContentJSON, default=dict, server_default="{}")
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    programme: Mapped[Programme] = relationship(back_populates="competencies")

    def __repr__(self) -> str:
        return f"<Competency {self.code}>"


class EcvetUnit(db.Model):
    """An ECVET unit of learning outcomes with its credit points."""
    __tablename__ = "ecvet_unit"
    __table_args__ = (UniqueConstraint("programme_id", "code", name="uq_ecvet_unit_programme_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Content translations by language: {lang: {field: text or overlay}} (app/localized.py).
    translations: Mapped[dict[str, Any]] = mapped_column(ContentJSON, default=dict, server_default="{}")
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    credit_points: Mapped[Decimal] = mapped_column(CREDITS)
    #: [{"kind": "knowledge" | "skills" | "competence", "text": ...}]
    learning_outcomes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)
    #: The unit's own EQF level (1-8) when the content declares one; else the programme's.
    eqf_level: Mapped[int | None] = mapped_column(default=None)

    programme: Mapped[Programme] = relationship(back_populates="ecvet_units")

    def __repr__(self) -> str:
        return f"<EcvetUnit {self.code}>"


class Module(db.Model):
    __tablename__ = "module"
    __table_args__ = (CheckConstraint("component IN ('national', 'transnational')", name="component"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Content translations by language: {lang: {field: text or overlay}} (app/localized.py).
    translations: Mapped[dict[str, Any]] = mapped_column(ContentJSON, default=dict, server_default="{}")
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    order: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    component: Mapped[str] = mapped_column(String(20))
    #: Activities' hours plus meetings' hours (the importer checks they add up).
    hours: Mapped[Decimal] = mapped_column(HOURS)
    ecvet_unit_id: Mapped[int | None] = mapped_column(ForeignKey("ecvet_unit.id"), index=True)
    credit_points: Mapped[Decimal] = mapped_column(CREDITS, default=Decimal(0))
    #: Competency codes, e.g. ["C1", "C4"].
    competencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary_md: Mapped[str] = mapped_column(Text, default="")
    #: [{"text": ..., "competencies": ["C1"]}]
    learning_outcomes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: Gone from the content files; kept because trainees' work may point to it.
    retired: Mapped[bool] = mapped_column(default=False)

    programme: Mapped[Programme] = relationship(back_populates="modules")
    ecvet_unit: Mapped[EcvetUnit | None] = relationship()
    activities: Mapped[list[Activity]] = relationship(back_populates="module", order_by="Activity.position")
    meeting_plans: Mapped[list[MeetingPlan]] = relationship(back_populates="module", order_by="MeetingPlan.position")

    @property
    def is_transnational(self) -> bool:
        return self.component == Component.TRANSNATIONAL

    def __repr__(self) -> str:
        return f"<Module {self.slug}>"


class Activity(db.Model):
    """Something a trainee does. `type` names the activity plugin that owns it (app/plugins.py);
    `settings` is that plugin's validated configuration."""
    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Content translations by language: {lang: {field: text or overlay}} (app/localized.py).
    translations: Mapped[dict[str, Any]] = mapped_column(ContentJSON, default=dict, server_default="{}")
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    hours: Mapped[Decimal] = mapped_column(HOURS)
    required: Mapped[bool] = mapped_column(default=True)
    #: {"after_start_days": N} or {"after_meeting": <meeting plan slug>, "days": N}.
    due_rule: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    competencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)
    #: Set for a national variant's activity: only that country's trainees see it.
    country_id: Mapped[int | None] = mapped_column(ForeignKey("country.id"), index=True)
    #: The common activity this national one replaces for its country.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id"), index=True)
    #: Country codes whose variant removes this common activity.
    omitted_in: Mapped[list[str]] = mapped_column(JSON, default=list)
    retired: Mapped[bool] = mapped_column(default=False)

    module: Mapped[Module] = relationship(back_populates="activities")
    country: Mapped[Country | None] = relationship()
    replaces: Mapped[Activity | None] = relationship(remote_side=[id])

    @property
    def is_national_variant(self) -> bool:
        return self.country_id is not None

    def __repr__(self) -> str:
        return f"<Activity {self.slug} ({self.type})>"


class Resource(db.Model):
    """A learning resource of the Knowledge Triangle library."""
    __tablename__ = "resource"
    __table_args__ = (
        CheckConstraint("kind IN ('practice-based', 'training-education', 'research-based')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Content translations by language: {lang: {field: text or overlay}} (app/localized.py).
    translations: Mapped[dict[str, Any]] = mapped_column(ContentJSON, default=dict, server_default="{}")
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("module.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text, default="")
    #: Where the knowledge comes from (a publication, a project output, a practice).
    source: Mapped[str] = mapped_column(Text, default="")
    competencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: An attached file, relative to the content folder (e.g. "modules/02-x/files/a.pdf").
    file_path: Mapped[str | None] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(default=0)
    #: Set for a national variant's resource: only that country's trainees see it.
    country_id: Mapped[int | None] = mapped_column(ForeignKey("country.id"), index=True)
    retired: Mapped[bool] = mapped_column(default=False)

    programme: Mapped[Programme] = relationship()
    module: Mapped[Module | None] = relationship()
    country: Mapped[Country | None] = relationship()

    def __repr__(self) -> str:
        return f"<Resource {self.slug} {self.kind}>"


class MeetingPlan(db.Model):
    """A meeting as the content plans it (a national half-day, a transnational week). Each cohort
    gets its own dated Meeting from it."""
    __tablename__ = "meeting_plan"
    __table_args__ = (CheckConstraint("kind IN ('national', 'transnational')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Content translations by language: {lang: {field: text or overlay}} (app/localized.py).
    translations: Mapped[dict[str, Any]] = mapped_column(ContentJSON, default=dict, server_default="{}")
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    hours: Mapped[Decimal] = mapped_column(HOURS)
    #: Planned first day, counted from the run's start (used until the cohort has a dated meeting).
    after_start_days: Mapped[int] = mapped_column(default=0)
    duration_days: Mapped[int] = mapped_column(default=1)
    #: Each day's start and end, in the local time of the cohort's country (content: start/end).
    starts_at: Mapped[time] = mapped_column(default=DEFAULT_START, server_default="09:00:00")
    ends_at: Mapped[time] = mapped_column(default=DEFAULT_END, server_default="13:00:00")
    agenda_md: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)
    #: Set for a national variant's session: only that country's national cohorts get it.
    country_code: Mapped[str | None] = mapped_column(String(2))
    #: Countries whose variant replaces this (common) plan with their own sessions.
    omitted_in: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    #: Where a variant's session is held (copied to each cohort's meeting).
    place: Mapped[str] = mapped_column(String(200), default="", server_default="")

    module: Mapped[Module] = relationship(back_populates="meeting_plans")

    def shown_to(self, country: str | None) -> bool:
        """Whether a national cohort of `country` (None: the transnational one) gets this plan."""
        if self.country_code is not None:
            return self.country_code == country
        return (country or "") not in (self.omitted_in or [])

    def __repr__(self) -> str:
        return f"<MeetingPlan {self.slug}>"


class Meeting(db.Model):
    """A dated meeting of one cohort, usually from a MeetingPlan."""
    __tablename__ = "meeting"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_plan.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    #: Each day of the meeting runs from starts_at to ends_at, local time in `time_zone` (IANA).
    starts_at: Mapped[time] = mapped_column(default=DEFAULT_START, server_default="09:00:00")
    ends_at: Mapped[time] = mapped_column(default=DEFAULT_END, server_default="13:00:00")
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/Stockholm", server_default="Europe/Stockholm")
    place: Mapped[str] = mapped_column(String(200), default="")
    #: Hours an attending trainee is credited.
    hours: Mapped[Decimal] = mapped_column(HOURS)
    agenda_md: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort: Mapped[Cohort] = relationship()
    plan: Mapped[MeetingPlan | None] = relationship()
    attendances: Mapped[list[Attendance]] = relationship(back_populates="meeting", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.title} {self.starts_on}>"


class Attendance(db.Model):
    """A facilitator's record of whether a trainee came to a meeting."""
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id", name="uq_attendance_meeting_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    present: Mapped[bool]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="attendances")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])

    def __repr__(self) -> str:
        return f"<Attendance meeting={self.meeting_id} user={self.user_id} present={self.present}>"


class Completion(db.Model):
    """Where a trainee stands with one activity. Plugins keep their own detail (submissions,
    entries); this row is what progress and hours read."""
    __tablename__ = "completion"
    __table_args__ = (
        CheckConstraint("state IN ('started', 'done')", name="state"),
        UniqueConstraint("user_id", "activity_id", name="uq_completion_user_activity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    completed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    activity: Mapped[Activity] = relationship()

    @property
    def is_done(self) -> bool:
        return self.state == CompletionState.DONE

    def __repr__(self) -> str:
        return f"<Completion user={self.user_id} activity={self.activity_id} {self.state}>"
