"""A form loaded before someone else's save (another facilitator, another tab) is refused with
what changed shown beside what the user chose, and what was saved stays: attendance, the account."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import Attendance, CohortRole, NotificationPreference, User

from .programme_data import build_programme
from .test_meetings import _held_meeting


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page) or \
        re.search(rf'type="hidden" name="{name}" value="([^"]*)"', page)
    return found.group(1)


def _logged_in(app, factory, user):
    other = app.test_client()
    assert other.post("/login", data={"email": user.email, "password": factory.PASSWORD}).status_code == 302
    return other


def _sheet(client, meeting, trainees) -> dict[str, str]:
    page = client.get(f"/meetings/{meeting.id}/attendance").get_data(as_text=True)
    return {f"base-{t.id}": hidden(page, f"base-{t.id}") for t in trainees}


def test_a_stale_attendance_sheet_does_not_overwrite_a_newer_mark(app, client, world, login, factory):
    built = build_programme(2, 2, run=world.run)
    rui = factory.enrolled(world.cohort, CohortRole.TRAINEE, "Rui Second")
    colleague = factory.user(email="second.facilitator@example.org", name="Fia Colleague")
    factory.member(colleague, world.cohort, role=CohortRole.FACILITATOR)
    held = _held_meeting(world, built)
    db.session.commit()
    other = _logged_in(app, factory, colleague)
    login(world.facilitator)
    url = f"/meetings/{held.id}/attendance"
    trainees = (world.trainee, rui)
    mine, theirs = _sheet(client, held, trainees), _sheet(other, held, trainees)
    assert other.post(url, data={"present": [str(world.trainee.id)], **theirs}).status_code == 302

    # Loaded before the colleague's save: it would mark Tina absent, unseen.
    response = client.post(url, data={"present": [str(rui.id)], **mine})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else recorded attendance" in page and "recorded by Fia Colleague" in page
    assert f'value="{rui.id}" id="present-{rui.id}"\n                     checked' in page  # this user's tick kept
    db.session.expire_all()
    rows = {a.user_id: a.present for a in db.session.scalars(select(Attendance))}
    assert rows == {world.trainee.id: True, rui.id: False}

    # Sent again from the page that showed the colleague's marks: a choice, so it is saved.
    again = {"present": [str(rui.id)], **{k: hidden(page, k) for k in mine}}
    assert client.post(url, data=again).status_code == 302
    db.session.expire_all()
    rows = {a.user_id: a.present for a in db.session.scalars(select(Attendance))}
    assert rows == {world.trainee.id: False, rui.id: True}


def test_an_attendance_sheet_agreeing_with_a_newer_save_is_saved(app, client, world, login, factory):
    built = build_programme(2, 2, run=world.run)
    held = _held_meeting(world, built)
    colleague = factory.user(email="second.facilitator@example.org")
    factory.member(colleague, world.cohort, role=CohortRole.FACILITATOR)
    db.session.commit()
    other = _logged_in(app, factory, colleague)
    login(world.facilitator)
    url = f"/meetings/{held.id}/attendance"
    mine, theirs = _sheet(client, held, [world.trainee]), _sheet(other, held, [world.trainee])
    assert other.post(url, data={"present": [str(world.trainee.id)], **theirs}).status_code == 302
    # The same mark: nothing of the colleague's is undone.
    assert client.post(url, data={"present": [str(world.trainee.id)], **mine}).status_code == 302
    fresh = _sheet(client, held, [world.trainee])
    assert client.post(url, data={"present": [], **fresh}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Attendance.present)) is False
