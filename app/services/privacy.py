"""The data-protection rights of a user: a copy of everything stored about them, and erasure.

The core answers for its own tables; every activity plugin answers for its own through
`export_user_data` and `erase_user_data`, so no plugin's data is forgotten and the core never
needs to know what a plugin stores."""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..extensions import db
from ..models import (
    Attendance,
    Completion,
    Draft,
    Membership,
    Notification,
    OutboxMessage,
    PasswordToken,
    SiteRole,
    User,
    UserSession,
)
from ..plugins import registry
from ..timeutil import utcnow
from . import calendar_feed
from .notifications import notify

ERASED_DOMAIN = "erased.invalid"


class ErasureRefused(Exception):
    """The erasure cannot be carried out; the message says why."""


def _confidential_kinds() -> list[str]:
    return [kind for plugin in registry() for kind in plugin.confidential_notification_kinds]


def _core_data(user: User) -> dict[str, Any]:
    memberships = db.session.scalars(select(Membership).where(Membership.user_id == user.id)
                                     .options(selectinload(Membership.cohort)))
    attendance = db.session.scalars(select(Attendance).where(Attendance.user_id == user.id)
                                    .options(selectinload(Attendance.meeting)))
    completions = db.session.scalars(select(Completion).where(Completion.user_id == user.id)
                                     .options(selectinload(Completion.activity)))
    return {
        "profile": {"email": user.email, "name": user.name, "language": user.locale, "timezone": user.timezone,
                    "site_role": user.site_role, "created_at": user.created_at,
                    "last_login_at": user.last_login_at, "erasure_requested_at": user.erasure_requested_at},
        "memberships": [{"cohort": m.cohort.name, "role": m.role} for m in memberships],
        "attendance": [{"meeting": a.meeting.title, "starts_on": a.meeting.starts_on, "present": a.present}
                       for a in attendance],
        "completions": [{"activity": c.activity.slug, "title": c.activity.title, "state": c.state,
                         "completed_at": c.completed_at} for c in completions],
        "drafts": [{"key": d.key, "data": d.data, "saved_at": d.updated_at}
                   for d in db.session.scalars(select(Draft).where(Draft.user_id == user.id))],
        "notifications": [{"message": n.message, "url": n.url, "at": n.created_at}
                          for n in db.session.scalars(select(Notification).where(
                              Notification.user_id == user.id, Notification.kind.not_in(_confidential_kinds())))],
    }


def export_data(user: User) -> dict[str, Any]:
    """Everything stored about the user: the core's records and each activity type's."""
    data: dict[str, Any] = {"exported_at": utcnow(), "core": _core_data(user)}
    data["activities"] = {plugin.name: plugin.export_user_data(user) for plugin in registry()}
    return data


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def export_json(user: User) -> str:
    text = json.dumps(export_data(user), default=_json_default, ensure_ascii=False, indent=2)
    audit.record("privacy.export", user)
    return text


def request_erasure(user: User) -> None:
    if user.erasure_requested_at is not None:
        return
    user.erasure_requested_at = utcnow()
    audit.record("privacy.erasure_requested", user)
    for admin in db.session.scalars(select(User).where(User.site_role == SiteRole.ADMIN, User.active.is_(True))):
        notify(admin, "privacy.erasure_requested",
               lambda: _("%(name)s asks for their data to be erased.", name=user.name),
               url=f"/admin/erasure-requests#user-{user.id}")


def withdraw_erasure(user: User) -> None:
    if user.erasure_requested_at is None:
        return
    user.erasure_requested_at = None
    audit.record("privacy.erasure_withdrawn", user)


def pending_erasures() -> list[User]:
    return list(db.session.scalars(select(User).where(User.erasure_requested_at.is_not(None),
                                                      User.erased_at.is_(None))
                                   .order_by(User.erasure_requested_at)))


def erase(user: User, *, by: User) -> None:
    """Delete what the user wrote and what identifies them. The row stays, anonymous, so that the
    audit log and other people's records (a facilitator's feedback, a group's submission) keep
    their links without keeping the person."""
    if user.id == by.id:
        raise ErasureRefused(_("You cannot erase your own account: ask another administrator."))
    if user.erased_at is not None:
        raise ErasureRefused(_("This account has already been erased."))
    for plugin in registry():
        plugin.erase_user_data(user)
    for model in (Draft, Notification, OutboxMessage, Completion, Attendance, Membership, UserSession,
                  PasswordToken):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.expire(user)
    user.email = f"erased-{user.id}@{ERASED_DOMAIN}"
    user.name = _("Erased user %(id)s", id=user.id)
    user.password_hash = None
    user.active = False
    user.site_role = None
    user.locale = None
    calendar_feed.end_feed_token(user)
    user.erased_at = utcnow()
    audit.record("privacy.erased", user, actor=by)
