"""What an assignment is and whose: its settings, the trainee in front of it, the submission, its
owners and due dates. Readers only; writes live in writes.py.

Who answers a submission: the facilitators of the trainee's cohort of the module's kind, i.e. the
national cohort for a national module and the transnational cohort for a transnational one
(`Submission.cohort_id`, fixed when the submission is created).

Group submissions (`group: true`): the group is the trainee's national cohort of the same run.
In the transnational weeks all trainees of one country form the country group, so one submission
per national cohort is shared by all its trainees; it is answered by the transnational cohort's
facilitators. Any member may edit and hand it in; everyone sees it and its feedback."""
from __future__ import annotations

import html as html_lib
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, false, literal, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.conflicts import Conflict, SaveRefused, state_token
from app.extensions import db
from app.id_lists import among
from app.input_guard import parse_id
from app.models import Activity, Cohort, CohortKind, CohortRole, Component, Membership, User
from app.request_memo import memoised
from app.sanitize import sanitize_html
from app.services import drafts
from app.services import programme as programme_service

from . import templating
from .models import CohortSetting, Extension, Feedback, FeedbackState, File, Reply, Status, Submission

TYPE = "assignment"


EDITABLE = (Status.DRAFT, Status.REVISION_REQUESTED)


class AssignmentError(SaveRefused):
    """The action is not possible now; the message says why, in the user's language."""


class SubmitConflict(Conflict):
    """Someone (another tab, another group member) handed in a version after this page loaded."""

    def __init__(self, message: str):
        super().__init__(message=message)


class FeedbackConflict(Conflict):
    """Someone (a co-facilitator, another tab) saved this feedback after the form was loaded."""

    def __init__(self, current: Feedback | None):
        super().__init__(current, message=_(
            "This feedback was saved by someone else, or in another tab, after you opened this page. Nothing was "
            "overwritten: the saved feedback is shown here beside what you typed; save again to replace it."))


# --- text -------------------------------------------------------------------------------------

_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


_SIMPLE_TAGS = re.compile(r"(?i)</?(p|br)\s*/?>")


def rich_text(value: str | None) -> str:
    """What the trainee typed, as sanitized HTML. Plain text (the textarea without an editor)
    keeps its paragraphs and line breaks; HTML goes through the one sanitizer."""
    value = (value or "").strip()
    if not value:
        return ""
    if not _HTML_TAG.search(value):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", value.replace("\r\n", "\n")) if p.strip()]
        value = "".join("<p>" + html_lib.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    return sanitize_html(value)


def editable_text(stored_html: str) -> str:
    """Stored HTML back into the textarea: plain paragraphs when that loses nothing."""
    if not _HTML_TAG.search(_SIMPLE_TAGS.sub("", stored_html)):
        text = re.sub(r"(?i)<br\s*/?>", "\n", stored_html)
        text = re.sub(r"(?i)</p>\s*<p>", "\n\n", text)
        return html_lib.unescape(re.sub(r"(?i)</?p>", "", text)).strip()
    return stored_html


# --- settings ---------------------------------------------------------------------------------

def kind_of(activity: Activity) -> str:
    return activity.settings.get("submission", "text")


def template_of(activity: Activity) -> dict[str, Any] | None:
    return activity.settings.get("template") if kind_of(activity) == "template" else None


def is_group_activity(activity: Activity) -> bool:
    return bool(activity.settings.get("group"))


def completes_on_submit(activity: Activity) -> bool:
    return activity.settings.get("completion") == "submitted"


# --- who --------------------------------------------------------------------------------------

@dataclass
class TraineeContext:
    """A trainee in front of one activity: the cohort that answers them and, for a group
    activity, their country group."""
    viewer: programme_service.Viewer
    activity: Activity
    cohort: Cohort | None
    group_cohort: Cohort | None

    @property
    def can_work(self) -> bool:
        return self.viewer.is_trainee and self.cohort is not None and (
            self.group_cohort is not None or not is_group_activity(self.activity))

    @property
    def draft_key(self) -> str:
        return f"{TYPE}:{self.activity.id}"


def trainee_context(viewer: programme_service.Viewer, activity: Activity) -> TraineeContext:
    cohort = group = None
    if viewer.is_trainee:
        transnational = activity.module.component == Component.TRANSNATIONAL
        wanted = CohortKind.TRANSNATIONAL if transnational else CohortKind.NATIONAL
        matching = [c for c in viewer.cohorts if c.kind == wanted]
        cohort = (matching or viewer.cohorts or [None])[0]
        if is_group_activity(activity):
            group = next((c for c in viewer.cohorts if c.kind == CohortKind.NATIONAL), None)
    return TraineeContext(viewer, activity, cohort, group)


def find_submission(ctx: TraineeContext, *, for_page: bool = False) -> Submission | None:
    """`for_page`: with everything its page shows (page_options, with_files)."""
    if not ctx.can_work:
        return None
    owner = (Submission.group_cohort_id == ctx.group_cohort.id) if is_group_activity(ctx.activity) \
        else (Submission.user_id == ctx.viewer.user.id)
    query = select(Submission).where(Submission.activity_id == ctx.activity.id, owner)
    if for_page:
        # The activity (with its module) and the trainee are this session's already: the
        # relationships find them in the identity map, so the statement need not send their
        # rows (the activity's and module's JSON texts) again.
        query = query.options(*page_options(with_activity=not _in_session(ctx.activity),
                                            with_user=not _in_session(ctx.viewer.user)))
    submission = db.session.scalar(query)
    return with_files(submission) if for_page and submission is not None else submission


def _in_session(row: object) -> bool:
    return row in db.session()


def page_options(*, with_activity: bool = True, with_user: bool = True) -> tuple:
    """What a submission's page shows, loaded with it: a fixed number of statements however many
    versions, feedback rounds and replies it has (and none from the template). `with_activity`,
    `with_user`: False when the caller's session holds them already."""
    return ((joinedload(Submission.activity).joinedload(Activity.module),) if with_activity else ()) + \
        ((joinedload(Submission.user),) if with_user else ()) + \
        (selectinload(Submission.versions),
         selectinload(Submission.feedback).options(joinedload(Feedback.author),
                                                   selectinload(Feedback.replies).joinedload(Reply.author)))


def with_files(submission: Submission) -> Submission:
    """All the submission's files in one statement, laid into its versions' and feedback's lists
    (as loaded, never written back); the pending ones are what pending_files answers in this
    request (GET only: a write reads them afresh)."""
    def load() -> list[File]:
        files = list(db.session.scalars(select(File).where(File.submission_id == submission.id).order_by(File.id)))
        of_version: dict[int, list[File]] = defaultdict(list)
        of_feedback: dict[int, list[File]] = defaultdict(list)
        for row in files:
            if row.version_id is not None:
                of_version[row.version_id].append(row)
            if row.feedback_id is not None:
                of_feedback[row.feedback_id].append(row)
        for version in submission.versions:
            set_committed_value(version, "files", of_version[version.id])
        for feedback in submission.feedback:
            set_committed_value(feedback, "files", of_feedback[feedback.id])
        return [row for row in files if row.version_id is None and row.feedback_id is None]
    memoised("assignment_pending_files", submission.id, load)
    return submission


def members(submission: Submission) -> list[User]:
    if submission.user_id is not None:
        return [submission.user] if submission.user is not None else []
    return list(db.session.scalars(
        select(User).join(Membership).where(Membership.cohort_id == submission.group_cohort_id,
                                            Membership.role == CohortRole.TRAINEE).order_by(User.name)))


def owner_label(submission: Submission) -> str:
    if submission.is_group:
        return _("Country group: %(cohort)s", cohort=submission.group_cohort.name)
    return submission.user.name if submission.user else _("(erased user)")


# --- due dates --------------------------------------------------------------------------------

def extension_for(activity_id: int, *, user_id: int | None = None,
                  group_cohort_id: int | None = None) -> Extension | None:
    owner = Extension.group_cohort_id == group_cohort_id if group_cohort_id else Extension.user_id == user_id
    return db.session.scalar(select(Extension).where(Extension.activity_id == activity_id, owner))


def extension_of(ctx: TraineeContext) -> Extension | None:
    if not ctx.can_work:
        return None
    if is_group_activity(ctx.activity):
        return extension_for(ctx.activity.id, group_cohort_id=ctx.group_cohort.id)
    return extension_for(ctx.activity.id, user_id=ctx.viewer.user.id)


def due_dates(user: User, activity_ids: list[int]) -> dict[int, date]:
    """Extended due dates for a trainee (their own, or their country group's), in one query."""
    if not activity_ids:
        return {}
    national = [m.cohort_id for m in user.memberships if m.role == CohortRole.TRAINEE]
    rows = db.session.execute(select(Extension.activity_id, Extension.due_on).where(
        Extension.activity_id.in_(activity_ids),
        or_(Extension.user_id == user.id, Extension.group_cohort_id.in_(national) if national else false())))
    return {activity_id: due_on for activity_id, due_on in rows}


def due_dates_for(user_ids: list[int], trainee_cohorts: Mapping[int, list[int]],
                  activity_ids: list[int]) -> dict[tuple[int, int], date]:
    """`due_dates` for many trainees in one query; a trainee's own extension wins over their
    group's."""
    if not activity_ids or not user_ids:
        return {}
    groups = sorted({c for ids in trainee_cohorts.values() for c in ids})
    rows = list(db.session.execute(select(Extension.activity_id, Extension.user_id, Extension.group_cohort_id,
                                          Extension.due_on).where(
        among(Extension.activity_id, activity_ids),
        or_(among(Extension.user_id, user_ids), among(Extension.group_cohort_id, groups) if groups else false()))))
    by_group: dict[int, dict[int, date]] = defaultdict(dict)
    for activity_id, _user, group, due in rows:
        if group is not None:
            by_group[group][activity_id] = due
    found: dict[tuple[int, int], date] = {}
    for user_id in user_ids:
        for cohort_id in trainee_cohorts.get(user_id, []):
            found.update({(user_id, a): due for a, due in by_group.get(cohort_id, {}).items()})
    found.update({(user, a): due for a, user, _group, due in rows if user is not None})
    return found


def cohort_viewer(user: User, cohort: Cohort, activity: Activity) -> programme_service.Viewer:
    """The programme as the cohort's trainees see it, to compute their due dates for staff."""
    return programme_service.Viewer(user=user, programme=activity.module.programme, run=cohort.run,
                                    cohorts=[cohort], country_id=cohort.country_id,
                                    country_code=cohort.country.code if cohort.country else None)


def pending_files(submission: Submission | None) -> list[File]:
    if submission is None:
        return []
    return list(memoised("assignment_pending_files", submission.id, lambda: list(db.session.scalars(
        select(File).where(File.submission_id == submission.id, File.version_id.is_(None),
                           File.feedback_id.is_(None)).order_by(File.id)))))


def working_data(ctx: TraineeContext, submission: Submission | None) -> tuple[dict[str, Any] | None, Any]:
    """What the edit form starts from: the autosaved draft, else the last version (a revision
    starts from what was handed in), else nothing. Returns (form data, draft)."""
    draft = drafts.get_draft(ctx.viewer.user, ctx.draft_key) if ctx.can_work else None
    if draft is not None:
        return draft.data, draft
    if submission is not None and submission.latest_version:
        version = submission.versions[-1]
        data: dict[str, Any] = {"body": editable_text(version.body_html)}
        template = template_of(ctx.activity)
        if template:
            data.update(templating.as_formdata(template, version.fields).to_dict(flat=False))
        return data, None
    return None, None


def last_released(submission: Submission) -> Feedback | None:
    released = [f for f in submission.feedback if f.state == FeedbackState.RELEASED]
    return released[-1] if released else None


def open_feedback(submission: Submission) -> Feedback | None:
    """Unreleased feedback on the latest version (a draft, or awaiting a coordinator's review)."""
    return next((f for f in reversed(submission.feedback)
                 if f.state != FeedbackState.RELEASED and f.version_number == submission.latest_version), None)


def feedback_token(feedback: Feedback | None) -> str:
    """What a feedback form is based on: the open feedback as it was shown ("" when there was none).
    A save whose form carries another token would overwrite feedback it never showed."""
    if feedback is None:
        return ""
    # The rubric ratings are saved in the same form: a tab that changed only them is a change too.
    ratings = sorted((r.criterion, r.level) for r in feedback.rubric_ratings)
    return state_token(feedback.id, feedback.body_html, feedback.decision, feedback.field_comments, feedback.state,
                       ratings)


def extension_and_review(submission: Submission) -> tuple[Extension | None, bool]:
    """The submission's extension (or None) and whether its cohort's feedback needs review, in
    one statement: the facilitator's page shows both (extension_for and feedback_needs_review,
    one query each)."""
    owner = (Extension.group_cohort_id == submission.group_cohort_id) if submission.group_cohort_id \
        else (Extension.user_id == submission.user_id)
    needs_review = (select(CohortSetting.feedback_needs_review)
                    .where(CohortSetting.cohort_id == submission.cohort_id).scalar_subquery())
    one_row = select(literal(1).label("one")).subquery()
    extension, needs = db.session.execute(
        select(Extension, needs_review).select_from(one_row)
        .outerjoin(Extension, and_(Extension.activity_id == submission.activity_id, owner))).one()
    return extension, bool(needs)


def feedback_needs_review(cohort_id: int) -> bool:
    return bool(db.session.scalar(select(CohortSetting.feedback_needs_review)
                                  .where(CohortSetting.cohort_id == cohort_id)))


@dataclass
class Owner:
    """Whom an extension is for: one trainee, or a country group."""
    user: User | None = None
    group: Cohort | None = None

    @property
    def token(self) -> str:
        return f"group:{self.group.id}" if self.group else f"user:{self.user.id}"

    @property
    def label(self) -> str:
        return _("Country group: %(cohort)s", cohort=self.group.name) if self.group else self.user.name


def owner_in_cohort(token: str, cohort: Cohort, activity: Activity) -> Owner | None:
    """Parse 'user:<id>' / 'group:<id>' and check that it belongs to the cohort."""
    kind, _sep, raw_id = (token or "").partition(":")
    owner_id = parse_id(raw_id)
    if owner_id is None:
        return None
    if kind == "user" and not is_group_activity(activity):
        user = db.session.scalar(select(User).join(Membership).where(
            User.id == owner_id, Membership.cohort_id == cohort.id, Membership.role == CohortRole.TRAINEE))
        return Owner(user=user) if user else None
    if kind == "group" and is_group_activity(activity):
        group = db.session.get(Cohort, owner_id)
        if group is not None and group.kind == CohortKind.NATIONAL and group.run_id == cohort.run_id \
                and group.id in country_group_ids(cohort):
            return Owner(group=group)
    return None


def country_group_ids(cohort: Cohort) -> set[int]:
    """National cohorts with trainees who are also trainees of `cohort` (itself, if national)."""
    if cohort.kind == CohortKind.NATIONAL:
        return {cohort.id}
    trainees = select(Membership.user_id).where(Membership.cohort_id == cohort.id,
                                                Membership.role == CohortRole.TRAINEE)
    return set(db.session.scalars(select(Membership.cohort_id).join(Cohort).where(
        Membership.user_id.in_(trainees), Membership.role == CohortRole.TRAINEE, Cohort.kind == CohortKind.NATIONAL,
        Cohort.run_id == cohort.run_id)))
