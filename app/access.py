"""Who may see what. Every view asks here; templates only hide what these functions refuse.

The rules follow ARCHITECTURE.md section 5: trainees see their own work, facilitators the
cohorts they facilitate, national coordinators every cohort of their country (status, never
content), transnational coordinators and admins every cohort (status only)."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import joinedload

from .extensions import db
from .models import Cohort, CohortRole, Membership, SiteRole, User
from .request_memo import memoised


def site_role_required(*roles: SiteRole):
    """Decorator for pages only site roles may open (admin pages, transnational reports)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.site_role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


admin_required = site_role_required(SiteRole.ADMIN)


def cohort_roles(user: User, cohort_id: int) -> set[str]:
    return {m.role for m in user.memberships if m.cohort_id == cohort_id}


def trainee_cohorts_query(user_id: int, run_id: int | None = None) -> Select:
    """The cohorts `user_id` is a trainee in (of one run, with `run_id`): the cohorts whose
    facilitators and group read that trainee's work. A select of Cohort to add conditions or an
    order to; `.with_only_columns(Cohort.id)` makes it a subquery of ids."""
    query = select(Cohort).join(Membership, Membership.cohort_id == Cohort.id).where(
        Membership.user_id == user_id, Membership.role == CohortRole.TRAINEE)
    return query if run_id is None else query.where(Cohort.run_id == run_id)


def _coordinated_country_ids(user: User) -> set[int]:
    """No query on a page: the session lookup loads the memberships with their cohorts
    (app/sessions.py)."""
    return {m.cohort.country_id for m in user.memberships
            if m.role == CohortRole.COORDINATOR and m.cohort.country_id is not None}


def cohorts_with_status_access_query(user: User) -> Select:
    """Cohorts whose progress (status, never content) the user may see, beyond being a trainee."""
    query = select(Cohort).order_by(Cohort.name)
    if user.site_role in (SiteRole.ADMIN, SiteRole.TRANSNATIONAL_COORDINATOR):
        return query
    facilitated = select(Membership.cohort_id).where(
        Membership.user_id == user.id, Membership.role == CohortRole.FACILITATOR)
    countries = _coordinated_country_ids(user)
    condition: ColumnElement[bool] = Cohort.id.in_(facilitated)
    if countries:
        condition = condition | Cohort.country_id.in_(countries)
    return query.where(condition)


def cohorts_with_status_access(user: User) -> list[Cohort]:
    """Once per GET request (the navigation and the home page both ask); no query for a user
    who only follows the programme."""
    if user.site_role is None and not any(m.role in (CohortRole.FACILITATOR, CohortRole.COORDINATOR)
                                          for m in user.memberships):
        return []
    if user.site_role is None and not any(m.role == CohortRole.COORDINATOR for m in user.memberships):
        return _facilitated_cohorts(user)
    # With their run and country: the dashboards and the navigation read both of every cohort
    # (two more queries otherwise).
    return list(memoised("status_cohorts", user.id, lambda: list(db.session.scalars(
        cohorts_with_status_access_query(user).options(joinedload(Cohort.run), joinedload(Cohort.country))))))


def _facilitated_cohorts(user: User) -> list[Cohort]:
    """A facilitator's cohorts, by name: the session lookup loaded them with their runs and
    countries (app/sessions.py), so no query; the same rows the query would give."""
    cohorts = {m.cohort.id: m.cohort for m in user.memberships if m.role == CohortRole.FACILITATOR}
    return sorted(cohorts.values(), key=lambda c: (c.name, c.id))


def can_view_cohort_status(user: User, cohort: Cohort) -> bool:
    if user.site_role in (SiteRole.ADMIN, SiteRole.TRANSNATIONAL_COORDINATOR):
        return True
    if CohortRole.FACILITATOR in cohort_roles(user, cohort.id):
        return True
    return cohort.country_id is not None and cohort.country_id in _coordinated_country_ids(user)


def is_facilitator_of(user: User, cohort_id: int) -> bool:
    return CohortRole.FACILITATOR in cohort_roles(user, cohort_id)


def get_cohort_for_status_or_403(cohort_id: int) -> Cohort:
    cohort = db.get_or_404(Cohort, cohort_id)
    if not can_view_cohort_status(current_user, cohort):
        abort(403)
    return cohort


def can_read_report(user: User) -> bool:
    staff = user.site_role in (SiteRole.ADMIN, SiteRole.TRANSNATIONAL_COORDINATOR)
    return staff or bool(_coordinated_country_ids(user))


def report_country_ids_or_403(user: User) -> set[int] | None:
    """Whose programme report the user may read: every country (None) for transnational
    coordinators and admins, their own country's cohorts for a national coordinator (the
    dashboard's rule, without the cohorts they only facilitate); anyone else is refused."""
    if user.site_role in (SiteRole.ADMIN, SiteRole.TRANSNATIONAL_COORDINATOR):
        return None
    countries = _coordinated_country_ids(user)
    if not countries:
        abort(403)
    return countries
