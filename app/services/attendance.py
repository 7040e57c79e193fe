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
from ..conflicts import state_token
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


def lock_sheet(meeting: Meeting) -> None:
    """One recorder at a time for a meeting (a row lock on PostgreSQL; SQLite has one writer), so
    the sheet read next is the one the stale-row check and the save both see."""
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())


def row_token(row: SheetRow) -> str:
    """What the sheet showed for one trainee ("" when nothing was recorded): each row is checked
    on its own, so two facilitators marking different trainees do not get in each other's way."""
    return state_token(row.attendance.present) if row.attendance is not None else ""


def overwritten_rows(sheet: list[SheetRow], bases: dict[int, str], present_ids: set[int]) -> list[SheetRow]:
    """The rows someone else recorded after the sheet was loaded (`bases`: the row tokens the form
    sent; a row the form sent none for is not checked) that this save would change unseen."""
    return [row for row in sheet
            if row.trainee.id in bases and bases[row.trainee.id] != row_token(row)
            and row.attendance is not None and row.attendance.present != (row.trainee.id in present_ids)]


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
    those that start tomorrow (one query; none for anyone who facilitates nothing)."""
    today = meetings.today_for(user)
    if not any(m.role == CohortRole.FACILITATOR for m in user.memberships):
        return AttendanceReminders([], [], today)
    tomorrow = today + timedelta(days=1)
    has_trainees = exists().where(Membership.cohort_id == Meeting.cohort_id, Membership.role == CohortRole.TRAINEE)
    awaiting = (Meeting.starts_on <= today) & has_trainees & ~exists().where(Attendance.meeting_id == Meeting.id)
    found = list(db.session.execute(
        select(Meeting, awaiting).where(Meeting.cohort_id.in_(_facilitated_cohorts(user)),
                                        awaiting | (Meeting.starts_on == tomorrow))
        # With the plan: the page shows a meeting's title through it (app/localized.py
        # meeting_text), one lazy load per plan otherwise.
        .options(joinedload(Meeting.cohort), joinedload(Meeting.plan)).order_by(Meeting.starts_on, Meeting.id)))
    return AttendanceReminders([m for m, waits in found if waits], [m for m, _w in found if m.starts_on == tomorrow],
                               today)


def next_meeting(user: User) -> Meeting | None:
    """The first meeting, not yet over, of the cohorts the user is a trainee in: from the same
    per-request list the programme overview reads (no query of its own on those pages)."""
    from .programme_viewer import meetings_of_cohorts  # the viewer imports this package's meetings
    today = meetings.today_for(user)
    cohorts = sorted(m.cohort_id for m in user.memberships if m.role == CohortRole.TRAINEE)
    return next((m for m in meetings_of_cohorts(cohorts) if m.ends_on is not None and m.ends_on >= today), None)


def own_attendance(user: User, meeting_ids: list[int]) -> dict[int, Attendance]:
    """The user's own attendance at the given meetings, by meeting id (one query)."""
    if not meeting_ids:
        return {}
    return {a.meeting_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.user_id == user.id, Attendance.meeting_id.in_(meeting_ids)))}


def attendance_state_of(user: User, meeting: Meeting) -> str:
    return attendance_state(own_attendance(user, [meeting.id]).get(meeting.id))
