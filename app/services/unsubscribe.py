"""One-click unsubscribe (RFC 8058): every e-mail a preference governs carries a signed link that
turns that kind of e-mail off without a login, in the body and in the List-Unsubscribe headers.
Safety notices and account e-mails have none: they cannot be turned off.

    mail_user(user, "announcement", subject, body, kind="announcement")
"""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from ..models import User
from ..outbox import queue_mail
from . import preferences

SALT = "life-unsubscribe"
#: What a link may turn off: the preference kinds, and "digest" (the digest e-mail as a whole).
DIGEST_LINK = "digest"
UNSUBSCRIBABLE = frozenset({*preferences.KINDS, DIGEST_LINK})


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(user_id: int, category: str) -> str:
    return _serializer().dumps([user_id, category])


def read_token(token: str) -> tuple[int, str] | None:
    """(user id, category) of a link this app signed, else None (a forged or mangled link)."""
    if len(token) > 300:
        return None
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    if (not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], int)
            or value[1] not in UNSUBSCRIBABLE):
        return None
    return value[0], value[1]


def unsubscribe_url(user: User, category: str) -> str | None:
    if category not in UNSUBSCRIBABLE:
        return None
    return url_for("notify.unsubscribe", token=make_token(user.id, category), _external=True)


def footer(url: str) -> str:
    return "\n\n-- \n" + _("To stop e-mails like this one, open %(url)s (no login needed). "
                           "Your account page has all your notification settings.", url=url)


def mail_user(user: User, category: str, subject: str, body: str, *, kind: str) -> None:
    """Queue an e-mail to a user with the unsubscribe link its category allows. Call it in the
    recipient's language (force_locale): the footer is written in it."""
    url = unsubscribe_url(user, category)
    queue_mail(user.email, subject, body + (footer(url) if url else ""), kind=kind, user_id=user.id,
               unsubscribe_url=url)


def unsubscribe(user: User, category: str) -> None:
    if category == DIGEST_LINK:
        preferences.turn_off_digest(user)
    else:
        preferences.set_mode(user, category, preferences.OFF)
