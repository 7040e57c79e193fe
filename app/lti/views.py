"""The routes a platform calls: OIDC login initiation, the launch, and our public keys."""
from __future__ import annotations

from typing import Any

from flask import jsonify, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pylti1p3.exception import LtiException, OIDCException

from .. import audit
from ..auth.login_flow import CEREMONY_KEYS, PENDING
from ..extensions import csrf, db
from ..models import CohortRole, LtiPlatform, User
from ..sessions import end_current_session, start_session
from . import bp, keys
from .grades import remember_line_item
from .messages import message_launch, oidc_login, refused, tool_url
from .provision import LaunchRefused, cohort_role, ensure_membership, launch_user, offers_names_and_roles, target_path
from .tool_config import platform_for

DEEP_LINK_SESSION_KEY = "lti_deep_link"


@bp.get("/jwks")
def jwks():
    return jsonify(keys.jwks())


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt
def login():
    values = request.values
    if platform_for(values.get("iss"), values.get("client_id")) is None or not values.get("login_hint"):
        return refused(400, "login: unknown issuer or client id, or no login_hint",
                       _l("This learning platform is not registered with LIFE Academy. Ask an administrator "
                          "of LIFE Academy to register it."))
    try:
        # Always our own launch URL: target_link_uri comes from the request and is not trusted.
        response = oidc_login().redirect(tool_url("lti.launch"))
    except OIDCException as error:
        db.session.rollback()
        return refused(400, f"login: {error}")
    db.session.commit()
    return response


@bp.post("/launch")
@csrf.exempt
def launch():
    try:
        message = message_launch()
        message.validate()
        claims: dict[str, Any] = dict(message.get_launch_data())
        platform = _platform_of(claims)
    except (LtiException, OIDCException, LaunchRefused, ValueError, KeyError, TypeError) as error:
        db.session.rollback()
        return refused(400, f"launch: {error}")
    try:
        role = cohort_role(claims)
        user, created = launch_user(platform, claims)
        if message.is_deep_link_launch() and role != CohortRole.FACILITATOR:
            raise LaunchRefused(_l("Only an instructor of the course can choose what the course links to."),
                                "deep linking by a non-instructor")
        membership = ensure_membership(user, platform, role)
    except LaunchRefused as refusal:
        db.session.rollback()
        return refused(refusal.status, f"launch: {refusal.reason}", refusal.message)
    _log_in(user)
    audit.record("lti.launch", user, actor=user, platform=platform.id, role=membership.role,
                 provisioned=created, message="deep_linking" if message.is_deep_link_launch() else "resource",
                 names_and_roles=offers_names_and_roles(claims))
    if role == CohortRole.TRAINEE and not message.is_deep_link_launch():
        remember_line_item(platform, user, claims)
    if message.is_deep_link_launch():
        session[DEEP_LINK_SESSION_KEY] = message.get_launch_id()
        destination = url_for("lti.deep_link")
    else:
        destination = target_path(claims) or url_for("programme.overview")
    db.session.commit()
    return redirect(destination)


def _platform_of(claims: dict[str, Any]) -> LtiPlatform:
    """The registration that signed the launch. pylti1p3 takes aud[0] as the client id; with more
    than one audience, OIDC asks for azp to name us too."""
    aud = claims.get("aud")
    client_id = aud[0] if isinstance(aud, list) and aud else aud
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != client_id:
        raise LtiException("azp does not name the client id")
    platform = platform_for(claims.get("iss"), client_id if isinstance(client_id, str) else None)
    if platform is None:
        raise LtiException("registration disappeared")
    return platform


def _log_in(user: User) -> None:
    """As the login page does: a new session, the CSRF token and half-done ceremonies dropped."""
    if current_user.is_authenticated:
        end_current_session(current_user._get_current_object())
    session.pop("csrf_token", None)
    for key in (PENDING, *CEREMONY_KEYS, DEEP_LINK_SESSION_KEY):
        session.pop(key, None)
    start_session(user)
