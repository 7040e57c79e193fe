"""The user's calendar: their meetings in every cohort they belong to and, for a trainee, the due
dates of their programme, by month, upcoming and past. "Today" is `meetings.today_for`, looked up
at call time (one clock with attendance)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import groupby

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Attendance, CohortRole, Meeting, Membership, Module, User
from . import meetings
from .attendance import attendance_state, own_attendance
from .programme import ActivityItem, overview, viewer_for

MEETING, DUE = "meeting", "due"


@dataclass
class Entry:
    kind: str
    starts_on: date
    ends_on: date
    title: str
    url: str | None = None
    meeting: Meeting | None = None
    #: The user's role in the meeting's cohort.
    role: str | None = None
    #: attended | absent | not_recorded, for a trainee's meeting that has started.
    attendance: str | None = None
    #: A started meeting the user facilitates with no attendance recorded.
    to_record: bool = False
    due: ActivityItem | None = None
    #: The module a due activity belongs to.
    module_title: str | None = None
    module: Module | None = None

    @property
    def sort_key(self) -> tuple:
        return (self.starts_on, 0 if self.kind == MEETING else 1, self.title)


@dataclass
class Month:
    first_day: date
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Calendar:
    user: User
    today: date
    upcoming: list[Month]
    past: list[Month]
    to_record: list[Entry]
    entries: list[Entry]


def _user_meetings(user: User) -> list[tuple[Meeting, str]]:
    return list(db.session.execute(
        select(Meeting, Membership.role).join(Membership, Membership.cohort_id == Meeting.cohort_id)
        .where(Membership.user_id == user.id)
        .options(joinedload(Meeting.cohort), joinedload(Meeting.plan)).order_by(Meeting.starts_on, Meeting.id)))


def _recorded_meeting_ids(meeting_ids: list[int]) -> set[int]:
    if not meeting_ids:
        return set()
    return set(db.session.scalars(select(Attendance.meeting_id).where(Attendance.meeting_id.in_(meeting_ids))
                                  .distinct()))


def entries_for(user: User, today: date | None = None) -> list[Entry]:
    """The user's meetings (every cohort they belong to) and, for a trainee, the due dates of
    their programme: a fixed number of queries, however many meetings and activities."""
    today = today or meetings.today_for(user)
    rows = _user_meetings(user)
    trainee_meetings = [m.id for m, role in rows if role == CohortRole.TRAINEE]
    own = own_attendance(user, trainee_meetings)
    facilitated_started = [m.id for m, role in rows if role == CohortRole.FACILITATOR and m.starts_on <= today]
    recorded = _recorded_meeting_ids(facilitated_started)
    entries = []
    for meeting, role in rows:
        started = meeting.starts_on <= today
        entries.append(Entry(
            MEETING, meeting.starts_on, meeting.ends_on, meeting.title,
            url_for("meetings.meeting", meeting_id=meeting.id), meeting=meeting, role=role,
            attendance=attendance_state(own.get(meeting.id)) if role == CohortRole.TRAINEE and started else None,
            to_record=meeting.id in facilitated_started and meeting.id not in recorded))
    entries += _due_entries(user)
    return sorted(entries, key=lambda e: e.sort_key)


def _due_entries(user: User) -> list[Entry]:
    viewer = viewer_for(user)
    if viewer is None or not viewer.is_trainee:
        return []
    return [Entry(DUE, item.due, item.due, item.activity.title, item.url, due=item, module_title=module.module.title,
                  module=module.module)
            for module in overview(viewer).modules for item in module.activities if item.due is not None]


def _by_month(entries: list[Entry]) -> list[Month]:
    return [Month(first_day, list(group))
            for first_day, group in groupby(entries, key=lambda e: e.starts_on.replace(day=1))]


def calendar_for(user: User) -> Calendar:
    """Upcoming entries (not over yet) soonest first and past ones latest first, by month."""
    today = meetings.today_for(user)
    entries = entries_for(user, today)
    upcoming = [e for e in entries if e.ends_on >= today]
    past = sorted((e for e in entries if e.ends_on < today), key=lambda e: e.sort_key, reverse=True)
    return Calendar(user, today, _by_month(upcoming), _by_month(past), [e for e in entries if e.to_record], entries)

