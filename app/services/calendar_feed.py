"""The calendar feed: a secret address per user (no login, since calendar apps cannot log in) and
the user's calendar as iCalendar text (app/services/ical.py writes the format)."""
from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app, url_for
from flask_babel import gettext as _

from .. import audit
from ..extensions import db
from ..models import User
from ..timeutil import utcnow
from . import ical
from .meeting_calendar import MEETING, entries_for

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
    user_id, _sep, mac = token.partition("-")
    if not user_id.isdigit() or not mac:
        return None
    user = db.session.get(User, int(user_id))
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
    """The user's calendar as iCalendar text: meetings and, for trainees, due dates."""
    events = []
    for entry in entries_for(user):
        if entry.kind == MEETING:
            meeting = entry.meeting
            description = [_("Cohort: %(name)s", name=meeting.cohort.name)]
            if meeting.hours:
                description.append(_("Hours: %(hours)s", hours=format(meeting.hours.normalize(), "f")))
            agenda = ical.markdown_to_text(meeting.agenda_md)
            if agenda:
                description += ["", _("Agenda:"), agenda]
            events.append(ical.AllDayEvent(
                uid=f"meeting-{meeting.id}@{host}", starts_on=entry.starts_on, ends_on=entry.ends_on,
                summary=entry.title, location=meeting.place, description="\n".join(description),
                url=url_for("meetings.meeting", meeting_id=meeting.id, _external=True)))
        else:
            events.append(ical.AllDayEvent(
                uid=f"due-{entry.due.activity.id}-{user.id}@{host}", starts_on=entry.starts_on, ends_on=entry.ends_on,
                summary=_("Due: %(title)s", title=entry.title),
                description=_("Module: %(title)s", title=entry.module_title),
                url=_absolute(entry.url)))
    return ical.calendar(events, name=_("LIFE Academy: %(name)s", name=user.name),
                         prodid="-//LIFE Academy//Calendar//EN", stamp=utcnow())


def _absolute(url: str | None) -> str | None:
    if not url or "://" in url:
        return url
    return url_for("main.index", _external=True).rstrip("/") + url
