"""A trainee's transcript: the programme's ECVET units with their learning outcomes, the hours done
and the credits awarded, and the elements of an EU micro-credential that apply
(Council Recommendation of 16 June 2022; see DOMAIN_FACTS.md, "Credits and credentials").

The credit rule, shown on the page: a unit's credit points are awarded in full when every module
of the unit is complete, that is when all of the module's required activities are done. There are
no partial credits for a unit (ECVET credits a unit as a whole). Attended meetings add hours,
not credits: attendance is not an assessment.

Built from the programme service's overview of the trainee (the same hours and completions the
trainee sees), so a transcript costs a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from ..access import can_view_cohort_status
from ..errors import Forbidden, NotFound
from ..extensions import db
from ..localized import Localized, country_name, localized_items
from ..models import Cohort, CohortRole, EcvetUnit, Membership, User
from .programme import DONE, Hours, ModuleItem, Overview, Viewer, overview, viewer_for

#: The national partner of each country, the transcript's awarding body. These are the LIFE
#: project's partners; an installation run by others sets LIFE_AWARDING_BODIES in its config.
AWARDING_BODIES = {
    "SE": "R&D Centre of the Municipality of Linköping",
    "NO": "NTNU – Norwegian University of Science and Technology, Trondheim",
    "SI": "University of Ljubljana, Faculty of Social Work",
    "PT": "APCC – Associação de Paralisia Cerebral de Coimbra",
    "IT": "Municipality of Cervia",
}
OUTCOME_KINDS = ("knowledge", "skills", "competence")


@dataclass
class ModuleLine:
    item: ModuleItem
    hours_done: Decimal

    @property
    def module(self):
        return self.item.module

    @property
    def complete(self) -> bool:
        return self.item.status == DONE


@dataclass
class UnitLine:
    unit: EcvetUnit
    modules: list[ModuleLine] = field(default_factory=list)

    @property
    def outcomes(self) -> dict[str, list[Localized]]:
        """The unit's learning outcomes by kind (knowledge, skills, competence), in that order, in
        the reader's language where translated."""
        grouped: dict[str, list[Localized]] = {kind: [] for kind in OUTCOME_KINDS}
        for item in localized_items(self.unit, "learning_outcomes"):
            outcome = item.text
            grouped.setdefault(outcome.get("kind", "competence"), []).append(
                Localized(outcome.get("text", ""), item.fell_back, item.lang))
        return {kind: texts for kind, texts in grouped.items() if texts}

    @property
    def hours_done(self) -> Decimal:
        return sum((m.hours_done for m in self.modules), Decimal(0))

    @property
    def hours_planned(self) -> Decimal:
        return sum((m.module.hours for m in self.modules), Decimal(0))

    @property
    def awarded(self) -> bool:
        return bool(self.modules) and all(m.complete for m in self.modules)

    @property
    def credits_awarded(self) -> Decimal:
        return self.unit.credit_points if self.awarded else Decimal(0)


@dataclass
class Transcript:
    learner: User
    viewer: Viewer
    overview: Overview
    units: list[UnitLine]
    #: Modules outside any ECVET unit (none in the LIFE programme, but content may have some).
    other_modules: list[ModuleLine]
    country: str | None
    awarding_body: str
    issued_on: date

    @property
    def hours(self) -> Hours:
        return self.overview.hours

    @property
    def other_hours(self) -> Decimal:
        """Hours of meetings outside the programme's plan (extra meetings given hours)."""
        in_modules = sum((m.hours_done for u in self.units for m in u.modules), Decimal(0)) + \
            sum((m.hours_done for m in self.other_modules), Decimal(0))
        return self.hours.done_total - in_modules

    @property
    def credits_awarded(self) -> Decimal:
        return sum((u.credits_awarded for u in self.units), Decimal(0))

    @property
    def credits_total(self) -> Decimal:
        return sum((u.unit.credit_points for u in self.units), Decimal(0))

    @property
    def complete(self) -> bool:
        return bool(self.units) and all(u.awarded for u in self.units)


def _module_hours(item: ModuleItem) -> Decimal:
    activities = sum((a.credited_hours for a in item.activities), Decimal(0))
    meetings = sum((m.hours for m in item.meetings if m.attended), Decimal(0))
    return activities + meetings


def awarding_body(country_code: str | None) -> str:
    bodies = {**AWARDING_BODIES, **current_app.config.get("LIFE_AWARDING_BODIES", {})}
    return bodies.get(country_code or "", "LIFE Academy")


def transcript_for(learner: User, today: date) -> Transcript | None:
    """The learner's transcript of their current run; None if they are no trainee there."""
    viewer = viewer_for(learner)
    if viewer is None or not viewer.is_trainee:
        return None
    view = overview(viewer)
    units = {u.id: UnitLine(u) for u in db.session.scalars(
        select(EcvetUnit).where(EcvetUnit.programme_id == viewer.programme.id).order_by(EcvetUnit.position,
                                                                                      EcvetUnit.code))}
    others: list[ModuleLine] = []
    for item in view.modules:
        line = ModuleLine(item, _module_hours(item))
        if item.module.ecvet_unit_id in units:
            units[item.module.ecvet_unit_id].modules.append(line)
        else:
            others.append(line)
    national = next((c for c in viewer.cohorts if c.country is not None), None)
    return Transcript(learner=learner, viewer=viewer, overview=view, units=list(units.values()), other_modules=others,
                      country=country_name(national.country) if national else None,
                      awarding_body=awarding_body(viewer.country_code), issued_on=today)


def trainee_or_404(user_id: int, viewer: User) -> User:
    """A trainee whose transcript `viewer` may read: their facilitators, national coordinators of
    their country, transnational coordinators and admins (status, never content) — 403 for
    anyone else, 404 if the user is no trainee."""
    learner = db.session.get(User, user_id)
    if learner is None:
        raise NotFound
    cohorts = list(db.session.scalars(select(Cohort).join(Membership).where(
        Membership.user_id == learner.id, Membership.role == CohortRole.TRAINEE)))
    if not cohorts:
        raise NotFound
    if learner.id != viewer.id and not any(can_view_cohort_status(viewer, c) for c in cohorts):
        raise Forbidden
    return learner
