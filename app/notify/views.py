"""Announcements, reminders about overdue work, notification preferences and unsubscribing.

Who may address whom is decided by app/services/announcements.py (the audiences a user may
choose) and app/access.py (the cohorts whose status a user sees); these views only ask."""
from __future__ import annotations

import secrets

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..access import get_cohort_for_status_or_403
from ..auth.forms import ChangePasswordForm
from ..conflicts import conflict_page, locked_for_save, stale_edit
from ..extensions import csrf, db
from ..input_guard import parse_id
from ..models import Announcement, User
from ..sanitize import safe_html
from ..services import announcements, preferences, reminders
from ..services import unsubscribe as unsubscribing
from ..services.meetings import today_for
from ..text import has_line_break
from . import bp
from .forms import (
    BODY_LIMIT,
    SUBJECT_LIMIT,
    AnnouncementForm,
    Choice,
    ReminderForm,
    preferences_form,
    preferences_token,
)

# --- announcements -------------------------------------------------------------------------------

def _announcement_form(user: User) -> AnnouncementForm:
    form = AnnouncementForm()
    form.audience.choices = [Choice(a.key, a.label) for a in announcements.audiences_for(user)]
    form.not_done.choices = [Choice("", _("Everyone in the audience"))] + [
        Choice(str(aid), label) for aid, label in announcements.activity_choices(user)]
    languages = current_app.config["LANGUAGES"]
    form.language.choices = [Choice(code, name) for code, name in languages.items()]
    if not form.is_submitted():
        form.language.data = user.locale if user.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]
        form.send_key.data = secrets.token_hex(16)
    return form


def _versions() -> tuple[dict[str, dict[str, str]], str | None]:
    """The other languages' subject and text as posted, or a message about the first bad one."""
    versions: dict[str, dict[str, str]] = {}
    for lang, name in current_app.config["LANGUAGES"].items():
        subject = request.form.get(f"subject_{lang}", "").strip()
        body = request.form.get(f"body_{lang}", "")
        if not subject and not body.strip():
            continue
        if has_line_break(subject) or len(subject) > SUBJECT_LIMIT or len(body) > BODY_LIMIT:
            return {}, _("The %(language)s subject must be one line of at most %(num)d characters, and the text "
                         "at most %(limit)d.", language=name, num=SUBJECT_LIMIT, limit=BODY_LIMIT)
        if not subject or not body.strip():
            return {}, _("The %(language)s version needs both a subject and a text.", language=name)
        versions[lang] = {"subject": subject, "body": body}
    return versions, None


@bp.route("/announcements/new", methods=["GET", "POST"])
@login_required
def new_announcement():
    user = current_user._get_current_object()
    form = _announcement_form(user)
    if not form.audience.choices:
        abort(403)
    preview = None
    if form.validate_on_submit():
        versions, problem = _versions()
        if form.language.data not in current_app.config["LANGUAGES"]:
            problem = _("Choose the language you wrote in from the list.")
        activity_id = parse_id(form.not_done.data) if form.not_done.data else None
        if form.not_done.data and activity_id is None:
            problem = _("Choose the activity from the list.")
        try:
            if problem:
                raise announcements.AnnouncementError(problem)
            draft = announcements.prepare(user, form.audience.data, activity_id, form.language.data,
                                          form.subject.data, form.body.data, versions)
            if "send" in request.form:
                sent = announcements.send(user, draft, form.send_key.data)
                db.session.commit()
                flash(ngettext("Announcement sent to %(num)d trainee.", "Announcement sent to %(num)d trainees.",
                               sent.recipients), "success")
                return redirect(url_for("notify.announcement", announcement_id=sent.id))
            preview = (announcements.describe(draft.audience, draft.activity),
                       len(announcements.recipients(draft.audience, draft.activity)))
        except announcements.AnnouncementError as error:
            db.session.rollback()
            flash(str(error), "danger")
            return render_template("notify/announcement_form.html", form=form, preview=None), 422
    return render_template("notify/announcement_form.html", form=form, preview=preview)


@bp.get("/announcements")
@login_required
def announcement_list():
    user = current_user._get_current_object()
    return render_template("notify/announcements.html", sent=announcements.sent_by(user),
                           received=announcements.received_by(user),
                           may_write=bool(announcements.audiences_for(user)))


@bp.get("/announcements/<int:announcement_id>")
@login_required
def announcement(announcement_id: int):
    item = db.session.get(Announcement, announcement_id)
    if item is None or not announcements.may_read(current_user, item):
        abort(404)
    subject, body = item.version_for(current_user.locale)
    return render_template("notify/announcement.html", item=item, subject=subject, body=safe_html(body))


# --- reminders about overdue work ----------------------------------------------------------------

@bp.route("/cohorts/<int:cohort_id>/reminders", methods=["GET", "POST"])
@login_required
def cohort_reminders(cohort_id: int):
    cohort = get_cohort_for_status_or_403(cohort_id)
    user = current_user._get_current_object()
    today = today_for(user)
    form, outcome = ReminderForm(), None
    if form.validate_on_submit():
        activity_id = parse_id(form.activity_id.data)
        try:
            if activity_id is None:
                raise reminders.ReminderError(_("Choose the activity from the list."))
            outcome = reminders.remind_overdue(user, cohort, activity_id, today)
        except reminders.ReminderError as error:
            db.session.rollback()
            flash(str(error), "warning")
        else:
            db.session.commit()
    elif form.is_submitted():
        flash(_("Choose the activity from the list."), "warning")
    return render_template("notify/reminders.html", cohort=cohort, items=reminders.overdue_items(cohort, today),
                           form=ReminderForm(formdata=None), outcome=outcome)


# --- preferences and unsubscribing ---------------------------------------------------------------

@bp.post("/account/notifications")
@login_required
def save_preferences():
    user = locked_for_save(current_user._get_current_object())  # one save of this user's choices at a time
    modes = preferences.all_modes(user)
    form = preferences_form(modes)()
    stored = preferences_token(modes)
    unknown = {k for k in request.form if k.startswith("pref_")} - {f"pref_{k}" for k in preferences.KINDS}
    try:
        if unknown or not form.validate_on_submit():
            raise preferences.PreferenceError("form")
        if stale_edit(form, stored):
            # Changed in another tab since: the choices as made here, the saved ones beside them.
            from ..auth.views import _profile_form, account_context  # the account page is auth's
            saved = "; ".join(f"{label}: {preferences.MODE_LABELS[modes[kind]]}"
                              for kind, (label, _offered) in preferences.KINDS.items())
            return conflict_page("auth/account.html", form, stored, saved, form_key="preferences_form",
                                 conflict_in="notifications", form=_profile_form(user),
                                 **account_context(user, ChangePasswordForm(formdata=None), prefs=form))
        for kind in preferences.KINDS:
            # Blank is "not sent" (the field is optional); anything else must be a mode the kind offers.
            value = (form[f"pref_{kind}"].data or "").strip()
            if value:
                preferences.set_mode(user, kind, value)
    except preferences.PreferenceError:
        # A forged field (a safety notice, say) or a mode the kind does not offer: nothing is saved.
        db.session.rollback()
        flash(_("These notification settings cannot be saved: safety notices cannot be turned off, and each "
                "kind offers only the choices listed."), "danger")
        return redirect(url_for("auth.account")), 303
    db.session.commit()
    flash(_("Your notification settings are saved."), "success")
    return redirect(url_for("auth.account"))


def _token_or_404(token: str) -> tuple[User, str]:
    found = unsubscribing.read_token(token)
    user = db.session.get(User, found[0]) if found else None
    if found is None or user is None or user.erased_at is not None:
        abort(404)
    return user, found[1]


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str):
    user, category = _token_or_404(token)
    return render_template("notify/unsubscribe.html", token=token, category=category, done=False,
                           label=_label(category))


# RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" without a session or a form token;
# the signed token in the address is the credential.
@bp.post("/unsubscribe/<token>")
@csrf.exempt
def unsubscribe(token: str):
    user, category = _token_or_404(token)
    unsubscribing.unsubscribe(user, category)
    db.session.commit()
    return render_template("notify/unsubscribe.html", token=token, category=category, done=True,
                           label=_label(category))


def _label(category: str) -> str:
    if category == unsubscribing.DIGEST_LINK:
        return _("The digest e-mail")
    return str(preferences.KINDS[category][0])
