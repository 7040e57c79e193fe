"""Read models for the results pages and the dashboards: the scopes a user may open, response rates,
who has not answered, one trainee's answers over time, open questionnaires."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.localized import country_name
from app.models import Activity, Cohort, ProgrammeRun, User
from app.plugins import ResponseRate

from .access import coordinated_country_ids, sees_everything
from .models import AnonymousResponse, NamedResponse, Participation, Reminder
from .questionnaire import OPEN, UPCOMING, Window, answering_cohort, applies_to, instrument_of, pseudonym, window
from .scopes import (
    COHORT,
    COUNTRY,
    RUN,
    Scope,
    activities_in_scope,
    answering_counts,
    evaluation_activities,
    replaced_by_country,
    run_counts,
    trainees_answering_in,
)


@dataclass
class ScopeLink:
    scope_token: str
    label: str
    kind: str
    cohorts: list[Cohort] = field(default_factory=list)


def visible_scopes(user: User) -> list[tuple[ProgrammeRun, list[ScopeLink]]]:
    """The results pages a user may open, grouped by run (newest first)."""
    if sees_everything(user):
        cohorts = list(db.session.scalars(select(Cohort).options(joinedload(Cohort.run), joinedload(Cohort.country))))
    else:
        from app.access import cohorts_with_status_access_query
        cohorts = list(db.session.scalars(cohorts_with_status_access_query(user)
                                          .options(joinedload(Cohort.run), joinedload(Cohort.country))))
    countries = coordinated_country_ids(user)
    by_run: dict[int, list[Cohort]] = defaultdict(list)
    for cohort in cohorts:
        by_run[cohort.run_id].append(cohort)
    result = []
    for run_cohorts in by_run.values():
        run = run_cohorts[0].run
        links = []
        if sees_everything(user):
            links.append(ScopeLink(Scope(RUN, run, run_cohorts).token, _("All countries"), RUN, run_cohorts))
        seen = set()
        for c in sorted(run_cohorts, key=lambda c: (c.country.name if c.country else "", c.name)):
            if c.country is not None and c.country_id not in seen and (
                    sees_everything(user) or c.country_id in countries):
                seen.add(c.country_id)
                token = Scope(COUNTRY, run, [], country=c.country).token
                links.append(ScopeLink(token, country_name(c.country), COUNTRY,
                                       [x for x in run_cohorts if x.country_id == c.country_id]))
        for c in sorted(run_cohorts, key=lambda c: c.name):
            links.append(ScopeLink(Scope(COHORT, run, [c], cohort=c).token, c.name, COHORT, [c]))
        result.append((run, links))
    result.sort(key=lambda item: (item[0].starts_on, item[0].id), reverse=True)
    return result


def results_links(user: User, activity: Activity) -> list[tuple[ProgrammeRun, list[ScopeLink]]]:
    """The results pages of one questionnaire a member of staff may open (cohorts, countries, all
    countries), by run: the way from the questionnaire in the programme to its results and to
    who has not answered yet."""
    result = []
    for run, links in visible_scopes(user):
        listed = evaluation_activities(run)
        if activity.id not in {a.id for a in listed}:
            continue
        replaced = replaced_by_country(listed)
        shown = [link for link in links if any(applies_to(activity, c, replaced[c.country_id]) for c in link.cohorts)]
        if shown:
            result.append((run, shown))
    return result


def participation_counts(activity_ids: list[int], cohort_ids: list[int]) -> dict[tuple[int, int], int]:
    if not activity_ids or not cohort_ids:
        return {}
    rows = db.session.execute(
        select(Participation.activity_id, Participation.cohort_id, func.count())
        .where(Participation.activity_id.in_(activity_ids), Participation.cohort_id.in_(cohort_ids))
        .group_by(Participation.activity_id, Participation.cohort_id))
    return {(a, c): n for a, c, n in rows}


@dataclass
class Rate:
    """Response rate of one activity in one scope (who answered, never what)."""
    activity: Activity
    expected: int
    answered: int
    window: Window | None

    @property
    def percent(self) -> int | None:
        return round(100 * self.answered / self.expected) if self.expected else None


def response_rates(scope: Scope, activities: list[Activity] | None = None) -> list[Rate]:
    """One Rate per evaluation activity of the scope (four queries, whatever the scope's size)."""
    return rate_breakdown(scope, activities)[0]


@dataclass
class RateGroup:
    """One row of a breakdown of a scope's response rates: a country or a cohort."""
    label: str
    scope_token: str
    kind: str
    #: {activity id: Rate}; activities that do not apply to the group are missing.
    rates: dict[int, Rate]


def rate_breakdown(scope: Scope, activities: list[Activity] | None = None) -> tuple[list[Rate], list[RateGroup]]:
    """The scope's response rates, and the same per country (for all countries) and per cohort
    (for a country or all countries), so coordinators can see where answers are missing and
    open that cohort's list of who has not answered (four queries in all)."""
    all_activities = evaluation_activities(scope.run)
    activities = activities_in_scope(scope, all_activities) if activities is None else activities
    replaced = replaced_by_country(all_activities)
    roster = answering_counts(scope.run)
    counts = participation_counts([a.id for a in activities], scope.cohort_ids)
    # Worked out once per activity and cohort, not once per table it appears in: a run's page has
    # a table per country and one per cohort, over the 480 cohorts of a 10,000-trainee run.
    windows = {a.id: window(instrument_of(a), scope.run) for a in activities}
    applying = {c.id: [a.id for a in activities if applies_to(a, c, replaced[c.country_id])] for c in scope.cohorts}

    def rates_for(cohorts: list[Cohort]) -> dict[int, Rate]:
        expected: dict[int, int] = defaultdict(int)
        answered: dict[int, int] = defaultdict(int)
        for c in cohorts:
            for activity_id in applying[c.id]:
                expected[activity_id] += roster.get(c.id, 0)
                answered[activity_id] += counts.get((activity_id, c.id), 0)
        return {a.id: Rate(a, expected[a.id], answered[a.id], windows[a.id]) for a in activities if a.id in expected}

    overall = rates_for(scope.cohorts)
    total = [overall.get(a.id) or Rate(a, 0, 0, windows[a.id]) for a in activities]
    groups: list[RateGroup] = []
    if scope.kind == RUN:
        for country in sorted({c.country for c in scope.cohorts if c.country is not None}, key=lambda c: c.name):
            part = Scope(COUNTRY, scope.run, [c for c in scope.cohorts if c.country_id == country.id], country=country)
            groups.append(RateGroup(country_name(country), part.token, COUNTRY, rates_for(part.cohorts)))
    if scope.kind in (RUN, COUNTRY):
        for c in sorted(scope.cohorts, key=lambda c: c.name):
            groups.append(RateGroup(c.name, Scope(COHORT, scope.run, [c], cohort=c).token, COHORT, rates_for([c])))
    return total, groups


# --- who has not answered, and reminders ---------------------------------------------------------

def non_respondents(cohort: Cohort, activity: Activity) -> list[User]:
    roster = trainees_answering_in(cohort.run).get(cohort.id, [])
    answered = set(db.session.scalars(select(Participation.user_id).where(
        Participation.activity_id == activity.id, Participation.cohort_id == cohort.id)))
    return [u for u in roster if u.id not in answered]


def named_respondents(cohort: Cohort, activity: Activity) -> list[User]:
    """Who answered a named questionnaire (for their facilitators' per-trainee pages)."""
    return list(db.session.scalars(select(User).join(NamedResponse, NamedResponse.user_id == User.id).where(
        NamedResponse.activity_id == activity.id, NamedResponse.cohort_id == cohort.id).order_by(User.name)))


def last_reminder(cohort: Cohort, activity: Activity) -> Reminder | None:
    return db.session.scalar(select(Reminder).where(Reminder.cohort_id == cohort.id,
                                                    Reminder.activity_id == activity.id)
                             .options(joinedload(Reminder.sent_by))
                             .order_by(Reminder.sent_at.desc(), Reminder.id.desc()).limit(1))


# --- one trainee's answers over time (the trainee, and their facilitators for named ones) -----------

@dataclass
class PersonalAnswers:
    activity: Activity
    answers: dict[str, Any] | None


def trainee_answers(trainee: User, cohort: Cohort, include_anonymous: bool) -> list[PersonalAnswers]:
    """The trainee's answers to each evaluation activity of the cohort's run; anonymous ones only
    when the trainee themself asks (the app finds them through the code)."""
    all_activities = evaluation_activities(cohort.run)
    replaced = replaced_by_country(all_activities)
    activities = [a for a in all_activities if applies_to(a, cohort, replaced[cohort.country_id])]
    named = {r.activity_id: r.answers for r in db.session.scalars(select(NamedResponse).where(
        NamedResponse.user_id == trainee.id, NamedResponse.cohort_id == cohort.id))}
    anonymous: dict[int, dict] = {}
    if include_anonymous:
        codes = {pseudonym(trainee.id, instrument_of(a)["family"]) for a in activities}
        anonymous = {r.activity_id: r.answers for r in db.session.scalars(select(AnonymousResponse).where(
            AnonymousResponse.cohort_id == cohort.id, AnonymousResponse.code.in_(codes)))}
    result = []
    for a in activities:
        if instrument_of(a)["anonymous"]:
            if include_anonymous:
                result.append(PersonalAnswers(a, anonymous.get(a.id)))
        else:
            result.append(PersonalAnswers(a, named.get(a.id)))
    return result


# --- the dashboard ---------------------------------------------------------------------------------

@dataclass
class OpenItem:
    activity: Activity
    cohort: Cohort
    window: Window
    missing: int = 0
    expected: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def open_for_staff(cohorts: list[Cohort]) -> list[OpenItem]:
    """Open questionnaires of the cohorts with trainees who have not answered (queries bounded by
    the number of runs, not of trainees)."""
    items = []
    by_run: dict[int, list[Cohort]] = defaultdict(list)
    for c in cohorts:
        by_run[c.run_id].append(c)
    for run_cohorts in by_run.values():
        run = run_cohorts[0].run
        activities = evaluation_activities(run)
        open_ones = [a for a in activities if window(instrument_of(a), run).state() == OPEN]
        if not open_ones:
            continue
        replaced = replaced_by_country(activities)
        roster = answering_counts(run)
        counts = participation_counts([a.id for a in open_ones], [c.id for c in run_cohorts])
        for c in run_cohorts:
            expected = roster.get(c.id, 0)
            for a in open_ones:
                if expected and applies_to(a, c, replaced[c.country_id]):
                    missing = expected - counts.get((a.id, c.id), 0)
                    if missing > 0:
                        items.append(OpenItem(a, c, window(instrument_of(a), run), missing, expected))
    return items


def open_for_trainee(user: User, cohorts: list[Cohort]) -> list[OpenItem]:
    cohort = answering_cohort(cohorts)
    if cohort is None:
        return []
    activities = evaluation_activities(cohort.run)
    replaced = replaced_by_country(activities)
    candidates = [a for a in activities if applies_to(a, cohort, replaced[cohort.country_id])
                  and window(instrument_of(a), cohort.run).state() == OPEN]
    if not candidates:
        return []
    answered = set(db.session.scalars(select(Participation.activity_id).where(
        Participation.user_id == user.id, Participation.cohort_id == cohort.id,
        Participation.activity_id.in_([a.id for a in candidates]))))
    return [OpenItem(a, cohort, window(instrument_of(a), cohort.run)) for a in candidates if a.id not in answered]


# --- the programme dashboard ---------------------------------------------------------------------

def programme_response_rates(cohorts: list[Cohort]) -> list[ResponseRate]:
    """Participations / trainees answering in each cohort, per questionnaire that applies to it
    and has opened (three queries, whatever the cohorts' size; never an answer)."""
    if not cohorts:
        return []
    run = cohorts[0].run
    listed = evaluation_activities(run)
    activities = [a for a in listed if window(instrument_of(a), run).state() != UPCOMING]
    if not activities:
        return []
    replaced = replaced_by_country(listed)
    counts = run_counts(run, [a.id for a in activities])
    roster = counts.roster
    return [ResponseRate(c.id, a.title, counts.answered.get((a.id, c.id), 0), roster.get(c.id, 0))
            for c in cohorts for a in activities
            if roster.get(c.id) and applies_to(a, c, replaced[c.country_id])]


def work_counts(activity_ids: list[int], user_ids: list[int], cohort_ids: list[int]) -> dict[int, int]:
    """Answers given to these questionnaires: named ones by these trainees, anonymous ones in
    these cohorts (counted, never tied to anyone), for the content update's check."""
    counts: dict[int, int] = defaultdict(int)
    if not activity_ids:
        return {}
    for model, owner in ((NamedResponse, NamedResponse.user_id.in_(user_ids or [-1])),
                         (AnonymousResponse, AnonymousResponse.cohort_id.in_(cohort_ids or [-1]))):
        for activity_id, count in db.session.execute(select(model.activity_id, func.count()).where(
                model.activity_id.in_(activity_ids), owner).group_by(model.activity_id)):
            counts[activity_id] += count
    return dict(counts)
