"""The calendar feed: a secret address per user (no login, since calendar apps cannot log in) and
the user's calendar as iCalendar text (app/services/ical.py writes the format)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, url_for
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm.attributes import set_committed_value

from .. import audit
from ..extensions import db
from ..localized import localized, meeting_text
from ..models import Meeting, User
from ..security import token_digest
from ..timeutil import utcnow
from ..timezones import first_day_span
from . import ical
from .meeting_calendar import MEETING, Entry, entries_for

_FEED_LABEL = b"life-academy calendar feed seal v2"


def _seal() -> Fernet:
    # A key of its own, derived from SECRET_KEY: it only hides the stored token for display; the
    # token itself is random, so nothing can be computed from the key alone.
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), _FEED_LABEL, hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _new_token(user_id: int) -> tuple[str, dict[str, str]]:
    token = f"{user_id}-{secrets.token_urlsafe(24)}"
    return token, {"calendar_feed_hash": token_digest(token),
                   "calendar_feed_sealed": _seal().encrypt(token.encode()).decode()}


def issue_feed_token(user: User) -> str:
    """A new random feed token for the user (the old one stops working); only its hash and a
    sealed copy are stored."""
    token, columns = _new_token(user.id)
    for name, value in columns.items():
        setattr(user, name, value)
    db.session.flush()
    return token


@event.listens_for(User, "after_insert")
def _issue_on_creation(_mapper, connection, user: User) -> None:
    # Every new account has its address at once, so showing it never has to write.
    _token, columns = _new_token(user.id)
    table = User.__table__
    connection.execute(table.update().where(table.c.id == user.id).values(**columns))
    for name, value in columns.items():
        set_committed_value(user, name, value)


def feed_token(user: User) -> str:
    """The secret in the user's feed address, issued on first use (the caller commits). A sealed copy
    that no longer opens (SECRET_KEY changed) is replaced: the old link ends, as it always did."""
    if user.calendar_feed_sealed and user.calendar_feed_hash:
        try:
            token = _seal().decrypt(user.calendar_feed_sealed.encode()).decode()
        except InvalidToken:
            token = ""
        if token and hmac.compare_digest(token_digest(token), user.calendar_feed_hash):
            return token
    return issue_feed_token(user)


def user_for_feed_token(token: str) -> User | None:
    if not token or len(token) > 100:
        return None
    user = db.session.scalar(select(User).where(User.calendar_feed_hash == token_digest(token)))
    if user is None or not user.active:
        return None
    return user


def end_feed_token(user: User) -> None:
    """No feed address at all (erasure); a later feed_token would issue a new one."""
    user.calendar_feed_hash = None
    user.calendar_feed_sealed = None


def reset_feed_token(user: User) -> None:
    issue_feed_token(user)
    audit.record("calendar.feed_reset", user, actor=user)


def feed(user: User, host: str) -> str:
    """The user's calendar as iCalendar text, in the user's language (a calendar app fetches it
    without a session): meetings as timed events in their own zone, and for trainees due dates."""
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        events = [_meeting_event(entry.meeting, host) if entry.kind == MEETING else _due_event(entry, user, host)
                  for entry in entries_for(user)]
        return ical.calendar(events, name=_("LIFE Academy: %(name)s", name=user.name),
                             prodid="-//LIFE Academy//Calendar//EN", stamp=utcnow())


def _meeting_event(meeting: Meeting, host: str) -> ical.TimedEvent:
    description = [_("Cohort: %(name)s", name=meeting.cohort.name)]
    if meeting.hours:
        description.append(_("Hours: %(hours)s", hours=format_decimal(meeting.hours)))
    agenda = ical.markdown_to_text(str(meeting_text(meeting, "agenda_md")))
    if agenda:
        description += ["", _("Agenda:"), agenda]
    starts_at, ends_at = first_day_span(meeting)
    return ical.TimedEvent(
        uid=f"meeting-{meeting.id}@{host}", starts_at=starts_at, ends_at=ends_at,
        days=(meeting.ends_on - meeting.starts_on).days + 1, summary=str(meeting_text(meeting, "title")),
        location=meeting.place, description="\n".join(description),
        url=url_for("meetings.meeting", meeting_id=meeting.id, _external=True))


def _due_event(entry: Entry, user: User, host: str) -> ical.AllDayEvent:
    module_title = localized(entry.module, "title") if entry.module is not None else entry.module_title
    return ical.AllDayEvent(
        uid=f"due-{entry.due.activity.id}-{user.id}@{host}", starts_on=entry.starts_on, ends_on=entry.ends_on,
        summary=_("Due: %(title)s", title=localized(entry.due.activity, "title")),
        description=_("Module: %(title)s", title=module_title), url=_absolute(entry.url))


def _absolute(url: str | None) -> str | None:
    if not url or "://" in url:
        return url
    return url_for("main.index", _external=True).rstrip("/") + url
