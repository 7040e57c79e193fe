"""Changes to assignments: handing in, files, feedback and its release, the dialogue, extensions and
the cohort's review setting. Functions add and flush; the view commits once. Every change is
written to the audit log here, where it happens."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.access import is_facilitator_of
from app.extensions import db
from app.models import Activity, Cohort, CohortRole, Membership, SiteRole, User
from app.services import drafts, progress
from app.services.notifications import notify
from app.timeutil import utcnow

from . import media, uploads
from .access import is_member
from .diffing import html_to_text
from .models import (
    CohortSetting,
    Decision,
    Extension,
    Feedback,
    FeedbackRead,
    FeedbackState,
    File,
    Reply,
    Status,
    Submission,
    Version,
)
from .submissions import (
    EDITABLE,
    AssignmentError,
    FeedbackConflict,
    Owner,
    SubmitConflict,
    TraineeContext,
    completes_on_submit,
    extension_for,
    feedback_needs_review,
    feedback_token,
    find_submission,
    is_group_activity,
    kind_of,
    last_released,
    members,
    open_feedback,
    pending_files,
    template_of,
)


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


# --- the trainee's work -----------------------------------------------------------------------

@dataclass
class Work:
    """What the trainee hands in, parsed and checked by the view's form."""
    body_html: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    new_files: list[uploads.Upload] = field(default_factory=list)
    #: What the recordings say; required when any audio or video file is handed in.
    transcript: str = ""


def _store(upload: uploads.Upload, user: User, submission: Submission, **parent) -> File:
    stored = uploads.write(upload)
    row = File(submission_id=submission.id, stored_name=stored, original_name=upload.original_name,
               mime=upload.mime, size=upload.size, sha256=upload.sha256, uploaded_by_id=user.id, **parent)
    db.session.add(row)
    return row


def store_files(user: User, submission: Submission, files: list[uploads.Upload], **parent) -> None:
    """Write checked uploads and their rows; should the transaction roll back afterwards, the
    bytes are removed again (uploads.write)."""
    for upload in files:
        _store(upload, user, submission, **parent)
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
    recordings = [u for u in work.new_files if media.player_of(u.mime)] + \
        [f for f in pending_files(submission) if media.player_of(f.mime)]
    if recordings and not work.transcript.strip():
        # Accessibility: a facilitator who cannot hear it, or reads with a screen reader, reads the transcript.
        return [_("Please type the transcript of your recording before handing it in.")]
    if kind == "text" and not html_to_text(work.body_html) and not recordings:
        return [_("Please write your answer before handing it in.")]
    if kind == "files" and not work.new_files and not pending_files(submission):
        return [_("Please choose at least one file to hand in.")]
    return []


def submit(ctx: TraineeContext, work: Work, base_version: int) -> Version:
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
                      template=template_of(ctx.activity), transcript=work.transcript.strip(),
                      submitted_at=utcnow(), submitted_by_id=user.id)
    db.session.add(version)
    db.session.flush()
    store_files(user, submission, work.new_files)
    for row in pending_files(submission):
        row.version_id = version.id
    submission.status, submission.latest_version = Status.SUBMITTED, number
    submission.submitted_at = version.submitted_at
    for member in members(submission):
        if completes_on_submit(ctx.activity):
            progress.mark_done(member, ctx.activity)
        elif member.id == user.id:
            progress.mark_started(member, ctx.activity)
    _tell_reviewers_of_resubmission(submission, ctx.activity, user)
    audit.record("assignment.submit", submission, version=number)
    progress.work_handed_in.send(user, activity=ctx.activity, version=number)
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
    forget_bytes([stored])


def forget_bytes(stored_names: list[str]) -> None:
    """Delete files on disk that no row points to any more (rows may share bytes)."""
    if not stored_names:
        return
    still_used = set(db.session.scalars(select(File.stored_name).where(File.stored_name.in_(stored_names))))
    uploads.delete([name for name in stored_names if name not in still_used])


# --- feedback ---------------------------------------------------------------------------------

@dataclass
class FeedbackInput:
    body_html: str
    comments: dict[str, str]
    decision: str
    files: list[uploads.Upload]
    #: feedback_token() of the open feedback the form showed; None: the form sent none (not checked).
    base: str | None = None


def save_feedback(user: User, submission: Submission, given: FeedbackInput, release: bool) -> Feedback:
    if submission.status != Status.SUBMITTED:
        raise AssignmentError(_("There is no handed-in version waiting for feedback."))
    feedback = open_feedback(submission)
    if given.base is not None and given.base != feedback_token(feedback) and not _same_draft(feedback, given):
        raise FeedbackConflict(feedback)
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
    store_files(user, submission, given.files, feedback_id=feedback.id)
    if release:
        if feedback_needs_review(submission.cohort_id):
            feedback.state = FeedbackState.AWAITING_REVIEW
            _tell_coordinators(submission)
        else:
            release_feedback(feedback, user)
    audit.record("assignment.feedback.save", feedback, state=feedback.state, decision=feedback.decision)
    db.session.flush()
    return feedback


def _same_draft(feedback: Feedback | None, given: FeedbackInput) -> bool:
    """The stored draft already says what was sent (a double click, a page sent again after
    Back): saving it again overwrites nothing, so it is no conflict."""
    return (feedback is not None and feedback.state == FeedbackState.DRAFT and not given.files
            and feedback.body_html == given.body_html and feedback.decision == given.decision
            and (feedback.field_comments or {}) == {k: v for k, v in given.comments.items() if v})


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
    author = feedback.author
    if author is not None and author.active and is_facilitator_of(author, feedback.submission.cohort_id):
        return [author]
    return list(db.session.scalars(select(User).join(Membership).where(
        Membership.cohort_id == feedback.submission.cohort_id, Membership.role == CohortRole.FACILITATOR,
        User.active.is_(True))))


# --- extensions -------------------------------------------------------------------------------

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


def set_review_requirement(user: User, cohort: Cohort, required: bool) -> None:
    setting = db.session.scalar(select(CohortSetting).where(CohortSetting.cohort_id == cohort.id))
    if setting is None:
        setting = CohortSetting(cohort_id=cohort.id)
        db.session.add(setting)
    setting.feedback_needs_review = required
    audit.record("assignment.settings", cohort, feedback_needs_review=required)
