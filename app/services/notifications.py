"""Tell a user something happened: in the app always, by e-mail too."""
from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_babel import force_locale
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Notification, User
from ..timeutil import utcnow
from . import preferences, unsubscribe


def notify(user: User, kind: str, message_factory, url: str | None = None, *, email: bool = True,
           mode: str | None = None) -> Notification:
    """`message_factory()` builds the text; it runs in the recipient's language. The in-app
    notice and the e-mail (through the outbox) are committed with the caller's work; the e-mail
    leaves after that commit. The recipient's preference for the kind decides whether it is
    e-mailed at once, kept for their daily digest, or not e-mailed (`mode`: that preference,
    when the caller read it for many recipients at once); safety notices always leave at once."""
    category = preferences.category_of(kind)
    if email and mode is None:
        mode = preferences.mode_for(user, category)
    if category in (preferences.SAFETY, preferences.ACCOUNT):
        mode = preferences.NOW
    wanted = email and user.active
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        message = str(message_factory())
        note = Notification(user_id=user.id, kind=kind, message=message[:500], url=url,
                            digest_pending=wanted and mode == preferences.DIGEST)
        db.session.add(note)
        _forget_unread(user)
        if wanted and mode == preferences.NOW:
            body = message + (f"\n\n{absolute(url)}" if url else "")
            unsubscribe.mail_user(user, category, message[:120], body, kind=kind)
    return note


def absolute(url: str) -> str:
    """A site path as a full address, for e-mail (paths are what notifications store)."""
    if url.startswith("/") and not url.startswith("//") and has_request_context():
        return request.host_url.rstrip("/") + url
    return url


def unread_count(user: User) -> int:
    """On a GET page, the count the session lookup brought (app/sessions.py) unless this request
    changed the user's notifications; counted afresh otherwise."""
    known = _unread_from_lookup(user)
    if known is not None:
        return known
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == user.id, Notification.read_at.is_(None)))


def _unread_from_lookup(user: User) -> int | None:
    """The count the session lookup brought, on a GET page that has not changed it; else None."""
    known = getattr(user, "unread_when_loaded", None)
    if known is not None and has_request_context() and request.method in ("GET", "HEAD"):
        return known
    return None


def _forget_unread(user: User) -> None:
    user.unread_when_loaded = None


def recent(user: User, limit: int = 50) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def unread_of_kind(user: User, kind: str, limit: int = 3) -> list[Notification]:
    """The newest unread notifications of one kind (the home page's new announcements); no query
    when the session lookup found nothing unread."""
    if _unread_from_lookup(user) == 0:
        return []
    return list(db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind, Notification.read_at.is_(None))
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def mark_all_read(user: User) -> None:
    _forget_unread(user)
    db.session.execute(update(Notification).where(Notification.user_id == user.id,
                                                  Notification.read_at.is_(None)).values(read_at=utcnow()))


def open_notification(user: User, notification_id: int) -> Notification | None:
    note = db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.user_id == user.id))
    if note is not None and note.read_at is None:
        note.read_at = utcnow()
        _forget_unread(user)
    return note
