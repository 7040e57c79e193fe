"""The demo run part-way through: meetings with places and attendance recorded for most of the
meetings that are over, so that every page has something to show (see demo.py for the run's dates).

The core records meetings only; each activity plugin adds its own records through its `seed_demo`
hook (the reading plugin: readings done; the assignment plugin: work handed in and waiting for
feedback)."""
from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import exists, select

from ..extensions import db
from ..models import Attendance, Cohort, CohortRole, Meeting, Membership, ProgrammeRun, User
from ..plugins import registry
from . import attendance as attendance_service

#: Where each country's national meetings take place (the LIFE partners' home towns).
NATIONAL_PLACES = {
    "SE": "FoU-centrum, Linköping",
    "NO": "NTNU, Trondheim",
    "SI": "Faculty of Social Work, Ljubljana",
    "PT": "APCC, Coimbra",
    "IT": "Municipality of Cervia",
}
#: The pilot's two transnational weeks: Ljubljana first, Coimbra at the end.
TRANSNATIONAL_PLACES = ["University of Ljubljana, Ljubljana", "APCC, Coimbra"]
#: A country whose facilitator has not recorded the kick-off's attendance yet: their home page
#: shows it waiting.
UNRECORDED_COUNTRY = "IT"


def has_progress(run: ProgrammeRun) -> bool:
    """Whether any attendance is recorded for the run's meetings (the demo seeds it once)."""
    return bool(db.session.scalar(select(exists().where(
        Attendance.meeting_id == Meeting.id, Meeting.cohort_id == Cohort.id, Cohort.run_id == run.id))))


def seed_progress(run: ProgrammeRun, today: date) -> None:
    """Places and attendance for the demo run as of `today`, then each plugin's own demo records."""
    cohorts = list(db.session.scalars(select(Cohort).where(Cohort.run_id == run.id).order_by(Cohort.id)))
    for cohort in cohorts:
        meetings = list(db.session.scalars(select(Meeting).where(Meeting.cohort_id == cohort.id)
                                           .order_by(Meeting.starts_on, Meeting.id)))
        _set_places(cohort, meetings)
        _record_attendance(cohort, [m for m in meetings if m.ends_on < today])
    # The programme overview builds each activity's link, and links need a request (the CLI has none).
    with current_app.test_request_context():
        for plugin in registry():
            plugin.seed_demo(run, today)
    db.session.flush()


def _set_places(cohort: Cohort, meetings: list[Meeting]) -> None:
    for index, meeting in enumerate(meetings):
        if meeting.place:
            continue
        if cohort.country is not None:
            meeting.place = NATIONAL_PLACES.get(cohort.country.code, cohort.country.name)
        elif meeting.plan_id is not None and index < len(TRANSNATIONAL_PLACES):
            meeting.place = TRANSNATIONAL_PLACES[index]


def _record_attendance(cohort: Cohort, past: list[Meeting]) -> None:
    recorder = db.session.scalar(select(User).join(Membership).where(
        Membership.cohort_id == cohort.id, Membership.role == CohortRole.FACILITATOR).order_by(User.id).limit(1))
    if recorder is None:
        return
    for number, meeting in enumerate(past):
        if cohort.country is not None and cohort.country.code == UNRECORDED_COUNTRY and number == 0:
            continue
        sheet = attendance_service.attendance_sheet(meeting)
        # The last trainee on each sheet missed the first meeting: not everyone has every hour.
        present = {row.trainee.id for index, row in enumerate(sheet) if number > 0 or index < len(sheet) - 1}
        attendance_service.record_attendance(meeting, sheet, present, recorder)
