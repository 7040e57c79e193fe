"""The end of a login: at once after the password, or after the second step when the user has a
second factor. Between the two steps the session holds only who passed the password (signed, for
a few minutes): no session row, no login, nothing of the site is reachable."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import redirect, request, session, url_for
from limits import parse

from .. import audit
from ..extensions import db
from ..models import User
from ..security import login_device, login_throttle, remember_device
from ..sessions import start_session

PENDING = "two_factor_pending"
#: Long enough to find the phone, short enough that a password typed on a shared PC goes stale.
PENDING_SECONDS = 300
#: Enrolment's secret and the passkey challenges (two_factor_views, services/passkeys).
CEREMONY_KEYS = ("totp_enrolment", "passkey_register_challenge", "passkey_login_challenge",
                 "passkey_passwordless_challenge")


#: Wrong second factors per account from all clients together (NIST SP 800-63B: at most 100). Whoever
#: types them knows the password already, so spreading guesses over many addresses must not help.
SECOND_FACTOR_LIMIT = parse("100 per day")


def second_factor_wait(user: User) -> int | None:
    """Seconds to wait before the next try of the second step, or None."""
    throttle = login_throttle()
    wait = throttle.blocked_for(user.email, request.remote_addr or "unknown", login_device(user.email))
    if wait is None and not throttle.limiter.test(SECOND_FACTOR_LIMIT, "second-factor", str(user.id)):
        reset_at = throttle.limiter.get_window_stats(SECOND_FACTOR_LIMIT, "second-factor", str(user.id)).reset_time
        wait = max(1, int(reset_at - time.time()))
    return wait


def second_factor_failed(user: User) -> None:
    throttle = login_throttle()
    throttle.failed(user.email, request.remote_addr or "unknown", login_device(user.email))
    throttle.limiter.hit(SECOND_FACTOR_LIMIT, "second-factor", str(user.id))


def safe_next(target: str | None) -> str:
    """Only same-site relative paths, so a crafted link cannot bounce a user elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.home")


def complete_login(user: User, *, remember: bool, next_page: str, method: str = "password"):
    session.pop("csrf_token", None)  # a token seen before login is worthless after it
    # Nothing of a ceremony begun before this login carries over (a shared PC: someone else's).
    for key in (PENDING, *CEREMONY_KEYS):
        session.pop(key, None)
    start_session(user, remember=remember)
    audit.record("auth.login", user, actor=user, **({"second_factor": method} if method != "password" else {}))
    db.session.commit()
    response = redirect(next_page)
    remember_device(response, user.email)
    return response


def ask_for_second_factor(user: User, *, remember: bool, next_page: str):
    session[PENDING] = {"user": user.id, "remember": bool(remember), "next": next_page,
                        "until": int(time.time()) + PENDING_SECONDS}
    return redirect(url_for("auth.second_step"))


def pending_login() -> tuple[User, dict] | None:
    """The user who passed the password in this browser a moment ago, with the login's details."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), int):
        return None
    if pending.get("until", 0) < time.time():
        session.pop(PENDING, None)
        return None
    user = db.session.get(User, pending["user"])
    if user is None or not user.active:
        session.pop(PENDING, None)
        return None
    return user, pending
