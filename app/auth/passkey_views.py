"""Passkeys: registered from the account page, used as the second step of the login. The pages'
script (static/js/passkeys.js) talks JSON to these routes; without it the pages work with codes."""
from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import audit
from ..errors import NotFound
from ..extensions import db
from ..input_guard import reads_json
from ..models import User
from ..security import login_throttle, verify_password
from ..services import passkeys
from ..text import one_line
from . import bp
from .forms import PasswordCheckForm
from .login_flow import complete_login, pending_login, safe_next, second_factor_failed, second_factor_wait

NAME_MAX = 100


def _json_body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _json_response(body: str):
    return current_app.response_class(body, mimetype="application/json")


@bp.post("/account/passkeys/options")
@reads_json
@login_required
def passkey_register_options():
    return _json_response(passkeys.registration_options(current_user._get_current_object()))


@bp.post("/account/passkeys")
@reads_json
@login_required
def passkey_register():
    user = current_user._get_current_object()
    body = _json_body()
    name = one_line(str(body.get("name") or "")).strip()[:NAME_MAX] or _("Passkey")
    try:
        passkeys.register(user, body.get("credential"), name)
    except passkeys.PasskeyError:
        db.session.rollback()
        return jsonify(error="passkey", message=_("The passkey could not be registered. Try again.")), 400
    db.session.commit()
    flash(_("The passkey is registered. You can use it at the second step of the login."), "success")
    return jsonify(redirect=url_for("auth.account"))


@bp.post("/account/passkeys/<int:passkey_id>/delete")
@login_required
def passkey_delete(passkey_id: int):
    user = current_user._get_current_object()
    if passkey_id not in {p.id for p in user.passkeys}:
        raise NotFound()  # someone else's passkey does not exist for this user
    form = PasswordCheckForm(prefix="passkey")
    if not form.validate_on_submit() or not verify_password(user.password_hash, form.password.data):
        flash(_("The passkey was not removed: the password is not right."), "danger")
    elif passkeys.remove(user, passkey_id):
        db.session.commit()
        flash(_("The passkey is removed."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/login/passkey/options")
@reads_json
def second_step_passkey_options():
    found = pending_login()
    if found is None or not found[0].passkeys:
        return jsonify(error="login", message=_("Log in with your e-mail and password first.")), 400
    return _json_response(passkeys.authentication_options(found[0]))


@bp.post("/login/passkey")
@reads_json
def second_step_passkey():
    found = pending_login()
    if found is None:
        return jsonify(error="login", message=_("Log in with your e-mail and password first.")), 400
    user, pending = found
    if second_factor_wait(user):
        return jsonify(error="throttled", message=_("Too many failed attempts. Try again later.")), 429
    try:
        passkeys.authenticate(user, _json_body().get("credential"))
    except passkeys.PasskeyError:
        db.session.rollback()
        second_factor_failed(user)
        return jsonify(error="passkey", message=_("The passkey was not accepted. Try again, or use a code.")), 400
    audit.record("auth.two_factor.passkey_used", user, actor=user)
    response = complete_login(user, remember=pending["remember"], next_page=pending["next"], method="passkey")
    return _with_cookies(jsonify(redirect=response.location), response)


def _with_cookies(body, response):
    """The JSON answer carries the cookies the login set on its redirect (the device cookie)."""
    for cookie in response.headers.getlist("Set-Cookie"):
        body.headers.add("Set-Cookie", cookie)
    return body


@bp.post("/login/passkey-only/options")
@reads_json
def passwordless_options():
    return _json_response(passkeys.passwordless_options())


@bp.post("/login/passkey-only")
@reads_json
def passwordless_login():
    """The passkey as both factors: something the user has, unlocked by something they are or know."""
    throttle, client = login_throttle(), request.remote_addr or "unknown"
    # No account is named before the passkey answers: the client's own budget (the empty account).
    if throttle.blocked_for("", client):
        return jsonify(error="throttled", message=_("Too many failed attempts. Try again later.")), 429
    body = _json_body()
    try:
        passkey = passkeys.authenticate_passwordless(body.get("credential"))
    except passkeys.PasskeyError:
        db.session.rollback()
        throttle.failed("", client)
        return jsonify(error="passkey", message=_("The passkey was not accepted. Try again, or use a code.")), 400
    user = db.session.get(User, passkey.user_id)
    if user is None or not user.active:
        db.session.rollback()
        throttle.failed("", client)
        return jsonify(error="passkey", message=_("The passkey was not accepted. Try again, or use a code.")), 400
    audit.record("auth.two_factor.passkey_used", user, actor=user, passwordless=True)
    response = complete_login(user, remember=False, next_page=safe_next(str(body.get("next") or "")),
                              method="passkey")
    return _with_cookies(jsonify(redirect=response.location), response)
