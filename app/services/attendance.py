"""Attendance at a cohort's meetings: the sheet a facilitator fills in once the meeting has
started, what a facilitator's home page reminds them of, and a trainee's next meeting.

Recording attendance is for the cohort's facilitators (meetings.can_record_attendance). "Today" is
always `meetings.today_for`, looked up on that module at call time, so there is one clock for
scheduling, attendance and the calendar."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from .. import audit
from ..extensions import db
from ..models import Attendance, CohortRole, Meeting, Membership, User
from ..timeutil import utcnow
from . import meetings
from .meetings import MeetingError


def has_started(meeting: Meeting, user: User | None = None) -> bool:
    return meeting.starts_on <= meetings.today_for(user)


ATTENDED, ABSENT, NOT_RECORDED = "attended", "absent", "not_recorded"


@dataclass
class SheetRow:
    trainee: User
    attendance: Attendance | None

    @property
    def state(self) -> str:
        return attendance_state(self.attendance)


def attendance_state(attendance: Attendance | None) -> str:
    if attendance is None:
        return NOT_RECORDED
    return ATTENDED if attendance.present else ABSENT


def attendance_sheet(meeting: Meeting) -> list[SheetRow]:
    """The cohort's trainees by name, each with their attendance if recorded (two queries)."""
    trainees = list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.cohort_id == meeting.cohort_id, Membership.role == CohortRole.TRAINEE)
        .order_by(User.name, User.id)))
    recorded = {a.user_id: a for a in db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))}
    return [SheetRow(t, recorded.get(t.id)) for t in trainees]


def record_attendance(meeting: Meeting, sheet: list[SheetRow], present_ids: set[int],
                      recorder: User) -> tuple[int, int]:
    """Mark each trainee of the sheet present or absent; recording again updates. Returns
    (present, absent)."""
    if not has_started(meeting, recorder):
        raise MeetingError([(None, _("Attendance can be recorded from the meeting's first day, %(day)s.",
                                     day=format_date(meeting.starts_on)))])
    now = utcnow()
    changed = 0
    for row in sheet:
        present = row.trainee.id in present_ids
        if row.attendance is None:
            db.session.add(Attendance(meeting_id=meeting.id, user_id=row.trainee.id, present=present,
                                      recorded_by_id=recorder.id, recorded_at=now))
            changed += 1
        elif row.attendance.present != present:
            row.attendance.present = present
            row.attendance.recorded_by_id, row.attendance.recorded_at = recorder.id, now
            changed += 1
    db.session.flush()
    present_count = sum(1 for row in sheet if row.trainee.id in present_ids)
    audit.record("meeting.attendance", meeting, cohort_id=meeting.cohort_id, present=present_count,
                 absent=len(sheet) - present_count, changed=changed)
    return present_count, len(sheet) - present_count


def _facilitated_cohorts(user: User):
    return select(Membership.cohort_id).where(Membership.user_id == user.id,
                                              Membership.role == CohortRole.FACILITATOR)


def _awaiting_attendance_query(user: User, today: date):
    """Started meetings of cohorts the user facilitates, with trainees but no attendance yet."""
    facilitated = _facilitated_cohorts(user)
    has_trainees = exists().where(Membership.cohort_id == Meeting.cohort_id, Membership.role == CohortRole.TRAINEE)
    recorded = exists().where(Attendance.meeting_id == Meeting.id)
    return (select(Meeting).where(Meeting.cohort_id.in_(facilitated), Meeting.starts_on <= today,
                                  has_trainees, ~recorded))


@dataclass
class AttendanceReminders:
    """What a facilitator's home page says about attendance."""
    #: Meetings that began (today or earlier) with no attendance recorded, oldest first.
    to_record: list[Meeting]
    #: Meetings that start tomorrow: attendance is due after them.
    tomorrow: list[Meeting]
    today: date

    def __bool__(self) -> bool:
        return bool(self.to_record or self.tomorrow)


def attendance_reminders(user: User) -> AttendanceReminders:
    """The meetings of the cohorts the user facilitates that need their attendance recorded, and
    those that start tomorrow (two queries; empty for anyone who facilitates nothing)."""
    today = meetings.today_for(user)
    to_record = list(db.session.scalars(_awaiting_attendance_query(user, today)
                                        .options(joinedload(Meeting.cohort))
                                        .order_by(Meeting.starts_on, Meeting.id)))
    tomorrow = list(db.session.scalars(
        select(Meeting).where(Meeting.cohort_id.in_(_facilitated_cohorts(user)),
                              Meeting.starts_on == today + timedelta(days=1))
        .options(joinedload(Meeting.cohort)).order_by(Meeting.starts_on, Meeting.id)))
    return AttendanceReminders(to_record, tomorrow, today)


def next_meeting(user: User) -> Meeting | None:
    """The first meeting, not yet over, of the cohorts the user is a trainee in (one query)."""
    cohorts = select(Membership.cohort_id).where(Membership.user_id == user.id, Membership.role == CohortRole.TRAINEE)
    return db.session.scalar(select(Meeting).where(Meeting.cohort_id.in_(cohorts),
                                                   Meeting.ends_on >= meetings.today_for(user))
                             .order_by(Meeting.starts_on, Meeting.id).limit(1))


def own_attendance(user: User, meeting_ids: list[int]) -> dict[int, Attendance]:
    """The user's own attendance at the given meetings, by meeting id (one query)."""
    if not meeting_ids:
        return {}
    return {a.meeting_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.user_id == user.id, Attendance.meeting_id.in_(meeting_ids)))}


def attendance_state_of(user: User, meeting: Meeting) -> str:
    return attendance_state(own_attendance(user, [meeting.id]).get(meeting.id))
