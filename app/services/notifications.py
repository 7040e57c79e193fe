"""Tell a user something happened: in the app always, by e-mail too."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Notification, User
from ..outbox import queue_mail
from ..timeutil import utcnow


def notify(user: User, kind: str, message_factory, url: str | None = None, *, email: bool = True) -> Notification:
    """`message_factory()` builds the text; it runs in the recipient's language. The in-app
    notice and the e-mail (through the outbox) are committed with the caller's work; the e-mail
    leaves after that commit."""
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        message = str(message_factory())
    note = Notification(user_id=user.id, kind=kind, message=message[:500], url=url)
    db.session.add(note)
    if email and user.active:
        body = message + (f"\n\n{url}" if url else "")
        queue_mail(user.email, message[:120], body, kind=kind, user_id=user.id)
    return note


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == user.id, Notification.read_at.is_(None)))


def recent(user: User, limit: int = 50) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def mark_all_read(user: User) -> None:
    db.session.execute(update(Notification).where(Notification.user_id == user.id,
                                                  Notification.read_at.is_(None)).values(read_at=utcnow()))


def open_notification(user: User, notification_id: int) -> Notification | None:
    note = db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.user_id == user.id))
    if note is not None and note.read_at is None:
        note.read_at = utcnow()
    return note
