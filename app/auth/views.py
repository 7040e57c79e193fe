from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import audit
from ..conflicts import conflict_page, locked_for_save, stale_edit, state_token
from ..extensions import db
from ..i18n import prefer_language
from ..notify.forms import preferences_form, preferences_token
from ..security import hash_password, login_device, login_throttle, needs_rehash, verify_password
from ..services import accounts, preferences, two_factor
from ..sessions import end_current_session
from ..timezones import zone_choices
from ..web import FORGET_COPIES
from . import bp
from .account_forms import account_two_factor_forms
from .forms import ChangePasswordForm, LoginForm, ProfileForm, RequestResetForm, SetPasswordForm
from .login_flow import ask_for_second_factor, complete_login, safe_next

# The partner countries' zones first; any IANA zone is accepted.


def _safe_next(target: str | None) -> str:
    return safe_next(target)


def _minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        throttle = login_throttle()
        client = request.remote_addr or "unknown"  # the real client: ProxyFix trusts only our proxies
        device = login_device(form.email.data)
        wait = throttle.blocked_for(form.email.data, client, device)
        if wait:
            flash(ngettext("Too many failed attempts. Try again in %(num)d minute, or reset your password.",
                           "Too many failed attempts. Try again in %(num)d minutes, or reset your password.",
                           _minutes(wait)), "danger")
            return render_template("auth/login.html", form=form), 429
        user = accounts.find_by_email(form.email.data)
        # The same Argon2 work for unknown, deactivated and active accounts (a dummy hash for the first two).
        may_log_in = user is not None and user.active
        if verify_password(user.password_hash if may_log_in else None, form.password.data) and user:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
            next_page = _safe_next(request.args.get("next"))
            if two_factor.has_second_factor(user):
                db.session.commit()
                # Not logged in yet: the second step (login_flow) finishes it once the code passes.
                return ask_for_second_factor(user, remember=form.remember.data, next_page=next_page)
            return complete_login(user, remember=form.remember.data, next_page=next_page)
        throttle.failed(form.email.data, client, device)
        # One message for unknown e-mail, wrong password and deactivated account: no enumeration.
        flash(_("The e-mail or password is not right."), "danger")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    audit.record("auth.logout", current_user._get_current_object())
    end_current_session(current_user._get_current_object())
    db.session.commit()
    flash(_("You are logged out."), "success")
    # A shared PC: the next person must not find this user's unsaved text in the browser. The
    # header empties local storage where the browser supports it; the flag has the next page's
    # script remove the copies (in a browser that ignores the header).
    session[FORGET_COPIES] = True
    response = redirect(url_for("auth.login"))
    response.headers["Clear-Site-Data"] = '"storage"'
    return response


@bp.route("/reset-password", methods=["GET", "POST"])
def request_reset():
    form = RequestResetForm()
    if form.validate_on_submit():
        # Never held back by failed logins; its own quiet limit per account, so the page cannot be
        # used to flood someone's inbox (the answer is the same either way).
        user = accounts.find_by_email(form.email.data)
        if user and user.active and login_throttle().reset_mail_allowed(user.email):
            accounts.send_password_link(user, "reset")
            db.session.commit()
        flash(_("If an account exists for %(email)s, we have sent it a link to choose a new password.",
                email=form.email.data), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/request_reset.html", form=form)


def _set_password_page(token: str, purpose: str):
    user = accounts.token_user(token, purpose)
    if user is not None:
        prefer_language(user.locale)  # the invitation speaks the language it was sent in
    if user is None:
        return render_template("auth/link_invalid.html", purpose=purpose), 410
    form = SetPasswordForm()
    form._email = user.email
    if form.validate_on_submit():
        accounts.use_token(token, purpose, form.new_password.data)
        db.session.commit()
        flash(_("Your password is set. Log in with it now."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, purpose=purpose, user=user)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _set_password_page(token, "reset")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _set_password_page(token, "invite")


def _profile_form(user) -> ProfileForm:
    form = ProfileForm(obj=user)
    form.locale.choices = list(current_app.config["LANGUAGES"].items())
    form.timezone.choices = zone_choices()
    if "base" not in request.form:  # shown, or beside another form's post: based on what is stored
        form.base.data = profile_token(user)
    return form


def profile_token(user) -> str:
    """What the profile form showed (ProfileForm.base): a save from another tab since is a conflict."""
    return state_token(user.name, user.locale, user.timezone)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    user = locked_for_save(current_user._get_current_object())
    form = _profile_form(user)
    stored = profile_token(user)
    stale = stale_edit(form, stored)
    if form.validate_on_submit() and stale:
        saved = " · ".join((user.name, current_app.config["LANGUAGES"].get(user.locale, user.locale or ""),
                            user.timezone or ""))
        return conflict_page("auth/account.html", form, stored, saved, conflict_in="profile",
                             **account_context(user, ChangePasswordForm()))
    if form.validate_on_submit():
        user.name = form.name.data.strip()
        user.locale = form.locale.data
        user.timezone = form.timezone.data
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("auth.account"))
    return _account_page(user, form, ChangePasswordForm())


def _account_page(user, form, password_form, status: int = 200, **two_factor_forms):
    """The account page, with the forms a failed post gives back (the others fresh)."""
    return render_template("auth/account.html", form=form,
                           **account_context(user, password_form, **two_factor_forms)), status


def account_context(user, password_form, prefs=None, **two_factor_forms) -> dict:
    """The account page's forms but the profile form: those a failed post gives back, the others
    fresh (the notification settings based on what they show)."""
    if prefs is None:
        modes = preferences.all_modes(user)
        prefs = preferences_form(modes)(formdata=None)
        prefs.base.data = preferences_token(modes)
    return {"password_form": password_form, "preferences_form": prefs,
            **account_two_factor_forms(user, **two_factor_forms)}


@bp.post("/account/password")
@login_required
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    form._email = user.email
    if form.validate_on_submit():
        if not verify_password(user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("The current password is not right."))
        else:
            accounts.set_password(user, form.new_password.data, keep_current_session=True)
            db.session.commit()
            flash(_("Your password is changed. Other devices have been logged out."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(user, _profile_form(user), form, 400)


@bp.post("/language")
def set_language():
    code = request.form.get("lang", "")
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))
