"""The second factor: TOTP codes from an authenticator app (pyotp), single-use recovery codes, and
which roles must have one. Passkeys (WebAuthn) are in app/services/passkeys.py.

The TOTP secret is stored sealed (Fernet) with a key of its own derived from SECRET_KEY, so a copy
of the database alone does not give anyone the codes. Recovery codes are stored as salted SHA-256:
they are long random strings, so a slow hash adds nothing."""
from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import delete, select, update

from .. import audit
from ..extensions import db
from ..models import Membership, Passkey, RecoveryCode, User
from ..timeutil import utcnow
from .two_factor_mail import tell_owner

_SEAL_LABEL = b"life-academy totp secret seal v1"
ISSUER = "LIFE Academy"
STEP_SECONDS = 30
#: Codes of the step before and after are accepted too: a phone's clock is rarely exact.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
_clock = time.time  # tests set the clock of the codes alone
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper


def _seal() -> Fernet:
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), _SEAL_LABEL, hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str) -> str:
    return _seal().encrypt(secret.encode()).decode()


def unseal(sealed: str | None) -> str | None:
    """The secret, or None when there is none or it no longer opens (SECRET_KEY changed)."""
    if not sealed:
        return None
    try:
        return _seal().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> bytes:
    """The QR code as a standalone SVG image (served by a route: no inline markup under the CSP)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=2, dark="#000", light="#fff",
                                    title=ISSUER)
    return out.getvalue()


def clean_code(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def code_step(secret: str, code: str, *, now: float | None = None) -> int | None:
    """The time step the six-digit code belongs to (within the allowed drift), or None."""
    code = clean_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int((_clock() if now is None else now) // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def has_totp(user: User) -> bool:
    return user.totp_secret_sealed is not None and user.totp_enabled_at is not None


def has_second_factor(user: User) -> bool:
    return has_totp(user) or bool(user.passkeys)


def enable_totp(user: User, secret: str, code: str) -> list[str] | None:
    """Turns the authenticator app on when the first code fits; returns fresh recovery codes."""
    step = code_step(secret, code)
    if step is None:
        return None
    user.totp_secret_sealed = seal(secret)
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    audit.record("auth.two_factor.enabled", user, actor=user, method="totp")
    return new_recovery_codes(user)


def _use_totp(user: User, code: str) -> bool:
    secret = unseal(user.totp_secret_sealed)
    if secret is None or user.totp_enabled_at is None:
        return False
    step = code_step(secret, code)
    if step is None:
        return False
    # Compare-and-swap: of two requests with the same code only one gets through, and a code of a
    # step already used (or older) never does.
    table = User.__table__
    result = db.session.execute(
        update(table).where(table.c.id == user.id)
        .where((table.c.totp_last_step.is_(None)) | (table.c.totp_last_step < step))
        .values(totp_last_step=step))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    db.session.expire(user, ["totp_last_step"])
    return True


def _recovery_digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def _format_code(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


def new_recovery_codes(user: User) -> list[str]:
    """Ten new codes (the old ones stop working); only their salted hashes are kept."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        salt = secrets.token_hex(16)
        db.session.add(RecoveryCode(user_id=user.id, salt=salt, code_hash=_recovery_digest(salt, raw)))
        codes.append(_format_code(raw))
    db.session.flush()
    return codes


def recovery_codes_left(user: User) -> int:
    return len([c for c in user.recovery_codes if c.used_at is None])


def _use_recovery_code(user: User, code: str) -> bool:
    raw = clean_code(code)
    if len(raw) != 10:
        return False
    unused = db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                           RecoveryCode.used_at.is_(None)))
    for row in unused:
        if hmac.compare_digest(_recovery_digest(row.salt, raw), row.code_hash):
            result = db.session.execute(update(RecoveryCode).where(
                RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None)).values(used_at=utcnow()))
            if result.rowcount == 1:  # type: ignore[attr-defined]
                audit.record("auth.two_factor.recovery_code_used", user, actor=user)
                db.session.expire(user, ["recovery_codes"])
                tell_owner(user, "recovery_code")
                return True
    return False


def verify_second_factor(user: User, code: str) -> bool:
    """A current authenticator code not used before, or an unused recovery code (used up by this)."""
    return _use_totp(user, code) or _use_recovery_code(user, code)


def remove_second_factor(user: User) -> None:
    """The authenticator app, the recovery codes and the passkeys: all gone."""
    user.totp_secret_sealed = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(Passkey).where(Passkey.user_id == user.id))
    db.session.expire(user, ["recovery_codes", "passkeys"])


def user_roles(user: User) -> set[str]:
    roles = set(db.session.scalars(select(Membership.role).where(Membership.user_id == user.id)))
    if user.site_role:
        roles.add(user.site_role)
    return roles


def required_for(user: User) -> bool:
    required = current_app.config.get("TWO_FACTOR_REQUIRED_ROLES") or frozenset()
    return bool(required) and bool(user_roles(user) & set(required))


def summary(user: User) -> dict[str, object]:
    """What the user's data download says about the second factor: the facts, never a secret."""
    return {"authenticator_app": has_totp(user), "authenticator_app_since": user.totp_enabled_at,
            "recovery_codes_left": recovery_codes_left(user),
            "passkeys": [{"name": p.name, "created_at": p.created_at, "last_used_at": p.last_used_at}
                         for p in user.passkeys]}
