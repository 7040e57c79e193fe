"""Who may read what of a micro-innovation. Every access decision of the plugin is made here:

- the record is written by its owner (a trainee of the run) and read by them;
- the facilitators of the owner's cohorts in that run read it and comment on it (a board per
  cohort, by stage): it is the trainee's work, as a hand-in is;
- the owner's country group (trainees and facilitators of their national cohort) reads it while
  the owner shares it, as input to the joint presentation;
- national coordinators (their country), transnational coordinators and admins see counts by
  stage, with titles only of shared innovations — never the content otherwise.

Loaders raise app.errors.NotFound, so a private record's existence is not revealed."""
from __future__ import annotations

from sqlalchemy import select

from app.access import trainee_cohorts_query
from app.errors import NotFound
from app.extensions import db
from app.models import Cohort, CohortKind, CohortRole, Membership, ProgrammeRun, SiteRole, User

from .models import Innovation


def trainee_cohorts(user: User, run_id: int) -> list[Cohort]:
    return list(db.session.scalars(trainee_cohorts_query(user.id, run_id)))


def current_run(user: User) -> ProgrammeRun | None:
    """The most recent run the user is a trainee in: the one their innovation belongs to."""
    return db.session.scalar(select(ProgrammeRun).join(Cohort).join(Membership).where(
        Membership.user_id == user.id, Membership.role == CohortRole.TRAINEE)
        .order_by(ProgrammeRun.starts_on.desc(), ProgrammeRun.id.desc()).limit(1))


def is_trainee(user: User) -> bool:
    # The memberships come with the session lookup (no query on a page).
    return any(m.role == CohortRole.TRAINEE for m in user.memberships)


def facilitated_cohort_ids(user: User) -> set[int]:
    return {m.cohort_id for m in user.memberships if m.role == CohortRole.FACILITATOR}


def _roles_in_owners_cohorts(user: User, innovation: Innovation) -> set[tuple[str, str]]:
    """(role, cohort kind) of `user` in the cohorts where the owner is a trainee of that run."""
    owner_cohorts = trainee_cohorts_query(innovation.owner_id, innovation.run_id).with_only_columns(Cohort.id)
    rows = db.session.execute(select(Membership.role, Cohort.kind).join(Cohort).where(
        Membership.user_id == user.id, Membership.cohort_id.in_(owner_cohorts)))
    return {(role, kind) for role, kind in rows}


def can_comment(user: User, innovation: Innovation) -> bool:
    """The owner and the facilitators of the owner's cohorts."""
    if user.id == innovation.owner_id:
        return True
    return any(role == CohortRole.FACILITATOR for role, _kind in _roles_in_owners_cohorts(user, innovation))


def can_read(user: User, innovation: Innovation) -> bool:
    if can_comment(user, innovation):
        return True
    return innovation.shared and any(kind == CohortKind.NATIONAL and role == CohortRole.TRAINEE
                                     for role, kind in _roles_in_owners_cohorts(user, innovation))


def innovation_for_reader_or_404(user: User, innovation_id: int) -> Innovation:
    innovation = db.session.get(Innovation, innovation_id)
    if innovation is None or not can_read(user, innovation):
        raise NotFound
    return innovation


def board_cohort_or_404(user: User, cohort_id: int) -> Cohort:
    """A cohort whose board the user may open: its facilitators."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or cohort_id not in facilitated_cohort_ids(user):
        raise NotFound
    return cohort


def group_cohort_or_404(user: User, cohort_id: int) -> Cohort:
    """A national cohort whose shared innovations the user may read: its trainees and facilitators."""
    cohort = db.session.get(Cohort, cohort_id)
    member = db.session.scalar(select(Membership.id).where(
        Membership.user_id == user.id, Membership.cohort_id == cohort_id,
        Membership.role.in_([CohortRole.TRAINEE, CohortRole.FACILITATOR])).limit(1))
    if cohort is None or cohort.kind != CohortKind.NATIONAL or member is None:
        raise NotFound
    return cohort


def sees_counts(user: User) -> bool:
    """Coordinators and admins: counts by stage (their country's, or every country's)."""
    if user.site_role in (SiteRole.ADMIN, SiteRole.TRANSNATIONAL_COORDINATOR):
        return True
    return bool(coordinated_country_ids(user))


def coordinated_country_ids(user: User) -> set[int]:
    return {m.cohort.country_id for m in user.memberships
            if m.role == CohortRole.COORDINATOR and m.cohort.country_id is not None}
