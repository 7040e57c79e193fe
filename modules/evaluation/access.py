"""Who may see which evaluation results, remind trainees, or see one trainee's answers
(ARCHITECTURE.md section 5)."""
from __future__ import annotations

from app.access import can_view_cohort_status
from app.models import Cohort, CohortRole, SiteRole, User

from .scopes import COHORT, COUNTRY, Scope


def sees_everything(user: User) -> bool:
    return user.site_role in (SiteRole.ADMIN, SiteRole.TRANSNATIONAL_COORDINATOR)


def coordinated_country_ids(user: User) -> set[int]:
    return {m.cohort.country_id for m in user.memberships
            if m.role == CohortRole.COORDINATOR and m.cohort.country_id is not None}


def sees_results(user: User) -> bool:
    """Whether any results page is the user's to open (for the navigation: no query beyond the
    user's memberships)."""
    return sees_everything(user) or any(m.role in (CohortRole.FACILITATOR, CohortRole.COORDINATOR)
                                         for m in user.memberships)


def can_view_scope(user: User, scope: Scope) -> bool:
    """ARCHITECTURE.md section 5: facilitators see their cohorts' aggregates, national
    coordinators their country's, transnational coordinators and admins all; trainees none."""
    if sees_everything(user):
        return True
    if scope.kind == COHORT:
        return can_view_cohort_status(user, scope.cohort)
    if scope.kind == COUNTRY:
        return scope.country.id in coordinated_country_ids(user)
    return False


def can_remind(user: User, scope: Scope) -> bool:
    """Who has not answered (never what anyone answered) is cohort status: the people who may
    see the cohort's status see it and may remind them."""
    return scope.kind == COHORT and can_view_cohort_status(user, scope.cohort)


def can_view_trainee(viewer: User, cohort: Cohort, trainee: User) -> str | None:
    """'self' for the trainee, 'facilitator' for a facilitator of the cohort, else None."""
    is_trainee_here = any(m.cohort_id == cohort.id and m.role == CohortRole.TRAINEE for m in trainee.memberships)
    if not is_trainee_here:
        return None
    if viewer.id == trainee.id:
        return "self"
    if any(m.cohort_id == cohort.id and m.role == CohortRole.FACILITATOR for m in viewer.memberships):
        return "facilitator"
    return None
