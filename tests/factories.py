"""Factories for test data: short to call, explicit about what they create."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import Cohort, CohortKind, CohortRole, Country, Membership, ProgrammeRun, User
from app.security import hash_password

_seq = itertools.count(1)


class Factory:
    PASSWORD = "correct horse battery"

    def __init__(self) -> None:
        self._hash = None

    def _password_hash(self) -> str:
        if self._hash is None:
            self._hash = hash_password(self.PASSWORD)
        return self._hash

    def user(self, name: str | None = None, *, email: str | None = None, site_role: str | None = None,
             active: bool = True, locale: str | None = "en") -> User:
        n = next(_seq)
        user = User(name=name or f"User {n}", email=email or f"user{n}@example.org", site_role=site_role,
                    active=active, locale=locale, password_hash=self._password_hash())
        db.session.add(user)
        db.session.flush()
        return user

    def country(self, code: str) -> Country:
        return db.session.scalar(select(Country).where(Country.code == code))

    def run(self, name: str | None = None, starts_on: date = date(2026, 10, 1),
            ends_on: date = date(2027, 9, 30)) -> ProgrammeRun:
        run = ProgrammeRun(name=name or f"Run {next(_seq)}", starts_on=starts_on, ends_on=ends_on)
        db.session.add(run)
        db.session.flush()
        return run

    def cohort(self, run: ProgrammeRun | None = None, *, country: str | None = "SE",
               name: str | None = None) -> Cohort:
        run = run or self.run()
        kind = CohortKind.NATIONAL if country else CohortKind.TRANSNATIONAL
        cohort = Cohort(run=run, kind=kind, country=self.country(country) if country else None,
                        name=name or f"Cohort {next(_seq)}")
        db.session.add(cohort)
        db.session.flush()
        return cohort

    def member(self, user: User, cohort: Cohort, role: str = CohortRole.TRAINEE) -> Membership:
        m = Membership(user=user, cohort=cohort, role=role)
        db.session.add(m)
        db.session.flush()
        return m

    def enrolled(self, cohort: Cohort, role: str = CohortRole.TRAINEE, name: str | None = None) -> User:
        user = self.user(name)
        self.member(user, cohort, role)
        return user


@dataclass
class World:
    """Two national cohorts (Sweden: `cohort`, Norway: `other_cohort`) in one run, the
    transnational cohort, and one user per persona."""
    run: ProgrammeRun
    cohort: Cohort
    other_cohort: Cohort
    transnational: Cohort
    trainee: User
    trainee_other: User
    facilitator: User
    facilitator_other: User
    national_coordinator: User
    transnational_coordinator: User
    admin: User

    PERSONAS = ("anonymous", "trainee", "trainee_other", "facilitator", "facilitator_other",
                "national_coordinator", "transnational_coordinator", "admin")

    @classmethod
    def build(cls, f: Factory) -> World:
        run = f.run("Pilot run")
        cohort = f.cohort(run, country="SE", name="Sweden pilot")
        other = f.cohort(run, country="NO", name="Norway pilot")
        transnational = f.cohort(run, country=None, name="Transnational pilot")
        trainee = f.enrolled(cohort, CohortRole.TRAINEE, "Tina Trainee")
        f.member(trainee, transnational, CohortRole.TRAINEE)
        trainee_other = f.enrolled(other, CohortRole.TRAINEE, "Otto Othertrainee")
        facilitator = f.enrolled(cohort, CohortRole.FACILITATOR, "Fia Facilitator")
        facilitator_other = f.enrolled(other, CohortRole.FACILITATOR, "Frode Otherfacilitator")
        coordinator = f.enrolled(cohort, CohortRole.COORDINATOR, "Nora Coordinator")
        world = cls(run=run, cohort=cohort, other_cohort=other, transnational=transnational,
                    trainee=trainee, trainee_other=trainee_other, facilitator=facilitator,
                    facilitator_other=facilitator_other, national_coordinator=coordinator,
                    transnational_coordinator=f.user("Tom Transnational", site_role="transnational_coordinator"),
                    admin=f.user("Ada Admin", site_role="admin"))
        db.session.commit()
        return world

    def persona(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)
