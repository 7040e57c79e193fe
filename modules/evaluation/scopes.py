"""Results scopes (one cohort, one country's cohorts in a run, a whole run) and which activities and
trainees a scope counts."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import CompoundSelect, Select, case, func, literal, select, union_all
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.input_guard import parse_id
from app.localized import country_name
from app.models import Activity, Cohort, CohortRole, Country, Membership, Programme, ProgrammeRun, User
from app.request_memo import memoised
from app.services.current_content import current_content

from .models import Participation
from .questionnaire import PLUGIN, answering_cohort, applies_to

# --- results: scopes and who may see them --------------------------------------------------------

COHORT, COUNTRY, RUN = "cohort", "country", "run"


@dataclass
class Scope:
    """The cohorts a results page aggregates: one cohort, one country's cohorts in a run, or a
    whole run (transnational)."""
    kind: str
    run: ProgrammeRun
    cohorts: list[Cohort]
    cohort: Cohort | None = None
    country: Country | None = None

    @property
    def token(self) -> str:
        if self.kind == COHORT:
            return f"cohort-{self.cohort.id}"
        if self.kind == COUNTRY:
            return f"run-{self.run.id}-{self.country.code.lower()}"
        return f"run-{self.run.id}"

    @property
    def label(self) -> str:
        if self.kind == COHORT:
            return self.cohort.name
        if self.kind == COUNTRY:
            return _("%(country)s, %(run)s", country=country_name(self.country), run=self.run.name)
        return _("All countries, %(run)s", run=self.run.name)

    @property
    def cohort_ids(self) -> list[int]:
        return [c.id for c in self.cohorts]


def run_cohorts(run_id: int) -> list[Cohort]:
    return list(db.session.scalars(select(Cohort).where(Cohort.run_id == run_id)
                                   .options(joinedload(Cohort.country), joinedload(Cohort.run))
                                   .order_by(Cohort.name)))


def parse_scope(token: str) -> Scope | None:
    """'cohort-12', 'run-3' or 'run-3-se'; None if it names nothing."""
    parts = token.split("-")
    if len(parts) == 2 and parts[0] == "cohort" and (cohort_id := parse_id(parts[1])) is not None:
        cohort = db.session.get(Cohort, cohort_id)
        return Scope(COHORT, cohort.run, [cohort], cohort=cohort) if cohort is not None else None
    run_id = parse_id(parts[1]) if len(parts) in (2, 3) else None
    if parts[0] != "run" or run_id is None:
        return None
    run = db.session.get(ProgrammeRun, run_id)
    if run is None:
        return None
    cohorts = run_cohorts(run.id)
    if len(parts) == 2:
        return Scope(RUN, run, cohorts)
    code = parts[2].upper()
    country = db.session.scalar(select(Country).where(Country.code == code))
    if country is None or parts[2] != code.lower():
        return None
    return Scope(COUNTRY, run, [c for c in cohorts if c.country_id == country.id], country=country)


# --- which activities and which trainees a scope counts -------------------------------------------

def programme_of(run: ProgrammeRun) -> Programme | None:
    if run.programme is not None:
        return run.programme
    programmes = list(db.session.scalars(select(Programme).order_by(Programme.id).limit(2)))
    return programmes[0] if len(programmes) == 1 else None


def evaluation_activities(run: ProgrammeRun) -> list[Activity]:
    """The run's evaluation activities in programme order (national variants included); read once
    per request (the dashboard's rates and the report's tables both ask), a copy each time."""
    return list(memoised("evaluation_activities", run.id, lambda: _evaluation_activities(run)))


def _evaluation_activities(run: ProgrammeRun) -> list[Activity]:
    """From the programme's current content (cached per process until it changes)."""
    programme = programme_of(run)
    if programme is None:
        return []
    content = current_content(programme.id)
    return sorted((a for a in content.activities if a.type == PLUGIN),
                  key=lambda a: (a.module.order, a.position, a.id))


def replaced_by_country(activities: list[Activity]) -> dict[int | None, set[int]]:
    """{country id: ids of common activities that country's variant replaces}."""
    replaced: dict[int | None, set[int]] = defaultdict(set)
    for a in activities:
        if a.replaces_id and a.country_id is not None:
            replaced[a.country_id].add(a.replaces_id)
    return replaced


def activities_in_scope(scope: Scope, activities: list[Activity] | None = None) -> list[Activity]:
    """The evaluation activities that apply to at least one cohort of the scope."""
    activities = evaluation_activities(scope.run) if activities is None else activities
    replaced = replaced_by_country(activities)
    return [a for a in activities
            if any(applies_to(a, c, replaced[c.country_id]) for c in scope.cohorts)]


def activity_in_scope_or_none(scope: Scope, slug: str) -> Activity | None:
    return next((a for a in activities_in_scope(scope) if a.slug == slug), None)


def _answering(run_id: int):
    """(user id, cohort id) of each active trainee of the run and the cohort their answers count
    for, aggregated in SQL: answering_cohort's rule, the national cohort with the lowest id, else
    the lowest id of their cohorts."""
    national = case((Cohort.country_id.is_not(None), Membership.cohort_id))
    return (select(Membership.user_id,
                   func.coalesce(func.min(national), func.min(Membership.cohort_id)).label("cohort_id"))
            .join(Cohort, Cohort.id == Membership.cohort_id).join(User, User.id == Membership.user_id)
            .where(Cohort.run_id == run_id, Membership.role == CohortRole.TRAINEE, User.active.is_(True))
            .group_by(Membership.user_id).subquery())


def answering_counts(run: ProgrammeRun) -> dict[int, int]:
    """{cohort id: how many trainees' answers count for it}: `trainees_answering_in` counted by
    the database (one query, one row per cohort), for the response rates."""
    answering = _answering(run.id)
    return {cohort_id: n for cohort_id, n in db.session.execute(
        select(answering.c.cohort_id, func.count()).group_by(answering.c.cohort_id))}


@dataclass
class RunCounts:
    """Counts of one run for its response rates, from one statement (`run_counts`)."""
    #: Cohort id -> trainees whose answers count for it (cohorts with any).
    roster: dict[int, int]
    #: (activity id, cohort id) -> participations.
    answered: dict[tuple[int, int], int]


def run_counts(run: ProgrammeRun, activity_ids: list[int]) -> RunCounts:
    """The roster of every cohort of the run and the participations in the activities, in one
    statement; it lists every cohort of the run too, kept as the request's `run_nesting` so that
    the report's small-group rule needs no query of its own."""
    answering = _answering(run.id)
    cohorts = select(literal("c").label("kind"), Cohort.id, Cohort.country_id, func.count(answering.c.user_id)) \
        .select_from(Cohort).outerjoin(answering, answering.c.cohort_id == Cohort.id) \
        .where(Cohort.run_id == run.id).group_by(Cohort.id, Cohort.country_id)
    rows: Select | CompoundSelect = cohorts
    if activity_ids:
        rows = union_all(cohorts, select(literal("p"), Participation.activity_id, Participation.cohort_id, func.count())
                         .join(Cohort, Cohort.id == Participation.cohort_id)
                         .where(Cohort.run_id == run.id, Participation.activity_id.in_(activity_ids))
                         .group_by(Participation.activity_id, Participation.cohort_id))
    counts = RunCounts({}, {})
    nesting: dict[int, int | None] = {}
    for kind, first, second, n in db.session.execute(rows).all():
        if kind == "c":
            nesting[first] = second
            if n:
                counts.roster[first] = n
        else:
            counts.answered[(first, second)] = n
    memoised("run_nesting", run.id, lambda: nesting)
    return counts


def run_nesting(run_id: int) -> dict[int, int | None]:
    """{cohort id: its country id} for every cohort of the run, once per request."""
    return memoised("run_nesting", run_id, lambda: dict(db.session.execute(
        select(Cohort.id, Cohort.country_id).where(Cohort.run_id == run_id)).all()))


def trainees_answering_in(run: ProgrammeRun) -> dict[int, list[User]]:
    """{cohort id: trainees whose answers count for that cohort} for a run, in one query."""
    rows = db.session.scalars(
        select(Membership).join(Cohort).where(Cohort.run_id == run.id, Membership.role == CohortRole.TRAINEE)
        .options(joinedload(Membership.user), joinedload(Membership.cohort)))
    cohorts_of: dict[int, list[Cohort]] = defaultdict(list)
    users: dict[int, User] = {}
    for m in rows:
        cohorts_of[m.user_id].append(m.cohort)
        users[m.user_id] = m.user
    answering: dict[int, list[User]] = defaultdict(list)
    for user_id, cohorts in cohorts_of.items():
        if users[user_id].active:
            answering[answering_cohort(sorted(cohorts, key=lambda c: c.id)).id].append(users[user_id])
    for trainees in answering.values():
        trainees.sort(key=lambda u: u.name.lower())
    return answering
