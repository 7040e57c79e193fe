"""Reminders about work a trainee has not done, at most one per trainee per item per 48 hours.

The limit is held by the database, not by a look before the write: `claim` moves the row's time
forward only if the last reminder is older than the limit (a compare-and-set), or inserts the
first one, where the unique key (user, item) refuses a second insert made at the same moment.
Whoever loses skips the trainee. The evaluation plugin's reminders use the same claim."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..extensions import db, rows_changed
from ..localized import localized
from ..models import Activity, Cohort, ReminderSent, User
from ..timeutil import utcnow
from . import preferences
from .cohort_progress import cohort_progress
from .notifications import notify
from .progress_figures import Trainee

LIMIT = timedelta(hours=48)
RECENTLY = _l("already reminded of this in the last 48 hours")
INACTIVE = _l("account deactivated")


class ReminderError(ValueError):
    """Nothing to remind of; the message says why."""


def item_key(activity: Activity) -> str:
    return f"activity:{activity.id}"


def claim(user_id: int, item: str, now: datetime | None = None) -> bool:
    """True if this caller may remind the user of the item now (and the time is recorded in its
    transaction); False if someone did within LIMIT, or is doing it at this moment."""
    now = now or utcnow()
    moved = db.session.execute(update(ReminderSent).where(
        ReminderSent.user_id == user_id, ReminderSent.item == item, ReminderSent.sent_at <= now - LIMIT)
        .values(sent_at=now).execution_options(synchronize_session=False))
    if rows_changed(moved) == 1:
        return True
    try:
        with db.session.begin_nested():
            db.session.add(ReminderSent(user_id=user_id, item=item, sent_at=now))
    except IntegrityError:  # a row exists: reminded recently, or by a concurrent sender
        return False
    return True


@dataclass
class ReminderResult:
    sent: list[User] = field(default_factory=list)
    #: (trainee, why they were not reminded)
    skipped: list[tuple[User, str]] = field(default_factory=list)


def remind_each(users: list[User], activity: Activity, kind: str, message_factory, url: str | None) -> ReminderResult:
    """Notify each user who may be reminded of the activity now; say why the others were not."""
    result = ReminderResult()
    modes = preferences.modes_for([u.id for u in users], preferences.REMINDER)
    for user in users:
        if not user.active:
            result.skipped.append((user, str(INACTIVE)))
        elif claim(user.id, item_key(activity)):
            notify(user, kind, message_factory, url, mode=modes[user.id])
            result.sent.append(user)
        else:
            result.skipped.append((user, str(RECENTLY)))
    return result


@dataclass
class OverdueItem:
    activity: Activity
    due: date
    url: str | None
    #: The late trainees, by name (plain rows: remind_overdue loads the users it notifies).
    trainees: list[User | Trainee] = field(default_factory=list)


def overdue_items(cohort: Cohort, today: date) -> list[OverdueItem]:
    """The cohort's overdue work, per activity, with the trainees who are late (a fixed number of
    queries, whatever the cohort's size)."""
    items: dict[int, OverdueItem] = {}
    for trainee in cohort_progress(cohort, today).trainees:
        for late in trainee.overdue:
            due = late.due or today
            item = items.setdefault(late.activity.id, OverdueItem(late.activity, due, late.url))
            item.due = min(item.due, due)
            item.trainees.append(trainee.user)
    return sorted(items.values(), key=lambda i: (i.due, i.activity.title))


def remind_overdue(sender: User, cohort: Cohort, activity_id: int, today: date) -> tuple[OverdueItem, ReminderResult]:
    item = next((i for i in overdue_items(cohort, today) if i.activity.id == activity_id), None)
    if item is None:
        raise ReminderError(_("Nobody in this cohort is late with this activity any more."))

    def message() -> str:
        return _("Reminder: “%(title)s” was due on %(date)s. You can still do it.",
                 title=str(localized(item.activity, "title")), date=format_date(item.due))
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([t.id for t in item.trainees])))}
    result = remind_each([users[t.id] for t in item.trainees if t.id in users], item.activity, "reminder.overdue",
                         message, item.url)
    audit.record("notify.remind_overdue", cohort, actor=sender, activity=item.activity.slug,
                 sent=len(result.sent), skipped=len(result.skipped))
    db.session.flush()
    return item, result
