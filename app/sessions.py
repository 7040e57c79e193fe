"""Server-side sessions on top of flask-login.

The cookie (and the remember-me cookie) carries a random token; a UserSession row holds its
hash with the idle and absolute time-outs. Deleting the row ends the session everywhere, which
is what logout, deactivation and a password change do."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from . import content_cache
from .extensions import db, login_manager
from .models import Cohort, Membership, Notification, Programme, ProgrammeRun, User, UserSession
from .security import new_token, token_digest
from .text import one_line
from .timeutil import utcnow
from .web import BROWSER_COPY_FIELD, referring_page

# Writing last_seen_at on every request would turn every page view into a write.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def start_session(user: User, *, remember: bool = False) -> None:
    cfg = current_app.config
    token, digest = new_token()
    now = utcnow()
    lifetime = cfg["REMEMBER_COOKIE_DURATION"] if remember else cfg["SESSION_ABSOLUTE_TIMEOUT"]
    db.session.add(UserSession(user_id=user.id, token_hash=digest, created_at=now, last_seen_at=now,
                               expires_at=now + lifetime, remember=remember,
                               user_agent=one_line(request.user_agent.string or "")[:255]))
    user.last_login_at = now
    user.session_token = token
    login_user(user, remember=remember, duration=cfg["REMEMBER_COOKIE_DURATION"])


def end_current_session(user: User) -> None:
    token = getattr(user, "session_token", None)
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == token_digest(token)))
    logout_user()


def end_all_sessions(user: User, *, keep_current: bool = False) -> None:
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    token = getattr(user, "session_token", None)
    if keep_current and token:
        stmt = stmt.where(UserSession.token_hash != token_digest(token))
    db.session.execute(stmt)


def _session_expired(sess: UserSession, now) -> bool:
    if now >= sess.expires_at:
        return True
    idle = current_app.config["SESSION_IDLE_TIMEOUT"]
    return not sess.remember and now - sess.last_seen_at > idle


#: The user's memberships with their cohorts, runs, programmes and countries come with the
#: session lookup (one statement): the navigation, the access checks and the viewer all walk
#: `user.memberships`, which otherwise cost a query each (and one more per cohort).
_WITH_MEMBERSHIPS = joinedload(User.memberships).joinedload(Membership.cohort)
#: Without the programme's variants: the largest column (tens of kB of JSON, sent twice with two
#: memberships), read by a few pages from the content cache (current_content.programme_variants).
_USER_LOAD_OPTIONS = (_WITH_MEMBERSHIPS.joinedload(Cohort.run).joinedload(ProgrammeRun.programme)
                      .defer(Programme.variants),
                      _WITH_MEMBERSHIPS.joinedload(Cohort.country))
#: The navigation's unread count, in the same statement (app/services/notifications.py), and the
#: content token (app/content_cache.py).
_UNREAD = (select(func.count(Notification.id))
           .where(Notification.user_id == User.id, Notification.read_at.is_(None)).scalar_subquery())


@login_manager.user_loader
def load_user(token: str) -> User | None:
    row = db.session.execute(
        select(UserSession, User, _UNREAD, content_cache.TOKEN).join(User)
        .where(UserSession.token_hash == token_digest(token))
        .options(*_USER_LOAD_OPTIONS)
    ).unique().first()
    if row is None:
        return None
    sess, user, unread, content_token = row
    content_cache.remember_token(content_token)
    now = utcnow()
    if not user.active or _session_expired(sess, now):
        db.session.delete(sess)
        db.session.commit()
        flash(_l("Your session has ended. Log in again to continue; your saved work is kept."), "info")
        return None
    if now - sess.last_seen_at > LAST_SEEN_RESOLUTION:
        sess.last_seen_at = now
        db.session.commit()
    user.session_token = token
    user.unread_when_loaded = unread
    return user


def _page_to_come_back_to() -> str:
    here = request.full_path.removesuffix("?")
    if request.method in ("GET", "HEAD"):
        return here
    # A form sent after the session ended: after the login, the page of the form (GET), never a
    # replay of the POST. The browser kept what was typed and offers it back there (app.js).
    return referring_page() or here


@login_manager.unauthorized_handler
def _ask_to_log_in():
    if request.method == "POST" and request.form.get(BROWSER_COPY_FIELD):
        flash(_l("What you typed is kept in this browser: log in again and it is offered back on the form."),
              "warning")
    else:
        flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(url_for(login_manager.login_view, next=_page_to_come_back_to()))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"
    # Our own session rows already protect against a stolen cookie; "strong" would log users out
    # whenever a phone changes network.
    login_manager.session_protection = "basic"
