"""The programme as one user sees it: modules, activities, meetings, status and hours, and the
Knowledge Triangle library. Everything a page needs is loaded in a fixed number of queries,
whatever the number of modules and activities (tests/test_programme_pages.py counts them).

Whose programme it is (the Viewer) is decided in programme_viewer.py, due dates in due_dates.py;
their public names are re-exported here (`import x as x`), where most callers look for them."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..errors import NotFound
from ..extensions import db
from ..models import (
    Activity,
    Attendance,
    Cohort,
    Competency,
    Completion,
    Component,
    Meeting,
    MeetingPlan,
    Module,
    Programme,
    ProgrammeRun,
    Resource,
)
from ..plugins import ActivityPlugin, registry
from ..request_memo import memoised
from ..timeutil import add_days, utcnow
from .current_content import current_competencies, current_content, current_resources, programme_variants
from .due_dates import apply_due_overrides, due_date
from .due_dates import due_date_of as due_date_of
from .pinned import Pinned, overlay_activities, overlay_modules, overlay_plans, overlay_programme, pinned_content
from .programme_viewer import Viewer, cohort_meetings, is_visible
from .programme_viewer import activity_or_404 as activity_or_404
from .programme_viewer import viewer_for as viewer_for
from .programme_viewer import viewer_or_404 as viewer_or_404

# Status and hours ----------------------------------------------------------------------------

NOT_STARTED, IN_PROGRESS, DONE, COMING_SOON = "not_started", "in_progress", "done", "coming_soon"


@dataclass
class ActivityItem:
    activity: Activity
    #: None for a planned type whose plugin has not landed: shown as "coming soon".
    plugin: ActivityPlugin | None
    due: date | None
    completion: Completion | None
    url: str | None
    #: The last day the activity can still be done (a questionnaire closes); after it, an
    #: activity not done is missed, not overdue.
    closes_on: date | None = None

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

    def missed(self, today: date) -> bool:
        """Not done and no longer possible: counted apart, never as overdue."""
        return not self.done and self.closes_on is not None and self.closes_on < today

    def overdue(self, today: date) -> bool:
        return (not self.done and self.due is not None and self.due < today and self.available
                and not self.missed(today))

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
        return any(a.national for a in self.activities) or any(m.plan.country_code for m in self.meetings)


def _next_due(items: list[ActivityItem], today: date | None = None) -> ActivityItem | None:
    """The earliest deadline still to meet: not done, and not a questionnaire that has closed."""
    today = today or utcnow().date()
    pending = [a for a in items if a.due is not None and not a.done and not a.missed(today)]
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
        from .meetings import today_for  # meetings imports this module
        return _next_due([a for m in self.modules for a in m.activities], today_for(self.viewer.user))

    def module(self, slug: str) -> ModuleItem | None:
        return next((m for m in self.modules if m.module.slug == slug), None)


def _activity_url(plugin: ActivityPlugin | None, activity: Activity) -> str | None:
    return plugin.activity_url(activity) if plugin is not None else None


@dataclass
class ProgrammeRows:
    """A programme's current modules, activities and meeting plans, loaded once (three queries)
    and shared by every trainee's overview built from them."""
    modules: list[Module]
    activities: list[Activity]
    plans: list[MeetingPlan]
    #: Last day each activity can still be done (a questionnaire's closing day), by id.
    closing: dict[int, date] = field(default_factory=dict)


def programme_rows(programme: Programme, run: ProgrammeRun | None) -> ProgrammeRows:
    """The rows of the run's content version: the latest import's, or (a run pinned to an older
    version, app/services/pinned.py) that version's items laid over the same rows. Loaded once per
    request (app/request_memo.py): the home page and the plugins' panels ask too."""
    return memoised("programme_rows", (programme.id, run.id if run is not None else None),
                    lambda: _programme_rows(programme, run))


def _programme_rows(programme: Programme, run: ProgrammeRun | None) -> ProgrammeRows:
    pinned = pinned_content(run, programme)
    if pinned is not None:
        return _pinned_rows(programme, run, pinned)
    content = current_content(programme.id)
    # Copies of the lists: the cached ones are shared by every request of this process.
    return ProgrammeRows(list(content.modules), list(content.activities), list(content.plans),
                         _closing_dates(run, content.activities))


def _pinned_rows(programme: Programme, run: ProgrammeRun | None, pinned: Pinned) -> ProgrammeRows:
    """The same three queries, choosing rows by the version's slugs (a row retired since is kept)."""
    overlay_programme(programme, pinned)
    all_modules = select(Module.id).where(Module.programme_id == programme.id)
    modules = overlay_modules(list(db.session.scalars(select(Module).where(
        Module.programme_id == programme.id, Module.slug.in_(pinned.slugs("modules"))))), pinned)
    by_slug = {m.slug: m for m in modules}
    activities = overlay_activities(list(db.session.scalars(
        select(Activity).where(Activity.module_id.in_(all_modules), Activity.slug.in_(pinned.slugs("activities")))
        .options(joinedload(Activity.country)))), pinned, by_slug)
    plans = overlay_plans(list(db.session.scalars(select(MeetingPlan).where(
        MeetingPlan.module_id.in_(all_modules), MeetingPlan.slug.in_(pinned.slugs("meeting_plans"))))),
        pinned, by_slug)
    return ProgrammeRows(modules, activities, plans, _closing_dates(run, activities))


def _closing_dates(run: ProgrammeRun | None, activities: Sequence[Activity]) -> dict[int, date]:
    """Asked of each plugin for its own activities; no queries (a window follows the run's dates)."""
    if run is None:
        return {}
    by_type: dict[str, list[Activity]] = defaultdict(list)
    for activity in activities:
        by_type[activity.type].append(activity)
    closing: dict[int, date] = {}
    plugins = registry()
    for type_, group in by_type.items():
        plugin = plugins.get(type_)
        if plugin is not None:
            closing.update(plugin.closing_dates(run, group))
    return closing


def overview(viewer: Viewer) -> Overview:
    """Modules, activities, meetings, completions and hours of the viewer's programme (eight
    queries at most, however large the programme)."""
    rows = programme_rows(viewer.programme, viewer.run)
    meetings = cohort_meetings(viewer)
    programme_modules = [m.id for m in rows.modules]
    completions, attended = _progress_rows(viewer, programme_modules, meetings)
    result = assemble_overview(viewer, rows, meetings, completions, attended)
    apply_due_overrides(viewer, [a for m in result.modules for a in m.activities])
    return result


@dataclass
class _Skeleton:
    """What every trainee with the same cohorts and country sees alike: visible activities with
    their plugin, due date by rule, link and closing day, and the meeting plans' dates."""
    activities: list[tuple[Activity, ActivityPlugin | None, date | None, str | None, date | None]]
    plans: list[tuple[MeetingPlan, Meeting | None, date | None]]


def _skeleton(viewer: Viewer, rows: ProgrammeRows, meetings: list[Meeting]) -> _Skeleton:
    activities, plans = rows.activities, rows.plans
    replaced = {a.replaces_id for a in activities
                if a.replaces_id and a.country_id is not None and a.country_id == viewer.country_id}
    plans_by_slug = {p.slug: p for p in plans}
    first_meeting: dict[int, Meeting] = {}
    for meeting in meetings:
        if meeting.plan_id is not None:
            first_meeting.setdefault(meeting.plan_id, meeting)
    plugins = registry()
    visible = []
    for activity in activities:
        if is_visible(viewer, activity, replaced):
            plugin = plugins.get(activity.type)
            visible.append((activity, plugin, due_date(activity, viewer, plans_by_slug, first_meeting),
                            _activity_url(plugin, activity), rows.closing.get(activity.id)))
    dated = []
    for plan in plans:
        if not (viewer.every_country or plan.shown_to(viewer.country_code)):
            continue  # a national meeting of another country's variant, or one this country's replaces
        meeting = first_meeting.get(plan.id)
        starts_on = meeting.starts_on if meeting else (
            add_days(viewer.starts_on, plan.after_start_days) if viewer.starts_on else None)
        dated.append((plan, meeting, starts_on))
    return _Skeleton(visible, dated)


def assemble_overview(viewer: Viewer, rows: ProgrammeRows, meetings: list[Meeting],
                      completions: dict[int, Completion], attended: set[int],
                      due_overrides: dict[int, date] | None = None, memo: dict | None = None) -> Overview:
    """One viewer's overview from rows already loaded (no queries): `meetings` are the viewer's
    cohorts' meetings in date order, `completions` by activity id, `attended` meeting ids.
    `memo`, shared by the overviews of one page, keeps what trainees with the same cohorts and
    country see alike, so a grid of a thousand trainees works it out once per cohort."""
    key = (tuple(sorted(c.id for c in viewer.cohorts)), viewer.country_id, viewer.country_code,
           viewer.every_country, viewer.run.id if viewer.run else None)
    skeleton = memo.get(key) if memo is not None else None
    if skeleton is None:
        skeleton = _skeleton(viewer, rows, meetings)
        if memo is not None:
            memo[key] = skeleton
    items = {m.id: ModuleItem(m) for m in rows.modules}
    overrides = due_overrides or {}
    for activity, plugin, due, url, closes_on in skeleton.activities:
        if activity.module_id in items:
            items[activity.module_id].activities.append(ActivityItem(
                activity, plugin, overrides.get(activity.id) or due, completions.get(activity.id), url, closes_on))
    for plan, meeting, starts_on in skeleton.plans:
        if plan.module_id in items:
            items[plan.module_id].meetings.append(
                MeetingItem(plan, meeting, starts_on, meeting is not None and meeting.id in attended))
    module_items = list(items.values())
    return Overview(viewer, module_items, _hours(viewer, module_items, meetings, attended, rows.plans))


def _progress_rows(viewer: Viewer, programme_modules: list[int], meetings: list[Meeting]) -> tuple[dict, set[int]]:
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
    total = viewer.programme.total_hours
    if not viewer.every_country and viewer.country_code in programme_variants(viewer.programme):
        total = planned[Component.NATIONAL] + planned[Component.TRANSNATIONAL]  # the variant's own total
    return Hours(total=total, planned={c: planned[c] for c in components},
                 done={c: done[c] for c in components})



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


def module_resources(viewer: Viewer, module: Module) -> list[Resource]:
    """The module's resources the viewer may open: common ones and their country's own."""
    return [r for r in current_resources(module.programme_id) if r.module_id == module.id and (
        r.country_id is None or viewer.every_country or r.country_id == viewer.country_id)]


def competencies_by_code(programme: Programme) -> dict[str, Competency]:
    return {c.code: c for c in current_competencies(programme.id)}


def resource_or_404(viewer: Viewer, slug: str) -> Resource:
    resource = db.session.scalar(_resource_query(viewer).where(Resource.slug == slug)
                                 .options(joinedload(Resource.country)))
    if resource is None:
        raise NotFound
    return resource
