"""Who may do what with assignments: one function per decision, asked by the views and the
plugin's hooks before any service runs (templates only show what these already allowed)."""
from __future__ import annotations

from app.access import is_facilitator_of
from app.models import Cohort, CohortRole, User

from .models import Feedback, FeedbackState, File, Submission


def is_member(user: User, submission: Submission) -> bool:
    """The trainee who owns it, or a trainee of the group that owns it."""
    if submission.user_id is not None:
        return submission.user_id == user.id
    return any(m.cohort_id == submission.group_cohort_id and m.role == CohortRole.TRAINEE
               for m in user.memberships)


def may_review(user: User, submission: Submission) -> bool:
    return is_facilitator_of(user, submission.cohort_id)


def coordinates(user: User, cohort: Cohort) -> bool:
    """A coordinator of the cohort: the transnational coordinator, or a national coordinator of
    the cohort's country. Coordinators see status, and review feedback where the cohort asks."""
    if user.is_transnational_coordinator:
        return True
    if cohort.country_id is None:
        return False
    return any(m.role == CohortRole.COORDINATOR and m.cohort.country_id == cohort.country_id
               for m in user.memberships)


def may_change_settings(user: User, cohort: Cohort) -> bool:
    return user.is_admin or coordinates(user, cohort)


def may_review_feedback(user: User, feedback: Feedback) -> bool:
    return feedback.state == FeedbackState.AWAITING_REVIEW and coordinates(user, feedback.submission.cohort)


def may_reply(user: User, feedback: Feedback) -> bool:
    return feedback.is_released and (is_member(user, feedback.submission) or may_review(user, feedback.submission))


def facilitated_cohort_ids(user: User) -> list[int]:
    return [m.cohort_id for m in user.memberships if m.role == CohortRole.FACILITATOR]


def may_see_review_list(user: User) -> bool:
    return user.is_transnational_coordinator or any(m.role == CohortRole.COORDINATOR for m in user.memberships)


def may_download(user: User, row: File) -> bool:
    """Feedback files: the reviewers, and the members once the feedback is released. Files not
    handed in yet: the members. Handed-in files: the members and the reviewers."""
    submission = row.submission
    if row.feedback_id is not None:
        return may_review(user, submission) or (row.feedback.is_released and is_member(user, submission))
    if row.is_pending:
        return is_member(user, submission)
    return is_member(user, submission) or may_review(user, submission)


def may_remove_file(user: User, row: File) -> bool:
    """A file not handed in yet, by a member (a handed-in file is part of its version for good)."""
    return row.is_pending and is_member(user, row.submission)
