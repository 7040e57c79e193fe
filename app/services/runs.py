"""The programme's structure as admins change it: partner countries, runs, cohorts, memberships.

Every rule is checked here, so no form or import can bypass it, and every change goes to the
audit log. Functions add and flush; the view commits."""
from __future__ import annotations

import re
from datetime import date

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import audit
from ..extensions import db
from ..input_guard import parse_id
from ..models import Cohort, CohortKind, CohortRole, Country, Membership, ProgrammeRun, User
from ..timezones import FALLBACK_ZONE, is_zone
from . import meetings

Problems = list[tuple[str | None, str]]


class RuleError(ValueError):
    """A change the rules refuse. `problems` pairs each message with the form field it is about
    (None: the change as a whole)."""

    def __init__(self, problems: Problems) -> None:
        super().__init__(" ".join(message for _field, message in problems))
        self.problems = problems


def _refuse_if(problems: Problems) -> None:
    if problems:
        raise RuleError(problems)


def role_label(role: str) -> str:
    labels: dict[str, str] = {CohortRole.TRAINEE: _("trainee"), CohortRole.FACILITATOR: _("facilitator"),
                              CohortRole.COORDINATOR: _("national coordinator")}
    return labels.get(role, role)


# Countries ----------------------------------------------------------------------------------

def run_by_ref(ref: str) -> ProgrammeRun | None:
    """The run a command line names by id or exact name. A number past what the id column holds
    is looked up as a name (and so is found nowhere), not sent as an id the database refuses."""
    ref = ref.strip()
    run_id = parse_id(ref)
    if run_id is not None:
        return db.session.get(ProgrammeRun, run_id)
    return db.session.scalar(select(ProgrammeRun).where(ProgrammeRun.name == ref))


def add_country(code: str, name: str, default_locale: str, time_zone: str | None = None) -> Country:
    code = code.strip().upper()
    problems: Problems = []
    if not re.fullmatch(r"[A-Z]{2}", code):
        problems.append(("code", _("The code is the country's two-letter ISO code, for example FI for Finland.")))
    elif db.session.scalar(select(Country.id).where(Country.code == code)) is not None:
        problems.append(("code", _("The country %(code)s is already in the list.", code=code)))
    if not name.strip():
        problems.append(("name", _("Give the country's name.")))
    if default_locale not in current_app.config["LANGUAGES"]:
        problems.append(("default_locale", _("Choose one of the platform's languages.")))
    time_zone = time_zone or FALLBACK_ZONE
    if not is_zone(time_zone):
        problems.append(("time_zone", _("Choose a time zone from the list, for example Europe/Lisbon.")))
    _refuse_if(problems)
    country = Country(code=code, name=name.strip(), default_locale=default_locale, time_zone=time_zone)
    db.session.add(country)
    db.session.flush()
    audit.record("admin.country.create", country, code=code, name=country.name)
    return country


# Runs ---------------------------------------------------------------------------------------

def _check_run(name: str, starts_on: date, ends_on: date, run_id: int | None = None) -> None:
    problems: Problems = []
    if not name.strip():
        problems.append(("name", _("Give the run a name.")))
    else:
        same_name = select(ProgrammeRun.id).where(func.lower(ProgrammeRun.name) == name.strip().lower())
        if run_id is not None:
            same_name = same_name.where(ProgrammeRun.id != run_id)
        if db.session.scalar(same_name) is not None:
            problems.append(("name", _("There is already a run called “%(name)s”. Choose another name.",
                                       name=name.strip())))
    if ends_on <= starts_on:
        problems.append(("ends_on", _("The run must end after it starts: choose an end date later than %(start)s.",
                                      start=format_date(starts_on))))
    _refuse_if(problems)


def create_run(name: str, starts_on: date, ends_on: date) -> ProgrammeRun:
    _check_run(name, starts_on, ends_on)
    run = ProgrammeRun(name=name.strip(), starts_on=starts_on, ends_on=ends_on)
    # A run teaches the content as it is when it is opened (docs/content-versions.md).
    programme = meetings.programme_of(run)
    run.content_version_id = programme.content_version_id if programme is not None else None
    db.session.add(run)
    db.session.flush()
    audit.record("admin.run.create", run, name=run.name, content_version=run.content_version_id)
    return run


def update_run(run: ProgrammeRun, name: str, starts_on: date, ends_on: date) -> None:
    _check_run(name, starts_on, ends_on, run.id)
    run.name, run.starts_on, run.ends_on = name.strip(), starts_on, ends_on
    db.session.flush()
    audit.record("admin.run.update", run, name=run.name)


# Cohorts ------------------------------------------------------------------------------------

def _check_cohort(run: ProgrammeRun, kind: str, country: Country | None, name: str,
                  cohort_id: int | None = None) -> None:
    problems: Problems = []
    if kind == CohortKind.NATIONAL and country is None:
        problems.append(("country", _("A national cohort belongs to a country: choose one.")))
    elif kind == CohortKind.TRANSNATIONAL and country is not None:
        problems.append(("country", _("The transnational cohort brings all countries together: "
                                      "leave the country empty.")))
    elif kind not in (CohortKind.NATIONAL, CohortKind.TRANSNATIONAL):
        problems.append(("kind", _("Choose national or transnational.")))
    if kind == CohortKind.TRANSNATIONAL:
        existing = select(Cohort).where(Cohort.run_id == run.id, Cohort.kind == CohortKind.TRANSNATIONAL)
        if cohort_id is not None:
            existing = existing.where(Cohort.id != cohort_id)
        other = db.session.scalar(existing)
        if other is not None:
            problems.append(("kind", _("The run “%(run)s” already has its transnational cohort, “%(cohort)s”; "
                                       "a run has only one.", run=run.name, cohort=other.name)))
    if not name.strip():
        problems.append(("name", _("Give the cohort a name.")))
    else:
        same_name = select(Cohort.id).where(Cohort.run_id == run.id, func.lower(Cohort.name) == name.strip().lower())
        if cohort_id is not None:
            same_name = same_name.where(Cohort.id != cohort_id)
        if db.session.scalar(same_name) is not None:
            problems.append(("name", _("The run “%(run)s” already has a cohort called “%(name)s”.",
                                       run=run.name, name=name.strip())))
    _refuse_if(problems)


def create_cohort(run: ProgrammeRun, kind: str, country: Country | None, name: str) -> Cohort:
    _check_cohort(run, kind, country, name)
    cohort = Cohort(run=run, kind=kind, country=country, name=name.strip())
    db.session.add(cohort)
    db.session.flush()
    audit.record("admin.cohort.create", cohort, name=cohort.name, run_id=run.id, kind=kind,
                 country=country.code if country else None)
    meetings.schedule_meetings(cohort)
    return cohort


def update_cohort(cohort: Cohort, run: ProgrammeRun, kind: str, country: Country | None, name: str) -> None:
    _check_cohort(run, kind, country, name, cohort.id)
    cohort.run, cohort.kind, cohort.country, cohort.name = run, kind, country, name.strip()
    db.session.flush()
    audit.record("admin.cohort.update", cohort, name=cohort.name, run_id=run.id, kind=kind,
                 country=country.code if country else None)


# Memberships --------------------------------------------------------------------------------

def _check_role(role: str) -> None:
    if role not in tuple(CohortRole):
        raise RuleError([("role", _("Choose trainee, facilitator or national coordinator."))])


def membership_of(user: User, cohort: Cohort) -> Membership | None:
    return db.session.scalar(select(Membership).where(Membership.user_id == user.id,
                                                      Membership.cohort_id == cohort.id))


def add_member(cohort: Cohort, user: User, role: str) -> Membership:
    _check_role(role)
    existing = membership_of(user, cohort)
    if existing is not None:
        raise RuleError([("email", _("%(name)s is already a member of this cohort, as %(role)s.",
                                     name=user.name, role=role_label(existing.role)))])
    membership = Membership(user_id=user.id, cohort_id=cohort.id, role=role)
    db.session.add(membership)
    db.session.flush()
    audit.record("admin.membership.create", membership, user_id=user.id, cohort_id=cohort.id, role=role)
    return membership


def change_role(membership: Membership, role: str) -> None:
    _check_role(role)
    before = membership.role
    membership.role = role
    db.session.flush()
    audit.record("admin.membership.update", membership, user_id=membership.user_id,
                 cohort_id=membership.cohort_id, role=role, before=before)


def remove_member(membership: Membership) -> None:
    audit.record("admin.membership.delete", membership, user_id=membership.user_id,
                 cohort_id=membership.cohort_id, role=membership.role)
    db.session.delete(membership)
    db.session.flush()
