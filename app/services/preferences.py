"""Notification preferences: for each kind of notification, e-mail it at once, gather it in the
daily digest, or not e-mail it at all (it still appears in the app). Safety notices (a trainee's
flag to a supervisor, declared by plugins as `safety_notification_kinds`) and account e-mails
(invitation, password reset) are not a preference: they always leave at once.

    category_of("assignment.feedback")   -> "activity"
    mode_for(user, "announcement")       -> "now" | "digest" | "off"
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db, rows_changed
from ..models import NotificationPreference, User
from ..plugins import registry

NOW, DIGEST, OFF = "now", "digest", "off"
ANNOUNCEMENT, REMINDER, ACTIVITY, SUMMARY = "announcement", "reminder", "activity", "summary"
#: Not preferences: always e-mailed at once, never unsubscribable.
SAFETY, ACCOUNT = "safety", "account"

MODE_LABELS = {NOW: _l("E-mail at once"), DIGEST: _l("In the daily digest e-mail"),
               OFF: _l("No e-mail (in the app only)")}
#: The kinds on the account page, with the modes each offers (the staff summary is a digest itself).
KINDS = {
    ANNOUNCEMENT: (_l("Announcements from your facilitators and coordinators"), (NOW, DIGEST, OFF)),
    REMINDER: (_l("Reminders about overdue work and questionnaires"), (NOW, DIGEST, OFF)),
    ACTIVITY: (_l("Feedback, replies and comments on your work"), (NOW, DIGEST, OFF)),
    SUMMARY: (_l("Summary for facilitators and coordinators (daily or weekly): work waiting, attendance to "
                 "record, flags"), (DIGEST, OFF)),
}
DEFAULTS = {ANNOUNCEMENT: NOW, REMINDER: NOW, ACTIVITY: NOW, SUMMARY: DIGEST}
REMINDER_KINDS = frozenset({"reminder.overdue", "evaluation.reminder"})


class PreferenceError(ValueError):
    """A preference that cannot be set (a safety notice, an unknown kind or mode)."""


def safety_kinds() -> set[str]:
    return {kind for plugin in registry() for kind in plugin.safety_notification_kinds}


def category_of(kind: str) -> str:
    """The preference kind a notification kind belongs to."""
    if kind in safety_kinds():
        return SAFETY
    if kind.startswith("account."):
        return ACCOUNT
    if kind == "announcement":
        return ANNOUNCEMENT
    if kind in REMINDER_KINDS:
        return REMINDER
    if kind.startswith("digest."):
        return SUMMARY
    return ACTIVITY


def modes_for(user_ids: list[int], category: str) -> dict[int, str]:
    """Each user's mode for the category, in one query."""
    if category not in KINDS:
        return dict.fromkeys(user_ids, NOW)
    chosen = dict(db.session.execute(select(NotificationPreference.user_id, NotificationPreference.mode).where(
        NotificationPreference.user_id.in_(user_ids), NotificationPreference.kind == category)).all()) \
        if user_ids else {}
    return {uid: chosen.get(uid, DEFAULTS[category]) for uid in user_ids}


def mode_for(user: User, category: str) -> str:
    return modes_for([user.id], category)[user.id]


def all_modes(user: User) -> dict[str, str]:
    chosen = dict(db.session.execute(select(NotificationPreference.kind, NotificationPreference.mode).where(
        NotificationPreference.user_id == user.id)).all())
    return {kind: chosen.get(kind, DEFAULTS[kind]) for kind in KINDS}


def set_mode(user: User, category: str, mode: str) -> None:
    """Store a preference in the caller's transaction; an update, or an insert that a concurrent
    insert of the same row turns into the update (the unique key decides)."""
    if category not in KINDS or mode not in KINDS[category][1]:
        raise PreferenceError(category)
    if _update(user.id, category, mode):
        return
    try:
        with db.session.begin_nested():
            db.session.add(NotificationPreference(user_id=user.id, kind=category, mode=mode))
    except IntegrityError:
        _update(user.id, category, mode)


def _update(user_id: int, category: str, mode: str) -> bool:
    changed = db.session.execute(update(NotificationPreference).where(
        NotificationPreference.user_id == user_id, NotificationPreference.kind == category).values(mode=mode)
        .execution_options(synchronize_session=False))
    return rows_changed(changed) == 1


def turn_off_digest(user: User) -> None:
    """Unsubscribing from the digest: no summary, and what was gathered in it stays in the app."""
    for category, mode in all_modes(user).items():
        if mode == DIGEST:
            set_mode(user, category, OFF)
