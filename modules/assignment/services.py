"""The rules of assignments: who owns and who answers a submission, handing in, feedback and its
release, the dialogue, extensions, the facilitators' queue and the home-page counts.

Services add and flush; the view commits once. Access is decided here (`may_*` functions), never
only in templates.

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
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from app import audit
from app.conflicts import Conflict, SaveRefused
from app.access import is_facilitator_of
from app.extensions import db
from app.models import (Activity, Cohort, CohortKind, CohortRole, Component, Draft, Membership, Module, SiteRole,
                        User)
from app.sanitize import sanitize_html
from app.services import drafts, progress
from app.services import programme as programme_service
from app.services.notifications import notify
from app.timeutil import utcnow

from . import templating, uploads
from .diffing import html_to_text, word_diff
from .models import (CohortSetting, Decision, Extension, Feedback, FeedbackRead, FeedbackState, File, Reply,
                     Status, Submission, Version)

TYPE = "assignment"
QUEUE_PER_PAGE = 25
QUEUE_STATUSES = {"waiting": [Status.SUBMITTED], "revision_requested": [Status.REVISION_REQUESTED],
                  "accepted": [Status.ACCEPTED],
                  "all": [Status.SUBMITTED, Status.REVISION_REQUESTED, Status.ACCEPTED]}
EDITABLE = (Status.DRAFT, Status.REVISION_REQUESTED)


class AssignmentError(SaveRefused):
    """The action is not possible now; the message says why, in the user's language."""


class SubmitConflict(Conflict):
    """Someone (another tab, another group member) handed in a version after this page loaded."""

    def __init__(self, message: str):
        super().__init__(message=message)


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
        wanted = CohortKind.TRANSNATIONAL if activity.module.component == Component.TRANSNATIONAL else CohortKind.NATIONAL
        matching = [c for c in viewer.cohorts if c.kind == wanted]
        cohort = (matching or viewer.cohorts or [None])[0]
        if is_group_activity(activity):
            group = next((c for c in viewer.cohorts if c.kind == CohortKind.NATIONAL), None)
    return TraineeContext(viewer, activity, cohort, group)


def find_submission(ctx: TraineeContext) -> Submission | None:
    if not ctx.can_work:
        return None
    owner = (Submission.group_cohort_id == ctx.group_cohort.id) if is_group_activity(ctx.activity) \
        else (Submission.user_id == ctx.viewer.user.id)
    return db.session.scalar(select(Submission).where(Submission.activity_id == ctx.activity.id, owner))


def _new_submission(ctx: TraineeContext) -> Submission:
    if is_group_activity(ctx.activity):
        submission = Submission(activity_id=ctx.activity.id, group_cohort_id=ctx.group_cohort.id,
                                cohort_id=ctx.cohort.id, status=Status.DRAFT)
    else:
        submission = Submission(activity_id=ctx.activity.id, user_id=ctx.viewer.user.id,
                                cohort_id=ctx.cohort.id, status=Status.DRAFT)
    db.session.add(submission)
    db.session.flush()
    return submission


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


def record_read(user: User, submission: Submission, what: str = "submission") -> None:
    """Every read of a trainee's work by someone else goes to the audit log."""
    if not is_member(user, submission):
        audit.record(f"assignment.{what}.read", submission, activity=submission.activity_id,
                     owner_user=submission.user_id, owner_group=submission.group_cohort_id)


# --- due dates --------------------------------------------------------------------------------

def extension_for(activity_id: int, *, user_id: int | None = None, group_cohort_id: int | None = None) -> Extension | None:
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
        or_(Extension.user_id == user.id, Extension.group_cohort_id.in_(national) if national else False)))
    return {activity_id: due_on for activity_id, due_on in rows}


def cohort_viewer(user: User, cohort: Cohort, activity: Activity) -> programme_service.Viewer:
    """The programme as the cohort's trainees see it, to compute their due dates for staff."""
    return programme_service.Viewer(user=user, programme=activity.module.programme, run=cohort.run,
                                    cohorts=[cohort], country_id=cohort.country_id,
                                    country_code=cohort.country.code if cohort.country else None)


# --- the trainee's work -----------------------------------------------------------------------

@dataclass
class Work:
    """What the trainee hands in, parsed and checked by the view's form."""
    body_html: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    new_files: list[uploads.Upload] = field(default_factory=list)


def pending_files(submission: Submission | None) -> list[File]:
    if submission is None:
        return []
    return list(db.session.scalars(select(File).where(File.submission_id == submission.id, File.version_id.is_(None),
                                                      File.feedback_id.is_(None)).order_by(File.id)))


def _store(upload: uploads.Upload, user: User, submission: Submission, written: list[str], **parent) -> File:
    stored = uploads.write(upload)
    written.append(stored)
    row = File(submission_id=submission.id, stored_name=stored, original_name=upload.original_name,
               mime=upload.mime, size=upload.size, sha256=upload.sha256, uploaded_by_id=user.id, **parent)
    db.session.add(row)
    return row


def store_files(user: User, submission: Submission, files: list[uploads.Upload], written: list[str], **parent) -> None:
    """Write checked uploads and their rows. `written` collects stored names, so the view can
    remove the bytes if the transaction fails afterwards."""
    for upload in files:
        _store(upload, user, submission, written, **parent)
    db.session.flush()


def ensure_submission(ctx: TraineeContext) -> Submission:
    return find_submission(ctx) or _new_submission(ctx)


def save_draft(ctx: TraineeContext, data: dict[str, Any], draft_version: int | None) -> drafts.Draft:
    """The "Save draft" button (the same draft autosave keeps); DraftConflict if another tab saved."""
    draft = drafts.save_draft(ctx.viewer.user, ctx.draft_key, data, draft_version)
    progress.mark_started(ctx.viewer.user, ctx.activity)
    return draft


def check_complete(activity: Activity, work: Work, submission: Submission | None) -> list[str]:
    """What is missing before the work can be handed in (template fields are checked by the form)."""
    kind = kind_of(activity)
    if kind == "text" and not html_to_text(work.body_html):
        return [_("Please write your answer before handing it in.")]
    if kind == "files" and not work.new_files and not pending_files(submission):
        return [_("Please choose at least one file to hand in.")]
    return []


def submit(ctx: TraineeContext, work: Work, base_version: int, written: list[str]) -> Version:
    """Hand in a new version (called through the guarded save path, which has stored the draft
    with the page's draft version first, so a second tab's stale page overwrites nothing). A
    version handed in by someone else since the page loaded gives SubmitConflict."""
    user = ctx.viewer.user
    submission = find_submission(ctx)
    if (submission.latest_version if submission else 0) != base_version:
        raise SubmitConflict(_("A newer version was handed in after you opened this page (in another tab, "
                               "or by someone in your group). Nothing was overwritten: copy your text, then "
                               "reload the page."))
    if submission is not None and submission.status not in EDITABLE:
        raise AssignmentError(_("This work has been handed in and cannot be changed now."))
    submission = submission or _new_submission(ctx)
    number = submission.latest_version + 1
    version = Version(submission_id=submission.id, number=number, body_html=work.body_html, fields=work.fields,
                      submitted_at=utcnow(), submitted_by_id=user.id)
    db.session.add(version)
    db.session.flush()
    store_files(user, submission, work.new_files, written)
    for row in pending_files(submission):
        row.version_id = version.id
    submission.status, submission.latest_version, submission.submitted_at = Status.SUBMITTED, number, version.submitted_at
    for member in members(submission):
        if completes_on_submit(ctx.activity):
            progress.mark_done(member, ctx.activity)
        elif member.id == user.id:
            progress.mark_started(member, ctx.activity)
    _tell_reviewers_of_resubmission(submission, ctx.activity, user)
    audit.record("assignment.submit", submission, version=number)
    db.session.flush()
    return version


def _tell_reviewers_of_resubmission(submission: Submission, activity: Activity, by: User) -> None:
    last = last_released(submission)
    if last is None or last.author is None or not last.author.active:
        return
    notify(last.author, "assignment.resubmitted",
           lambda: _("%(who)s handed in a revised version of “%(title)s”.", who=by.name, title=activity.title),
           url=url_for("assignment.submission_page", submission_id=submission.id))


def remove_pending_file(user: User, row: File) -> None:
    if not row.is_pending or not is_member(user, row.submission):
        raise AssignmentError(_("This file can no longer be removed."))
    stored = row.stored_name
    db.session.delete(row)
    db.session.flush()
    _forget_bytes([stored])


def _forget_bytes(stored_names: list[str]) -> None:
    """Delete files on disk that no row points to any more (rows may share bytes)."""
    if not stored_names:
        return
    still_used = set(db.session.scalars(select(File.stored_name).where(File.stored_name.in_(stored_names))))
    uploads.delete([name for name in stored_names if name not in still_used])


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


# --- feedback ---------------------------------------------------------------------------------

def last_released(submission: Submission) -> Feedback | None:
    released = [f for f in submission.feedback if f.state == FeedbackState.RELEASED]
    return released[-1] if released else None


def open_feedback(submission: Submission) -> Feedback | None:
    """Unreleased feedback on the latest version (a draft, or awaiting a coordinator's review)."""
    return next((f for f in reversed(submission.feedback)
                 if f.state != FeedbackState.RELEASED and f.version_number == submission.latest_version), None)


def feedback_needs_review(cohort_id: int) -> bool:
    return bool(db.session.scalar(select(CohortSetting.feedback_needs_review)
                                  .where(CohortSetting.cohort_id == cohort_id)))


@dataclass
class FeedbackInput:
    body_html: str
    comments: dict[str, str]
    decision: str
    files: list[uploads.Upload]


def save_feedback(user: User, submission: Submission, given: FeedbackInput, release: bool,
                  written: list[str]) -> Feedback:
    if submission.status != Status.SUBMITTED:
        raise AssignmentError(_("There is no handed-in version waiting for feedback."))
    feedback = open_feedback(submission)
    if feedback is not None and feedback.state == FeedbackState.AWAITING_REVIEW:
        raise AssignmentError(_("This feedback is waiting for a coordinator's review and cannot be changed now."))
    if release and not html_to_text(given.body_html):
        raise AssignmentError(_("Please write your feedback before releasing it."))
    if feedback is None:
        feedback = Feedback(submission_id=submission.id, version_number=submission.latest_version, author_id=user.id,
                            state=FeedbackState.DRAFT)
        db.session.add(feedback)
    feedback.body_html, feedback.decision = given.body_html, given.decision
    feedback.field_comments = {k: v for k, v in given.comments.items() if v}
    db.session.flush()
    store_files(user, submission, given.files, written, feedback_id=feedback.id)
    if release:
        if feedback_needs_review(submission.cohort_id):
            feedback.state = FeedbackState.AWAITING_REVIEW
            _tell_coordinators(submission)
        else:
            release_feedback(feedback, user)
    audit.record("assignment.feedback.save", feedback, state=feedback.state, decision=feedback.decision)
    db.session.flush()
    return feedback


def _tell_coordinators(submission: Submission) -> None:
    """The cohort's national coordinators are asked to review; the transnational coordinators
    only where no national one is there (the transnational cohort, a country without one)."""
    cohort = submission.cohort
    active = select(User).where(User.active.is_(True)).order_by(User.id)
    reviewers: list[User] = []
    if cohort.country_id is not None:
        reviewers = list(db.session.scalars(active.where(User.id.in_(
            select(Membership.user_id).join(Cohort, Membership.cohort_id == Cohort.id).where(
                Membership.role == CohortRole.COORDINATOR, Cohort.country_id == cohort.country_id)))))
    if not reviewers:
        reviewers = list(db.session.scalars(active.where(User.site_role == SiteRole.TRANSNATIONAL_COORDINATOR)))
    for coordinator in reviewers:
        notify(coordinator, "assignment.feedback.review",
               lambda: _("Feedback in %(cohort)s is waiting for your review.", cohort=cohort.name),
               url=url_for("assignment.review_list"))


def release_feedback(feedback: Feedback, by: User) -> None:
    """The trainee (every group member) sees the feedback now and is told so; the decision
    changes the submission's status and, on acceptance, completes the activity."""
    submission = feedback.submission
    activity = submission.activity
    feedback.state, feedback.released_at = FeedbackState.RELEASED, utcnow()
    accepted = feedback.decision == Decision.ACCEPT
    submission.status = Status.ACCEPTED if accepted else Status.REVISION_REQUESTED
    team = members(submission)
    if accepted:
        for member in team:
            progress.mark_done(member, activity)
    else:
        _reopen_files(submission)
    url = url_for("assignment.activity_page", slug=activity.slug)
    for member in team:
        notify(member, "assignment.feedback",
               (lambda: _("Your facilitator accepted “%(title)s”.", title=activity.title)) if accepted else
               (lambda: _("Your facilitator asks you to revise “%(title)s”.", title=activity.title)), url=url)
    audit.record("assignment.feedback.release", feedback, decision=feedback.decision, actor=by)


def _reopen_files(submission: Submission) -> None:
    """A revision starts with the files of the last version (the bytes are shared, not copied)."""
    if pending_files(submission):
        return
    latest = submission.versions[-1]
    for row in latest.files:
        db.session.add(File(submission_id=submission.id, stored_name=row.stored_name, original_name=row.original_name,
                            mime=row.mime, size=row.size, sha256=row.sha256, uploaded_by_id=row.uploaded_by_id))


def may_review_feedback(user: User, feedback: Feedback) -> bool:
    return feedback.state == FeedbackState.AWAITING_REVIEW and coordinates(user, feedback.submission.cohort)


def approve_feedback(user: User, feedback: Feedback) -> None:
    feedback.reviewed_by_id = user.id
    release_feedback(feedback, user)


def return_feedback(user: User, feedback: Feedback, note: str) -> None:
    feedback.state, feedback.review_note, feedback.reviewed_by_id = FeedbackState.DRAFT, note, user.id
    audit.record("assignment.feedback.return", feedback)
    if feedback.author is not None:
        notify(feedback.author, "assignment.feedback.returned",
               lambda: _("A coordinator sent your feedback back with a note."),
               url=url_for("assignment.submission_page", submission_id=feedback.submission_id))


def mark_feedback_read(user: User, submission: Submission) -> None:
    released = [f.id for f in submission.feedback if f.state == FeedbackState.RELEASED]
    if not released:
        return
    seen = set(db.session.scalars(select(FeedbackRead.feedback_id).where(
        FeedbackRead.user_id == user.id, FeedbackRead.feedback_id.in_(released))))
    for feedback_id in released:
        if feedback_id not in seen:
            db.session.add(FeedbackRead(feedback_id=feedback_id, user_id=user.id))


# --- the dialogue -----------------------------------------------------------------------------

def may_reply(user: User, feedback: Feedback) -> bool:
    return feedback.is_released and (is_member(user, feedback.submission) or may_review(user, feedback.submission))


def add_reply(user: User, feedback: Feedback, body_html: str) -> Reply:
    reply = Reply(feedback_id=feedback.id, author_id=user.id, body_html=body_html)
    db.session.add(reply)
    db.session.flush()
    submission = feedback.submission
    title = submission.activity.title
    if is_member(user, submission):
        others = [m for m in members(submission) if m.id != user.id]
        for facilitator in _answering_facilitators(feedback):
            notify(facilitator, "assignment.reply",
                   lambda: _("%(who)s replied to your feedback on “%(title)s”.", who=user.name, title=title),
                   url=url_for("assignment.submission_page", submission_id=submission.id))
    else:
        others = members(submission)
    for member in others:
        notify(member, "assignment.reply", lambda: _("New reply on “%(title)s”.", title=title),
               url=url_for("assignment.activity_page", slug=submission.activity.slug))
    audit.record("assignment.reply", reply, submission=submission.id)
    return reply


def _answering_facilitators(feedback: Feedback) -> list[User]:
    if feedback.author is not None and feedback.author.active and is_facilitator_of(feedback.author, feedback.submission.cohort_id):
        return [feedback.author]
    return list(db.session.scalars(select(User).join(Membership).where(
        Membership.cohort_id == feedback.submission.cohort_id, Membership.role == CohortRole.FACILITATOR,
        User.active.is_(True))))


# --- extensions -------------------------------------------------------------------------------

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
    if not raw_id.isdigit():
        return None
    if kind == "user" and not is_group_activity(activity):
        user = db.session.scalar(select(User).join(Membership).where(
            User.id == int(raw_id), Membership.cohort_id == cohort.id, Membership.role == CohortRole.TRAINEE))
        return Owner(user=user) if user else None
    if kind == "group" and is_group_activity(activity):
        group = db.session.get(Cohort, int(raw_id))
        if group is not None and group.kind == CohortKind.NATIONAL and group.run_id == cohort.run_id \
                and group.id in country_group_ids(cohort):
            return Owner(group=group)
    return None


def country_group_ids(cohort: Cohort) -> set[int]:
    """National cohorts with trainees who are also trainees of `cohort` (itself, if national)."""
    if cohort.kind == CohortKind.NATIONAL:
        return {cohort.id}
    trainees = select(Membership.user_id).where(Membership.cohort_id == cohort.id, Membership.role == CohortRole.TRAINEE)
    return set(db.session.scalars(select(Membership.cohort_id).join(Cohort).where(
        Membership.user_id.in_(trainees), Membership.role == CohortRole.TRAINEE, Cohort.kind == CohortKind.NATIONAL,
        Cohort.run_id == cohort.run_id)))


def grant_extension(by: User, activity: Activity, owner: Owner, due_on: date, reason: str) -> Extension:
    group_id = owner.group.id if owner.group else None
    extension = extension_for(activity.id, user_id=owner.user.id if owner.user else None, group_cohort_id=group_id)
    if extension is None:
        extension = Extension(activity_id=activity.id, user_id=owner.user.id if owner.user else None,
                              group_cohort_id=group_id, due_on=due_on)
        db.session.add(extension)
    extension.due_on, extension.reason, extension.granted_by_id, extension.granted_at = due_on, reason, by.id, utcnow()
    db.session.flush()
    audit.record("assignment.extension.grant", extension, activity=activity.id, due_on=due_on.isoformat())
    recipients = [owner.user] if owner.user else list(db.session.scalars(select(User).join(Membership).where(
        Membership.cohort_id == owner.group.id, Membership.role == CohortRole.TRAINEE)))
    for member in recipients:
        notify(member, "assignment.extension",
               lambda: _("New due date for “%(title)s”: %(date)s.", title=activity.title, date=format_date(due_on)),
               url=url_for("assignment.activity_page", slug=activity.slug))
    return extension


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
        groups = list(db.session.scalars(select(Cohort).where(Cohort.id.in_(country_group_ids(cohort))).order_by(Cohort.name)))
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
            for owner, key in zip(owners, keys)]


def set_review_requirement(user: User, cohort: Cohort, required: bool) -> None:
    setting = db.session.scalar(select(CohortSetting).where(CohortSetting.cohort_id == cohort.id))
    if setting is None:
        setting = CohortSetting(cohort_id=cohort.id)
        db.session.add(setting)
    setting.feedback_needs_review = required
    audit.record("assignment.settings", cohort, feedback_needs_review=required)


# --- the facilitators' queue ------------------------------------------------------------------

@dataclass
class QueueFilters:
    cohort_id: int | None = None
    module_id: int | None = None
    status: str = "waiting"


def facilitated_cohort_ids(user: User) -> list[int]:
    return [m.cohort_id for m in user.memberships if m.role == CohortRole.FACILITATOR]


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
             .options(joinedload(Submission.activity).joinedload(Activity.module),
                      joinedload(Submission.cohort), joinedload(Submission.user),
                      joinedload(Submission.group_cohort))
             .order_by(Submission.submitted_at, Submission.id))
    if filters.module_id is not None:
        query = query.where(Activity.module_id == filters.module_id)
    page_ = db.paginate(query, page=page, per_page=QUEUE_PER_PAGE, error_out=False)
    ids = [s.id for s in page_.items]
    rows = db.session.execute(select(Feedback.submission_id, Feedback.state).where(
        Feedback.submission_id.in_(ids), Feedback.state != FeedbackState.RELEASED)) if ids else []
    states = {submission_id: state for submission_id, state in rows}
    return page_, states


def queue_choices(user: User) -> tuple[list[Cohort], list[Module]]:
    cohort_ids = facilitated_cohort_ids(user)
    cohorts = list(db.session.scalars(select(Cohort).where(Cohort.id.in_(cohort_ids)).order_by(Cohort.name))) \
        if cohort_ids else []
    modules = list(db.session.scalars(select(Module).where(
        Module.id.in_(select(Activity.module_id).where(Activity.type == TYPE))).order_by(Module.order, Module.id)))
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


def may_see_review_list(user: User) -> bool:
    return user.is_transnational_coordinator or any(m.role == CohortRole.COORDINATOR for m in user.memberships)


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
        parts.append(("body", _("Answer") if kind_of(activity) == "text" else _("Note"), html_to_text(version.body_html)))
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
    cohort_ids = facilitated_cohort_ids(user)
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
        select(Activity.slug).select_from(Feedback).join(Submission).join(Activity, Submission.activity_id == Activity.id)
        .where(mine, Feedback.state == FeedbackState.RELEASED, ~read).order_by(Feedback.released_at, Feedback.id)))


def review_count(user: User) -> int:
    condition = _coordinated_cohort_filter(user)
    if condition is False:
        return 0
    return db.session.scalar(select(func.count()).select_from(Feedback).join(Submission).where(
        Feedback.state == FeedbackState.AWAITING_REVIEW, condition)) or 0


# --- privacy ----------------------------------------------------------------------------------

def _files_dict(rows: list[File]) -> list[dict[str, Any]]:
    return [{"name": f.original_name, "type": f.mime, "size": f.size, "sha256": f.sha256} for f in rows]


def export_for(user: User) -> dict[str, Any]:
    trainee_cohorts = [m.cohort_id for m in user.memberships if m.role == CohortRole.TRAINEE]
    condition = Submission.user_id == user.id
    if trainee_cohorts:
        condition = or_(condition, Submission.group_cohort_id.in_(trainee_cohorts))
    submissions = list(db.session.scalars(select(Submission).where(condition).options(
        selectinload(Submission.versions).selectinload(Version.files),
        selectinload(Submission.feedback).selectinload(Feedback.replies),
        joinedload(Submission.activity)).order_by(Submission.id)))
    replies = list(db.session.scalars(select(Reply).where(Reply.author_id == user.id).order_by(Reply.id)))
    return {
        "submissions": [{
            "activity": s.activity.slug, "title": s.activity.title, "status": s.status, "group": s.is_group,
            "versions": [{"number": v.number, "submitted_at": v.submitted_at.isoformat(), "body_html": v.body_html,
                          "fields": v.fields, "files": _files_dict(v.files)} for v in s.versions],
            "feedback": [{"version": f.version_number, "decision": f.decision, "body_html": f.body_html,
                          "field_comments": f.field_comments,
                          "released_at": f.released_at.isoformat() if f.released_at else None,
                          "replies": [{"body_html": r.body_html, "at": r.created_at.isoformat(),
                                       "mine": r.author_id == user.id} for r in f.replies]}
                         for f in s.feedback if f.is_released],
        } for s in submissions],
        "replies_written": [{"body_html": r.body_html, "at": r.created_at.isoformat()} for r in replies],
        "extensions": [{"activity_id": e.activity_id, "due_on": e.due_on.isoformat(), "reason": e.reason}
                       for e in db.session.scalars(select(Extension).where(Extension.user_id == user.id))],
    }


def erase_for(user: User) -> None:
    """Delete the user's own submissions (versions, feedback, replies and files, on disk too: the
    foreign keys cascade), their replies and extensions. A group submission belongs to the group
    and stays; versions the user handed in there keep no author."""
    own = select(Submission.id).where(Submission.user_id == user.id)
    stored = list(db.session.scalars(select(File.stored_name).where(File.submission_id.in_(own))))
    db.session.execute(delete(Reply).where(Reply.author_id == user.id))
    db.session.execute(delete(Submission).where(Submission.user_id == user.id))
    db.session.execute(delete(Extension).where(Extension.user_id == user.id))
    db.session.execute(delete(FeedbackRead).where(FeedbackRead.user_id == user.id))
    db.session.execute(delete(Draft).where(Draft.user_id == user.id, Draft.key.like(f"{TYPE}:%")))
    db.session.execute(update(Version).where(Version.submitted_by_id == user.id).values(submitted_by_id=None))
    db.session.expire_all()
    _forget_bytes(stored)
