from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .user import User

if TYPE_CHECKING:
    from .content_version import ContentVersion
    from .programme import Programme


class CohortKind(StrEnum):
    NATIONAL = "national"
    TRANSNATIONAL = "transnational"


class CohortRole(StrEnum):
    TRAINEE = "trainee"
    FACILITATOR = "facilitator"
    COORDINATOR = "coordinator"  # a national coordinator


class Country(db.Model):
    """A partner country. The five LIFE partners are loaded by the first migration; admins add more."""
    __tablename__ = "country"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ISO 3166-1 alpha-2, upper case.
    code: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    #: The language national cohorts are taught in, a key of Config.LANGUAGES.
    default_locale: Mapped[str] = mapped_column(String(10), default="en")
    #: The IANA zone (Europe/Lisbon) national meetings are held in and new users start with.
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/Stockholm", server_default="Europe/Stockholm")

    def __repr__(self) -> str:
        return f"<Country {self.code}>"


class ProgrammeRun(db.Model):
    """An edition of the programme with its own dates and cohorts."""
    __tablename__ = "programme_run"
    __table_args__ = (CheckConstraint("ends_on > starts_on", name="dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The imported programme this run teaches (None: the installation's only programme).
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"), index=True)
    #: The content version the run teaches (docs/content-versions.md); None: the latest, always.
    content_version_id: Mapped[int | None] = mapped_column(ForeignKey("content_version.id"), index=True)

    cohorts: Mapped[list[Cohort]] = relationship(back_populates="run", order_by="Cohort.name")
    programme: Mapped[Programme | None] = relationship()
    content_version: Mapped[ContentVersion | None] = relationship()

    def __repr__(self) -> str:
        return f"<ProgrammeRun {self.id} {self.name}>"


class Cohort(db.Model):
    __tablename__ = "cohort"
    __table_args__ = (
        CheckConstraint("kind IN ('national', 'transnational')", name="kind"),
        # A national cohort belongs to a country; the transnational one spans them all.
        CheckConstraint("(kind = 'national') = (country_id IS NOT NULL)", name="country_for_national"),
        UniqueConstraint("run_id", "name", name="uq_cohort_run_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("programme_run.id"), index=True)
    country_id: Mapped[int | None] = mapped_column(ForeignKey("country.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    run: Mapped[ProgrammeRun] = relationship(back_populates="cohorts")
    country: Mapped[Country | None] = relationship()
    memberships: Mapped[list[Membership]] = relationship(back_populates="cohort", cascade="all, delete-orphan")

    @property
    def is_transnational(self) -> bool:
        return self.kind == CohortKind.TRANSNATIONAL

    def __repr__(self) -> str:
        return f"<Cohort {self.id} {self.name}>"


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (
        CheckConstraint("role IN ('trainee', 'facilitator', 'coordinator')", name="role"),
        UniqueConstraint("user_id", "cohort_id", name="uq_membership_user_cohort"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    cohort: Mapped[Cohort] = relationship(back_populates="memberships")

    def __repr__(self) -> str:
        return f"<Membership user={self.user_id} cohort={self.cohort_id} {self.role}>"
