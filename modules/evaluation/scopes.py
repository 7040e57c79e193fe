"""Results scopes (one cohort, one country's cohorts in a run, a whole run) and which activities and
trainees a scope counts."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.input_guard import parse_id
from app.localized import country_name
from app.models import Activity, Cohort, CohortRole, Country, Membership, Programme, ProgrammeRun, User
from app.request_memo import memoised
from app.services.current_content import current_content

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


def answering_counts(run: ProgrammeRun) -> dict[int, int]:
    """{cohort id: how many trainees' answers count for it}: `trainees_answering_in` counted from
    plain columns (one query, no user objects), for the dashboard's response rates."""
    cohorts_of: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    active: dict[int, bool] = {}
    for user_id, cohort_id, country_id, is_active in db.session.execute(
            select(Membership.user_id, Membership.cohort_id, Cohort.country_id, User.active)
            .join(Cohort, Cohort.id == Membership.cohort_id).join(User, User.id == Membership.user_id)
            .where(Cohort.run_id == run.id, Membership.role == CohortRole.TRAINEE)):
        cohorts_of[user_id].append((cohort_id, country_id))
        active[user_id] = is_active
    counts: dict[int, int] = defaultdict(int)
    for user_id, cohorts in cohorts_of.items():
        if active[user_id]:
            # answering_cohort's rule: the national cohort (lowest id first), else the first one.
            ordered = sorted(cohorts)
            national = [cohort_id for cohort_id, country_id in ordered if country_id is not None]
            counts[(national or [ordered[0][0]])[0]] += 1
    return dict(counts)


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
