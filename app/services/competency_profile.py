"""The trainee's competency profile: for each of the programme's competency elements (C1..C7), the
facilitators' released rubric evidence over time with links to the work, the trainee's own
reflection, and their self-ratings as the evaluation's threat model allows (the trainee sees
their own; staff only named questionnaires'). Plugins supply evidence and self-ratings through
the hooks in app/plugins.py; the core never imports one by name.

Coordinators see, per country and element, how many released ratings reached each level: counts
only, and an element's row only when it counts at least MIN_GROUP ratings (the small-group rule
of modules/evaluation/disclosure.py, at 5 for every competency figure). No figure across
countries is shown, so no total can be compared with its parts.

Everything is read in a fixed number of queries, whatever the amount of evidence."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ..conflicts import Conflict
from ..errors import Forbidden, NotFound
from ..extensions import db
from ..localized import Localized, localized, localized_items
from ..models import (
    Activity,
    Cohort,
    CohortRole,
    Competency,
    CompetencyReflection,
    Country,
    EcvetUnit,
    Membership,
    Module,
    User,
)
from ..plugins import CompetencyEvidence, SelfRating, registry
from .programme import viewer_for

#: The smallest number of ratings a coordinator's figure may count (the self-assessments' rule).
MIN_GROUP = 5
REFLECTION_LIMIT = 4000
DEFAULT_LEVELS = 4


@dataclass
class Element:
    competency: Competency
    title: Localized
    description: Localized
    evidence: list[CompetencyEvidence] = field(default_factory=list)
    self_ratings: list[SelfRating] = field(default_factory=list)
    reflection: CompetencyReflection | None = None

    @property
    def code(self) -> str:
        return self.competency.code

    @property
    def shown(self) -> bool:
        """At least one released rating reached its rubric's `meets` level."""
        return any(e.meets for e in self.evidence)


@dataclass
class Profile:
    learner: User
    #: The trainee reads their own profile (self-ratings of anonymous questionnaires included).
    own: bool
    elements: list[Element]
    self_ratings_url: str | None = None


def _trainee_cohorts(user: User) -> list[Cohort]:
    return list(db.session.scalars(select(Cohort).join(Membership).where(
        Membership.user_id == user.id, Membership.role == CohortRole.TRAINEE)))


def trainee_for_staff_or_error(user_id: int, viewer: User) -> User:
    """A trainee whose competency evidence `viewer` may read: the facilitators of one of their
    cohorts, who read their work. Coordinators see status, never work: 403, as does anyone else
    who is not the trainee; 404 when the user is no trainee."""
    learner = db.session.get(User, user_id)
    if learner is None:
        raise NotFound
    cohorts = _trainee_cohorts(learner)
    if not cohorts:
        raise NotFound
    facilitated = {m.cohort_id for m in viewer.memberships if m.role == CohortRole.FACILITATOR}
    if learner.id != viewer.id and not facilitated & {c.id for c in cohorts}:
        raise Forbidden
    return learner


def profile_for(learner: User, own: bool) -> Profile | None:
    """The learner's profile; None if they are no trainee of a run."""
    viewer = viewer_for(learner)
    if viewer is None or not viewer.is_trainee:
        return None
    competencies = list(db.session.scalars(select(Competency).where(
        Competency.programme_id == viewer.programme.id).order_by(Competency.position)))
    elements = {c.code: Element(c, localized(c, "title"), localized(c, "description")) for c in competencies}
    for plugin in registry():
        for evidence in plugin.competency_evidence(learner):
            if evidence.code in elements:
                elements[evidence.code].evidence.append(evidence)
        for rating in plugin.competency_self_ratings(learner, own):
            if rating.code in elements:
                elements[rating.code].self_ratings.append(rating)
    if own:
        for reflection in db.session.scalars(select(CompetencyReflection).where(
                CompetencyReflection.user_id == learner.id)):
            if reflection.code in elements:
                elements[reflection.code].reflection = reflection
    for element in elements.values():
        element.evidence.sort(key=lambda e: e.released_at or datetime.min)
    url = next((r.url for e in elements.values() for r in e.self_ratings if r.url), None)
    return Profile(learner, own, list(elements.values()), url)


def competency_or_404(learner: User, code: str) -> Competency:
    viewer = viewer_for(learner)
    competency = db.session.scalar(select(Competency).where(
        Competency.programme_id == viewer.programme.id, Competency.code == code)) if viewer else None
    if competency is None or not viewer.is_trainee:
        raise NotFound
    return competency


def save_reflection(user: User, code: str, text: str, base_version: int) -> CompetencyReflection:
    """Store the trainee's reflection on one element; Conflict if it was saved elsewhere since
    the page was loaded (`base_version`: the version the page showed, 0 for none)."""
    row = db.session.scalar(select(CompetencyReflection).where(
        CompetencyReflection.user_id == user.id, CompetencyReflection.code == code))
    if (row.version if row else 0) != base_version:
        if row is not None and row.text == text:
            return row  # sent twice (a double click, Back and send): nothing would be overwritten
        raise Conflict(current=row.text if row else "")
    if row is None:
        row = CompetencyReflection(user_id=user.id, code=code, text=text, version=1)
        db.session.add(row)
    else:
        row.text, row.version = text, row.version + 1
    db.session.flush()
    return row


# --- the transcript ------------------------------------------------------------------------------

@dataclass
class OutcomeMet:
    text: Localized
    codes: list[str]
    evidence: list[CompetencyEvidence]


@dataclass
class UnitOutcomes:
    unit: EcvetUnit
    title: Localized
    outcomes: list[OutcomeMet]


def transcript_summary(learner: User) -> list[UnitOutcomes]:
    """Per ECVET unit, the learning outcomes of its modules that released evidence shows: a rating
    at or above its rubric's `meets` level, on one of the outcome's competencies, given on work of
    one of the unit's modules."""
    viewer = viewer_for(learner)
    if viewer is None or not viewer.is_trainee:
        return []
    evidence = [e for plugin in registry() for e in plugin.competency_evidence(learner) if e.meets]
    if not evidence:
        return []
    module_of = dict(db.session.execute(select(Activity.slug, Activity.module_id).where(
        Activity.slug.in_({e.activity_slug for e in evidence}))).all())
    modules = list(db.session.scalars(select(Module).where(
        Module.programme_id == viewer.programme.id, Module.retired.is_(False)).order_by(Module.order)))
    units = list(db.session.scalars(select(EcvetUnit).where(
        EcvetUnit.programme_id == viewer.programme.id).order_by(EcvetUnit.position, EcvetUnit.code)))
    summary = []
    for unit in units:
        outcomes = []
        for module in (m for m in modules if m.ecvet_unit_id == unit.id):
            shown_here = [e for e in evidence if module_of.get(e.activity_slug) == module.id]
            for item in localized_items(module, "learning_outcomes"):
                codes = list(item.text.get("competencies") or [])
                backing = [e for e in shown_here if e.code in codes]
                if backing:
                    outcomes.append(OutcomeMet(Localized(item.text.get("text", ""), item.fell_back, item.lang),
                                               codes, backing))
        if outcomes:
            summary.append(UnitOutcomes(unit, localized(unit, "title"), outcomes))
    return summary


# --- coordinators' distributions ---------------------------------------------------------------

@dataclass
class ElementRow:
    code: str
    title: Localized
    #: Ratings per level (index 0 = level 1), or None when fewer than MIN_GROUP ratings.
    counts: list[int] | None
    total: int


@dataclass
class CountryDistribution:
    country: Country
    rows: list[ElementRow]


@dataclass
class Distributions:
    countries: list[CountryDistribution]
    levels: int
    min_group: int = MIN_GROUP


def distributions(country_ids: set[int] | None) -> Distributions:
    """Released rubric levels per country and element for the countries (None: every country)."""
    countries_query = select(Country).order_by(Country.name)
    if country_ids is not None:
        countries_query = countries_query.where(Country.id.in_(country_ids))
    countries = list(db.session.scalars(countries_query))
    cohorts = list(db.session.scalars(select(Cohort).where(Cohort.country_id.in_([c.id for c in countries]))))
    with_cohorts = {c.country_id for c in cohorts}
    countries = [c for c in countries if c.id in with_cohorts]
    counts: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    for plugin in registry():
        for line in plugin.competency_level_counts(cohorts):
            cell = counts[(line.country_id, line.code)]
            cell[line.level] = cell.get(line.level, 0) + line.count
    # The programme's rubrics have four levels; a longer one in content widens the table.
    top = max([DEFAULT_LEVELS, *(level for cell in counts.values() for level in cell)])
    competencies: dict[str, Competency] = {}
    for c in db.session.scalars(select(Competency).order_by(Competency.position, Competency.id)):
        competencies.setdefault(c.code, c)
    shown = []
    for country in countries:
        rows = []
        for code, competency in competencies.items():
            cell = counts.get((country.id, code), {})
            total = sum(cell.values())
            per_level = [cell.get(level, 0) for level in range(1, top + 1)] if total >= MIN_GROUP else None
            rows.append(ElementRow(code, localized(competency, "title"), per_level, total))
        shown.append(CountryDistribution(country, rows))
    return Distributions(shown, top)
