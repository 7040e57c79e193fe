"""Answering questionnaires (trainees), and their results (facilitators, coordinators, admins).

Access is decided in access.py (can_view_scope, can_remind, can_view_trainee) and by the
programme service for the answer page; these views only call them."""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from app import numbers
from app.access import is_facilitator_of
from app.audit import record
from app.conflicts import Conflict, state_token
from app.csv_export import csv_stream, header_row
from app.extensions import db
from app.forms import LocalizedForm
from app.guarded_save import guarded_save, snapshot
from app.input_guard import bounded_int
from app.localized import localized_settings
from app.models import Cohort, User
from app.services import programme as programme_service

from . import results, services
from .csv_labels import GROWTH_LABELS, INSTRUMENT_LABELS
from .forms import answer_form, formdata_from_answers, formdata_from_draft

bp = Blueprint("evaluation", __name__, template_folder="templates")

#: Request fields that are not answers (never stored in a part-way draft).
NOT_ANSWERS = {"csrf_token", "draft_key", "draft_version", "browser_copy", "save", "send", "privacy_confirmed",
               "answers_base"}


class ActionForm(LocalizedForm):
    """Only the CSRF token: the button is the whole form."""


# --- answering -----------------------------------------------------------------------------------

def _situation_or_404(slug: str) -> tuple[programme_service.Viewer, services.Situation]:
    viewer = programme_service.viewer_or_404(current_user)
    activity = programme_service.activity_or_404(viewer, slug, type_=services.PLUGIN)
    return viewer, services.situation(current_user, activity, viewer.cohorts, viewer.is_trainee)


def _shown_instrument(s: services.Situation) -> dict:
    """The questionnaire in the reader's language: same keys, so answers are stored by question
    key whatever the language; results and CSV read the English `s.instrument`."""
    return localized_settings(s.activity)["instrument"]


def _display_form(s: services.Situation):
    if s.answers is not None:
        return answer_form(_shown_instrument(s), formdata_from_answers(s.instrument, s.answers))
    if s.draft is not None and s.editable:
        return answer_form(_shown_instrument(s), formdata_from_draft(s.draft.data))
    return answer_form(_shown_instrument(s), MultiDict())


def _render(viewer, s: services.Situation, form, problems=(), privacy=None, status: int = 200, based_on_shown=False):
    """`based_on_shown`: the form comes back for a fix (problems, privacy) and stays based on the
    answers its page showed; otherwise it is based on what is stored now."""
    results_links = [] if s.is_trainee else services.results_links(current_user, s.activity)
    return render_template("evaluation/answer.html", viewer=viewer, s=s, form=form, problems=list(problems),
                           privacy=privacy, due=programme_service.due_date_of(viewer, s.activity),
                           results_links=results_links,
                           answers_base=request.form.get("answers_base", answers_token(s)) if based_on_shown
                           else answers_token(s)), status


def answers_token(s: services.Situation) -> str:
    """What the page showed as sent ("" before sending): the form carries it (`answers_base`), and
    sending from a page whose answers were changed since, in another tab, is a conflict."""
    return state_token(s.answers) if s.submitted else ""


@bp.get("/<slug>")
@login_required
def answer(slug: str):
    viewer, s = _situation_or_404(slug)
    if services.discard_stale_draft(current_user, s):
        db.session.commit()
    return _render(viewer, s, _display_form(s))


@bp.post("/<slug>")
@login_required
def answer_post(slug: str):
    viewer, s = _situation_or_404(slug)
    if not s.is_trainee:
        abort(403)  # staff may preview a questionnaire; only trainees answer it
    form = answer_form(_shown_instrument(s))
    if not form.validate():  # the CSRF token only: answers are checked by form.check()
        return _render(viewer, s, form, status=400, based_on_shown=True)
    user = current_user._get_current_object()
    sending = bool(form.send.data)
    problems = form.check(require=sending)
    if problems:
        return _render(viewer, s, form, problems, status=422, based_on_shown=True)
    # Free text is checked before it is stored, whether sent or saved part-way. Only a part-way
    # save of an open questionnaire keeps a draft: answers being sent, or sent already, never sit
    # beside the name (the form keeps what was typed; `submit` removes the part-way draft).
    keeps_draft = not sending and s.editable and not s.submitted
    outcome = guarded_save(user, s.draft_key if keeps_draft else None, snapshot(request.form, NOT_ANSWERS),
                           request.form.get("draft_version", type=bounded_int), texts=form.text_fields(),
                           confirmed=bool(form.privacy_confirmed.data) or not s.editable,
                           save=(lambda: _send_once(user, s, form.answers())) if sending
                           else (lambda: services.check_partial(user, s)), discard_draft=sending)
    if outcome.privacy is not None:
        s.draft = outcome.draft or s.draft  # the version just stored, so that confirming is no conflict
        return _render(viewer, s, form, privacy=outcome.privacy, status=422, based_on_shown=True)
    if outcome.conflict is not None:
        # Another tab saved first: the form again as typed, since no draft holds these answers
        # (a redirect would lose them); what the other tab stored stays stored.
        flash(outcome.conflict.message, "warning" if isinstance(outcome.conflict, AlreadySent) else "danger")
        return _render(viewer, s, form, status=outcome.status)
    if not outcome.saved and s.editable:
        # Refused while open (sent meanwhile in another tab, say): the answers as typed stay on the page.
        flash(" ".join(outcome.errors), "danger")
        return _render(viewer, s, form, status=outcome.status)
    if not outcome.saved:
        flash(" ".join(outcome.errors), "danger")
        return redirect(url_for("evaluation.answer", slug=slug))
    if not sending:
        flash(_("Your answers are saved. Come back to finish them by %(date)s.",
                date=format_date(s.window.closes_on)), "success")
        return redirect(url_for("evaluation.answer", slug=slug))
    first = outcome.result
    if first:
        flash(_("Thank you: your answers are sent. You can change them until %(date)s.",
                date=format_date(s.window.closes_on)), "success")
    else:
        flash(_("Your changes are saved."), "success")
    return redirect(url_for("evaluation.answer", slug=slug))


class AlreadySent(Conflict):
    """The same answers sent twice at once (two tabs): the first one counts."""


class ChangedElsewhere(Conflict):
    """Answers sent or changed in another tab after this page was loaded: sending these would
    replace them unseen."""


def _send_once(user: User, s, answers) -> bool:
    if "answers_base" in request.form and request.form["answers_base"] != answers_token(s):
        raise ChangedElsewhere(message=_(
            "Your answers were sent or changed in another tab or on another device after you opened this page. "
            "Nothing was overwritten: the answers below are the ones you chose here and are not saved yet. "
            "Reload the page to see the saved answers, or send these to replace them."))
    try:
        first = services.submit(user, s, answers)
        db.session.flush()  # inside the save path's savepoint, so a duplicate is caught here
    except IntegrityError:
        raise AlreadySent(message=_("Your answers were already sent from another tab; reload to see them.")) from None
    return first


# --- results -------------------------------------------------------------------------------------

def _scope_or_abort(token: str) -> services.Scope:
    scope = services.parse_scope(token)
    if scope is None:
        abort(404)
    if not services.can_view_scope(current_user, scope):
        abort(403)
    return scope


def _activity_in_scope_or_404(scope: services.Scope, slug: str):
    activity = services.activity_in_scope_or_none(scope, slug)
    if activity is None:
        abort(404)
    return activity


@bp.get("/results")
@login_required
def results_index():
    groups = services.visible_scopes(current_user)
    if not groups:
        abort(403)
    return render_template("evaluation/results_index.html", groups=groups)


@bp.get("/results/<scope>")
@login_required
def scope_overview(scope: str):
    s = _scope_or_abort(scope)
    rates, groups = services.rate_breakdown(s)
    bars = [results.Bar(r.activity.slug, r.activity.title, r.answered, r.percent or 0) for r in rates]
    countries = [g for g in groups if g.kind == services.COUNTRY]
    cohorts = [g for g in groups if g.kind == services.COHORT]
    return render_template("evaluation/scope.html", scope=s, rates=rates, rate_bars=bars,
                           countries=countries, cohorts=cohorts,
                           country_cells=_breakdown_cells(countries, rates, link_to_results=False),
                           cohort_cells=_breakdown_cells(cohorts, rates, link_to_results=True),
                           has_growth=results.growth_plan([r.activity for r in rates]) is not None)


def _breakdown_cells(groups, rates, link_to_results: bool) -> list[list[tuple[str, str | None] | None]]:
    """Per questionnaire, per group: (figure, address of its results or None), or None where it
    does not apply. Built here, with the figure's wording translated once: a run's page has a
    cell per questionnaire and cohort (2,880 at 10,000 trainees), and building each in the
    template was most of the page's time."""
    wording = _("%(answered)s of %(expected)s")
    percents: dict = {}  # a few distinct percentages over thousands of cells: each formatted once
    # One address built by the URL map, the others from it: scope tokens and slugs are single
    # path segments, quoted as werkzeug quotes them (letters, digits, "-" and "_" stay as they are).
    address = url_for("evaluation.instrument_results", scope="__scope__", slug="__slug__")
    cells: list[list[tuple[str, str | None] | None]] = []
    for r in rates:
        row: list[tuple[str, str | None] | None] = []
        of_activity = address.replace("__slug__", quote(r.activity.slug, safe=""))
        for g in groups:
            gr = g.rates.get(r.activity.id)
            if gr and gr.expected:
                if gr.percent not in percents:
                    percents[gr.percent] = numbers.percent(gr.percent)
                figure = wording % {"answered": numbers.count(gr.answered), "expected": numbers.count(gr.expected)} \
                    + f" ({percents[gr.percent]})"
                href = of_activity.replace("__scope__", quote(g.scope_token, safe="")) if link_to_results else None
                row.append((figure, href))
            else:
                row.append(None)
        cells.append(row)
    return cells


@bp.get("/results/<scope>/i/<slug>")
@login_required
def instrument_results(scope: str, slug: str):
    s = _scope_or_abort(scope)
    activity = _activity_in_scope_or_404(s, slug)
    rates, groups = services.rate_breakdown(s, [activity])
    rate = rates[0]
    # For a country or all countries: per cohort, how many have not answered, and the way to see who.
    cohorts = [(g, g.rates[activity.id]) for g in groups if g.kind == services.COHORT and activity.id in g.rates]
    summary = results.instrument_summary(s, activity)
    waiting, reminder, named = None, None, []
    if services.can_remind(current_user, s):
        waiting = services.non_respondents(s.cohort, activity)
        reminder = services.last_reminder(s.cohort, activity)
    if s.kind == services.COHORT and not services.instrument_of(activity)["anonymous"] \
            and is_facilitator_of(current_user, s.cohort.id):
        named = services.named_respondents(s.cohort, activity)
    return render_template("evaluation/instrument_results.html", scope=s, activity=activity, rate=rate,
                           cohorts=cohorts, summary=summary, waiting=waiting, reminder=reminder, named=named,
                           form=ActionForm(), scale_choices=results.scale_choices)


@bp.get("/results/<scope>/i/<slug>/export.csv")
@login_required
def instrument_csv(scope: str, slug: str):
    s = _scope_or_abort(scope)
    activity = _activity_in_scope_or_404(s, slug)
    summary = results.instrument_summary(s, activity)
    rows = results.instrument_csv_rows(s, activity, summary)
    record("evaluation.export", s.cohort or s.run, scope=s.token, activity=activity.slug)
    db.session.commit()
    return csv_stream(header_row(results.INSTRUMENT_HEADER, INSTRUMENT_LABELS), rows,
                      f"evaluation-{activity.slug}-{s.token}.csv")


@bp.get("/results/<scope>/growth")
@login_required
def growth(scope: str):
    s = _scope_or_abort(scope)
    report = results.growth_report(s)
    min_group = results.growth_min_group(report.plan) if report.plan else results.DEFAULT_MIN_GROUP
    return render_template("evaluation/growth.html", scope=s, report=report, min_group=min_group)


@bp.get("/results/<scope>/growth/export.csv")
@login_required
def growth_csv(scope: str):
    s = _scope_or_abort(scope)
    rows = results.growth_csv_rows(s, results.growth_report(s))
    record("evaluation.export", s.cohort or s.run, scope=s.token, activity="competency-growth")
    db.session.commit()
    return csv_stream(header_row(results.GROWTH_HEADER, GROWTH_LABELS), rows,
                      f"evaluation-competency-growth-{s.token}.csv")


@bp.post("/results/<scope>/i/<slug>/remind")
@login_required
def remind(scope: str, slug: str):
    s = _scope_or_abort(scope)
    if not services.can_remind(current_user, s):
        abort(403)
    activity = _activity_in_scope_or_404(s, slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        result = services.remind(current_user._get_current_object(), s.cohort, activity)
    except services.EvaluationError as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        count = len(result.sent)
        if count:
            flash(_("Reminder sent to %(count)d trainees.", count=count) if count != 1
                  else _("Reminder sent to 1 trainee."), "success")
        if result.skipped:
            names = "; ".join(f"{user.name} ({why})" for user, why in result.skipped)
            flash(_("Not reminded: %(names)s.", names=names), "warning")
    return redirect(url_for("evaluation.instrument_results", scope=scope, slug=slug))


# --- one trainee over time -----------------------------------------------------------------------

@bp.get("/trainee/<int:cohort_id>/<int:user_id>")
@login_required
def trainee_answers(cohort_id: int, user_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    trainee = db.get_or_404(User, user_id)
    relation = services.can_view_trainee(current_user, cohort, trainee)
    if relation is None:
        abort(403)
    items = services.trainee_answers(trainee, cohort, include_anonymous=relation == "self")
    if relation == "facilitator":
        # A facilitator reads a trainee's named answers: content, so it is audited.
        record("evaluation.read_named", trainee, cohort=cohort.id)
        db.session.commit()
    plan = results.growth_plan([i.activity for i in items])
    return render_template("evaluation/trainee.html", cohort=cohort, trainee=trainee, items=items,
                           relation=relation, plan=plan, rows=results.personal_growth(plan, items),
                           describe=results.describe_answer)
