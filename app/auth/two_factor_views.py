"""Two-factor login: the second step of the login, enrolment of an authenticator app from the
account page, new recovery codes, turning it off, and the rule that users of the roles in
TWO_FACTOR_REQUIRED_ROLES reach nothing but enrolment until they have a second factor."""
from __future__ import annotations

from flask import Response, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import audit
from ..extensions import db
from ..security import verify_password
from ..services import two_factor
from ..services.two_factor_mail import tell_owner
from . import bp
from .forms import ConfirmTotpForm, DisableTwoFactorForm, PasswordCheckForm, SecondStepForm
from .login_flow import complete_login, pending_login, second_factor_failed, second_factor_wait

ENROLMENT = "totp_enrolment"  # the sealed secret being set up, until the first code confirms it
#: What a user who must enrol first may still open.
OPEN_BEFORE_ENROLMENT = frozenset({
    "static", "auth.logout", "auth.set_language", "auth.two_factor_setup", "auth.two_factor_qr",
    "auth.passkey_register_options", "auth.passkey_register", "auth.recovery_codes_new"})


def _minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


@bp.before_app_request
def _enrol_first():
    if not current_user.is_authenticated or request.endpoint in OPEN_BEFORE_ENROLMENT:
        return None
    if not current_app.config.get("TWO_FACTOR_REQUIRED_ROLES") or two_factor.has_second_factor(current_user):
        return None
    if not two_factor.required_for(current_user):
        return None
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error="two_factor", message=_("Set up the second step at login first.")), 403
    flash(_("Your role needs a second step at login. Set up an authenticator app or a passkey to continue."),
          "warning")
    return redirect(url_for("auth.two_factor_setup"))


@bp.route("/login/second-step", methods=["GET", "POST"])
def second_step():
    found = pending_login()
    if found is None:
        flash(_("Log in with your e-mail and password first."), "info")
        return redirect(url_for("auth.login"))
    user, pending = found
    form = SecondStepForm()
    if form.validate_on_submit():
        wait = second_factor_wait(user)
        if wait:
            flash(ngettext("Too many wrong codes. Try again in %(num)d minute.",
                           "Too many wrong codes. Try again in %(num)d minutes.", _minutes(wait)), "danger")
            return render_template("auth/second_step.html", form=form, user=user), 429
        if two_factor.verify_second_factor(user, form.code.data):
            return complete_login(user, remember=pending["remember"], next_page=pending["next"], method="code")
        db.session.rollback()
        second_factor_failed(user)
        form.code.errors.append(_("This code is not right, or it has been used already."))
    return render_template("auth/second_step.html", form=form, user=user)


def _enrolment_secret() -> str:
    # Bound to the user: on a shared PC the next person to log in must never be handed a secret
    # the previous one has seen.
    pending = session.get(ENROLMENT)
    secret = None
    if isinstance(pending, dict) and pending.get("user") == current_user.id:
        secret = two_factor.unseal(pending.get("sealed"))
    if secret is None:
        secret = two_factor.new_secret()
        # The session cookie is signed, not encrypted: the secret goes in sealed.
        session[ENROLMENT] = {"user": current_user.id, "sealed": two_factor.seal(secret)}
    return secret


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    user = current_user._get_current_object()
    if two_factor.has_totp(user):
        if request.method == "POST":
            flash(_("Your authenticator app is set up already."), "info")
            return redirect(url_for("auth.account"))
        # Only the passkeys part: the app is set up.
        return render_template("auth/two_factor_setup.html", form=None, secret=None, required=False,
                               passkeys=list(user.passkeys))
    secret = _enrolment_secret()
    form = ConfirmTotpForm()
    if form.validate_on_submit():
        codes = two_factor.enable_totp(user, secret, form.code.data)
        if codes is not None:
            session.pop(ENROLMENT, None)
            db.session.commit()
            # Shown once, in this answer, never stored in the clear nor put in a redirect.
            return render_template("auth/recovery_codes.html", codes=codes, first=True)
        form.code.errors.append(_("This code does not fit. Check that the app shows LIFE Academy and type "
                                  "the code it shows now."))
    return render_template("auth/two_factor_setup.html", form=form, secret=secret,
                           required=two_factor.required_for(user), passkeys=list(user.passkeys))


@bp.get("/account/two-factor/qr.svg")
@login_required
def two_factor_qr():
    uri = two_factor.provisioning_uri(current_user, _enrolment_secret())
    return Response(two_factor.qr_svg(uri), mimetype="image/svg+xml")


def _account_page(status: int = 400, **forms):
    from .forms import ChangePasswordForm
    from .views import _account_page as account_page
    from .views import _profile_form
    user = current_user._get_current_object()
    return account_page(user, _profile_form(user), ChangePasswordForm(), status, **forms)


@bp.post("/account/two-factor/recovery-codes")
@login_required
def recovery_codes_new():
    user = current_user._get_current_object()
    form = PasswordCheckForm(prefix="codes")
    if form.validate_on_submit():
        if not two_factor.has_second_factor(user):
            flash(_("Set up an authenticator app or a passkey first."), "warning")
            return redirect(url_for("auth.account"))
        if verify_password(user.password_hash, form.password.data):
            codes = two_factor.new_recovery_codes(user)
            audit.record("auth.two_factor.recovery_codes_renewed", user, actor=user)
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes, first=False)
        form.password.errors.append(_("The password is not right."))
    return _account_page(codes_form=form)


@bp.post("/account/two-factor/off")
@login_required
def two_factor_disable():
    user = current_user._get_current_object()
    form = DisableTwoFactorForm(prefix="off")
    if form.validate_on_submit():
        password_ok = verify_password(user.password_hash, form.password.data)
        if not password_ok:
            form.password.errors.append(_("The password is not right."))
        elif not two_factor.verify_second_factor(user, form.code.data):
            db.session.rollback()
            form.code.errors.append(_("This code is not right, or it has been used already."))
        else:
            two_factor.remove_second_factor(user)
            audit.record("auth.two_factor.disabled", user, actor=user)
            tell_owner(user, "disabled")
            db.session.commit()
            flash(_("The second step at login is turned off: your authenticator app, recovery codes and "
                    "passkeys no longer work here."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(disable_form=form)
