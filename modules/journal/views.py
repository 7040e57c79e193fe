"""Journal pages. Views parse, ask services.py (which decides every access), commit once."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app import once
from app.conflicts import locked_for_save, stale_edit, state_token
from app.errors import NotFound
from app.extensions import db
from app.guarded_save import guarded_save, snapshot
from app.input_guard import bounded_int, parse_id
from app.localized import localized_settings
from app.models import Cohort, Module, User
from app.privacy_check import review_fields
from app.sanitize import safe_html
from app.services import drafts
from app.services import programme as programme_service
from app.timeutil import utcnow

from . import services
from .forms import (
    CommentForm,
    FlagForm,
    FlagReplyForm,
    GroupPostForm,
    GroupReplyForm,
    PromptChoiceForm,
    ShareForm,
    SupervisorForm,
    entry_form,
    stage_field_name,
)
from .settings import model_label
from .text import html_to_markdown, md_escape

bp = Blueprint("journal", __name__, template_folder="templates")


@bp.app_context_processor
def journal_helpers():
    return {"journal_model_label": model_label, "journal_stage_field": stage_field_name, "journal_html": safe_html}


def _user() -> User:
    return current_user._get_current_object()


# --- my journal ----------------------------------------------------------------------------------

@bp.get("/")
@login_required
def index():
    user = _user()
    viewer = programme_service.viewer_for(user)
    return render_template("journal/index.html", entries=services.my_entries(user),
                           is_facilitator=services.is_facilitator(user),
                           group_cohorts=services.group_cohorts(user),
                           has_flags=services.has_flags(user),
                           managed=services.manageable_cohorts(user),
                           prompts=services.available_prompts(viewer.programme.id if viewer else None))


@bp.get("/activity/<slug>")
@login_required
def activity(slug: str):
    viewer = programme_service.viewer_or_404(current_user)
    activity_ = programme_service.activity_or_404(viewer, slug, type_="journal")
    entries = services.entries_for_activity(_user(), activity_) if viewer.is_trainee else []
    return render_template("journal/activity.html", viewer=viewer, activity=activity_, entries=entries,
                           prompt=localized_settings(activity_).get("prompt") or {},
                           min_entries=services.min_entries(activity_),
                           due=programme_service.due_date_of(viewer, activity_))


# --- writing -------------------------------------------------------------------------------------

def _formdata(data: dict[str, Any]) -> MultiDict:
    items: list[tuple[str, Any]] = []
    for key, value in data.items():
        items.extend((key, v) for v in (value if isinstance(value, list) else [value]))
    return MultiDict(items)


def _choices(viewer) -> dict[str, list]:
    if viewer is None:
        return {"module_choices": [], "competency_choices": []}
    modules = db.session.execute(select(Module.id, Module.title).where(
        Module.programme_id == viewer.programme.id, Module.retired.is_(False)).order_by(Module.order)).all()
    return {"module_choices": [(m.id, m.title) for m in modules],
            "competency_choices": [(c.code, f"{c.code} · {c.title}") for c in viewer.programme.competencies]}


def _text_fields(stages: list[dict[str, Any]]) -> list[str]:
    return ["title", "body", *[stage_field_name(s["key"]) for s in stages]]


def _entry_data(form, stages: list[dict[str, Any]]) -> services.EntryData:
    return services.EntryData(
        title=form.title.data, entry_date=form.entry_date.data, body_html=services.text_to_html(form.body.data),
        stage_answers={s["key"]: services.text_to_html(form[stage_field_name(s["key"])].data) for s in stages},
        competencies=form.competencies.data or [], module_id=form.module_id.data or None)


def _texts(form, stages) -> dict[str, tuple[str, str]]:
    """The free text the privacy guard reads before the entry is saved."""
    return {name: (form[name].label.text, form[name].data or "") for name in _text_fields(stages)}


def _form_again(outcome, user, key: str, page: dict[str, Any], entry=None):
    """The form with what was typed, after the save path stopped: a privacy finding, a conflict
    (the stored version shown beside it) or a rule."""
    if outcome.conflict is not None:
        flash(outcome.conflict.message, "danger")
        current = outcome.conflict.current if isinstance(outcome.conflict, services.EntryConflict) else entry
        return render_template("journal/entry_form.html", draft=drafts.get_draft(user, key), privacy=None,
                               conflict=current, **page), 409
    if outcome.privacy is not None:
        return render_template("journal/entry_form.html", draft=outcome.draft, privacy=outcome.privacy, **page)
    page["form"].form_errors.extend(outcome.errors)
    return render_template("journal/entry_form.html", draft=outcome.draft, privacy=None, **page)


def _body_label(stages):
    return _("Anything else (optional)") if stages else None


@bp.route("/new", methods=["GET", "POST"])
@login_required
@once.per_key
def new_entry():
    user = _user()
    viewer = programme_service.viewer_for(user)
    activity_, prompt = None, None
    prompts = services.available_prompts(viewer.programme.id if viewer else None)
    if request.args.get("activity"):
        if viewer is None or not viewer.is_trainee:
            abort(404)
        activity_ = programme_service.activity_or_404(viewer, request.args["activity"], type_="journal")
        prompt = localized_settings(activity_).get("prompt") or {}
        key = f"journal:new:{activity_.slug}"
    elif request.args.get("prompt"):
        prompt = prompts.get(request.args["prompt"])
        if prompt is None:
            abort(404)
        key = f"journal:new:prompt-{prompt['slug']}"
    else:
        key = "journal:new"
    stages = (prompt or {}).get("stages", [])
    draft = drafts.get_draft(user, key)
    kwargs: dict[str, Any] = {}
    if request.method == "GET":
        if draft is not None:
            kwargs["formdata"] = _formdata(draft.data)
        elif activity_ is not None:
            kwargs["competencies"] = activity_.competencies
    form = entry_form(stages, body_label=_body_label(stages), **_choices(viewer), **kwargs)
    prompt_form = None
    if activity_ is None:
        prompt_form = PromptChoiceForm(formdata=None, prompt=(prompt or {}).get("slug", ""))
        prompt_form.prompt.choices = [("", _("No prompt: a free entry")),
                                      *[(slug, p["title"]) for slug, p in prompts.items()]]
    page = {"form": form, "prompt": prompt, "stages": stages, "activity": activity_, "entry": None,
            "draft_key": key, "prompt_form": prompt_form,
            "action": url_for("journal.new_entry", **{k: request.args[k] for k in ("activity", "prompt")
                                                      if request.args.get(k)})}
    if not form.validate_on_submit():
        return render_template("journal/entry_form.html", draft=draft, privacy=None, **page)
    outcome = guarded_save(user, key, snapshot(request.form), request.form.get("draft_version", type=bounded_int),
                           texts=_texts(form, stages), confirmed=bool(form.privacy_confirmed.data),
                           save=once.saving(lambda: services.create_entry(
                               user, _entry_data(form, stages), activity=activity_,
                               prompt=None if activity_ else prompt),
                               lambda entry: url_for("journal.entry", entry_id=entry.id)))
    if not outcome.saved:
        return _form_again(outcome, user, key, page)
    entry = outcome.result
    flash(_("Your entry is saved. It is private: only you can read it."), "success")
    return redirect(url_for("journal.entry", entry_id=entry.id))


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def edit_entry(entry_id: int):
    user = _user()
    entry = services.entry_for_owner_or_404(user, entry_id)
    viewer = programme_service.viewer_for(user)
    stages = (entry.prompt or {}).get("stages", [])
    key = f"journal:{entry.id}"
    draft = drafts.get_draft(user, key)
    kwargs: dict[str, Any] = {}
    if request.method == "GET":
        if draft is not None:
            kwargs["formdata"] = _formdata(draft.data)
        else:
            kwargs.update(title=entry.title, entry_date=entry.entry_date,
                          body=services.html_to_editable(entry.body_html),
                          module_id=entry.module_id or 0, competencies=entry.competencies, version=str(entry.version),
                          **{stage_field_name(s["key"]): services.html_to_editable(entry.stage_answers.get(s["key"]))
                             for s in stages})
    form = entry_form(stages, body_label=_body_label(stages), **_choices(viewer), **kwargs)
    page = {"form": form, "prompt": entry.prompt, "stages": stages, "activity": entry.activity, "entry": entry,
            "draft_key": key, "prompt_form": None, "action": url_for("journal.edit_entry", entry_id=entry.id)}
    if not form.validate_on_submit():
        return render_template("journal/entry_form.html", draft=draft, privacy=None, **page)
    outcome = guarded_save(user, key, snapshot(request.form), request.form.get("draft_version", type=bounded_int),
                           texts=_texts(form, stages), confirmed=bool(form.privacy_confirmed.data),
                           save=lambda: services.update_entry(entry, _entry_data(form, stages),
                                                              request.form.get("version", type=bounded_int)))
    if not outcome.saved:
        return _form_again(outcome, user, key, page, entry=entry)
    flash(_("Your changes are saved."), "success")
    return redirect(url_for("journal.entry", entry_id=entry.id))


# --- one entry -----------------------------------------------------------------------------------

def _show_entry(entry, role: str, **forms):
    """Showing an entry marks it seen; showing it to anyone but its owner is a read for the audit
    log, committed whatever the page then says. Committed after the page is rendered: a commit
    expires every loaded row, and the page would load the entry, its comments and the user again."""
    services.record_read(entry, _user())
    try:
        page = _render_entry(entry, role, **forms)
    except Exception:
        db.session.commit()
        raise
    db.session.commit()
    return page


def _render_entry(entry, role: str, **forms):
    """The entry page (use _show_entry, which records the read)."""
    recipient = services.flag_recipient(entry) if role == services.OWNER else None
    context = {
        "entry": entry, "role": role, "share_form": ShareForm(formdata=None),
        "comment_form": forms.get("comment_form") or CommentForm(formdata=None),
        "comment_privacy": forms.get("comment_privacy"),
        "flag_form": forms.get("flag_form") or _fresh_flag_form(entry, recipient),
        "flag_privacy": forms.get("flag_privacy"),
        "facilitators": services.share_candidates(entry) if role == services.OWNER else [],
        "readers": services.audience_of(entry) if role == services.OWNER else [],
        "share_cohort": services.share_cohort(entry) if role == services.OWNER else None,
        "supervisor": recipient,
        "kept": forms.get("kept"),
    }
    return render_template("journal/entry.html", **context)


def _fresh_flag_form(entry, recipient) -> FlagForm:
    form = FlagForm(formdata=None)
    form.base.data = flag_token(entry, recipient)
    return form


def flag_token(entry, recipient) -> str:
    """Whom the flag form says the entry goes to (services.flag_recipient), and whether it was sent
    already (FlagForm.base)."""
    return state_token(recipient.id if recipient else None, entry.flag.is_open if entry.flag else None)


def _kept(message: str, label: str, text: str) -> dict[str, str]:
    """Typed text given back beside the reason it was not sent (journal/_kept.html)."""
    return {"message": message, "label": label, "text": text}


@bp.get("/entries/<int:entry_id>")
@login_required
def entry(entry_id: int):
    entry_, role = services.entry_for_reader_or_404(_user(), entry_id)
    return _show_entry(entry_, role)


@bp.post("/entries/<int:entry_id>/sharing")
@login_required
def set_sharing(entry_id: int):
    entry_ = services.entry_for_owner_or_404(_user(), entry_id)
    form = ShareForm()
    if not form.validate_on_submit() or form.shared.data not in ("1", "0"):
        abort(400)
    # The page lists the facilitators as ticked boxes (and says so with `audience_shown`); a form
    # without the list shares with all of them, as the page promised before the list existed.
    readers = None
    if form.shared.data == "1" and request.form.get("audience_shown"):
        # An id that is no id ('²' passes isdigit(), int() refuses it) names nobody listed: 0.
        readers = [parse_id(v) or 0 for v in request.form.getlist("reader")]
    try:
        services.set_shared(entry_, form.shared.data == "1", readers)
    except services.JournalError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(url_for("journal.entry", entry_id=entry_.id))
    db.session.commit()
    if entry_.shared:
        flash(_("The entry is shared with %(names)s. You can take it back at any time.",
                names=", ".join(u.name for u in services.audience_of(entry_))), "success")
    else:
        flash(_("The entry is private again: only you can read it."), "success")
    return redirect(url_for("journal.entry", entry_id=entry_.id))


@bp.post("/entries/<int:entry_id>/delete")
@login_required
def delete_entry(entry_id: int):
    entry_ = services.entry_for_owner_or_404(_user(), entry_id)
    title = entry_.title
    services.delete_entry(entry_)
    drafts.discard_draft(_user(), f"journal:{entry_id}")
    db.session.commit()
    flash(_("The entry “%(title)s” is deleted.", title=title), "success")
    return redirect(url_for("journal.index"))


@bp.post("/entries/<int:entry_id>/comments")
@login_required
@once.per_key
def comment(entry_id: int):
    user = _user()
    form = CommentForm()
    try:
        entry_, role = services.entry_for_reader_or_404(user, entry_id)
    except NotFound:
        # Not shared with this user (any more), or no such entry: the same 404 either way, with
        # the comment given back.
        if not (form.body.data or "").strip():
            raise
        return render_template("journal/not_sent.html", kept=_kept(
            _("This entry is not shared with you, or no longer, so your comment could not be sent. "
              "Your text is kept here to copy."), str(form.body.label.text), form.body.data)), 404
    if not form.validate_on_submit():
        return _show_entry(entry_, role, comment_form=form)
    review = review_fields(form, ["body"])
    if review.blocked:
        return _show_entry(entry_, role, comment_form=form, comment_privacy=review)
    try:
        services.add_comment(entry_, user, services.text_to_html(form.body.data))
    except services.JournalError as exc:
        db.session.rollback()
        return _comment_not_sent(entry_, role, form, str(exc)), 422
    once.saved(url_for("journal.entry", entry_id=entry_.id) + "#comments")
    db.session.commit()
    flash(_("Your comment is sent."), "success")
    return redirect(url_for("journal.entry", entry_id=entry_.id) + "#comments")


def _comment_not_sent(entry, role: str, form: CommentForm, message: str):
    """The entry page again with the comment as typed: in the form while the entry is shared,
    otherwise beside what changed (made private after the page was loaded), to copy."""
    if entry.shared:
        flash(message, "danger")
        return _show_entry(entry, role, comment_form=form)
    message = " ".join((message, _("The entry was made private after this page was opened (or in another tab), "
                                   "so your comment was not sent. Your text is kept here to copy.")))
    return _show_entry(entry, role, kept=_kept(message, str(form.body.label.text), form.body.data or ""))


@bp.post("/entries/<int:entry_id>/flag")
@login_required
@once.per_key
def flag_entry(entry_id: int):
    entry_ = locked_for_save(services.entry_for_owner_or_404(_user(), entry_id))
    form = FlagForm()
    if not form.validate_on_submit():
        return _show_entry(entry_, services.OWNER, flag_form=form)
    if stale_edit(form, flag_token(entry_, services.flag_recipient(entry_))):
        return _flag_not_sent(entry_, form, _flag_change(entry_)), 409
    review = review_fields(form, ["note"])
    if review.blocked:
        return _show_entry(entry_, services.OWNER, flag_form=form, flag_privacy=review)
    try:
        flag = services.flag_entry(entry_, services.text_to_html(form.note.data))
    except services.JournalError as exc:
        db.session.rollback()
        return _flag_not_sent(entry_, form, str(exc)), 422
    once.saved(url_for("journal.flag", flag_id=flag.id))
    db.session.commit()
    flash(_("Your entry was sent to %(name)s, and only to them. They will answer here.",
            name=flag.supervisor.name), "success")
    return redirect(url_for("journal.flag", flag_id=flag.id))


def _flag_change(entry) -> str:
    """What changed since the flag form was loaded, in the owner's words."""
    recipient = services.flag_recipient(entry)
    if recipient is None:
        return _("Your cohort no longer names a supervisor, so the entry was not sent. Your note is kept here; "
                 "please talk to your facilitator or national coordinator.")
    if entry.flag is not None and entry.flag.is_open:
        return _("This entry was already sent to %(name)s from another tab or device. Your note here was not "
                 "sent: you can write it in the conversation.", name=recipient.name)
    return _("Your supervisor changed after you opened this page: the entry would now go to %(name)s. Nothing "
             "was sent and your note is kept; send it again if %(name)s should receive it.", name=recipient.name)


def _flag_not_sent(entry, form: FlagForm, message: str):
    """The entry page again with the note as typed: in the flag form while it can still be sent
    (based on whom it now goes to), otherwise beside the reason, to copy."""
    form.base.data = flag_token(entry, services.flag_recipient(entry))
    if services.flag_recipient(entry) is not None and not (entry.flag is not None and entry.flag.is_open):
        flash(message, "danger")
        return _show_entry(entry, services.OWNER, flag_form=form)
    return _show_entry(entry, services.OWNER, kept=_kept(message, str(form.note.label.text), form.note.data or ""))


# --- flags -----------------------------------------------------------------------------------------

@bp.get("/flags")
@login_required
def flags():
    return render_template("journal/flags.html", flags=services.flags_for_supervisor(_user()))


def _record_flag_read(flag) -> None:
    """The supervisor's reads of a flagged entry go to the audit log, like any read of someone
    else's entry; views call this before every showing of the conversation."""
    services.record_flag_read(flag, _user())
    db.session.commit()


def _render_flag(flag, role: str, form=None, privacy=None):
    return render_template("journal/flag.html", flag=flag, entry=flag.entry, role=role,
                           form=form or FlagReplyForm(formdata=None), privacy=privacy)


@bp.get("/flags/<int:flag_id>")
@login_required
def flag(flag_id: int):
    flag_, role = services.flag_for_reader_or_404(_user(), flag_id)
    _record_flag_read(flag_)
    return _render_flag(flag_, role)


@bp.post("/flags/<int:flag_id>/replies")
@login_required
@once.per_key
def flag_reply(flag_id: int):
    user = _user()
    flag_, role = services.flag_for_reader_or_404(user, flag_id)
    form = FlagReplyForm()
    if not form.validate_on_submit():
        _record_flag_read(flag_)
        return _render_flag(flag_, role, form)
    review = review_fields(form, ["body"])
    if review.blocked:
        _record_flag_read(flag_)
        return _render_flag(flag_, role, form, review)
    try:
        services.reply_to_flag(flag_, user, services.text_to_html(form.body.data))
    except services.JournalError as exc:
        db.session.rollback()
        form.body.errors = [str(exc)]
        _record_flag_read(flag_)
        return _render_flag(flag_, role, form)
    once.saved(url_for("journal.flag", flag_id=flag_.id))
    db.session.commit()
    flash(_("Your answer is sent."), "success")
    return redirect(url_for("journal.flag", flag_id=flag_.id))


@bp.post("/flags/<int:flag_id>/close")
@login_required
def close_flag(flag_id: int):
    flag_, _role = services.flag_for_reader_or_404(_user(), flag_id)
    services.close_flag(flag_)
    db.session.commit()
    flash(_("The conversation is closed. The entry can be flagged again at any time."), "success")
    return redirect(url_for("journal.flag", flag_id=flag_.id))


# --- facilitators --------------------------------------------------------------------------------

@bp.get("/shared")
@login_required
def shared():
    user = _user()
    if not services.is_facilitator(user):
        abort(403)
    return render_template("journal/shared.html", items=services.shared_with(user))


# --- export --------------------------------------------------------------------------------------

@bp.get("/export.<any(md, html):fmt>")
@login_required
def export(fmt: str):
    user = _user()
    entries = services.export_journal(user, fmt)
    db.session.commit()
    stamp = utcnow().strftime("%Y-%m-%d")
    template = "journal/export.md" if fmt == "md" else "journal/export.html"
    body = render_template(template, entries=entries, user=user, exported_at=utcnow(),
                           to_markdown=html_to_markdown, md=md_escape)
    mimetype = "text/markdown" if fmt == "md" else "text/html"
    return Response(body, mimetype=f"{mimetype}; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="journal-{stamp}.{fmt}"'})


# --- group reflection ------------------------------------------------------------------------------

@bp.get("/groups")
@login_required
def groups():
    return render_template("journal/groups.html", cohorts=services.group_cohorts(_user()))


def _render_group(cohort: Cohort, form=None, privacy=None, reply_forms=None, reply_privacy=None, status=200):
    user = _user()
    posts = services.group_posts(cohort)
    reply_forms = reply_forms or {}
    for post in posts:
        reply_forms.setdefault(post.id, GroupReplyForm(formdata=None, prefix=f"reply-{post.id}"))
    draft_key = f"journal:group-{cohort.id}"
    draft = drafts.get_draft(user, draft_key)
    if form is None:
        form = GroupPostForm(formdata=_formdata(draft.data) if draft else None)
    return render_template("journal/group.html", cohort=cohort, posts=posts, form=form, privacy=privacy,
                           reply_forms=reply_forms, reply_privacy=reply_privacy or {}, draft=draft,
                           draft_key=draft_key), status


@bp.route("/groups/<int:cohort_id>", methods=["GET", "POST"])
@login_required
@once.per_key
def group(cohort_id: int):
    user = _user()
    cohort = services.group_cohort_or_404(user, cohort_id)
    if request.method == "GET":
        return _render_group(cohort)
    form = GroupPostForm()
    if not form.validate_on_submit():
        return _render_group(cohort, form)
    draft_key = f"journal:group-{cohort.id}"
    outcome = guarded_save(user, draft_key, snapshot(request.form), request.form.get("draft_version", type=bounded_int),
                           texts={name: (form[name].label.text, form[name].data or "") for name in ("title", "body")},
                           confirmed=bool(form.privacy_confirmed.data),
                           save=once.saving(lambda: services.add_group_post(
                               cohort, user, form.title.data, services.text_to_html(form.body.data)),
                               lambda post: url_for("journal.group", cohort_id=cohort.id) + f"#post-{post.id}"))
    if not outcome.saved:
        if outcome.conflict is not None:
            flash(outcome.conflict.message, "danger")
            return _render_group(cohort, form, status=outcome.status)
        if outcome.privacy is None:
            form.body.errors = outcome.errors
        return _render_group(cohort, form, outcome.privacy)
    post = outcome.result
    flash(_("Your reflection is posted for %(cohort)s.", cohort=cohort.name), "success")
    return redirect(url_for("journal.group", cohort_id=cohort.id) + f"#post-{post.id}")


@bp.post("/groups/posts/<int:post_id>/replies")
@login_required
@once.per_key
def group_reply(post_id: int):
    user = _user()
    form = GroupReplyForm(prefix=f"reply-{post_id}")
    try:
        post = services.group_post_or_404(user, post_id)
    except NotFound:
        # Deleted while the reply was typed (or the group left): the same 404, the reply given back.
        if not (form.body.data or "").strip():
            raise
        return render_template("journal/not_sent.html", heading=_("Your reply was not sent"), kept=_kept(
            _("The reflection you replied to was deleted, or you are no longer in its group, so your reply "
              "could not be sent. Your text is kept here to copy."), str(form.body.label.text), form.body.data),
            back={"url": url_for("journal.groups"), "label": _("Group reflection")}), 404
    if not form.validate_on_submit():
        return _render_group(post.cohort, reply_forms={post.id: form})
    review = review_fields(form, ["body"])
    if review.blocked:
        return _render_group(post.cohort, reply_forms={post.id: form}, reply_privacy={post.id: review})
    try:
        services.add_group_reply(post, user, services.text_to_html(form.body.data))
    except services.JournalError as exc:
        db.session.rollback()
        form.body.errors = [str(exc)]
        return _render_group(post.cohort, reply_forms={post.id: form})
    once.saved(url_for("journal.group", cohort_id=post.cohort_id) + f"#post-{post.id}")
    db.session.commit()
    flash(_("Your reply is posted."), "success")
    return redirect(url_for("journal.group", cohort_id=post.cohort_id) + f"#post-{post.id}")


@bp.post("/groups/posts/<int:post_id>/delete")
@login_required
def delete_group_post(post_id: int):
    user = _user()
    post = services.group_post_or_404(user, post_id)
    cohort_id = post.cohort_id
    services.delete_group_post(post, user)
    db.session.commit()
    flash(_("Your reflection is deleted."), "success")
    return redirect(url_for("journal.group", cohort_id=cohort_id))


@bp.post("/groups/replies/<int:reply_id>/delete")
@login_required
def delete_group_reply(reply_id: int):
    user = _user()
    reply = services.group_reply_or_404(user, reply_id)
    cohort_id, post_id = reply.post.cohort_id, reply.post_id
    services.delete_group_reply(reply, user)
    db.session.commit()
    flash(_("Your reply is deleted."), "success")
    return redirect(url_for("journal.group", cohort_id=cohort_id) + f"#post-{post_id}")


# --- naming supervisors --------------------------------------------------------------------------

@bp.route("/cohorts/<int:cohort_id>/supervisors", methods=["GET", "POST"])
@login_required
def supervisors(cohort_id: int):
    user = _user()
    cohort = db.get_or_404(Cohort, cohort_id)
    if not services.can_manage_supervisors(user, cohort):
        abort(403)
    trainees = services.cohort_trainees(cohort)
    candidates = services.supervisor_candidates(cohort)
    form = SupervisorForm()
    form.trainee_id.choices = [(0, _("Every trainee of the cohort (the cohort's supervisor)")),
                               *[(t.id, t.name) for t in trainees]]
    form.supervisor_id.choices = [(0, _("Nobody (remove the choice)")), *[(c.id, c.name) for c in candidates]]
    if form.validate_on_submit():
        trainee = next((t for t in trainees if t.id == form.trainee_id.data), None)
        supervisor = next((c for c in candidates if c.id == form.supervisor_id.data), None)
        try:
            services.set_supervisor(cohort, trainee, supervisor, user)
        except services.JournalError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The supervisor is saved."), "success")
            return redirect(url_for("journal.supervisors", cohort_id=cohort.id))
    return render_template("journal/supervisors.html", cohort=cohort, form=form,
                           assignments=services.supervisors_of(cohort), candidates=candidates)
