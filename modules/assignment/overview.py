"""A cohort's assignments at a glance, for its staff: per task, how many trainees (or country
groups) have not handed in, wait for feedback, revise or are accepted, and how many are late.
Status only, never content, so coordinators and admins may see it too.

A fixed number of queries whatever the cohort size: the programme overview (its own fixed set),
the owners, their submissions and their extensions."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import Activity, Cohort, CohortKind, CohortRole, Component, Membership, User
from app.services import programme as programme_service
from app.timeutil import utcnow

from .access import coordinates
from .models import Extension, Feedback, FeedbackState, Status, Submission
from .submissions import TYPE, country_group_ids, is_group_activity


@dataclass
class TaskRow:
    activity: Activity
    due: date | None
    #: Trainees of the cohort, or country groups for a group task.
    owners: int
    counts: dict[str, int] = field(default_factory=dict)
    late: int = 0

    @property
    def handed_in(self) -> int:
        return sum(self.counts.values())

    @property
    def not_handed_in(self) -> int:
        return self.owners - self.handed_in


def _tasks(user: User, cohort: Cohort) -> list[tuple[Activity, date | None]]:
    """The cohort's assignments (its country's version, its component) with the cohort's due dates."""
    programme = cohort.run.programme if cohort.run else None
    if programme is None:
        return []
    component = Component.TRANSNATIONAL if cohort.kind == CohortKind.TRANSNATIONAL else Component.NATIONAL
    viewer = programme_service.Viewer(user=user, programme=programme, run=cohort.run, cohorts=[cohort],
                                      country_id=cohort.country_id,
                                      country_code=cohort.country.code if cohort.country else None)
    overview = programme_service.overview(viewer)
    return [(item.activity, item.due) for module in overview.modules if module.module.component == component
            for item in module.activities if item.activity.type == TYPE]


def cohort_tasks(user: User, cohort: Cohort) -> list[TaskRow]:
    tasks = _tasks(user, cohort)
    if not tasks:
        return []
    trainee_ids = set(db.session.scalars(select(Membership.user_id).where(
        Membership.cohort_id == cohort.id, Membership.role == CohortRole.TRAINEE)))
    group_ids = country_group_ids(cohort) if any(is_group_activity(a) for a, _due in tasks) else set()
    activity_ids = [a.id for a, _due in tasks]
    owned = or_(Submission.user_id.in_(trainee_ids), Submission.group_cohort_id.in_(group_ids))
    handed_in = {(activity_id, user_id or group_id): status for activity_id, user_id, group_id, status in
                 db.session.execute(select(Submission.activity_id, Submission.user_id, Submission.group_cohort_id,
                                           Submission.status).where(Submission.activity_id.in_(activity_ids),
                                                                    Submission.latest_version > 0, owned))}
    extended = {(activity_id, user_id or group_id): due_on for activity_id, user_id, group_id, due_on in
                db.session.execute(select(Extension.activity_id, Extension.user_id, Extension.group_cohort_id,
                                          Extension.due_on).where(
                    Extension.activity_id.in_(activity_ids),
                    or_(Extension.user_id.in_(trainee_ids), Extension.group_cohort_id.in_(group_ids))))}
    today = utcnow().date()
    rows = []
    for activity, due in tasks:
        owners = group_ids if is_group_activity(activity) else trainee_ids
        row = TaskRow(activity, due, len(owners))
        for owner in owners:
            status = handed_in.get((activity.id, owner))
            if status is not None:
                row.counts[status] = row.counts.get(status, 0) + 1
                continue
            owner_due = extended.get((activity.id, owner), due)
            if owner_due is not None and owner_due < today:
                row.late += 1
        rows.append(row)
    return rows


def feedback_to_review(user: User, cohort: Cohort) -> int:
    """Feedback in this cohort waiting for the user's review (0 for anyone who does not review)."""
    if not coordinates(user, cohort):
        return 0
    return db.session.scalar(select(func.count()).select_from(Feedback).join(Submission).where(
        Submission.cohort_id == cohort.id, Feedback.state == FeedbackState.AWAITING_REVIEW)) or 0


def waiting_in(cohort: Cohort) -> int:
    return db.session.scalar(select(func.count()).select_from(Submission).where(
        Submission.cohort_id == cohort.id, Submission.status == Status.SUBMITTED)) or 0

