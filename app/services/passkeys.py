"""Passkeys (WebAuthn) as a second factor, with py_webauthn. The challenge of each ceremony is kept
server-side in the session (signed, never sent back by the browser on its own); the relying party
comes from WEBAUTHN_RP_ID / WEBAUTHN_ORIGIN, or from the request's host in development."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request, session
from sqlalchemy import select
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .. import audit
from ..extensions import db
from ..models import Passkey, User
from ..timeutil import utcnow

RP_NAME = "LIFE Academy"
_REGISTER = "passkey_register_challenge"
_AUTHENTICATE = "passkey_login_challenge"
_PASSWORDLESS = "passkey_passwordless_challenge"
_ERRORS = (WebAuthnException, ValueError, KeyError, TypeError, AttributeError)


class PasskeyError(Exception):
    """The browser's answer does not verify (wrong origin, challenge, signature, unknown key)."""


def relying_party() -> tuple[str, str]:
    """(RP ID, expected origin)."""
    origin = current_app.config.get("WEBAUTHN_ORIGIN") or request.host_url.rstrip("/")
    rp_id = current_app.config.get("WEBAUTHN_RP_ID") or urlsplit(origin).hostname or request.host.split(":")[0]
    return rp_id, origin


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id)) for p in user.passkeys]


def registration_options(user: User) -> str:
    rp_id, _origin = relying_party()
    options = generate_registration_options(
        rp_id=rp_id, rp_name=RP_NAME, user_name=user.email, user_display_name=user.name,
        user_id=f"life-user-{user.id}".encode(), exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED))
    session[_REGISTER] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def register(user: User, credential: Any, name: str) -> Passkey:
    challenge = session.pop(_REGISTER, None)
    if not challenge:
        raise PasskeyError("no registration under way")
    rp_id, origin = relying_party()
    try:
        verified = verify_registration_response(
            credential=json.dumps(credential), expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id, expected_origin=origin)
    except _ERRORS as exc:
        raise PasskeyError(str(exc)) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.session.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id)):
        raise PasskeyError("this passkey is registered already")
    passkey = Passkey(user_id=user.id, credential_id=credential_id, public_key=verified.credential_public_key,
                      sign_count=verified.sign_count, name=name)
    db.session.add(passkey)
    db.session.flush()
    db.session.expire(user, ["passkeys"])
    audit.record("auth.two_factor.passkey_added", user, actor=user)
    return passkey


def authentication_options(user: User) -> str:
    rp_id, _origin = relying_party()
    options = generate_authentication_options(rp_id=rp_id, allow_credentials=_descriptors(user),
                                              user_verification=UserVerificationRequirement.PREFERRED)
    session[_AUTHENTICATE] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def passwordless_options() -> str:
    """For a login with the passkey alone: no account named, the browser offers the passkeys it has
    for this site, and the authenticator must verify the user (fingerprint, face or PIN)."""
    rp_id, _origin = relying_party()
    options = generate_authentication_options(rp_id=rp_id, user_verification=UserVerificationRequirement.REQUIRED)
    session[_PASSWORDLESS] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def _verified(passkey: Passkey, credential: dict, challenge: str, *, user_verified: bool) -> Passkey:
    rp_id, origin = relying_party()
    try:
        verified = verify_authentication_response(
            credential=json.dumps(credential), expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id, expected_origin=origin, credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count, require_user_verification=user_verified)
    except _ERRORS as exc:
        raise PasskeyError(str(exc)) from None
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = utcnow()
    return passkey


def authenticate(user: User, credential: Any) -> Passkey:
    """The user's passkey that signed this challenge; its counter moves on."""
    challenge = session.pop(_AUTHENTICATE, None)
    if not challenge or not isinstance(credential, dict):
        raise PasskeyError("no login under way")
    passkey = db.session.scalar(select(Passkey).where(Passkey.user_id == user.id,
                                                      Passkey.credential_id == str(credential.get("id", ""))))
    if passkey is None:
        raise PasskeyError("not one of this user's passkeys")
    return _verified(passkey, credential, challenge, user_verified=False)


def authenticate_passwordless(credential: Any) -> Passkey:
    """The passkey (and so the user) that signed this challenge with the user verified."""
    challenge = session.pop(_PASSWORDLESS, None)
    if not challenge or not isinstance(credential, dict):
        raise PasskeyError("no login under way")
    passkey = db.session.scalar(select(Passkey).where(Passkey.credential_id == str(credential.get("id", ""))[:512]))
    if passkey is None:
        raise PasskeyError("unknown passkey")
    return _verified(passkey, credential, challenge, user_verified=True)


def remove(user: User, passkey_id: int) -> bool:
    passkey = db.session.scalar(select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user.id))
    if passkey is None:
        return False
    db.session.delete(passkey)
    db.session.flush()
    db.session.expire(user, ["passkeys"])
    audit.record("auth.two_factor.passkey_removed", user, actor=user)
    return True
