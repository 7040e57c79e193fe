"""Accounts: creation, passwords, single-use links, deactivation."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import audit
from ..extensions import db
from ..models import PasswordToken, User
from ..outbox import queue_mail
from ..security import hash_password, new_token, token_digest
from ..sessions import end_all_sessions
from ..timeutil import utcnow
from ..timezones import is_zone, zone_for_locale


class AccountError(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def email_taken(email: str, *, except_id: int | None = None) -> bool:
    stmt = select(func.count()).select_from(User).where(User.email == normalise_email(email))
    if except_id is not None:
        stmt = stmt.where(User.id != except_id)
    return db.session.scalar(stmt) > 0


def create_user(email: str, name: str, *, site_role: str | None = None, locale: str | None = None,
                password: str | None = None, timezone: str | None = None) -> User:
    """A new account; without a time zone, the one of the country that speaks its language."""
    if email_taken(email):
        raise AccountError(_("A user with the e-mail %(email)s already exists.", email=normalise_email(email)))
    user = User(email=normalise_email(email), name=name.strip(), site_role=site_role or None,
                locale=locale or None, password_hash=hash_password(password) if password else None,
                timezone=timezone if is_zone(timezone) else zone_for_locale(locale))
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str, *, keep_current_session: bool = False) -> None:
    """New password; every other session ends, since a password change is what a user does
    when they fear someone else is logged in."""
    user.password_hash = hash_password(password)
    end_all_sessions(user, keep_current=keep_current_session)
    audit.record("auth.password.set", user, actor=user)


def _issue_token(user: User, purpose: str, lifetime: timedelta) -> str:
    token, digest = new_token()
    db.session.add(PasswordToken(user_id=user.id, token_hash=digest, purpose=purpose,
                                 expires_at=utcnow() + lifetime))
    return token


def send_password_link(user: User, purpose: str = "reset") -> None:
    """E-mail a single-use link: 'reset' for a forgotten password, 'invite' for a new account."""
    cfg = current_app.config
    if purpose == "invite":
        lifetime = timedelta(days=cfg["INVITATION_DAYS"])
        endpoint = "auth.accept_invitation"
    else:
        lifetime = timedelta(hours=cfg["PASSWORD_RESET_HOURS"])
        endpoint = "auth.reset_password"
    token = _issue_token(user, purpose, lifetime)
    link = url_for(endpoint, token=token, _external=True)
    with force_locale(user.locale or cfg["BABEL_DEFAULT_LOCALE"]):
        if purpose == "invite":
            subject = _("Your LIFE Academy account")
            body = _("Hello %(name)s,\n\nAn account has been created for you on LIFE Academy. "
                     "Choose your password here (the link works once and expires in %(days)d days):\n\n%(link)s\n",
                     name=user.name, days=cfg["INVITATION_DAYS"], link=link)
        else:
            subject = _("Reset your LIFE Academy password")
            body = _("Hello %(name)s,\n\nSomeone asked to reset the password of your LIFE Academy account. "
                     "If it was you, choose a new password here (the link works once and expires in "
                     "%(hours)d hours):\n\n%(link)s\n\nIf it was not you, ignore this message.\n",
                     name=user.name, hours=cfg["PASSWORD_RESET_HOURS"], link=link)
    queue_mail(user.email, subject, body, kind=f"account.{purpose}", user_id=user.id)


def token_user(token: str, purpose: str) -> User | None:
    """The user a still-valid link belongs to, without using it up."""
    row = db.session.scalar(select(PasswordToken).where(
        PasswordToken.token_hash == token_digest(token), PasswordToken.purpose == purpose))
    if row is None or row.used_at is not None or row.expires_at <= utcnow() or not row.user.active:
        return None
    return row.user


def use_token(token: str, purpose: str, password: str) -> User | None:
    """Set the password through a link and spend the link (and any other open link)."""
    user = token_user(token, purpose)
    if user is None:
        return None
    now = utcnow()
    for row in db.session.scalars(select(PasswordToken).where(
            PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None))):
        row.used_at = now
    set_password(user, password)
    return user


def deactivate(user: User) -> None:
    user.active = False
    end_all_sessions(user)
    audit.record("admin.user.deactivate", user)


def activate(user: User) -> None:
    user.active = True
    audit.record("admin.user.activate", user)
