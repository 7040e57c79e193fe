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


def _bases(client) -> list[str]:
    """The account page's bases: the profile form's, then the notification settings'."""
    return re.findall(r'name="base" type="hidden" value="([^"]*)"', client.get("/account").get_data(as_text=True))


def test_a_stale_profile_form_does_not_undo_a_save_from_another_tab(client, world, login):
    login(world.trainee)
    tab_a, tab_b = _bases(client)[0], _bases(client)[0]
    assert client.post("/account", data={"name": "Tina From A", "locale": "en", "timezone": "Europe/Stockholm",
                                         "base": tab_a}).status_code == 302

    response = client.post("/account", data={"name": "Tina From B", "locale": "en", "timezone": "Europe/Lisbon",
                                             "base": tab_b})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nothing was overwritten" in page
    saved = page.split("The version saved now")[1].split("</section>")[0]
    assert "Tina From A" in saved and "Europe/Stockholm" in saved
    assert 'value="Tina From B"' in page and '<option selected value="Europe/Lisbon">' in page
    db.session.expire_all()
    user = db.session.get(User, world.trainee.id)
    assert (user.name, user.timezone) == ("Tina From A", "Europe/Stockholm")

    again = client.post("/account", data={"name": "Tina From B", "locale": "en", "timezone": "Europe/Lisbon",
                                          "base": hidden(page, "base")})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world.trainee.id).name == "Tina From B"


def _modes(user) -> dict[str, str]:
    db.session.expire_all()
    return dict(db.session.execute(select(NotificationPreference.kind, NotificationPreference.mode)
                                   .where(NotificationPreference.user_id == user.id)).all())


def test_stale_notification_settings_do_not_undo_a_save_from_another_tab(client, world, login):
    login(world.trainee)
    tab_a, tab_b = _bases(client)[1], _bases(client)[1]
    url = "/account/notifications"
    assert client.post(url, data={"pref_activity": "off", "pref_reminder": "now", "base": tab_a}).status_code == 302

    response = client.post(url, data={"pref_activity": "digest", "pref_reminder": "off", "base": tab_b})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nothing was overwritten" in page
    assert "No e-mail (in the app only)" in page.split("The version saved now")[1].split("</section>")[0]
    assert '<option selected value="digest">' in page  # the choice made in this tab, kept
    assert {k: _modes(world.trainee)[k] for k in ("activity", "reminder")} == {"activity": "off", "reminder": "now"}

    fresh = re.findall(r'name="base" type="hidden" value="([^"]*)"', page)[1]
    assert client.post(url, data={"pref_activity": "digest", "pref_reminder": "off", "base": fresh}).status_code == 302
    assert {k: _modes(world.trainee)[k] for k in ("activity", "reminder")} == {"activity": "digest", "reminder": "off"}


def test_the_profile_form_shown_after_a_refused_password_change_saves(client, world, login):
    login(world.trainee)
    page = client.post("/account/password", data={"current_password": "wrong", "new_password": "a brand new secret",
                                                   "confirm": "a brand new secret"}).get_data(as_text=True)
    profile_base, preferences_base = re.findall(r'name="base" type="hidden" value="([^"]*)"', page)
    assert client.post("/account", data={"name": "Tina Renamed", "locale": "en", "timezone": "Europe/Lisbon",
                                         "base": profile_base}).status_code == 302
    assert client.post("/account/notifications", data={"pref_activity": "off", "base": preferences_base}) \
        .status_code == 302
