"""Meetings of a cohort: scheduling from the programme's meeting plans, editing, attendance, the
user's calendar and the calendar feed.

Scheduling. Each cohort gets one dated Meeting per MeetingPlan of its kind (national plans for
national cohorts, transnational plans for the transnational cohort), on the run's start plus the
plan's `after_start_days`. `schedule_meetings` is idempotent: it only adds what is missing, and
brings a planned meeting's hours back to the plan's (hours come from content, so the programme
keeps its 160); dates, place and agenda are the cohort's to change.

Who may do what. Managing a cohort's meetings (dates, place, agenda, extra meetings): admins, the
cohort's facilitators, national coordinators of its country, and transnational coordinators for
the transnational cohort. Recording attendance: the cohort's facilitators, once the meeting has
started. Seeing a meeting: the cohort's members and whoever may see the cohort's status.

Attended hours reach the trainee's 160 through the programme service (app/services/programme.py,
`_hours`), which adds every attended meeting of the trainee's cohorts."""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import groupby
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import joinedload

from ..input_guard import parse_id
from .. import audit
from ..access import can_view_cohort_status, cohort_roles, cohorts_with_status_access, is_facilitator_of
from ..errors import Forbidden, NotFound
from ..extensions import db
from ..models import (Attendance, Cohort, CohortRole, Meeting, MeetingPlan, Membership, Module, Programme,
                      ProgrammeRun, User)
from ..timeutil import add_days, utcnow
from . import ical
from .programme import ActivityItem, overview, viewer_for

Problems = list[tuple[str | None, str]]


class MeetingError(ValueError):
    """A change the rules refuse; `problems` pairs each message with its form field."""

    def __init__(self, problems: Problems) -> None:
        super().__init__(" ".join(message for _field, message in problems))
        self.problems = problems


def today_for(user: User | None) -> date:
    """Today in the user's time zone: a meeting 'has started' on the user's calendar day."""
    try:
        zone = ZoneInfo(user.timezone) if user is not None and user.timezone else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    return datetime.now(zone).date() if zone else utcnow().date()


# Scheduling ---------------------------------------------------------------------------------

def programme_of(run: ProgrammeRun) -> Programme | None:
    """The programme a run teaches: its own, or the installation's only one."""
    if run.programme is not None:
        return run.programme
    programmes = list(db.session.scalars(select(Programme).order_by(Programme.id).limit(2)))
    return programmes[0] if len(programmes) == 1 else None


def _plans(programme: Programme, kind: str) -> list[MeetingPlan]:
    return list(db.session.scalars(
        select(MeetingPlan).join(Module).where(Module.programme_id == programme.id, Module.retired.is_(False),
                                               MeetingPlan.retired.is_(False), MeetingPlan.kind == kind)
        .order_by(Module.order, MeetingPlan.position, MeetingPlan.id)))


def schedule_meetings(cohort: Cohort) -> list[Meeting]:
    """Give the cohort a dated meeting for every plan of its kind it does not have yet; returns
    the meetings created (three queries, whatever the number of plans)."""
    programme = programme_of(cohort.run)
    if programme is None:
        return []
    existing = {m.plan_id: m for m in db.session.scalars(
        select(Meeting).where(Meeting.cohort_id == cohort.id, Meeting.plan_id.is_not(None)))}
    created: list[Meeting] = []
    for plan in _plans(programme, cohort.kind):
        meeting = existing.get(plan.id)
        if meeting is not None:
            if meeting.hours != plan.hours:
                meeting.hours = plan.hours
            continue
        starts_on = add_days(cohort.run.starts_on, plan.after_start_days)
        meeting = Meeting(cohort_id=cohort.id, plan_id=plan.id, title=plan.title, starts_on=starts_on,
                          ends_on=add_days(starts_on, max(plan.duration_days, 1) - 1), place="",
                          hours=plan.hours, agenda_md=plan.agenda_md)
        db.session.add(meeting)
        created.append(meeting)
    db.session.flush()
    if created:
        audit.record("meeting.schedule", cohort, created=len(created))
    return created


def schedule_run(run: ProgrammeRun) -> int:
    return sum(len(schedule_meetings(cohort)) for cohort in run.cohorts)


def schedule_programme(programme: Programme) -> int:
    """Schedule every cohort of every run that teaches the programme (after a content import)."""
    runs = db.session.scalars(select(ProgrammeRun).options(joinedload(ProgrammeRun.programme))
                              .order_by(ProgrammeRun.id))
    return sum(schedule_run(run) for run in runs if programme_of(run) == programme)


# Access -------------------------------------------------------------------------------------

def can_manage(user: User, cohort: Cohort) -> bool:
    """May change the cohort's meetings: dates, place, agenda, extra meetings."""
    if not user.is_authenticated:
        return False
    if user.is_transnational_coordinator:
        return cohort.is_transnational or is_facilitator_of(user, cohort.id)
    return can_view_cohort_status(user, cohort)


def can_record_attendance(user: User, cohort: Cohort) -> bool:
    return user.is_authenticated and is_facilitator_of(user, cohort.id)


def can_view(user: User, cohort: Cohort) -> bool:
    return user.is_authenticated and (bool(cohort_roles(user, cohort.id)) or can_view_cohort_status(user, cohort))


def meeting_or_404(meeting_id: int) -> Meeting:
    meeting = db.session.scalar(select(Meeting).where(Meeting.id == meeting_id).options(
        joinedload(Meeting.cohort).joinedload(Cohort.run), joinedload(Meeting.plan).joinedload(MeetingPlan.module)))
    if meeting is None:
        raise NotFound
    return meeting


def viewable_meeting_or_403(user: User, meeting_id: int) -> Meeting:
    meeting = meeting_or_404(meeting_id)
    if not can_view(user, meeting.cohort):
        raise Forbidden
    return meeting


def managed_cohorts(user: User) -> list[Cohort]:
    """Cohorts whose meetings the user manages, newest run first."""
    cohorts = [c for c in cohorts_with_status_access(user) if can_manage(user, c)]
    return sorted(cohorts, key=lambda c: (-c.run.starts_on.toordinal(), c.name))


# Editing ------------------------------------------------------------------------------------

def _check(title: str, starts_on: date | None, ends_on: date | None, hours: Decimal | None) -> None:
    problems: Problems = []
    if not (title or "").strip():
        problems.append(("title", _("Give the meeting a title.")))
    if starts_on is None:
        problems.append(("starts_on", _("Give the meeting's first day.")))
    elif ends_on is not None and ends_on < starts_on:
        problems.append(("ends_on", _("The last day cannot be before the first day.")))
    if hours is not None and hours < 0:
        problems.append(("hours", _("Hours cannot be negative.")))
    if problems:
        raise MeetingError(problems)


def update_meeting(meeting: Meeting, *, title: str, starts_on: date, ends_on: date | None, place: str,
                   agenda_md: str, hours: Decimal | None = None) -> list[str]:
    """Change what the cohort may change; a planned meeting's hours stay the plan's. Returns the
    names of the fields that changed."""
    _check(title, starts_on, ends_on, hours)
    values = {"title": title.strip(), "starts_on": starts_on, "ends_on": ends_on or starts_on,
              "place": (place or "").strip(), "agenda_md": (agenda_md or "").strip()}
    if meeting.plan_id is None and hours is not None:
        values["hours"] = hours
    changed = [name for name, value in values.items() if getattr(meeting, name) != value]
    for name in changed:
        setattr(meeting, name, values[name])
    db.session.flush()
    if changed:
        audit.record("meeting.update", meeting, cohort_id=meeting.cohort_id, fields=changed)
    return changed


def add_meeting(cohort: Cohort, *, title: str, starts_on: date, ends_on: date | None, place: str,
                agenda_md: str, hours: Decimal | None = None) -> Meeting:
    """An extra meeting, outside the programme's plan: it credits no hours unless given some."""
    _check(title, starts_on, ends_on, hours)
    meeting = Meeting(cohort_id=cohort.id, plan_id=None, title=title.strip(), starts_on=starts_on,
                      ends_on=ends_on or starts_on, place=(place or "").strip(), agenda_md=(agenda_md or "").strip(),
                      hours=hours or Decimal(0))
    db.session.add(meeting)
    db.session.flush()
    audit.record("meeting.create", meeting, cohort_id=cohort.id, hours=str(meeting.hours))
    return meeting


def cohort_meetings(cohort: Cohort) -> list[tuple[Meeting, int, int]]:
    """The cohort's meetings with (present, recorded) counts, in two queries."""
    meetings = list(db.session.scalars(select(Meeting).where(Meeting.cohort_id == cohort.id)
                                       .order_by(Meeting.starts_on, Meeting.id)))
    counts: dict[int, tuple[int, int]] = {}
    if meetings:
        rows = db.session.execute(
            select(Attendance.meeting_id, func.count(), func.sum(case((Attendance.present.is_(True), 1), else_=0)))
            .where(Attendance.meeting_id.in_([m.id for m in meetings])).group_by(Attendance.meeting_id))
        counts = {meeting_id: (int(present or 0), int(recorded)) for meeting_id, recorded, present in rows}
    return [(m, *counts.get(m.id, (0, 0))) for m in meetings]


# Attendance ---------------------------------------------------------------------------------

def has_started(meeting: Meeting, user: User | None = None) -> bool:
    return meeting.starts_on <= today_for(user)


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
    today = today_for(user)
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
    return db.session.scalar(select(Meeting).where(Meeting.cohort_id.in_(cohorts), Meeting.ends_on >= today_for(user))
                             .order_by(Meeting.starts_on, Meeting.id).limit(1))


# The calendar -------------------------------------------------------------------------------

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
        .options(joinedload(Meeting.cohort)).order_by(Meeting.starts_on, Meeting.id)))


def _own_attendance(user: User, meeting_ids: list[int]) -> dict[int, Attendance]:
    if not meeting_ids:
        return {}
    return {a.meeting_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.user_id == user.id, Attendance.meeting_id.in_(meeting_ids)))}


def attendance_state_of(user: User, meeting: Meeting) -> str:
    return attendance_state(_own_attendance(user, [meeting.id]).get(meeting.id))


def _recorded_meeting_ids(meeting_ids: list[int]) -> set[int]:
    if not meeting_ids:
        return set()
    return set(db.session.scalars(select(Attendance.meeting_id).where(Attendance.meeting_id.in_(meeting_ids))
                                  .distinct()))


def entries_for(user: User, today: date | None = None) -> list[Entry]:
    """The user's meetings (every cohort they belong to) and, for a trainee, the due dates of
    their programme: a fixed number of queries, however many meetings and activities."""
    today = today or today_for(user)
    rows = _user_meetings(user)
    trainee_meetings = [m.id for m, role in rows if role == CohortRole.TRAINEE]
    own = _own_attendance(user, trainee_meetings)
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
    return [Entry(DUE, item.due, item.due, item.activity.title, item.url, due=item, module_title=module.module.title)
            for module in overview(viewer).modules for item in module.activities if item.due is not None]


def _by_month(entries: list[Entry]) -> list[Month]:
    return [Month(first_day, list(group))
            for first_day, group in groupby(entries, key=lambda e: e.starts_on.replace(day=1))]


def calendar_for(user: User) -> Calendar:
    """Upcoming entries (not over yet) soonest first and past ones latest first, by month."""
    today = today_for(user)
    entries = entries_for(user, today)
    upcoming = [e for e in entries if e.ends_on >= today]
    past = sorted((e for e in entries if e.ends_on < today), key=lambda e: e.sort_key, reverse=True)
    return Calendar(user, today, _by_month(upcoming), _by_month(past), [e for e in entries if e.to_record], entries)


# The calendar feed --------------------------------------------------------------------------

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
