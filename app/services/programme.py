"""The programme as one user sees it: which programme and run, which country's national variants,
due dates and status. Everything a page needs is loaded in a fixed number of queries, whatever the
number of modules and activities (tests/test_programme_pages.py counts them).

Who sees what (ARCHITECTURE.md section 5): a trainee sees the programme of their run with their
country's national variants and marks their own work; facilitators and national coordinators see
the same pages for their cohorts' country, read-only; admins and transnational coordinators see
the latest run's programme with every country's variants, read-only."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..errors import NotFound
from ..extensions import db
from ..models import (Activity, Attendance, Cohort, CohortRole, Completion, Component, Meeting,
                      MeetingPlan, Membership, Module, Programme, ProgrammeRun, Resource, SiteRole, User)
from ..plugins import ActivityPlugin, registry
from ..timeutil import add_days


@dataclass
class Viewer:
    """Whose programme a page shows and what the user may do in it."""
    user: User
    programme: Programme
    run: ProgrammeRun | None
    cohorts: list[Cohort]
    #: The country whose national variants apply (the user's national cohort), if any.
    country_id: int | None
    country_code: str | None
    #: Site-wide staff see every country's variants, each labelled with its country.
    every_country: bool = False
    #: Only trainees have progress and may mark work done.
    is_trainee: bool = False

    @property
    def starts_on(self) -> date | None:
        return self.run.starts_on if self.run else None


def _sole_programme() -> Programme | None:
    programmes = list(db.session.scalars(select(Programme).order_by(Programme.id).limit(2)))
    return programmes[0] if len(programmes) == 1 else None


def viewer_for(user: User, run: ProgrammeRun | None = None) -> Viewer | None:
    """The user's view of the programme (of `run`, or of their most recent run); None when the
    user has no programme to see."""
    if not user.is_authenticated:
        return None
    memberships = list(db.session.scalars(
        select(Membership).where(Membership.user_id == user.id)
        .options(joinedload(Membership.cohort).joinedload(Cohort.run).joinedload(ProgrammeRun.programme),
                 joinedload(Membership.cohort).joinedload(Cohort.country))))
    if run is not None:
        memberships = [m for m in memberships if m.cohort.run_id == run.id]
    trainee_of = [m for m in memberships if m.role == CohortRole.TRAINEE]
    chosen = trainee_of or memberships
    every_country = False
    if chosen:
        run = max((m.cohort.run for m in chosen), key=lambda r: (r.starts_on, r.id))
        cohorts = [m.cohort for m in chosen if m.cohort.run_id == run.id]
    elif user.site_role in (SiteRole.ADMIN, SiteRole.TRANSNATIONAL_COORDINATOR):
        run = run or db.session.scalar(select(ProgrammeRun).options(joinedload(ProgrammeRun.programme))
                                       .order_by(ProgrammeRun.starts_on.desc(), ProgrammeRun.id.desc()).limit(1))
        cohorts, every_country = [], True
    else:
        return None
    programme = (run.programme if run is not None else None) or _sole_programme()
    if programme is None:
        return None
    national = next((c for c in cohorts if c.country_id is not None), None)
    return Viewer(user=user, programme=programme, run=run, cohorts=cohorts,
                  country_id=national.country_id if national else None,
                  country_code=national.country.code if national else None,
                  every_country=every_country, is_trainee=bool(trainee_of))


def is_visible(viewer: Viewer, activity: Activity, replaced_ids: set[int]) -> bool:
    """Whether the activity belongs to the viewer's version of the programme. `replaced_ids`:
    common activities a national activity of the viewer's country replaces."""
    if viewer.every_country:
        return True
    if activity.country_id is not None:
        return activity.country_id == viewer.country_id
    return activity.id not in replaced_ids and (viewer.country_code or "") not in (activity.omitted_in or [])


# Status and due dates ----------------------------------------------------------------------

NOT_STARTED, IN_PROGRESS, DONE, COMING_SOON = "not_started", "in_progress", "done", "coming_soon"


@dataclass
class ActivityItem:
    activity: Activity
    #: None for a planned type whose plugin has not landed: shown as "coming soon".
    plugin: ActivityPlugin | None
    due: date | None
    completion: Completion | None
    url: str | None

    @property
    def available(self) -> bool:
        return self.plugin is not None

    @property
    def done(self) -> bool:
        return self.completion is not None and self.completion.is_done

    @property
    def status(self) -> str:
        if self.plugin is None:
            return COMING_SOON
        if self.done:
            return DONE
        return IN_PROGRESS if self.completion is not None else NOT_STARTED

    @property
    def national(self) -> bool:
        return self.activity.country_id is not None

    @property
    def credited_hours(self) -> Decimal:
        return self.plugin.hours(self.activity) if self.done and self.plugin else Decimal(0)


@dataclass
class MeetingItem:
    plan: MeetingPlan
    #: The cohort's dated meeting, once a facilitator has set it.
    meeting: Meeting | None
    #: The meeting's first day, or the planned day counted from the run's start.
    starts_on: date | None
    attended: bool

    @property
    def hours(self) -> Decimal:
        return self.meeting.hours if self.meeting else self.plan.hours


@dataclass
class ModuleItem:
    module: Module
    activities: list[ActivityItem] = field(default_factory=list)
    meetings: list[MeetingItem] = field(default_factory=list)

    @property
    def status(self) -> str:
        required = [a for a in self.activities if a.activity.required]
        if required and all(a.done for a in required):
            return DONE
        if any(a.completion is not None for a in self.activities) or any(m.attended for m in self.meetings):
            return IN_PROGRESS
        return NOT_STARTED

    @property
    def next_due(self) -> ActivityItem | None:
        return _next_due(self.activities)

    @property
    def has_national_variant(self) -> bool:
        return any(a.national for a in self.activities)


def _next_due(items: list[ActivityItem]) -> ActivityItem | None:
    pending = [a for a in items if a.due is not None and not a.done]
    return min(pending, key=lambda a: (a.due, a.activity.position)) if pending else None


@dataclass
class Hours:
    """Hours done toward the programme total, split national/transnational."""
    total: Decimal
    planned: dict[str, Decimal]
    done: dict[str, Decimal]

    @property
    def done_total(self) -> Decimal:
        return sum(self.done.values(), Decimal(0))

    def percent(self, component: str) -> int:
        """The share of the whole bar (the programme total) this component's done hours fill;
        at least 1 once anything is done, so the first hour shows."""
        if not self.total or not self.done[component]:
            return 0
        return max(1, min(100, int(self.done[component] * 100 / self.total)))

    @property
    def percent_total(self) -> int:
        return min(100, int(self.done_total * 100 / self.total)) if self.total else 0


@dataclass
class Overview:
    viewer: Viewer
    modules: list[ModuleItem]
    hours: Hours

    @property
    def next_due(self) -> ActivityItem | None:
        return _next_due([a for m in self.modules for a in m.activities])

    def module(self, slug: str) -> ModuleItem | None:
        return next((m for m in self.modules if m.module.slug == slug), None)


def _due_date(activity: Activity, viewer: Viewer, plans: dict[str, MeetingPlan],
              meetings: dict[int, Meeting]) -> date | None:
    rule = activity.due_rule or {}
    if "after_meeting" in rule:
        plan = plans.get(rule["after_meeting"])
        if plan is None:
            return None
        # Counted from the meeting's first day (content/README.md, "Due dates"): days 0 is that day.
        meeting = meetings.get(plan.id)
        if meeting is not None:
            return add_days(meeting.starts_on, rule.get("days", 0))
        if viewer.starts_on is None:
            return None
        return add_days(viewer.starts_on, plan.after_start_days + rule.get("days", 0))
    if "after_start_days" in rule and viewer.starts_on is not None:
        return add_days(viewer.starts_on, rule["after_start_days"])
    return None


def _activity_url(plugin: ActivityPlugin | None, activity: Activity) -> str | None:
    return plugin.activity_url(activity) if plugin is not None else None


def overview(viewer: Viewer) -> Overview:
    """Modules, activities, meetings, completions and hours of the viewer's programme (eight
    queries at most, however large the programme)."""
    programme_modules = select(Module.id).where(Module.programme_id == viewer.programme.id,
                                                Module.retired.is_(False))
    modules = list(db.session.scalars(select(Module).where(Module.id.in_(programme_modules))
                                      .order_by(Module.order, Module.id)))
    activities = list(db.session.scalars(
        select(Activity).where(Activity.module_id.in_(programme_modules), Activity.retired.is_(False))
        .options(joinedload(Activity.country)).order_by(Activity.position, Activity.id)))
    plans = list(db.session.scalars(select(MeetingPlan).where(MeetingPlan.module_id.in_(programme_modules),
                                                              MeetingPlan.retired.is_(False))
                                    .order_by(MeetingPlan.position, MeetingPlan.id)))
    meetings = _cohort_meetings(viewer)
    completions, attended = _progress_rows(viewer, programme_modules, meetings)

    replaced = {a.replaces_id for a in activities
                if a.replaces_id and a.country_id is not None and a.country_id == viewer.country_id}
    plans_by_slug = {p.slug: p for p in plans}
    first_meeting: dict[int, Meeting] = {}
    for meeting in meetings:
        if meeting.plan_id is not None:
            first_meeting.setdefault(meeting.plan_id, meeting)
    items = {m.id: ModuleItem(m) for m in modules}
    plugins = registry()
    for activity in activities:
        if activity.module_id in items and is_visible(viewer, activity, replaced):
            plugin = plugins.get(activity.type)
            items[activity.module_id].activities.append(ActivityItem(
                activity, plugin, _due_date(activity, viewer, plans_by_slug, first_meeting),
                completions.get(activity.id), _activity_url(plugin, activity)))
    for plan in plans:
        if plan.module_id in items:
            meeting = first_meeting.get(plan.id)
            starts_on = meeting.starts_on if meeting else (
                add_days(viewer.starts_on, plan.after_start_days) if viewer.starts_on else None)
            items[plan.module_id].meetings.append(
                MeetingItem(plan, meeting, starts_on, meeting is not None and meeting.id in attended))
    module_items = list(items.values())
    _apply_due_overrides(viewer, [a for m in module_items for a in m.activities])
    return Overview(viewer, module_items, _hours(viewer, module_items, meetings, attended, plans))


def _apply_due_overrides(viewer: Viewer, items: list[ActivityItem]) -> None:
    """A trainee's own due dates (extensions), asked of each plugin once for all its activities."""
    if not viewer.is_trainee:
        return
    by_plugin: dict[str, list[ActivityItem]] = defaultdict(list)
    for item in items:
        if item.plugin is not None:
            by_plugin[item.plugin.name].append(item)
    for group in by_plugin.values():
        overrides = group[0].plugin.due_dates(viewer.user, [item.activity.id for item in group])
        for item in group:
            item.due = overrides.get(item.activity.id, item.due)


def _cohort_meetings(viewer: Viewer) -> list[Meeting]:
    if not viewer.cohorts:
        return []
    return list(db.session.scalars(select(Meeting).where(Meeting.cohort_id.in_([c.id for c in viewer.cohorts]))
                                   .order_by(Meeting.starts_on, Meeting.id)))


def _progress_rows(viewer: Viewer, programme_modules, meetings: list[Meeting]) -> tuple[dict, set[int]]:
    if not viewer.is_trainee:
        return {}, set()
    completions = {c.activity_id: c for c in db.session.scalars(
        select(Completion).where(Completion.user_id == viewer.user.id, Completion.activity_id.in_(
            select(Activity.id).where(Activity.module_id.in_(programme_modules)))))}
    attended: set[int] = set()
    if meetings:
        attended = set(db.session.scalars(select(Attendance.meeting_id).where(
            Attendance.user_id == viewer.user.id, Attendance.present.is_(True),
            Attendance.meeting_id.in_([m.id for m in meetings]))))
    return completions, attended


def _meeting_component(meeting: Meeting, plans: dict[int, MeetingPlan], modules: dict[int, Module],
                       cohorts: dict[int, Cohort]) -> str:
    plan = plans.get(meeting.plan_id) if meeting.plan_id else None
    if plan is not None and plan.module_id in modules:
        return modules[plan.module_id].component
    cohort = cohorts.get(meeting.cohort_id)
    return Component.TRANSNATIONAL if cohort is not None and cohort.is_transnational else Component.NATIONAL


def _hours(viewer: Viewer, modules: list[ModuleItem], meetings: list[Meeting], attended: set[int],
           plans: list[MeetingPlan]) -> Hours:
    planned: dict[str, Decimal] = defaultdict(Decimal)
    done: dict[str, Decimal] = defaultdict(Decimal)
    for item in modules:
        component = item.module.component
        for a in item.activities:
            planned[component] += a.activity.hours
            done[component] += a.credited_hours
        for m in item.meetings:
            planned[component] += m.plan.hours
    by_plan = {p.id: p for p in plans}
    by_module = {m.module.id: m.module for m in modules}
    cohorts = {c.id: c for c in viewer.cohorts}
    for meeting in meetings:
        if meeting.id in attended:
            done[_meeting_component(meeting, by_plan, by_module, cohorts)] += meeting.hours
    components = (Component.NATIONAL, Component.TRANSNATIONAL)
    return Hours(total=viewer.programme.total_hours, planned={c: planned[c] for c in components},
                 done={c: done[c] for c in components})


# Single objects, with access checked -------------------------------------------------------

def viewer_or_404(user: User) -> Viewer:
    viewer = viewer_for(user)
    if viewer is None:
        raise NotFound
    return viewer


def activity_or_404(viewer: Viewer, slug: str, type_: str | None = None) -> Activity:
    """An activity of the viewer's programme and country (any country for site-wide staff)."""
    activity = db.session.scalar(
        select(Activity).join(Module).where(Activity.slug == slug, Activity.retired.is_(False),
                                            Module.retired.is_(False), Module.programme_id == viewer.programme.id)
        .options(joinedload(Activity.module), joinedload(Activity.country)))
    if activity is None or (type_ is not None and activity.type != type_):
        raise NotFound
    replaced: set[int] = set()
    if activity.country_id is None and viewer.country_id is not None:
        replaced = set(db.session.scalars(select(Activity.replaces_id).where(
            Activity.replaces_id == activity.id, Activity.country_id == viewer.country_id,
            Activity.retired.is_(False))))
    if not is_visible(viewer, activity, replaced):
        raise NotFound
    return activity


def due_date_of(viewer: Viewer, activity: Activity) -> date | None:
    """One activity's due date for the viewer (three small queries at most)."""
    rule = activity.due_rule or {}
    plans: dict[str, MeetingPlan] = {}
    meetings: dict[int, Meeting] = {}
    if "after_meeting" in rule:
        plan = db.session.scalar(select(MeetingPlan).where(MeetingPlan.slug == rule["after_meeting"]))
        if plan is not None:
            plans[plan.slug] = plan
            meeting = next((m for m in _cohort_meetings(viewer) if m.plan_id == plan.id), None)
            if meeting is not None:
                meetings[plan.id] = meeting
    plugin = registry().get(activity.type) if viewer.is_trainee else None
    override = plugin.due_dates(viewer.user, [activity.id]).get(activity.id) if plugin is not None else None
    return override or _due_date(activity, viewer, plans, meetings)


def module_or_404(overview_: Overview, slug: str) -> ModuleItem:
    item = overview_.module(slug)
    if item is None:
        raise NotFound
    return item


def _resource_query(viewer: Viewer):
    """The programme's current resources the viewer may see: common ones and their country's."""
    query = select(Resource).where(Resource.programme_id == viewer.programme.id, Resource.retired.is_(False))
    if not viewer.every_country:
        query = query.where(Resource.country_id.is_(None) | (Resource.country_id == viewer.country_id))
    return query


def resources(viewer: Viewer, kind: str | None = None, competency: str | None = None) -> list[Resource]:
    """The Knowledge Triangle library, filtered by kind and competency code."""
    query = (_resource_query(viewer).options(joinedload(Resource.module), joinedload(Resource.country))
             .order_by(Resource.title))
    if kind:
        query = query.where(Resource.kind == kind)
    rows = list(db.session.scalars(query))
    if competency:
        # Competency codes live in a JSON list; filtering in Python keeps SQLite and PostgreSQL alike.
        rows = [r for r in rows if competency in (r.competencies or [])]
    return rows


def resources_by_slug(viewer: Viewer, slugs: list[str]) -> list[Resource]:
    """Resources in the order given (a lesson's list), skipping any that left the content."""
    if not slugs:
        return []
    rows = {r.slug: r for r in db.session.scalars(_resource_query(viewer).where(Resource.slug.in_(slugs)))}
    return [rows[s] for s in slugs if s in rows]


def module_resources(module: Module) -> list[Resource]:
    return list(db.session.scalars(select(Resource).where(Resource.module_id == module.id,
                                                          Resource.retired.is_(False))
                                   .order_by(Resource.position)))


def resource_or_404(viewer: Viewer, slug: str) -> Resource:
    resource = db.session.scalar(_resource_query(viewer).where(Resource.slug == slug)
                                 .options(joinedload(Resource.country)))
    if resource is None:
        raise NotFound
    return resource
