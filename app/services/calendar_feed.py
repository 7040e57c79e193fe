"""The calendar feed: a secret address per user (no login, since calendar apps cannot log in) and
the user's calendar as iCalendar text (app/services/ical.py writes the format)."""
from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app, url_for
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _

from .. import audit
from ..extensions import db
from ..input_guard import parse_id
from ..localized import localized, meeting_text
from ..models import Meeting, User
from ..timeutil import utcnow
from ..timezones import first_day_span
from . import ical
from .meeting_calendar import MEETING, Entry, entries_for

_FEED_LABEL = b"life-academy calendar feed v1"


def _feed_key() -> bytes:
    # A key of its own, derived from SECRET_KEY, so a feed token can never stand for anything else.
    return hmac.new(current_app.config["SECRET_KEY"].encode(), _FEED_LABEL, hashlib.sha256).digest()


def _feed_mac(user_id: int, version: int) -> str:
    digest = hmac.new(_feed_key(), f"{user_id}:{version}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def feed_token(user: User) -> str:
    """The secret in the user's feed address: their id and an HMAC of it and their feed version.
    Nothing is stored; resetting bumps the version, changing SECRET_KEY ends every link."""
    return f"{user.id}-{_feed_mac(user.id, user.calendar_feed_version)}"


def user_for_feed_token(token: str) -> User | None:
    raw_id, _sep, mac = token.partition("-")
    user_id = parse_id(raw_id)
    if user_id is None or not mac:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(mac.encode(), _feed_mac(user.id, user.calendar_feed_version).encode()):
        return None
    return user


def reset_feed_token(user: User) -> None:
    user.calendar_feed_version = (user.calendar_feed_version or 0) + 1
    db.session.flush()
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
