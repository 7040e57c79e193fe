"""Whose programme a page shows: the Viewer (programme, run, cohorts, country) and the checks
that an activity belongs to the viewer's version of the programme.

Who sees what (ARCHITECTURE.md section 5): a trainee sees the programme of their run with their
country's national variants and marks their own work; facilitators and national coordinators see
the same pages for their cohorts' country, read-only; admins and transnational coordinators see
the latest run's programme with every country's variants, read-only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from ..errors import NotFound
from ..extensions import db
from ..models import Activity, Cohort, CohortRole, Meeting, Module, Programme, ProgrammeRun, SiteRole, User
from ..request_memo import memoised
from .pinned import Pinned, overlay_activities, overlay_modules, pinned_content


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
    user has no programme to see. Worked out once per request (app/request_memo.py)."""
    if not user.is_authenticated:
        return None
    return memoised("viewer", (user.id, run.id if run is not None else None), lambda: _viewer_for(user, run))


def _viewer_for(user: User, run: ProgrammeRun | None) -> Viewer | None:
    # The session lookup loaded them with their cohorts, runs, programmes and countries
    # (app/sessions.py); a user loaded otherwise (tests, CLI) lazy-loads them here.
    memberships = list(user.memberships)
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


def cohort_meetings(viewer: Viewer) -> list[Meeting]:
    """The dated meetings of the viewer's cohorts, soonest first."""
    return meetings_of_cohorts([c.id for c in viewer.cohorts])


def meetings_of_cohorts(cohort_ids: list[int]) -> list[Meeting]:
    """The dated meetings of these cohorts, soonest first (one query per GET request)."""
    if not cohort_ids:
        return []
    ids = sorted(cohort_ids)
    # A copy: callers may filter or sort their list; the memo keeps the query's order.
    # With their plans: the pages show a meeting's title from its plan while the cohort keeps it.
    return list(memoised("cohort_meetings", tuple(ids), lambda: list(db.session.scalars(
        select(Meeting).where(Meeting.cohort_id.in_(ids)).options(joinedload(Meeting.plan))
        .order_by(Meeting.starts_on, Meeting.id)))))


def viewer_or_404(user: User) -> Viewer:
    viewer = viewer_for(user)
    if viewer is None:
        raise NotFound
    return viewer


def activity_or_404(viewer: Viewer, slug: str, type_: str | None = None) -> Activity:
    """An activity of the viewer's programme and country (any country for site-wide staff), as
    the viewer's run's content version has it."""
    pinned = pinned_content(viewer.run, viewer.programme)
    if pinned is not None and slug not in pinned.section("activities"):
        raise NotFound
    # Whether the viewer's country replaces it, asked in the same statement.
    replacement = aliased(Activity)
    replacing = select(replacement.id).where(replacement.replaces_id == Activity.id,
                                             replacement.country_id == viewer.country_id)
    if pinned is None:
        replacing = replacing.where(replacement.retired.is_(False))
    else:
        replacing = replacing.where(replacement.slug.in_(
            [s for s, a in pinned.section("activities").items() if a.get("replaces") == slug]))
    query = (select(Activity, replacing.exists()).join(Module)
             .where(Activity.slug == slug, Module.programme_id == viewer.programme.id)
             .options(joinedload(Activity.module), joinedload(Activity.country)))
    if pinned is None:
        query = query.where(Activity.retired.is_(False), Module.retired.is_(False))
    row = db.session.execute(query).first()
    activity, is_replaced = row if row is not None else (None, False)
    if activity is not None and pinned is not None:
        _overlay_one(activity, pinned)
    if activity is None or (type_ is not None and activity.type != type_):
        raise NotFound
    replaced: set[int] = set()
    if activity.country_id is None and viewer.country_id is not None and is_replaced:
        replaced = {activity.id}
    if not is_visible(viewer, activity, replaced):
        raise NotFound
    return activity


def _overlay_one(activity: Activity, pinned: Pinned) -> None:
    """The activity and its module as the run's version has them (the module may have moved)."""
    module_slug = pinned.section("activities")[activity.slug].get("module")
    modules = {activity.module.slug: activity.module}
    if module_slug and module_slug not in modules:
        moved = db.session.scalar(select(Module).where(Module.slug == module_slug))
        if moved is not None:
            modules[module_slug] = moved
    overlay_modules(list(modules.values()), pinned)
    overlay_activities([activity], pinned, modules, by_slug={})
