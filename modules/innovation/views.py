"""The micro-innovation's pages: the trainee's own record, a record for its readers, the
facilitators' board, the country group's shared innovations and the coordinators' counts."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice as Choice

from app import once
from app.errors import NotFound
from app.extensions import db
from app.guarded_save import guarded_save, snapshot
from app.input_guard import bounded_int
from app.models import Resource, SiteRole, User
from app.rich_text import html_to_editable, text_to_html
from app.sanitize import safe_html
from app.services import drafts
from app.services import meetings as meetings_service
from app.services import programme as programme_service

from . import access, queries, writes
from .forms import CommentForm, FactorForm, PlainForm, RecordForm, ShareForm, StageForm
from .models import Innovation
from .stages import FACTOR_KINDS, FACTOR_LEVELS, KNOWLEDGE, STAGE_HELP, STAGES, WORK_STATUS

bp = Blueprint("innovation", __name__, template_folder="templates")


@bp.app_context_processor
def labels() -> dict[str, Any]:
    return {"innovation_stages": STAGES, "innovation_stage_help": STAGE_HELP, "innovation_kinds": FACTOR_KINDS,
            "innovation_levels": FACTOR_LEVELS, "innovation_knowledge": KNOWLEDGE,
            "innovation_work_status": WORK_STATUS,
            # Stored HTML was cleaned when saved; cleaned again when shown, as everywhere.
            "innovation_html": safe_html}


def _user() -> User:
    return current_user._get_current_object()


def _resources() -> list[Resource]:
    viewer = programme_service.viewer_for(_user())
    return programme_service.resources(viewer) if viewer else []


def _record_form(**kwargs) -> RecordForm:
    form = RecordForm(**kwargs)
    form.resources.choices = [Choice(r.slug, r.title) for r in _resources()]
    return form


def _record_data(form: RecordForm) -> writes.RecordData:
    return writes.RecordData(
        title=form.title.data or "", family_pseudonym=form.family_pseudonym.data or "",
        situation_html=text_to_html(form.situation.data),
        families_part_html=text_to_html(form.families_part.data),
        knowledge={k: text_to_html(getattr(form, f"knowledge_{k}").data) for k in KNOWLEDGE},
        resource_slugs=list(form.resources.data or []))


def _texts(form: RecordForm) -> dict[str, tuple[str, str]]:
    fields = [form.title, form.family_pseudonym, form.situation, form.families_part, form.knowledge_practice,
              form.knowledge_education, form.knowledge_research]
    return {f.name: (str(f.label.text), f.data or "") for f in fields}


def _formdata(data: dict[str, Any]) -> MultiDict:
    items: list[tuple[str, Any]] = []
    for key, value in data.items():
        items.extend((key, v) for v in (value if isinstance(value, list) else [value]))
    return MultiDict(items)


def _record_values(innovation: Innovation) -> dict[str, Any]:
    return {"title": innovation.title, "family_pseudonym": innovation.family_pseudonym,
            "situation": html_to_editable(innovation.situation_html),
            "families_part": html_to_editable(innovation.families_part_html),
            **{f"knowledge_{k}": html_to_editable(innovation.knowledge.get(k)) for k in KNOWLEDGE},
            "resources": innovation.resource_slugs, "version": str(innovation.version)}


# --- the trainee's own record ---------------------------------------------------------------------

@bp.route("/", methods=["GET", "POST"])
@login_required
@once.per_key
def mine():
    user = _user()
    run = access.current_run(user)
    if run is None:
        return render_template("innovation/no_run.html"), 404
    innovation = queries.record_of(user, run)
    if innovation is not None and request.method == "GET":
        return _render_record(innovation)
    # A start sent from a second tab after the record exists: saved as an edit of no version, so
    # it is a conflict, and what was typed is kept as the record's draft.
    return _edit(innovation, run)


@bp.route("/<int:innovation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(innovation_id: int):
    innovation = db.session.get(Innovation, innovation_id)
    if innovation is None or innovation.owner_id != current_user.id:
        raise NotFound
    return _edit(innovation, innovation.run)


def _edit(innovation: Innovation | None, run):
    user = _user()
    key = f"innovation:{innovation.id}" if innovation else f"innovation:new:{run.id}"
    draft = drafts.get_draft(user, key)
    kwargs: dict[str, Any] = {}
    if request.method == "GET":
        if draft is not None:
            kwargs["formdata"] = _formdata(draft.data)
        elif innovation is not None:
            kwargs.update(_record_values(innovation))
    form = _record_form(**kwargs)
    page = {"form": form, "innovation": innovation, "draft_key": key}
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("innovation/edit.html", draft=draft, privacy=None, **page), status
    today = meetings_service.today_for(user)
    save = ((lambda: writes.save_record(innovation, _record_data(form), request.form.get("version", type=bounded_int)))
            if innovation else (lambda: writes.start(user, run, _record_data(form), today)))
    outcome = guarded_save(user, key, snapshot(request.form), request.form.get("draft_version", type=bounded_int),
                           texts=_texts(form), confirmed=bool(form.privacy_confirmed.data),
                           save=once.saving(save, lambda _r: url_for("innovation.mine")))
    if not outcome.saved:
        if outcome.conflict is not None:
            flash(outcome.conflict.message, "danger")
        form.form_errors.extend(e for e in outcome.errors if outcome.conflict is None)
        return render_template("innovation/edit.html", draft=outcome.draft or drafts.get_draft(user, key),
                               privacy=outcome.privacy, conflict=outcome.conflict, **page), outcome.status
    flash(_("Your micro-innovation is saved."), "success")
    return redirect(url_for("innovation.mine"))


# --- one record -----------------------------------------------------------------------------------

def _render_record(innovation: Innovation, status: int = 200, **forms):
    user = _user()
    owner = innovation.owner_id == user.id
    resources = {r.slug: r for r in _resources()}
    can_comment = access.can_comment(user, innovation)
    # Hand-ins are the owner's private work: their country group reads the shared record without them.
    work, events = queries.attached(innovation, user) if can_comment else ([], [])
    context = {
        "innovation": innovation, "owner": owner, "can_comment": can_comment,
        "timeline": queries.timeline(innovation, events, user), "attached_work": work,
        "show_work": can_comment,
        "resources": [resources[s] for s in innovation.resource_slugs if s in resources],
        "stage_form": forms.get("stage_form") or (_stage_form(innovation) if owner else StageForm(formdata=None)),
        "factor_form": forms.get("factor_form") or FactorForm(formdata=None),
        "comment_form": forms.get("comment_form") or CommentForm(formdata=None),
        "share_form": ShareForm(formdata=None), "plain_form": PlainForm(formdata=None),
        "privacy": forms.get("privacy"), "privacy_form": forms.get("privacy_form"),
        "comment_draft": drafts.get_draft(user, f"innovation:{innovation.id}:comment"),
        "stage_draft": drafts.get_draft(user, f"innovation:{innovation.id}:stage") if owner else None,
    }
    return render_template("innovation/record.html", **context), status


def _stage_form(innovation: Innovation) -> StageForm:
    """The stage form, with the stage a hand-in offered (?stage=, from the task's page) chosen."""
    form = StageForm(formdata=None)
    offered = request.args.get("stage")
    if offered in STAGES and offered != innovation.stage:
        form.stage.data = offered
    return form


@bp.get("/<int:innovation_id>")
@login_required
def record(innovation_id: int):
    innovation = access.innovation_for_reader_or_404(_user(), innovation_id)
    return _render_record(innovation)


def _own_or_404(innovation_id: int) -> Innovation:
    innovation = db.session.get(Innovation, innovation_id)
    if innovation is None or innovation.owner_id != current_user.id:
        raise NotFound
    return innovation


@bp.post("/<int:innovation_id>/stage")
@login_required
@once.per_key
def change_stage(innovation_id: int):
    innovation = _own_or_404(innovation_id)
    user = _user()
    form = StageForm()
    key = f"innovation:{innovation.id}:stage"
    if not form.validate():
        return _render_record(innovation, 422, stage_form=form)
    today = meetings_service.today_for(user)
    outcome = guarded_save(user, key, snapshot(request.form), request.form.get("draft_version", type=bounded_int),
                           texts={"why": (str(form.why.label.text), form.why.data or "")},
                           confirmed=bool(form.privacy_confirmed.data),
                           save=once.saving(lambda: writes.change_stage(
                               innovation, form.stage.data, form.reached_on.data, text_to_html(form.why.data), today),
                               lambda _r: url_for("innovation.mine") + "#timeline-h"))
    if not outcome.saved:
        form.form_errors.extend(outcome.errors)
        return _render_record(innovation, outcome.status, stage_form=form, privacy=outcome.privacy,
                              privacy_form=form)
    flash(_("The new stage is on your timeline."), "success")
    return redirect(url_for("innovation.mine") + "#timeline-h")


@bp.post("/<int:innovation_id>/factors")
@login_required
@once.per_key
def add_factor(innovation_id: int):
    innovation = _own_or_404(innovation_id)
    form = FactorForm()
    if not form.validate():
        return _render_record(innovation, 422, factor_form=form)
    try:
        writes.add_factor(innovation, form.kind.data, form.level.data, form.text.data)
    except writes.InnovationError as refused:
        db.session.rollback()
        form.form_errors.append(str(refused))
        return _render_record(innovation, 422, factor_form=form)
    once.saved(url_for("innovation.mine") + "#factors-h")
    db.session.commit()
    flash(_("The factor is added."), "success")
    return redirect(url_for("innovation.mine") + "#factors-h")


@bp.post("/<int:innovation_id>/factors/<int:factor_id>/delete")
@login_required
def delete_factor(innovation_id: int, factor_id: int):
    innovation = _own_or_404(innovation_id)
    if not PlainForm().validate():
        abort(400)
    writes.delete_factor(innovation, factor_id)
    db.session.commit()
    flash(_("The factor is removed."), "success")
    return redirect(url_for("innovation.mine") + "#factors-h")


@bp.post("/<int:innovation_id>/share")
@login_required
def share(innovation_id: int):
    innovation = _own_or_404(innovation_id)
    form = ShareForm()
    if not form.validate() or form.shared.data not in ("1", "0"):
        abort(400)
    writes.set_shared(innovation, form.shared.data == "1")
    db.session.commit()
    flash(_("Your country group can now read your micro-innovation.") if innovation.shared
          else _("Your micro-innovation is no longer shared with your country group."), "success")
    return redirect(url_for("innovation.mine"))


@bp.post("/<int:innovation_id>/comments")
@login_required
@once.per_key
def comment(innovation_id: int):
    user = _user()
    innovation = access.innovation_for_reader_or_404(user, innovation_id)
    if not access.can_comment(user, innovation):
        raise NotFound
    form = CommentForm()
    key = f"innovation:{innovation.id}:comment"
    if not form.validate():
        return _render_record(innovation, 422, comment_form=form)
    outcome = guarded_save(user, key, snapshot(request.form), request.form.get("draft_version", type=bounded_int),
                           texts={"body": (str(form.body.label.text), form.body.data or "")},
                           confirmed=bool(form.privacy_confirmed.data),
                           save=once.saving(lambda: writes.add_comment(innovation, user, text_to_html(form.body.data)),
                                            lambda _c: url_for("innovation.record", innovation_id=innovation.id)
                                            + "#comments-h"))
    if not outcome.saved:
        form.form_errors.extend(outcome.errors)
        return _render_record(innovation, outcome.status, comment_form=form, privacy=outcome.privacy,
                              privacy_form=form)
    flash(_("Your comment is sent."), "success")
    return redirect(url_for("innovation.record", innovation_id=innovation.id) + "#comments-h")


# --- cohorts --------------------------------------------------------------------------------------

@bp.get("/board/<int:cohort_id>")
@login_required
def board(cohort_id: int):
    cohort = access.board_cohort_or_404(_user(), cohort_id)
    return render_template("innovation/board.html", board=queries.board(cohort))


@bp.get("/group/<int:cohort_id>")
@login_required
def group(cohort_id: int):
    cohort = access.group_cohort_or_404(_user(), cohort_id)
    return render_template("innovation/group.html", cohort=cohort, innovations=queries.shared_in_group(cohort))


@bp.get("/counts")
@login_required
def counts():
    user = _user()
    if not access.sees_counts(user):
        abort(403)
    runs = queries.runs_with_innovations()
    run = runs[0] if runs else None
    if request.args.get("run"):
        run = next((r for r in runs if str(r.id) == request.args["run"]), None) or abort(404)
    every = user.site_role in (SiteRole.ADMIN, SiteRole.TRANSNATIONAL_COORDINATOR)
    countries = None if every else access.coordinated_country_ids(user)
    figures = queries.counts(run, countries, meetings_service.today_for(user)) if run else []
    return render_template("innovation/counts.html", runs=runs, run=run, figures=figures)
