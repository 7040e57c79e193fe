"""Meetings of a cohort: scheduling from the programme's meeting plans, who may do what, editing,
and the cohort's list. Attendance is in app/services/attendance.py, the user's calendar in
meeting_calendar.py and its iCalendar feed in calendar_feed.py.

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

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from .. import audit
from ..access import can_view_cohort_status, cohort_roles, cohorts_with_status_access, is_facilitator_of
from ..errors import Forbidden, NotFound
from ..extensions import db
from ..models import Attendance, Cohort, Meeting, MeetingPlan, Module, Programme, ProgrammeRun, User
from ..timeutil import DEFAULT_END, DEFAULT_START, EARLIEST_DATE, LATEST_DATE, add_days, utcnow
from ..timezones import FALLBACK_ZONE, day_in, is_zone, today_in, zone_for_country
from .pinned import overlay_modules, overlay_plans, pinned_content

Problems = list[tuple[str | None, str]]


class MeetingError(ValueError):
    """A change the rules refuse; `problems` pairs each message with its form field."""

    def __init__(self, problems: Problems) -> None:
        super().__init__(" ".join(message for _field, message in problems))
        self.problems = problems


def today_for(user: User | None) -> date:
    """Today in the user's time zone: a meeting 'has started' on the user's calendar day."""
    if user is None or not is_zone(user.timezone):
        return utcnow().date()
    return today_in(user.timezone)


def day_for(user: User | None, moment: datetime) -> date:
    """The calendar day a stored moment (naive UTC) falls on for the user, by today_for's rule."""
    if user is None or not is_zone(user.timezone):
        return moment.date()
    return day_in(moment, user.timezone)


# Scheduling ---------------------------------------------------------------------------------

def programme_of(run: ProgrammeRun) -> Programme | None:
    """The programme a run teaches: its own, or the installation's only one."""
    if run.programme is not None:
        return run.programme
    programmes = list(db.session.scalars(select(Programme).order_by(Programme.id).limit(2)))
    return programmes[0] if len(programmes) == 1 else None


def _plans(programme: Programme, kind: str, run: ProgrammeRun | None = None) -> list[MeetingPlan]:
    """The meeting plans of the run's content version (app/services/pinned.py)."""
    pinned = pinned_content(run, programme)
    if pinned is None:
        return list(db.session.scalars(
            select(MeetingPlan).join(Module).where(Module.programme_id == programme.id, Module.retired.is_(False),
                                                   MeetingPlan.retired.is_(False), MeetingPlan.kind == kind)
            .order_by(Module.order, MeetingPlan.position, MeetingPlan.id)))
    modules = overlay_modules(list(db.session.scalars(select(Module).where(
        Module.programme_id == programme.id, Module.slug.in_(pinned.slugs("modules"))))), pinned)
    plans = overlay_plans(list(db.session.scalars(select(MeetingPlan).where(
        MeetingPlan.slug.in_(pinned.slugs("meeting_plans"))))), pinned, {m.slug: m for m in modules})
    order = {m.id: m.order for m in modules}
    return sorted((p for p in plans if p.kind == kind and p.module_id in order),
                  key=lambda p: (order[p.module_id], p.position, p.id))


def schedule_meetings(cohort: Cohort) -> list[Meeting]:
    """Give the cohort a dated meeting for every plan of its kind it does not have yet; returns
    the meetings created (three queries, whatever the number of plans)."""
    programme = programme_of(cohort.run)
    if programme is None:
        return []
    existing = {m.plan_id: m for m in db.session.scalars(
        select(Meeting).where(Meeting.cohort_id == cohort.id, Meeting.plan_id.is_not(None)))}
    created: list[Meeting] = []
    country = cohort.country.code if cohort.country_id is not None else None
    for plan in _plans(programme, cohort.kind, cohort.run):
        if not plan.shown_to(country):
            continue  # another country's variant session, or a plan this country's variant replaces
        meeting = existing.get(plan.id)
        if meeting is not None:
            if meeting.hours != plan.hours:
                meeting.hours = plan.hours
            continue
        starts_on = add_days(cohort.run.starts_on, plan.after_start_days)
        meeting = Meeting(cohort_id=cohort.id, plan_id=plan.id, title=plan.title, starts_on=starts_on,
                          ends_on=add_days(starts_on, max(plan.duration_days, 1) - 1), place=plan.place or "",
                          hours=plan.hours, agenda_md=plan.agenda_md, starts_at=plan.starts_at,
                          ends_at=plan.ends_at, time_zone=cohort_zone(cohort))
        db.session.add(meeting)
        created.append(meeting)
    db.session.flush()
    if created:
        audit.record("meeting.schedule", cohort, created=len(created))
    return created


def cohort_zone(cohort: Cohort) -> str:
    """The zone a cohort's meetings are held in: its country's; the transnational cohort's
    host changes from week to week, so its meetings start in the fallback zone until edited."""
    return zone_for_country(cohort.country) if cohort.country_id is not None else FALLBACK_ZONE


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

#: Dates a meeting may have: anything else is a typing slip (year 9999), refused with a message.


@dataclass
class Times:
    """Each day of a meeting runs from `starts_at` to `ends_at`, local time in `time_zone`."""
    starts_at: time
    ends_at: time
    time_zone: str


def _check_day(name: str, day: date | None, problems: Problems) -> None:
    # The same range and words as the forms' SaneDate (app/forms.py), for callers without a form.
    if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
        problems.append((name, _("Give a date between %(earliest)s and %(latest)s.",
                                 earliest=format_date(EARLIEST_DATE), latest=format_date(LATEST_DATE))))


def _check_times(times: Times | None, problems: Problems) -> None:
    if times is None:
        return
    if times.starts_at is None:
        problems.append(("starts_at", _("Give the time the meeting starts.")))
    if times.ends_at is None:
        problems.append(("ends_at", _("Give the time the meeting ends.")))
    elif times.starts_at is not None and times.ends_at <= times.starts_at:
        problems.append(("ends_at", _("The meeting must end after it starts.")))
    if not is_zone(times.time_zone):
        problems.append(("time_zone", _("Choose a time zone from the list, for example Europe/Lisbon.")))


def _check(title: str, starts_on: date | None, ends_on: date | None, hours: Decimal | None,
           times: Times | None = None) -> None:
    problems: Problems = []
    if not (title or "").strip():
        problems.append(("title", _("Give the meeting a title.")))
    if starts_on is None:
        problems.append(("starts_on", _("Give the meeting's first day.")))
    elif ends_on is not None and ends_on < starts_on:
        problems.append(("ends_on", _("The last day cannot be before the first day.")))
    _check_day("starts_on", starts_on, problems)
    _check_day("ends_on", ends_on, problems)
    _check_times(times, problems)
    if hours is not None and hours < 0:
        problems.append(("hours", _("Hours cannot be negative.")))
    if problems:
        raise MeetingError(problems)


def _time_values(times: Times | None) -> dict:
    if times is None:
        return {}
    return {"starts_at": times.starts_at, "ends_at": times.ends_at, "time_zone": times.time_zone}


def update_meeting(meeting: Meeting, *, title: str, starts_on: date, ends_on: date | None, place: str,
                   agenda_md: str, hours: Decimal | None = None, times: Times | None = None) -> list[str]:
    """Change what the cohort may change; a planned meeting's hours stay the plan's. Returns the
    names of the fields that changed."""
    _check(title, starts_on, ends_on, hours, times)
    values = {"title": title.strip(), "starts_on": starts_on, "ends_on": ends_on or starts_on,
              "place": (place or "").strip(), "agenda_md": (agenda_md or "").strip(), **_time_values(times)}
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
                agenda_md: str, hours: Decimal | None = None, times: Times | None = None) -> Meeting:
    """An extra meeting, outside the programme's plan: it credits no hours unless given some.
    Without times, the national half-day (09:00-13:00) in the cohort's zone."""
    _check(title, starts_on, ends_on, hours, times)
    times = times or Times(DEFAULT_START, DEFAULT_END, cohort_zone(cohort))
    meeting = Meeting(cohort_id=cohort.id, plan_id=None, title=title.strip(), starts_on=starts_on,
                      ends_on=ends_on or starts_on, place=(place or "").strip(), agenda_md=(agenda_md or "").strip(),
                      hours=hours or Decimal(0), **_time_values(times))
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
