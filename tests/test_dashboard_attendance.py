"""The dashboard's attendance per meeting counts every attendance row recorded for the meeting,
whoever it is of (a trainee present or absent, a trainee who has left the cohort), the trainees
who came among them; the counts come from the progress figures' own statement, and a meeting
without any row, or of a cohort without trainees, still shows 0 of 0."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from app.dashboard.tables import LABELS
from app.extensions import db
from app.models import Attendance, CohortRole, Membership
from app.timeutil import utcnow

from .csv_columns import csv_dicts
from .programme_data import build_programme, meeting


def _meetings_csv(client, run_id: int) -> list[tuple[str, str, str, str, str]]:
    response = client.get(f"/dashboard/meetings.csv?run={run_id}")
    assert response.status_code == 200
    rows = csv_dicts(response.get_data(as_text=True), LABELS)
    return [(r["cohort"], r["meeting"], r["present"], r["recorded"], r["trainees"]) for r in rows]


def test_attendance_per_meeting_counts_every_row_recorded(client, world, factory, login):
    built = build_programme(run=world.run, slug="attend")
    today = utcnow().date()
    second = factory.enrolled(world.cohort, CohortRole.TRAINEE, "Sara Second")
    gone = factory.enrolled(world.cohort, CohortRole.TRAINEE, "Gunnar Gone")
    held = meeting(world.cohort, built.plans[0], today - timedelta(days=3), attended_by=[world.trainee])
    db.session.add_all([Attendance(meeting=held, user_id=second.id, present=False),
                        Attendance(meeting=held, user_id=gone.id, present=True)])
    meeting(world.cohort, None, today + timedelta(days=10))  # nothing recorded yet
    meeting(world.other_cohort, None, today - timedelta(days=1), attended_by=[world.trainee_other])
    db.session.flush()
    # Gunnar left the cohort after the meeting: his row still counts, he is no longer expected.
    db.session.execute(delete(Membership).where(Membership.user_id == gone.id))
    db.session.commit()
    login(world.transnational_coordinator)
    rows = _meetings_csv(client, world.run.id)
    assert ("Sweden pilot", built.plans[0].title, "2", "3", "2") in rows
    assert ("Sweden pilot", "Extra meeting", "0", "0", "2") in rows
    assert ("Norway pilot", "Extra meeting", "1", "1", "1") in rows
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "Attendance per meeting" in page
