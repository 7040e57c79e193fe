from __future__ import annotations

from dataclasses import dataclass

from flask import redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from .. import audit
from ..access import cohorts_with_status_access, get_cohort_for_status_or_403
from ..csv_export import csv_stream, header_row
from ..extensions import db
from ..models import CohortRole, SiteRole
from ..plugins import NavLink, registry
from ..services import attendance as attendance_service
from ..services import cohorts as cohort_service
from ..services import meetings as meetings_service
from ..services import notifications
from ..services.cohort_progress import PROGRESS_CSV_HEADER, PROGRESS_CSV_LABELS, cohort_progress
from ..services.progress_export import progress_rows
from ..url_cache import url_for as cached_url
from . import bp


@dataclass
class NavItem:
    label: str
    url: str
    prefix: str


@bp.app_context_processor
def navigation():
    def nav_items() -> list[NavItem]:
        items = [NavItem(_l("Home"), cached_url("main.home"), "/home"),
                 NavItem(_l("Programme"), cached_url("programme.overview"), "/programme"),
                 NavItem(_l("Calendar"), cached_url("meetings.calendar"), "/meetings")]
        items += [NavItem(link.label, link.url, link.prefix or link.url)
                  for plugin in registry() for link in plugin.nav_links(current_user)]
        if cohorts_with_status_access(current_user):
            items.append(NavItem(_l("Cohorts"), cached_url("main.cohort_list"), "/cohorts"))
            if _coordinates(current_user):
                items.append(NavItem(_l("Dashboard"), cached_url("dashboard.index"), "/dashboard"))
        if current_user.is_admin:
            items.append(NavItem(_l("Administration"), cached_url("admin.index"), "/admin"))
        return items
    def unread_notifications() -> int:
        from ..services.notifications import unread_count
        return unread_count(current_user) if current_user.is_authenticated else 0

    def cohort_links(cohort) -> list[NavLink]:
        return [link for plugin in registry() for link in plugin.cohort_links(current_user, cohort)]

    return {"nav_items": nav_items, "unread_notifications": unread_notifications, "cohort_links": cohort_links}


def _coordinates(user) -> bool:
    """Coordinators and admins get the programme dashboard in the navigation (facilitators reach
    it for their own cohorts by its address; the navigation stays short for them)."""
    if user.site_role in (SiteRole.ADMIN, SiteRole.TRANSNATIONAL_COORDINATOR):
        return True
    return any(m.role == CohortRole.COORDINATOR for m in user.memberships)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return render_template("main/welcome.html")


@bp.get("/home")
@login_required
def home():
    user = current_user._get_current_object()
    trainee_of = cohort_service.memberships_of(user, CohortRole.TRAINEE)
    watched = cohorts_with_status_access(user)
    counts = cohort_service.role_counts([c.id for c in watched])
    plugin_items = [item for plugin in registry() for item in plugin.dashboard_items(user, watched)]
    return render_template("main/home.html", trainee_of=trainee_of, watched=watched, counts=counts,
                           plugin_items=plugin_items, programme=_programme_summary(user) if trainee_of else None,
                           next_meeting=attendance_service.next_meeting(user) if trainee_of else None,
                           attendance=attendance_service.attendance_reminders(user),
                           today=meetings_service.today_for(user),
                           announcements=notifications.unread_of_kind(user, "announcement"))


def _programme_summary(user):
    """Hours and the next due item for the home page (the overview's fixed set of queries)."""
    from ..services.programme import overview, viewer_for
    viewer = viewer_for(user)
    return overview(viewer) if viewer is not None and viewer.is_trainee else None


@bp.get("/cohorts")
@login_required
def cohort_list():
    watched = cohorts_with_status_access(current_user)
    counts = cohort_service.role_counts([c.id for c in watched])
    return render_template("main/cohorts.html", cohorts=watched, counts=counts)


@bp.get("/cohorts/<int:cohort_id>")
@login_required
def cohort_detail(cohort_id: int):
    cohort = get_cohort_for_status_or_403(cohort_id)
    progress = cohort_progress(cohort, meetings_service.today_for(current_user))
    return render_template("main/cohort.html", cohort=cohort, members=cohort_service.member_rows(cohort),
                           progress=progress)


@bp.get("/cohorts/<int:cohort_id>/progress.csv")
@login_required
def cohort_progress_csv(cohort_id: int):
    cohort = get_cohort_for_status_or_403(cohort_id)
    today = meetings_service.today_for(current_user)
    audit.record("cohort.export", cohort)
    db.session.commit()
    return csv_stream(header_row(PROGRESS_CSV_HEADER, PROGRESS_CSV_LABELS), progress_rows(cohort, today),
                      f"cohort-{cohort.id}-progress.csv")
