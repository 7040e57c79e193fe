"""Pages of the assignment activity type (mounted at /a/assignment/).

Trainees: /<slug> (instructions, the work, feedback and the dialogue). Facilitators: /queue,
/submission/<id>, /cohort/<id>/<slug> (status of a cohort), extensions. Coordinators: status
pages, the cohort's review setting and /review. Each view parses a form, asks access.py who may
do what, calls a service and commits once."""
from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice as Choice

from app import once
from app.access import can_view_cohort_status, cohorts_with_status_access
from app.conflicts import Conflict, conflict_page, locked_for_save, stale_edit, state_token
from app.extensions import db
from app.guarded_save import guarded_save
from app.input_guard import bounded_int, parse_id
from app.localized import localized_settings
from app.models import Activity, Cohort
from app.privacy_check import review_fields
from app.services import drafts
from app.services import programme as programme_service
from app.web import mark_browser_copies_saved

from . import helpers, media, overview, record, rubric_ratings, services, templating, uploads
from .forms import (
    CohortSettingsForm,
    EmptyForm,
    ExtensionForm,
    QueueFilterForm,
    ReplyForm,
    ReviewForm,
    feedback_form_class,
    submission_form_class,
)
from .models import Feedback, FeedbackState, File, Status, Submission
from .template_versions import feedback_settings, template_at, templates_by_number

bp = Blueprint("assignment", __name__, template_folder="templates")
bp.context_processor(helpers.assignment_helpers)

NOT_DRAFT_FIELDS = {"csrf_token", "draft_key", "draft_version", "browser_copy", "action", "base_version",
                    "privacy_confirmed"}


def _shown_template(activity):
    """The activity's template with its labels and help texts in the reader's language."""
    return localized_settings(activity).get("template") if services.kind_of(activity) == "template" else None


def _user():
    return current_user._get_current_object()


def _form_data(form_values: MultiDict) -> dict[str, Any]:
    """The posted fields as a draft stores them (the same shape /drafts/save writes)."""
    return {k: (v if len(vs := form_values.getlist(k)) == 1 else vs)
            for k, v in form_values.items() if k not in NOT_DRAFT_FIELDS}


def _as_multidict(data: dict[str, Any] | None) -> MultiDict | None:
    if data is None:
        return None
    pairs = [(k, item) for k, v in data.items() for item in (v if isinstance(v, list) else [v])]
    return MultiDict(pairs)


# --- the trainee's page ----------------------------------------------------------------------

def _activity(slug: str):
    viewer = programme_service.viewer_or_404(current_user)
    activity = programme_service.activity_or_404(viewer, slug, type_=services.TYPE)
    return services.trainee_context(viewer, activity)


def _render_activity(ctx: services.TraineeContext, submission: Submission | None, *, form=None, draft=None,
                     draft_version: int | None = None, reply_form=None, reply_to: int | None = None,
                     privacy=None, reply_privacy=None, errors: list[str] | None = None, status: int = 200):
    activity = ctx.activity
    extension = services.extension_of(ctx)
    due = extension.due_on if extension else programme_service.due_date_of(ctx.viewer, activity)
    released = [f for f in submission.feedback if f.is_released] if submission else []
    editable = ctx.can_work and (submission is None or submission.status in services.EDITABLE)
    trainee_record = (record.trainee_record(ctx.viewer.user, ctx.viewer.run)
                      if ctx.viewer.is_trainee and (record.is_attached(activity.settings)
                                                    or record.starts_from_record(activity.settings)) else None)
    prefilled = False
    if form is None and editable:
        data, draft = services.working_data(ctx, submission)
        if draft is None and data is not None and submission is not None and submission.versions:
            data.setdefault("transcript", submission.versions[-1].transcript)  # a revision starts from it too
        if data is None and trainee_record is not None and not services.is_group_activity(activity):
            # Nothing typed, nothing handed in: start from the record (never over either).
            data = record.prefill(services.template_of(activity) or {"fields": []}, trainee_record.values) or None
            prefilled = data is not None
        form = submission_form_class(localized_settings(activity))(formdata=_as_multidict(data))
        form.privacy_confirmed.data = False
    if form is not None:
        form.base_version.data = submission.latest_version if submission else 0
    if draft_version is None:
        draft_version = draft.version if draft else 0
    staff_cohorts = [] if ctx.viewer.is_trainee else [
        c for c in cohorts_with_status_access(_user()) if ctx.viewer.every_country or c in ctx.viewer.cohorts]
    return render_template(
        "assignment/activity.html", ctx=ctx, activity=activity, viewer=ctx.viewer, submission=submission,
        template=_shown_template(activity), kind=services.kind_of(activity), due=due, extension=extension,
        released=released, version_templates=templates_by_number(activity, submission.versions if submission else []),
        comments=released[-1].field_comments if released and submission.status in services.EDITABLE else {},
        editable=editable, form=form, draft=draft, draft_version=draft_version,
        pending=services.pending_files(submission),
        group_members=services.members(submission) if submission and submission.is_group else [],
        reply_form=reply_form or ReplyForm(formdata=None), reply_to=reply_to, privacy=privacy,
        reply_privacy=reply_privacy, errors=errors or [], staff_cohorts=staff_cohorts,
        remove_form=EmptyForm(formdata=None), rules=media.upload_rules(activity.settings),
        trainee_record=trainee_record, prefilled=prefilled, attached=record.is_attached(activity.settings),
        record_updates=_record_updates(ctx, submission) if trainee_record is not None else []), status


def _record_updates(ctx: services.TraineeContext, submission: Submission | None) -> list:
    """Links to bring the record up to date with the latest hand-in (a later stage it states)."""
    if submission is None or not submission.versions or submission.is_group:
        return []
    latest = submission.versions[-1]
    return record.record_updates(ctx.viewer.user, ctx.viewer.run, template_at(ctx.activity, latest), latest.fields)


@bp.get("/<slug>")
@login_required
def activity_page(slug: str):
    ctx = _activity(slug)
    submission = services.find_submission(ctx, for_page=True)
    page = _render_activity(ctx, submission)
    if submission is not None:
        services.mark_feedback_read(ctx.viewer.user, submission)
        db.session.commit()
    return page


def _uploads_files() -> bool:
    return any(f.filename for f in request.files.values())


def _creates_something() -> bool:
    """A hand-in, or a save that uploads files: sent twice, either would store two."""
    return request.form.get("action") == "submit" or _uploads_files()


def _releases_or_uploads() -> bool:
    """Feedback released (the trainee is told once), or a save with files: sent twice, either
    would happen twice. A draft save is an update checked against the feedback it was based on."""
    return request.form.get("action") == "release" or _uploads_files()


@bp.post("/<slug>")
@login_required
@once.per_key_if(_creates_something)
def activity_work(slug: str):
    ctx = _activity(slug)
    if not ctx.can_work:
        abort(403)
    submission = services.find_submission(ctx)
    form = submission_form_class(localized_settings(ctx.activity))()
    action = form.action.data or "save"
    draft_version = request.form.get("draft_version", default=0, type=bounded_int)
    def render(**kw):
        kw.setdefault("draft_version", draft_version)
        return _render_activity(ctx, submission, form=form, **kw)
    if submission is not None and submission.status not in services.EDITABLE:
        flash(_("This work has been handed in and cannot be changed now."), "warning")
        return redirect(url_for("assignment.activity_page", slug=slug))
    if action.startswith("add_row:") and templating.PREFIX in form:
        if not templating.add_row(form[templating.PREFIX].form, action.partition(":")[2]):
            return render(errors=[_("No more rows can be added to this table.")])
        return render()
    rules = media.upload_rules(ctx.activity.settings)
    try:
        new_files = uploads.check_files(form.files.data or [], rules.allowed, rules.max_size_mb, rules.max_files,
                                        already=len(services.pending_files(submission)),
                                        media_max_mb=rules.max_media_mb) if rules.takes_files else []
    except uploads.UploadRefused as refused:
        return render(errors=[*refused.messages, _("Nothing was saved: choose the files again.")])
    if action == "submit":
        return _submit(ctx, form, new_files, draft_version, render)
    return _save_draft(ctx, form, new_files, draft_version, render)


def _save_draft(ctx, form, new_files, draft_version, render):
    try:
        services.save_draft(ctx, _form_data(request.form), draft_version)
        if new_files:
            services.store_files(ctx.viewer.user, services.ensure_submission(ctx), new_files)
    except Conflict as conflict:
        db.session.rollback()
        return render(errors=[conflict.message])
    except drafts.DraftTooLarge:
        db.session.rollback()
        return render(errors=[_("The text is too long to be saved. Shorten it; your text is still in this form.")],
                      status=413)
    once.saved(url_for("assignment.activity_page", slug=ctx.activity.slug))
    db.session.commit()  # files written for a rolled-back request are removed (app/transaction.py)
    mark_browser_copies_saved(ctx.draft_key)
    flash(_("Your draft is saved. Nothing has been handed in yet."), "success")
    return redirect(url_for("assignment.activity_page", slug=ctx.activity.slug))


def _submit(ctx, form, new_files, draft_version, render):
    template = services.template_of(ctx.activity)
    errors, texts, work = [], {}, None
    if not form.validate():
        errors = [_("Please correct the fields marked below. Nothing has been handed in yet.")]
    else:
        work = services.Work(body_html=services.rich_text(form.body.data), new_files=new_files,
                             fields=templating.answers(template, form[templating.PREFIX].form) if template else {},
                             transcript=form.transcript.data or "")
        errors = services.check_complete(ctx.activity, work, services.find_submission(ctx))
        texts = {"body": (form.body.label.text, form.body.data or ""),
                 "transcript": (form.transcript.label.text, form.transcript.data or "")}
        if template:
            texts.update(templating.free_texts(template, work.fields))
    outcome = guarded_save(ctx.viewer.user, ctx.draft_key, _form_data(request.form), draft_version,
                           texts=texts, confirmed=bool(form.privacy_confirmed.data), errors=errors,
                           save=once.saving(lambda: services.submit(ctx, work, form.base_version.data or 0),
                                            lambda _v: url_for("assignment.activity_page", slug=ctx.activity.slug)))
    if not outcome.saved:
        return render(errors=outcome.errors, privacy=outcome.privacy,
                      draft_version=outcome.draft.version if outcome.draft else draft_version,
                      status=413 if outcome.status == 413 else 200)
    flash(_("Handed in: version %(n)d. Your facilitator will answer in writing.", n=outcome.result.number),
          "success")
    return redirect(url_for("assignment.activity_page", slug=ctx.activity.slug))


# --- files -------------------------------------------------------------------------------------

@bp.get("/file/<int:file_id>")
@login_required
def download(file_id: int):
    row = db.get_or_404(File, file_id)
    user = _user()
    if not services.may_download(user, row):
        abort(403 if can_view_cohort_status(user, row.submission.cohort) else 404)
    services.record_read(user, row.submission, "file")
    db.session.commit()
    # Read whole (uploads are small, MAX_UPLOAD_MB): no file handle outlives the request.
    data = uploads.path_of(row.stored_name).read_bytes()
    response = send_file(io.BytesIO(data), mimetype=row.mime, as_attachment=True,
                         download_name=row.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/file/<int:file_id>/remove")
@login_required
def remove_file(file_id: int):
    row = db.get_or_404(File, file_id)
    if not services.may_remove_file(_user(), row):
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    slug = row.submission.activity.slug
    services.remove_pending_file(_user(), row)
    db.session.commit()
    flash(_("The file was removed."), "success")
    return redirect(url_for("assignment.activity_page", slug=slug))


# --- the facilitator's submission page -----------------------------------------------------------

def _submission_or_deny(submission_id: int) -> Submission:
    """The submission if the user answers it; a member is sent to their own page by the caller;
    someone who may see the cohort's status learns it exists (403), anyone else gets 404."""
    submission = db.one_or_404(select(Submission).where(Submission.id == submission_id)
                               .options(*services.page_options()))
    if request.method in ("GET", "HEAD"):
        services.with_files(submission)
    user = _user()
    if services.may_review(user, submission) or services.is_member(user, submission):
        return submission
    if can_view_cohort_status(user, submission.cohort):
        abort(403)
    abort(404)


def _feedback_form_for(submission: Submission, open_fb: Feedback | None):
    form_class = feedback_form_class(feedback_settings(submission))
    draft = drafts.get_draft(_user(), f"feedback:{submission.id}")
    if draft is not None:
        return form_class(formdata=_as_multidict(draft.data)), draft
    if open_fb is not None:
        data = {"body": services.editable_text(open_fb.body_html), "decision": open_fb.decision}
        data.update({f"comments-{k}": v for k, v in open_fb.field_comments.items()})
        data.update(rubric_ratings.stored_ratings(open_fb))
        return form_class(formdata=_as_multidict(data)), None
    return form_class(formdata=None), None


def _render_submission(submission: Submission, *, form=None, draft_version: int | None = None, reply_form=None,
                       reply_to: int | None = None, privacy=None, reply_privacy=None, errors: list[str] | None = None,
                       conflict: Feedback | None = None, status: int = 200):
    activity = submission.activity
    open_fb = services.open_feedback(submission)
    draft = None
    if form is None and submission.status == Status.SUBMITTED:
        form, draft = _feedback_form_for(submission, open_fb)
        form.privacy_confirmed.data = False
        if draft is None or "feedback_base" not in draft.data:  # a draft keeps the base it was typed on
            form.feedback_base.data = services.feedback_token(open_fb)
    if draft_version is None:
        draft_version = draft.version if draft else 0
    base_version, changes = services.changes_since_feedback(submission)
    cohort = submission.cohort
    base_due = programme_service.due_date_of(services.cohort_viewer(_user(), cohort, activity), activity)
    extension, needs_review = services.extension_and_review(submission)
    owner = (services.Owner(group=submission.group_cohort) if submission.is_group
             else services.Owner(user=submission.user))
    return render_template(
        "assignment/submission.html", submission=submission, activity=activity,
        template=template_at(activity, submission.versions[-1] if submission.versions else None),
        version_templates=templates_by_number(activity, submission.versions),
        kind=services.kind_of(activity), latest=submission.versions[-1] if submission.versions else None,
        open_feedback=open_fb, form=form, draft=draft, draft_version=draft_version, changes=changes,
        base_version=base_version, released=[f for f in submission.feedback if f.is_released],
        due=extension.due_on if extension else base_due, extension=extension, owner=owner,
        needs_review=needs_review, feedback_types=uploads.FEEDBACK_TYPES,
        feedback_max_mb=uploads.FEEDBACK_MAX_MB, feedback_max_files=uploads.FEEDBACK_MAX_FILES,
        reply_form=reply_form or ReplyForm(formdata=None), reply_to=reply_to, privacy=privacy,
        reply_privacy=reply_privacy, errors=errors or [], conflict=conflict), status


@bp.get("/submission/<int:submission_id>")
@login_required
def submission_page(submission_id: int):
    submission = _submission_or_deny(submission_id)
    if not services.may_review(_user(), submission):
        return redirect(url_for("assignment.activity_page", slug=submission.activity.slug))
    services.record_read(_user(), submission)
    page = _render_submission(submission)
    db.session.commit()  # the audit record of this read
    return page


@bp.get("/submission/<int:submission_id>/v/<int:number>")
@login_required
def version_page(submission_id: int, number: int):
    submission = _submission_or_deny(submission_id)
    version = next((v for v in submission.versions if v.number == number), None)
    if version is None:
        abort(404)
    services.record_read(_user(), submission)
    db.session.commit()
    return render_template("assignment/version.html", submission=submission, version=version,
                           activity=submission.activity, template=template_at(submission.activity, version),
                           reviewer=services.may_review(_user(), submission))


@bp.post("/submission/<int:submission_id>/feedback")
@login_required
@once.per_key_if(_releases_or_uploads)
def feedback_save(submission_id: int):
    submission = _submission_or_deny(submission_id)
    user = _user()
    if not services.may_review(user, submission):
        abort(403)
    form = feedback_form_class(feedback_settings(submission))()
    draft_version = request.form.get("draft_version", default=0, type=bounded_int)
    def render(**kw):
        kw.setdefault("draft_version", draft_version)
        return _render_submission(submission, form=form, **kw)
    if not form.validate_on_submit():
        return render(errors=[_("Please correct the fields marked below. Nothing was saved.")])
    try:
        files = uploads.check_files(form.files.data or [], uploads.FEEDBACK_TYPES, uploads.FEEDBACK_MAX_MB,
                                    uploads.FEEDBACK_MAX_FILES)
    except uploads.UploadRefused as refused:
        return render(errors=[*refused.messages, _("Nothing was saved: choose the files again.")])
    comments = {k: (v or "").strip() for k, v in form.comments.data.items()} if "comments" in form else {}
    texts = {"body": (form.body.label.text, form.body.data or "")}
    texts.update({f"comments-{k}": (form.comments[k].label.text, v) for k, v in comments.items() if v})
    release = form.action.data == "release"
    ratings = rubric_ratings.ratings_from(form)
    given = services.FeedbackInput(services.rich_text(form.body.data), comments, form.decision.data, files,
                                   base=(form.feedback_base.data or "") if "feedback_base" in request.form else None)
    outcome = guarded_save(user, f"feedback:{submission.id}", _form_data(request.form), draft_version,
                           texts=texts, confirmed=bool(form.privacy_confirmed.data),
                           save=once.saving(lambda: rubric_ratings.save_ratings(
                               services.save_feedback(user, submission, given, release), ratings),
                               lambda _f: url_for("assignment.submission_page", submission_id=submission.id)))
    if not outcome.saved:
        conflict = outcome.conflict.current if isinstance(outcome.conflict, services.FeedbackConflict) else None
        if conflict is not None:
            # Shown beside what was typed: the next save is based on it, so it is a choice, not an accident.
            form.feedback_base.data = services.feedback_token(conflict)
        return render(errors=outcome.errors, privacy=outcome.privacy,
                      draft_version=outcome.draft.version if outcome.draft else draft_version,
                      conflict=conflict, status=409 if outcome.conflict is not None else 200)
    feedback = outcome.result
    if feedback.state == FeedbackState.RELEASED:
        flash(_("Your feedback is released; the trainee has been told."), "success")
    elif feedback.state == FeedbackState.AWAITING_REVIEW:
        flash(_("Your feedback is waiting for a coordinator's review before the trainee sees it."), "success")
    else:
        flash(_("Your feedback is saved as a draft. The trainee does not see it yet."), "success")
    return redirect(url_for("assignment.submission_page", submission_id=submission.id))


# --- the dialogue --------------------------------------------------------------------------------

@bp.post("/feedback/<int:feedback_id>/reply")
@login_required
@once.per_key
def reply(feedback_id: int):
    feedback = db.get_or_404(Feedback, feedback_id)
    user = _user()
    submission = feedback.submission
    if not services.may_reply(user, feedback):
        if services.is_member(user, submission) or services.may_review(user, submission):
            abort(403)  # not released yet
        abort(403 if can_view_cohort_status(user, submission.cohort) else 404)
    form = ReplyForm()
    member = services.is_member(user, submission)
    privacy = review_fields(form, ["body"]) if form.validate_on_submit() else None
    if privacy is None or privacy.blocked:
        if member:
            ctx = _activity(submission.activity.slug)
            return _render_activity(ctx, submission, reply_form=form, reply_to=feedback.id, reply_privacy=privacy)
        return _render_submission(submission, reply_form=form, reply_to=feedback.id, reply_privacy=privacy)
    services.add_reply(user, feedback, services.rich_text(form.body.data))
    if member:
        url = url_for("assignment.activity_page", slug=submission.activity.slug) + f"#feedback-{feedback.id}"
    else:
        url = url_for("assignment.submission_page", submission_id=submission.id) + f"#feedback-{feedback.id}"
    once.saved(url)
    db.session.commit()
    flash(_("Your reply is sent."), "success")
    return redirect(url)


# --- the queue -----------------------------------------------------------------------------------

@bp.get("/queue")
@login_required
def queue():
    user = _user()
    if not services.facilitated_cohort_ids(user):
        abort(403)
    cohorts, modules = services.queue_choices(user)
    form = QueueFilterForm(formdata=request.args)
    form.cohort.choices = [Choice("", _("All my cohorts"))] + [Choice(str(c.id), c.name) for c in cohorts]
    form.module.choices = [Choice("", _("All modules"))] + [Choice(str(id_), title) for id_, title in modules]
    form.validate()
    filters = services.QueueFilters(
        cohort_id=parse_id(form.cohort.data),
        module_id=parse_id(form.module.data),
        status=form.status.data if form.status.data in services.QUEUE_STATUSES else "waiting")
    page, open_states = services.queue(user, filters, request.args.get("page", 1, type=bounded_int))
    return render_template("assignment/queue.html", form=form, page=page, open_states=open_states, filters=filters)


# --- status pages, extensions and settings for staff --------------------------------------------------

def _cohort_activity(cohort_id: int, slug: str):
    cohort = db.get_or_404(Cohort, cohort_id)
    if not can_view_cohort_status(_user(), cohort):
        abort(403)
    activity = db.session.scalar(select(Activity).where(Activity.slug == slug, Activity.type == services.TYPE))
    if activity is None:
        abort(404)
    return cohort, activity


@bp.get("/cohort/<int:cohort_id>")
@login_required
def cohort_overview(cohort_id: int):
    """A cohort's assignments for its staff (linked from the cohort's page): status counts, the
    feedback-review setting, and what waits for this user."""
    cohort = db.get_or_404(Cohort, cohort_id)
    user = _user()
    if not can_view_cohort_status(user, cohort):
        abort(403)
    facilitator = cohort.id in services.facilitated_cohort_ids(user)
    return render_template("assignment/cohort_overview.html", cohort=cohort, rows=overview.cohort_tasks(user, cohort),
                           facilitator=facilitator, waiting=overview.waiting_in(cohort) if facilitator else 0,
                           to_review=overview.feedback_to_review(user, cohort),
                           needs_review=services.feedback_needs_review(cohort.id),
                           may_change=services.may_change_settings(user, cohort))


@bp.route("/cohort/<int:cohort_id>/<slug>/extension/<owner>", methods=["GET", "POST"])
@login_required
@once.per_key
def extension(cohort_id: int, slug: str, owner: str):
    cohort, activity = _cohort_activity(cohort_id, slug)
    if cohort.id not in services.facilitated_cohort_ids(_user()):
        abort(403)
    who = services.owner_in_cohort(owner, cohort, activity)
    if who is None:
        abort(404)
    # The extension may not exist yet: the trainee's (or group's) row is what two saves share.
    locked_for_save(who.user or who.group)
    form = ExtensionForm()
    current = services.extension_for(activity.id, user_id=who.user.id if who.user else None,
                                     group_cohort_id=who.group.id if who.group else None)
    stored = state_token(current.due_on, current.reason) if current else ""
    stale = stale_edit(form, stored)
    privacy = None
    if form.validate_on_submit() and stale:
        # Another facilitator (or tab) granted or changed it since: their date and reason stay.
        saved = (f"{format_date(current.due_on)} · {current.reason}" if current
                 else _("No extension any more."))
        return conflict_page("assignment/extension.html", form, stored, saved, cohort=cohort, activity=activity,
                             owner=who, current=current, privacy=None)
    if form.validate_on_submit():
        privacy = review_fields(form, ["reason"])
        if not privacy.blocked:
            services.grant_extension(_user(), activity, who, form.due_on.data, form.reason.data.strip())
            once.saved(url_for("assignment.cohort_status", cohort_id=cohort.id, slug=activity.slug))
            db.session.commit()
            flash(_("%(who)s now has until %(date)s. They have been told.", who=who.label,
                    date=format_date(form.due_on.data)), "success")
            return redirect(url_for("assignment.cohort_status", cohort_id=cohort.id, slug=activity.slug))
    return render_template("assignment/extension.html", cohort=cohort, activity=activity, owner=who, form=form,
                           current=current, privacy=privacy)


@bp.route("/cohort/<int:cohort_id>/settings", methods=["GET", "POST"])
@login_required
def cohort_settings(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    if not services.may_change_settings(_user(), cohort):
        abort(403)
    form = CohortSettingsForm()
    if form.validate_on_submit():
        services.set_review_requirement(_user(), cohort, bool(form.feedback_needs_review.data))
        db.session.commit()
        flash(_("The feedback setting of %(cohort)s is saved.", cohort=cohort.name), "success")
        return redirect(url_for("assignment.cohort_overview", cohort_id=cohort.id))
    if request.method == "GET":
        form.feedback_needs_review.data = services.feedback_needs_review(cohort.id)
    return render_template("assignment/cohort_settings.html", cohort=cohort, form=form)


# --- coordinators' review of feedback ---------------------------------------------------------------

@bp.get("/review")
@login_required
def review_list():
    if not services.may_see_review_list(_user()):
        abort(403)
    return render_template("assignment/review_list.html", items=services.awaiting_review(_user()))


@bp.route("/feedback/<int:feedback_id>/review", methods=["GET", "POST"])
@login_required
def feedback_review(feedback_id: int):
    feedback = db.get_or_404(Feedback, feedback_id)
    user = _user()
    if not services.may_review_feedback(user, feedback):
        abort(403 if can_view_cohort_status(user, feedback.submission.cohort) else 404)
    form = ReviewForm()
    privacy = None
    if form.validate_on_submit():
        privacy = review_fields(form, ["note"])
        if not privacy.blocked:
            if form.decision.data == "approve":
                services.approve_feedback(user, feedback)
                message = _("The feedback is released to the trainee.")
            else:
                services.return_feedback(user, feedback, form.note.data.strip())
                message = _("The feedback is sent back to its author with your note.")
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("assignment.review_list"))
    services.record_read(user, feedback.submission, "feedback")
    db.session.commit()
    return render_template("assignment/feedback_review.html", feedback=feedback, form=form, privacy=privacy,
                           template=template_at(feedback.submission.activity, next(
                               (v for v in feedback.submission.versions if v.number == feedback.version_number), None)))
