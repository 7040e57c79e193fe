"""Tell the owner when their second factor is weakened: turned off, reset by an admin, or a recovery
code used. Someone who has the password and stole the codes is noticed by the one who lost them."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..models import User
from ..outbox import queue_mail


def _body(what: str, user: User) -> str:
    if what == "disabled":
        return _("Hello %(name)s,\n\nThe second step of your LIFE Academy login has been turned off: your "
                 "authenticator app, recovery codes and passkeys no longer work there.\n\n"
                 "If it was not you, reset your password at once and tell an administrator.\n", name=user.name)
    if what == "reset":
        return _("Hello %(name)s,\n\nAn administrator has reset the second step of your LIFE Academy login, as "
                 "asked. Set it up again at your next login.\n\n"
                 "If you did not ask for it, tell an administrator at once.\n", name=user.name)
    return _("Hello %(name)s,\n\nOne of your recovery codes has just been used to log in to LIFE Academy. "
             "%(left)d are left; you can make new ones on your account page.\n\n"
             "If it was not you, reset your password at once and tell an administrator.\n",
             name=user.name, left=sum(1 for code in user.recovery_codes if code.used_at is None))


def tell_owner(user: User, what: str) -> None:
    """`what`: "disabled", "reset" or "recovery_code"; the e-mail leaves after the commit."""
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("The second step of your LIFE Academy login")
        body = _body(what, user)
    queue_mail(user.email, subject, body, kind=f"two_factor.{what}", user_id=user.id)
