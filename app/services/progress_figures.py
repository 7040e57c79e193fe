"""Where every trainee of some cohorts stands, for the staff's aggregate pages (the cohort
progress grid, the programme dashboard, the programme report), from narrow rows instead of one
full Overview per trainee.

What trainees with the same cohorts see alike (their country's activities, due dates by the
content's rule, meeting days, the hours planned) is worked out once per such group with the
programme service's own `assemble_overview`; each trainee then adds only integers: the ids of
the activities they have done, the meetings they attended, their extensions. A page costs the
same fixed number of queries whatever the number of trainees, and no ORM object is built per
trainee (names and flags are read as plain columns). tests/test_progress_figures.py checks
every figure against the per-trainee Overview (app/services/overviews.py) on generated data."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from typing import cast as type_cast

from sqlalchemy import Date, Integer, String, case, cast, func, inspect, literal, not_, null, select, union_all
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..id_lists import among
from ..models import (
    Attendance,
    Cohort,
    CohortRole,
    Completion,
    CompletionState,
    Component,
    Meeting,
    Membership,
    Module,
    Programme,
    ProgrammeRun,
    User,
)
from ..plugins import ActivityPlugin, registry
from ..request_memo import memoised
from ..timeutil import add_days
from .due_dates import due_date
from .meetings import programme_of
from .programme import (
    ActivityItem,
    Hours,
    Overview,
    ProgrammeRows,
    Viewer,
    _meeting_component,  # the rule that gives a meeting's hours to a component, shared with _hours
    assemble_overview,
    programme_rows,
)

COMPONENTS = (Component.NATIONAL, Component.TRANSNATIONAL)


@dataclass(frozen=True)
class Trainee:
    """The few columns of a trainee the aggregate pages show or count by."""
    id: int
    name: str
    email: str
    active: bool
    erased_at: datetime | None


@dataclass
class Group:
    """What every trainee with the same cohorts of the run sees alike."""
    cohorts: list[Cohort]
    #: The hours of the group's programme, planned (done: none).
    plan: Hours
    #: Required work of types that are installed, in programme order.
    required: list[ActivityItem]
    required_ids: frozenset[int]
    #: Required work with a due date that is still open today, by due date (the order of the
    #: grid), with its activity id.
    open_by_due: list[tuple[int, ActivityItem]]
    #: Required work that closed before today, with its activity id.
    closed: list[tuple[int, ActivityItem]]
    #: Hours a done activity credits, and to which component (installed types only).
    credit: dict[int, tuple[str, Decimal]]
    #: Hours an attended meeting of the group's cohorts credits, and to which component.
    meeting_credit: dict[int, tuple[str, Decimal]]
    #: Module id -> its required activities (modules with any), for "module done".
    module_required: dict[int, frozenset[int]]
    #: Every visible activity: (id, due by rule, component, planned hours).
    activities: list[tuple[int, date | None, str, Decimal]]
    #: Every planned meeting: (meeting id or None, day, component, hours).
    meetings: list[tuple[int | None, date | None, str, Decimal]]
    #: Visible activity id -> (due by rule, component, planned hours).
    rule_of: dict[int, tuple[date | None, str, Decimal]]
    #: Hours planned by today (activities due, meetings held), by component, before extensions.
    planned_today: dict[str, Decimal]


@dataclass
class TraineeFigures:
    trainee: Trainee
    group: Group
    hours: Hours
    required_done: int
    #: Required work past its due date that can still be done, oldest first.
    overdue: list[ActivityItem]
    next_due: ActivityItem | None
    missed: list[ActivityItem]
    #: Ids of the modules whose required work is all done.
    modules_done: frozenset[int]
    #: Ids of the activities done.
    done: frozenset[int]
    attended: frozenset[int]
    #: The trainee's own due dates (extensions), by activity id.
    extended: dict[int, date] = field(default_factory=dict)

    @property
    def required_total(self) -> int:
        return len(self.group.required)

    def due(self, activity_id: int, by_rule: date | None) -> date | None:
        return self.extended.get(activity_id) or by_rule

    def extensions(self):
        """(due by rule, own due date, component, hours) of the visible activities extended."""
        for activity_id, due in self.extended.items():
            rule = self.group.rule_of.get(activity_id)
            if rule is not None:
                yield rule[0], due, rule[1], rule[2]

    def planned_by(self, today: date) -> dict[str, Decimal]:
        """Hours of the activities due and of the meetings held by `today` (the day the figures
        were made for), by component."""
        planned = defaultdict(Decimal, self.group.planned_today)
        for by_rule, due, component, hours in self.extensions():
            if by_rule is not None and by_rule <= today:
                planned[component] -= hours
            if due <= today:
                planned[component] += hours
        return planned


@dataclass
class Figures:
    #: Cohort id -> its trainees' figures, by name.
    by_cohort: dict[int, list[TraineeFigures]]
    #: None when the run has no programme yet.
    rows: ProgrammeRows | None
    #: Every meeting of the trainees' cohorts, by date.
    meetings: list[Meeting]
    #: Meeting id -> (present, recorded): every attendance row of those meetings, whoever it is
    #: of (the dashboard's attendance per meeting). None for a batch of trainees (`only_users`).
    attendance: dict[int, tuple[int, int]] | None = None
    #: Hours the trainees' work done credits, by the day it was done (the dashboard's hours over
    #: time; meetings are added by `dashboard._months`). None for a batch of trainees.
    done_by_day: dict[date, Decimal] | None = None


def figures_for(run: ProgrammeRun, cohorts: list[Cohort], today: date,
                only_users: Collection[int] | None = None) -> Figures:
    """The figures of every trainee of `cohorts` (of one run), once per request."""
    key = (run.id, tuple(c.id for c in cohorts), today, tuple(only_users) if only_users is not None else None)
    return memoised("progress_figures", key, lambda: build_figures(run, cohorts, today, only_users))


def build_figures(run: ProgrammeRun, cohorts: list[Cohort], today: date,
                  only_users: Collection[int] | None = None) -> Figures:
    """`figures_for` without the per-request memo: for a CSV export built a batch of trainees
    at a time, whose batches must not all stay in memory until the response ends."""
    by_cohort: dict[int, list[TraineeFigures]] = {c.id: [] for c in cohorts}
    if not cohorts:
        return Figures(by_cohort, None, [])
    programme = programme_of(run)
    trainee_ids = select(Membership.user_id).where(among(Membership.cohort_id, [c.id for c in cohorts]),
                                                   Membership.role == CohortRole.TRAINEE)
    if only_users is not None:
        trainee_ids = trainee_ids.where(among(Membership.user_id, only_users))
    cohort_ids_of: dict[int, list[int]] = defaultdict(list)
    trainees: dict[int, Trainee] = {}
    # Plain columns (a cohort id per membership, not a Cohort entity per row: that was a third of
    # the transnational dashboard's time at 10,000 trainees); the cohorts are loaded once each.
    for user_id, name, email, active, erased_at, cohort_id in db.session.connection().execute(
            select(User.id, User.name, User.email, User.active, User.erased_at, Membership.cohort_id)
            .join(Membership, Membership.user_id == User.id).join(Cohort, Cohort.id == Membership.cohort_id)
            .where(Cohort.run_id == run.id, Membership.role == CohortRole.TRAINEE, User.id.in_(trainee_ids))).all():
        cohort_ids_of[user_id].append(cohort_id)
        if user_id not in trainees:
            trainees[user_id] = Trainee(user_id, name, email, active, erased_at)
    cohort_by_id = _cohorts_with_countries(cohorts, {i for ids in cohort_ids_of.values() for i in ids})
    cohorts_of: dict[int, list[Cohort]] = {user_id: [cohort_by_id[i] for i in ids]
                                           for user_id, ids in cohort_ids_of.items()}
    for own in cohorts_of.values():
        own.sort(key=lambda c: (c.country_id is None, c.id))
    if programme is None:
        # No programme imported yet: the trainees still count, with nothing to do or done.
        programme = Programme(slug="", title="", version="", total_hours=Decimal(0), duration_months=0)
        rows = ProgrammeRows([], [], [])
    else:
        rows = programme_rows(programme, run)
    # The page's cohorts too: a cohort without trainees still lists its meetings.
    all_cohorts = sorted({c.id for own in cohorts_of.values() for c in own} | set(by_cohort))
    meetings = list(db.session.scalars(select(Meeting).where(among(Meeting.cohort_id, all_cohorts))
                                       .order_by(Meeting.starts_on, Meeting.id))) if all_cohorts else []
    meetings_of: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        meetings_of[meeting.cohort_id].append(meeting)
    ordered = sorted(trainees.items(), key=lambda item: item[1].name.lower())
    # Each country's view before the work done is read: what every view credits alike is summed
    # by the database per activity and day (the hours over time), the rest read row by row.
    views: dict[int | None, Overview] = {}
    parts: dict[int | None, _ViewParts] = {}
    country_of: dict[tuple[int, ...], int | None] = {}
    key_of = {user_id: tuple(c.id for c in own) for user_id, own in cohorts_of.items()}
    for user_id, _trainee_row in ordered:
        own = cohorts_of[user_id]
        key = key_of[user_id]
        if key not in country_of:
            country = country_of[key] = next((c.country_id for c in own if c.country_id is not None), None)
            if country not in views:
                views[country] = _country_view(programme, run, own, rows, _meetings_of(key, meetings_of))
                parts[country] = _view_parts(views[country])
    everyone = only_users is None
    uniform = _credited_alike(list(parts.values())) if everyone else {}
    work = _Work(everyone, {m.id: [0, 0] for m in meetings} if everyone else None)
    if trainees or everyone:
        # Plain columns through the session's connection: the ORM's execution layer has nothing
        # to load here. One row per trainee (the ids of their work done and meetings attended,
        # aggregated by the database), not one per completion (90,000 at 10,000 trainees).
        for kind, user_id, item_id, ids, day, n, recorded in db.session.connection().execute(
                _work_done(trainee_ids, rows, meetings, everyone, sorted(uniform))).all():
            work.add(kind, user_id, item_id, ids, day, n, recorded)
    for user_id, activity_id, day in work.done_on:
        # Work that some country's view does not credit alike: by the trainee's own view.
        own_country = country_of.get(key_of.get(user_id, ()), -1)
        credited = parts[own_country].credit.get(activity_id) if own_country in parts else None
        if credited is not None and user_id in trainees:
            work.done_by_day[day] += credited[1]
    for activity_id, day, n in work.done_counted:
        work.done_by_day[day] += uniform[activity_id][1] * n
    extended = _extensions(trainees, cohorts_of, rows)
    groups: dict[tuple[int, ...], Group] = {}
    # Trainees of one group with the same work done and no extension have the same figures for
    # their work (only the meetings they came to differ): worked out once.
    same_work: dict[tuple[tuple[int, ...], frozenset[int]], _WorkFigures] = {}
    wanted = set(by_cohort)
    for user_id, trainee in ordered:
        own = cohorts_of[user_id]
        key = key_of[user_id]
        if key not in groups:
            country = country_of[key]
            groups[key] = _group(views[country], parts[country], run, own, rows, _meetings_of(key, meetings_of),
                                 today)
        done = work.done.get(user_id, _NOTHING)
        own_extensions = extended.get(user_id, {})
        if own_extensions:
            work_figures = _work_figures(groups[key], done, own_extensions, today)
        else:
            memo_key = (key, done)
            if memo_key not in same_work:
                same_work[memo_key] = _work_figures(groups[key], done, own_extensions, today)
            work_figures = same_work[memo_key]
        figures = _trainee(trainee, groups[key], work_figures, done, work.attended.get(user_id, _NOTHING),
                           own_extensions)
        for cohort in own:
            if cohort.id in wanted:
                by_cohort[cohort.id].append(figures)
    counts = work.attendance
    attendance = {m: (present, recorded) for m, (present, recorded) in counts.items()} if counts is not None else None
    return Figures(by_cohort, rows if programme.id is not None else None, meetings, attendance,
                   dict(work.done_by_day) if everyone else None)


_NOTHING: frozenset[int] = frozenset()
DONE_IDS, ATTENDED_IDS, DONE_BY_DAY, DONE_ON, AT_MEETING = range(5)


def _meetings_of(key: tuple[int, ...], meetings_of: dict[int, list[Meeting]]) -> list[Meeting]:
    return sorted((m for c in key for m in meetings_of[c]), key=lambda m: (m.starts_on, m.id))


def _credited_alike(parts: list[_ViewParts]) -> dict[int, tuple[str, Decimal]]:
    """The activities every country's view credits, with the same hours to the same component."""
    if not parts:
        return {}
    first, *others = parts
    return {a: credited for a, credited in first.credit.items() if all(p.credit.get(a) == credited for p in others)}


class _Work:
    """What the work-done statement gives, by kind of row (`_work_done`)."""

    def __init__(self, everyone: bool, attendance: dict[int, list[int]] | None):
        #: Trainee id -> the ids of the activities they have done.
        self.done: dict[int, frozenset[int]] = {}
        #: Trainee id -> the ids of the meetings they came to.
        self.attended: dict[int, frozenset[int]] = {}
        #: Meeting id -> [present, recorded] (every row of the meetings, whoever it is of).
        self.attendance = attendance
        #: (activity id, day done, trainees) for work every view credits alike.
        self.done_counted: list[tuple[int, date, int]] = []
        #: (trainee id, activity id, day done) for the rest.
        self.done_on: list[tuple[int, int, date]] = []
        #: Hours done by day (activities only), over the page's trainees.
        self.done_by_day: dict[date, Decimal] = defaultdict(Decimal)
        self._sets: dict[str, frozenset[int]] = {}

    def _ids(self, text: str) -> frozenset[int]:
        # Many trainees have done the same work: each list of ids is parsed once.
        found = self._sets.get(text)
        if found is None:
            found = self._sets[text] = frozenset(int(i) for i in text.split(","))
        return found

    def add(self, kind: int, user_id: Any, item_id: Any, ids: Any, day: Any, n: Any, recorded: Any) -> None:
        """One row of the statement; which columns hold something depends on its kind."""
        if kind == DONE_IDS:
            self.done[user_id] = self._ids(ids)
        elif kind == ATTENDED_IDS:
            self.attended[user_id] = self._ids(ids)
        elif kind == DONE_BY_DAY:
            self.done_counted.append((item_id, day, n))
        elif kind == DONE_ON:
            self.done_on.append((user_id, item_id, day))
        elif self.attendance is not None:
            self.attendance[item_id] = [int(n or 0), int(recorded or 0)]


def _cohorts_with_countries(page: list[Cohort], wanted: set[int]) -> dict[int, Cohort]:
    """The cohorts `wanted` by id, with their countries: the page's own where loaded, the rest
    (the trainees' other cohorts, or a page cohort without its country) in one query."""
    found = {c.id: c for c in page if c.country_id is None or "country" not in inspect(c).unloaded}
    missing = (wanted | {c.id for c in page}) - set(found)
    if missing:
        found.update((c.id, c) for c in db.session.scalars(
            select(Cohort).where(among(Cohort.id, sorted(missing))).options(joinedload(Cohort.country))))
    return found


def _work_done(trainee_ids, rows: ProgrammeRows, meetings: list[Meeting], everyone: bool, uniform: list[int]):
    """One statement, rows of (kind, user, item, ids, day, n, recorded):
    - (DONE_IDS, trainee, NULL, ids of the activities done, ...) and (ATTENDED_IDS, trainee, NULL,
      ids of the meetings they came to, ...): one row per trainee;
    - with `everyone` (the hours over time and the attendance per meeting): (DONE_BY_DAY, NULL,
      activity, NULL, day, trainees, NULL) for the `uniform` activities (credited alike by every
      view), (DONE_ON, trainee, activity, NULL, day, ...) for the rest, and (AT_MEETING, NULL,
      meeting, NULL, NULL, present, recorded) over every attendance row, of anyone."""
    no_int, no_text, no_day = cast(null(), Integer), cast(null(), String), cast(null(), Date)
    done = (Completion.user_id.in_(trainee_ids), Completion.state == CompletionState.DONE,
            among(Completion.activity_id, [a.id for a in rows.activities]))
    meeting_ids = [m.id for m in meetings]
    parts = [
        select(literal(DONE_IDS), Completion.user_id, no_int,
               func.aggregate_strings(cast(Completion.activity_id, String), ","), no_day, no_int, no_int)
        .where(*done).group_by(Completion.user_id),
        select(literal(ATTENDED_IDS), Attendance.user_id, no_int,
               func.aggregate_strings(cast(Attendance.meeting_id, String), ","), no_day, no_int, no_int)
        .where(among(Attendance.meeting_id, meeting_ids), Attendance.user_id.in_(trainee_ids),
               Attendance.present.is_(True)).group_by(Attendance.user_id)]
    if everyone:
        day = func.date(Completion.completed_at, type_=Date)
        dated = (*done, Completion.completed_at.is_not(None))
        parts += [
            select(literal(DONE_BY_DAY), no_int, Completion.activity_id, no_text, day, func.count(), no_int)
            .where(*dated, among(Completion.activity_id, uniform)).group_by(Completion.activity_id, day),
            select(literal(DONE_ON), Completion.user_id, Completion.activity_id, no_text, day, no_int, no_int)
            .where(*dated, not_(among(Completion.activity_id, uniform))),
            select(literal(AT_MEETING), no_int, Attendance.meeting_id, no_text, no_day,
                   func.sum(case((Attendance.present.is_(True), 1), else_=0)), func.count())
            .where(among(Attendance.meeting_id, meeting_ids)).group_by(Attendance.meeting_id)]
    return union_all(*parts)


def _overrides_due_dates(plugin: ActivityPlugin) -> bool:
    cls = type(plugin)
    return cls.due_dates is not ActivityPlugin.due_dates or cls.due_dates_for is not ActivityPlugin.due_dates_for


def _extensions(trainees: dict[int, Trainee], cohorts_of: dict[int, list[Cohort]],
                rows: ProgrammeRows) -> dict[int, dict[int, date]]:
    """Each trainee's own due dates: one call per plugin that grants them (assignments'
    extensions), for every trainee at once."""
    found: dict[int, dict[int, date]] = defaultdict(dict)
    if not trainees:
        return found
    by_type: dict[str, list[int]] = defaultdict(list)
    for activity in rows.activities:
        by_type[activity.type].append(activity.id)
    trainee_cohorts = {user_id: [c.id for c in own] for user_id, own in cohorts_of.items()}
    # The hook's trainees are these plain rows (id, name, email, active), not ORM users: the
    # in-tree hooks read the id only, and a thousand User objects are what this module avoids.
    users = type_cast(list[User], list(trainees.values()))
    for type_, ids in by_type.items():
        plugin = registry().get(type_)
        if plugin is not None and _overrides_due_dates(plugin):
            for (user_id, activity_id), due in plugin.due_dates_for(users, trainee_cohorts, ids).items():
                found[user_id][activity_id] = due
    return found


def _country_view(programme: Programme, run: ProgrammeRun, own: list[Cohort], rows: ProgrammeRows,
                  meetings: list[Meeting]) -> Overview:
    """The overview of a trainee of these cohorts with nothing done: which activities and meeting
    plans their country's version has, with their plugin, link and closing day. Alike for every
    group of one country, except the dates, which `_group` works out for each group."""
    national = next((c for c in own if c.country_id is not None), None)
    # The user is not read by assemble_overview (only by the overview's next_due, unused here).
    viewer = Viewer(user=type_cast(Any, None), programme=programme, run=run, cohorts=own,
                    country_id=national.country_id if national else None,
                    country_code=national.country.code if national else None, is_trainee=True)
    return assemble_overview(viewer, rows, meetings, {}, set())


@dataclass(frozen=True)
class _ViewParts:
    """What `_group` takes from a country's view that no date changes: worked out once per
    country, not once per group of cohorts (400 groups on the transnational dashboard at 10,000
    trainees)."""
    credit: dict[int, tuple[str, Decimal]]
    by_module: dict[int, Module]
    module_required: dict[int, frozenset[int]]
    #: Each visible activity, in programme order: (item, its module's component, activity id,
    #: planned hours, required and available), read from the ORM objects once.
    items: list[tuple[ActivityItem, str, int, Decimal, bool]]
    #: The meetings' credits in this view, by meeting id, filled as groups meet them (a meeting
    #: is of one cohort, and its component depends on the view's modules and that cohort only).
    meeting_credit: dict[int, tuple[str, Decimal]] = field(default_factory=dict)


def _view_parts(view: Overview) -> _ViewParts:
    credit = {a.activity.id: (module.module.component, a.plugin.hours(a.activity))
              for module in view.modules for a in module.activities if a.plugin is not None}
    module_required = {}
    for m in view.modules:
        ids = frozenset(a.activity.id for a in m.activities if a.activity.required)
        if ids:
            module_required[m.module.id] = ids
    items = [(a, m.module.component, a.activity.id, a.activity.hours, bool(a.activity.required and a.available))
             for m in view.modules for a in m.activities]
    return _ViewParts(credit, {m.module.id: m.module for m in view.modules}, module_required, items)


def _group(view: Overview, parts: _ViewParts, run: ProgrammeRun, own: list[Cohort], rows: ProgrammeRows,
           meetings: list[Meeting], today: date) -> Group:
    """The group's dates: due dates by rule and meeting days from the group's own meetings (the
    programme service's `due_date`; a plan without a meeting yet is dated from the run's start)."""
    viewer = replace(view.viewer, cohorts=own)
    plans_by_slug = {p.slug: p for p in rows.plans}
    first_meeting: dict[int, Meeting] = {}
    for meeting in meetings:
        if meeting.plan_id is not None:
            first_meeting.setdefault(meeting.plan_id, meeting)
    required: list[ActivityItem] = []
    activities: list[tuple[int, date | None, str, Decimal]] = []
    for a, component, activity_id, hours, is_required in parts.items:
        due = due_date(a.activity, viewer, plans_by_slug, first_meeting)
        if due != a.due:
            a = replace(a, due=due)
        activities.append((activity_id, due, component, hours))
        if is_required:
            required.append(a)
    planned_meetings: list[tuple[int | None, date | None, str, Decimal]] = []
    for module in view.modules:
        component = module.module.component
        for i in module.meetings:
            meeting = first_meeting.get(i.plan.id)
            starts_on = meeting.starts_on if meeting else (
                add_days(run.starts_on, i.plan.after_start_days) if run.starts_on else None)
            planned_meetings.append((meeting.id if meeting else None, starts_on, component,
                                     meeting.hours if meeting else i.plan.hours))
    open_by_due = sorted((a for a in required if a.due is not None and not a.missed(today)), key=lambda a: a.due)
    by_plan = {p.id: p for p in rows.plans}
    by_cohort = {c.id: c for c in own}
    known = parts.meeting_credit
    meeting_credit = {}
    for m in meetings:
        credited = known.get(m.id)
        if credited is None:
            credited = known[m.id] = (_meeting_component(m, by_plan, parts.by_module, by_cohort), m.hours)
        meeting_credit[m.id] = credited
    planned_today: dict[str, Decimal] = defaultdict(Decimal)
    for _id, day, component, hours in activities + planned_meetings:
        if day is not None and day <= today:
            planned_today[component] += hours
    return Group(
        own, view.hours, required, frozenset(a.activity.id for a in required),
        [(a.activity.id, a) for a in open_by_due],
        [(a.activity.id, a) for a in required if a.missed(today)], parts.credit, meeting_credit,
        parts.module_required,
        activities, planned_meetings, {i: (due, component, hours) for i, due, component, hours in activities},
        planned_today)


@dataclass(frozen=True)
class _WorkFigures:
    """A trainee's figures from the work they have done (not from the meetings they came to)."""
    hours_done: dict[str, Decimal]
    required_done: int
    overdue: list[ActivityItem]
    next_due: ActivityItem | None
    missed: list[ActivityItem]
    modules_done: frozenset[int]


def _work_figures(group: Group, done: frozenset[int], extended: dict[int, date], today: date) -> _WorkFigures:
    if extended:
        pending = []
        for a in group.required:
            if a.activity.id in done or a.missed(today):
                continue
            due = extended.get(a.activity.id) or a.due
            if due is not None:
                pending.append(a if due == a.due else replace(a, due=due))
        pending.sort(key=lambda a: a.due)
    else:
        pending = [a for activity_id, a in group.open_by_due if activity_id not in done]
    overdue = [a for a in pending if a.due < today]
    upcoming = next((a for a in pending if a.due >= today), None)
    hours_done: dict[str, Decimal] = dict.fromkeys(COMPONENTS, Decimal(0))
    for activity_id in done:
        credited = group.credit.get(activity_id)
        if credited is not None:
            hours_done[credited[0]] += credited[1]
    return _WorkFigures(
        hours_done, len(group.required_ids.intersection(done)), overdue, upcoming,
        [a for activity_id, a in group.closed if activity_id not in done],
        frozenset(m for m, ids in group.module_required.items() if ids.issubset(done)))


def _trainee(trainee: Trainee, group: Group, work: _WorkFigures, done: frozenset[int], attended: frozenset[int],
             extended: dict[int, date]) -> TraineeFigures:
    hours_done = dict(work.hours_done)
    for meeting_id in attended:
        credited = group.meeting_credit.get(meeting_id)
        if credited is not None:
            hours_done[credited[0]] += credited[1]
    plan = group.plan
    return TraineeFigures(
        trainee, group, Hours(total=plan.total, planned=plan.planned, done=hours_done), work.required_done,
        work.overdue, work.next_due, work.missed, work.modules_done, done, attended, extended)


def unique_trainees(figures: Figures) -> list[TraineeFigures]:
    """Each trainee once (a trainee of a national and of a transnational cohort is in both)."""
    return list({t.trainee.id: t for items in figures.by_cohort.values() for t in items}.values())
