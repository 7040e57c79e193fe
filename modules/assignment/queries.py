"""Read models for staff pages and the home page: a cohort's status, the facilitators' queue, the
coordinators' review list, what changed since the last feedback, and the dashboard counts.
Reading someone else's work is recorded in the audit log by `record_read`, which the view calls."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Integer, Interval, cast, exists, func, null, or_, select, union_all
from sqlalchemy.orm import joinedload

from app import audit, content_cache
from app.access import cohorts_with_status_access
from app.extensions import db
from app.models import Activity, Cohort, CohortRole, Membership, Module, User
from app.plugins import ProgrammeStats, Turnaround, WaitingWork, round_days

from . import templating
from .access import facilitated_cohort_ids, is_member
from .diffing import html_to_text, word_diff
from .models import Extension, Feedback, FeedbackRead, FeedbackState, Status, Submission, Version
from .submissions import TYPE, Owner, country_group_ids, is_group_activity, kind_of, last_released, template_of

QUEUE_PER_PAGE = 25


QUEUE_STATUSES = {"waiting": [Status.SUBMITTED], "revision_requested": [Status.REVISION_REQUESTED],
                  "accepted": [Status.ACCEPTED],
                  "all": [Status.SUBMITTED, Status.REVISION_REQUESTED, Status.ACCEPTED]}


def record_read(user: User, submission: Submission, what: str = "submission") -> None:
    """Every read of a trainee's work by someone else goes to the audit log."""
    if not is_member(user, submission):
        audit.record(f"assignment.{what}.read", submission, activity=submission.activity_id,
                     owner_user=submission.user_id, owner_group=submission.group_cohort_id)


# --- status overview for staff ----------------------------------------------------------------

@dataclass
class OverviewRow:
    owner: Owner
    submission: Submission | None
    due: date | None
    extension: Extension | None

    @property
    def status(self) -> str:
        return self.submission.status if self.submission else "not_started"


def cohort_overview(cohort: Cohort, activity: Activity, base_due: date | None) -> list[OverviewRow]:
    """Every trainee (or country group) of the cohort with status and due date: a few queries."""
    if is_group_activity(activity):
        groups = list(db.session.scalars(
            select(Cohort).where(Cohort.id.in_(country_group_ids(cohort))).order_by(Cohort.name)))
        owners = [Owner(group=g) for g in groups]
        subs = {s.group_cohort_id: s for s in db.session.scalars(select(Submission).where(
            Submission.activity_id == activity.id, Submission.group_cohort_id.in_([g.id for g in groups])))}
        exts = {e.group_cohort_id: e for e in db.session.scalars(select(Extension).where(
            Extension.activity_id == activity.id, Extension.group_cohort_id.in_([g.id for g in groups])))}
        keys = [o.group.id for o in owners]
    else:
        users = list(db.session.scalars(select(User).join(Membership).where(
            Membership.cohort_id == cohort.id, Membership.role == CohortRole.TRAINEE).order_by(User.name)))
        owners = [Owner(user=u) for u in users]
        ids = [u.id for u in users]
        subs = {s.user_id: s for s in db.session.scalars(select(Submission).where(
            Submission.activity_id == activity.id, Submission.user_id.in_(ids)))}
        exts = {e.user_id: e for e in db.session.scalars(select(Extension).where(
            Extension.activity_id == activity.id, Extension.user_id.in_(ids)))}
        keys = ids
    return [OverviewRow(owner, subs.get(key), exts[key].due_on if key in exts else base_due, exts.get(key))
            for owner, key in zip(owners, keys, strict=True)]


# --- the facilitators' queue ------------------------------------------------------------------

@dataclass
class QueueFilters:
    cohort_id: int | None = None
    module_id: int | None = None
    status: str = "waiting"


#: What a queue row shows, and no more: an activity's and a module's rows carry every language's
#: overlay (about 17 kB each), which the row repeated for each of the page's 25 submissions was
#: most of the page's time (fetched and decoded for titles the queue shows in English).
_QUEUE_ROW = (joinedload(Submission.activity).load_only(Activity.title, Activity.module_id)
              .joinedload(Activity.module).load_only(Module.title),
              joinedload(Submission.cohort).load_only(Cohort.name),
              joinedload(Submission.user).load_only(User.name),
              joinedload(Submission.group_cohort).load_only(Cohort.name))


def queue(user: User, filters: QueueFilters, page: int):
    """Handed-in work in the user's cohorts, oldest first: the same few queries whatever the
    number of submissions (a count, one page of rows with everything they show, the open
    feedback of that page)."""
    cohort_ids = facilitated_cohort_ids(user)
    if filters.cohort_id is not None:
        cohort_ids = [c for c in cohort_ids if c == filters.cohort_id]
    query = (select(Submission).join(Activity, Submission.activity_id == Activity.id)
             .where(Submission.cohort_id.in_(cohort_ids),
                    Submission.status.in_(QUEUE_STATUSES.get(filters.status, QUEUE_STATUSES["waiting"])))
             .options(*_QUEUE_ROW)
             .order_by(Submission.submitted_at, Submission.id))
    if filters.module_id is not None:
        query = query.where(Activity.module_id == filters.module_id)
    page_ = db.paginate(query, page=page, per_page=QUEUE_PER_PAGE, error_out=False)
    ids = [s.id for s in page_.items]
    rows: Iterable[Any] = db.session.execute(select(Feedback.submission_id, Feedback.state).where(
        Feedback.submission_id.in_(ids), Feedback.state != FeedbackState.RELEASED)) if ids else []
    states = {submission_id: state for submission_id, state in rows}
    return page_, states


def queue_choices(user: User) -> tuple[list[Cohort], list[tuple[int, str]]]:
    """The filter's cohorts (from the per-request memo the navigation fills: no query) and the
    modules with assignments as (id, title): only what the choices show, kept until the content
    changes (app/content_cache.py)."""
    cohort_ids = set(facilitated_cohort_ids(user))
    cohorts = sorted((c for c in cohorts_with_status_access(user) if c.id in cohort_ids), key=lambda c: c.name)
    modules = content_cache.cached("assignment queue modules", None, lambda session, _detached: [
        (id_, title) for id_, title in session.execute(select(Module.id, Module.title).where(
            Module.id.in_(select(Activity.module_id).where(Activity.type == TYPE))).order_by(Module.order, Module.id))])
    return cohorts, modules


# --- review list for coordinators --------------------------------------------------------------

def _coordinated_cohort_filter(user: User):
    if user.is_transnational_coordinator:
        return True
    countries = {m.cohort.country_id for m in user.memberships
                 if m.role == CohortRole.COORDINATOR and m.cohort.country_id is not None}
    if not countries:
        return False
    return Submission.cohort_id.in_(select(Cohort.id).where(Cohort.country_id.in_(countries)))


def awaiting_review(user: User) -> list[Feedback]:
    condition = _coordinated_cohort_filter(user)
    if condition is False:
        return []
    return list(db.session.scalars(
        select(Feedback).join(Submission).where(Feedback.state == FeedbackState.AWAITING_REVIEW, condition)
        .options(joinedload(Feedback.submission).joinedload(Submission.activity),
                 joinedload(Feedback.submission).joinedload(Submission.cohort),
                 joinedload(Feedback.author)).order_by(Feedback.updated_at)))


# --- what changed -----------------------------------------------------------------------------

@dataclass
class FieldChange:
    label: str
    changed: bool
    html: Any


def version_texts(activity: Activity, version: Version) -> list[tuple[str, str, str]]:
    """(name, label, plain text) of every part of a version, in the order shown."""
    template = template_of(activity)
    parts: list[tuple[str, str, str]] = []
    if template:
        for spec in template["fields"]:
            parts.append((spec["name"], spec["label"], templating.field_text(spec, version.fields.get(spec["name"]))))
    if kind_of(activity) != "template" or html_to_text(version.body_html):
        label = _("Answer") if kind_of(activity) == "text" else _("Note")
        parts.append(("body", label, html_to_text(version.body_html)))
    files = ", ".join(f"{f.original_name} ({f.sha256[:8]})" for f in version.files)
    if files or kind_of(activity) == "files":
        parts.append(("files", _("Files"), files))
    return parts


def changes_since_feedback(submission: Submission) -> tuple[Version | None, list[FieldChange]]:
    """The latest version against the version the last released feedback answered."""
    last = last_released(submission)
    if last is None or last.version_number >= submission.latest_version:
        return None, []
    by_number = {v.number: v for v in submission.versions}
    before, now = by_number.get(last.version_number), by_number.get(submission.latest_version)
    if before is None or now is None:
        return None, []
    old = {name: text for name, _label, text in version_texts(submission.activity, before)}
    changes = []
    for name, label, text in version_texts(submission.activity, now):
        previous = old.get(name, "")
        changes.append(FieldChange(label, previous != text, word_diff(previous, text)))
    return before, changes


# --- home page --------------------------------------------------------------------------------

def waiting_summary(user: User) -> tuple[int, datetime | None]:
    return waiting_in(facilitated_cohort_ids(user))


def waiting_in(cohort_ids: list[int]) -> tuple[int, datetime | None]:
    """How much handed-in work of the cohorts waits for feedback, and since when (one query)."""
    if not cohort_ids:
        return 0, None
    count, oldest = db.session.execute(select(func.count(), func.min(Submission.submitted_at)).where(
        Submission.cohort_id.in_(cohort_ids), Submission.status == Status.SUBMITTED)).one()
    return count, oldest


def unread_feedback(user: User) -> list[str]:
    """Slugs of the activities with released feedback the trainee has not opened, oldest first."""
    trainee_cohorts = [m.cohort_id for m in user.memberships if m.role == CohortRole.TRAINEE]
    if not trainee_cohorts:
        return []
    mine = or_(Submission.user_id == user.id, Submission.group_cohort_id.in_(trainee_cohorts))
    read = exists().where(FeedbackRead.feedback_id == Feedback.id, FeedbackRead.user_id == user.id)
    return list(db.session.scalars(
        select(Activity.slug).select_from(Feedback).join(Submission)
        .join(Activity, Submission.activity_id == Activity.id)
        .where(mine, Feedback.state == FeedbackState.RELEASED, ~read).order_by(Feedback.released_at, Feedback.id)))


def review_count(user: User) -> int:
    condition = _coordinated_cohort_filter(user)
    if condition is False:
        return 0
    return db.session.scalar(select(func.count()).select_from(Feedback).join(Submission).where(
        Feedback.state == FeedbackState.AWAITING_REVIEW, condition)) or 0


# --- the programme dashboard: feedback turnaround (dates only, never the work) -----------------

WAITING_SHOWN = 10


def feedback_turnaround(cohort_ids: list[int]) -> ProgrammeStats:
    """Days from each hand-in to its released feedback, per cohort, and the work waiting longest
    (two queries, whatever the cohorts' size). On PostgreSQL the database summarises the days
    (count and percentile_disc per cohort: 480 rows, not the 18,000 feedbacks of 10,000
    trainees); elsewhere each feedback's days are read and summarised by the dashboard."""
    stats = ProgrammeStats()
    if not cohort_ids:
        return stats
    waiting = Submission.status == Status.SUBMITTED
    if db.session.get_bind().dialect.name == "postgresql":
        _summarised_turnaround(stats, *turnaround_statements(cohort_ids))
    else:
        _listed_turnaround(stats, *turnaround_statements(cohort_ids))
    oldest = db.session.execute(
        select(Submission.cohort_id, Activity.title, User.name, Cohort.name, Submission.submitted_at)
        .join(Activity, Activity.id == Submission.activity_id)
        .outerjoin(User, User.id == Submission.user_id)
        .outerjoin(Cohort, Cohort.id == Submission.group_cohort_id)
        .where(Submission.cohort_id.in_(cohort_ids), waiting, Submission.submitted_at.is_not(None))
        .order_by(Submission.submitted_at, Submission.id).limit(WAITING_SHOWN))
    stats.waiting = [WaitingWork(cohort_id, title, user_name or group_name or "", at)
                     for cohort_id, title, user_name, group_name, at in oldest]
    return stats


def turnaround_statements(cohort_ids: list[int]):
    """The cohorts' released feedback (cohort id; joined with the version it answers) and their
    work waiting for feedback ((cohort id, count) per cohort), to add columns to: both are read
    in one statement."""
    in_cohorts = Submission.cohort_id.in_(cohort_ids)
    released = (select(Submission.cohort_id)
                .join(Feedback, Feedback.submission_id == Submission.id)
                .join(Version, (Version.submission_id == Submission.id) & (Version.number == Feedback.version_number))
                .where(in_cohorts, Feedback.state == FeedbackState.RELEASED, Feedback.released_at.is_not(None)))
    counted = (select(Submission.cohort_id, func.count()).where(in_cohorts, Submission.status == Status.SUBMITTED)
               .group_by(Submission.cohort_id))
    return released, counted


def _days(elapsed: timedelta) -> float:
    return max(0.0, elapsed.total_seconds() / 86400)


def _listed_turnaround(stats: ProgrammeStats, released, counted) -> None:
    """Each released feedback's elapsed time (cohort, hand-in, release, NULL) and each cohort's
    waiting work (cohort, NULL, NULL, count), in one statement."""
    listed = released.add_columns(Version.submitted_at, Feedback.released_at, cast(null(), Integer))
    counts = counted.with_only_columns(Submission.cohort_id, cast(null(), Version.submitted_at.type),
                                       cast(null(), Feedback.released_at.type), func.count())
    for cohort_id, handed_in, released_at, count in db.session.execute(union_all(listed, counts)).all():
        if count is not None:
            stats.waiting_count[cohort_id] = count
        else:
            stats.turnaround_days.setdefault(cohort_id, []).append(_days(released_at - handed_in))


def _summarised_turnaround(stats: ProgrammeStats, released, counted) -> None:
    """Per cohort: (cohort, feedback released, median and 90th percentile of the elapsed
    intervals, NULL) and (cohort, NULL, NULL, NULL, waiting). percentile_disc is the nearest
    rank; the intervals are turned into days here, as `_listed_turnaround` does for each one
    (the same float; clamping at 0 keeps the order, so the percentile of the clamped days is
    the clamped percentile)."""
    elapsed = Feedback.released_at - Version.submitted_at
    summary = released.with_only_columns(
        Submission.cohort_id, func.count(), func.percentile_disc(0.5).within_group(elapsed),
        func.percentile_disc(0.9).within_group(elapsed), cast(null(), Integer)).group_by(Submission.cohort_id)
    counts = counted.with_only_columns(Submission.cohort_id, cast(null(), Integer), cast(null(), Interval),
                                       cast(null(), Interval), func.count())
    for cohort_id, n, median, p90, waiting in db.session.execute(union_all(summary, counts)).all():
        if waiting is not None:
            stats.waiting_count[cohort_id] = waiting
        else:
            stats.turnaround[cohort_id] = Turnaround(n, round_days(_days(median)), round_days(_days(p90)))


def work_counts(activity_ids: list[int], user_ids: list[int], cohort_ids: list[int]) -> dict[int, int]:
    """Hand-ins (drafts included: they are the trainee's words) per activity, by these trainees
    or country groups; for the content update's check that nothing is orphaned."""
    if not activity_ids or not (user_ids or cohort_ids):
        return {}
    owner = or_(Submission.user_id.in_(user_ids or [-1]), Submission.group_cohort_id.in_(cohort_ids or [-1]))
    return dict(db.session.execute(select(Submission.activity_id, func.count()).where(
        Submission.activity_id.in_(activity_ids), owner).group_by(Submission.activity_id)).all())
