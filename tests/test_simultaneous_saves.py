"""Two saves of the same form, based on the same state, at the same moment (two tabs, two
administrators): one is saved, the other is refused as a conflict with what was saved shown beside
it (app/conflicts.locked_for_save), on SQLite and PostgreSQL alike. Without the lock both pass the
stale-edit check before either writes and the second silently overwrites the first.

The check is slowed down in each view (no assertion on time: it only makes the overlap certain
enough that an unlocked save would be caught)."""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

import app.admin.views as admin_views
import app.auth.views as auth_views
import app.meetings.views as meeting_views
import app.notify.views as notify_views
import modules.assignment.views as assignment_views
from app.extensions import db
from app.models import Meeting, NotificationPreference, User
from modules.assignment.models import Extension
from modules.assignment.tests.helpers import build_assignments

from .programme_data import build_programme
from .test_meetings import _held_meeting

PASSWORD = "correct horse battery"


def signed_in(app, user: User):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def base_of(page: str, index: int = 0) -> str:
    return re.findall(r'name="base" type="hidden" value="([^"]*)"', page)[index]


@dataclass
class Form:
    module: Any  # the view's module, whose stale_edit is slowed down
    user: Callable[[Any], User]
    url: Callable[[Any], str]
    base_index: int
    #: The two sends' values: each names what it saved.
    sends: tuple[dict[str, str], dict[str, str]]
    stored: Callable[[Any], Any]


def _name(world) -> str:
    return db.session.get(User, world.trainee.id).name


def _activity_mode(world) -> str:
    return db.session.scalar(select(NotificationPreference.mode).where(
        NotificationPreference.user_id == world.trainee.id, NotificationPreference.kind == "activity"))


def _extension_reason(world) -> str | None:
    return db.session.scalar(select(Extension.reason))


def _extension_url(world) -> str:
    build_assignments(world)
    db.session.commit()
    return f"/a/assignment/cohort/{world.cohort.id}/asg-text/extension/user:{world.trainee.id}"


def _meeting_url(world) -> str:
    held = _held_meeting(world, build_programme(2, 2, run=world.run), days_ago=-5)
    db.session.commit()
    return f"/meetings/{held.id}/edit"


def _meeting_place(world) -> str:
    return db.session.scalar(select(Meeting.place).where(Meeting.place.like("Room%")))


def _meeting(place: str) -> dict[str, str]:
    return {"title": "Kick-off", "starts_on": "2026-12-03", "ends_on": "2026-12-04", "place": place, "agenda_md": ""}


FORMS = {
    "account profile": Form(
        auth_views, lambda w: w.trainee, lambda w: "/account", 0,
        ({"name": "Tina From A", "locale": "en", "timezone": "Europe/Stockholm"},
         {"name": "Tina From B", "locale": "en", "timezone": "Europe/Lisbon"}),
        _name),
    "notification settings": Form(
        notify_views, lambda w: w.trainee, lambda w: "/account", 1,
        ({"pref_activity": "off", "pref_reminder": "now"}, {"pref_activity": "digest", "pref_reminder": "off"}),
        _activity_mode),
    "user edited by an administrator": Form(
        admin_views, lambda w: w.admin, lambda w: f"/admin/users/{w.trainee.id}/edit", 0,
        ({"name": "Tina From A", "email": "tina.a@example.org", "site_role": "", "locale": "en"},
         {"name": "Tina From B", "email": "tina.b@example.org", "site_role": "", "locale": "en"}),
        _name),
    "extension": Form(
        assignment_views, lambda w: w.facilitator, _extension_url, 0,
        ({"due_on": "2099-11-07", "reason": "Sick leave"}, {"due_on": "2099-12-01", "reason": "Strike at the office"}),
        _extension_reason),
    "meeting": Form(
        meeting_views, lambda w: w.national_coordinator, _meeting_url, 0, (_meeting("Room A"), _meeting("Room B")),
        _meeting_place),
}
#: Where each form posts, when not to the page it is on.
POSTS_TO = {"notification settings": "/account/notifications"}
#: What the stored value is after each send (the name, the mode, the reason).
SAVED_AS = {"account profile": ("Tina From A", "Tina From B"), "notification settings": ("off", "digest"),
            "user edited by an administrator": ("Tina From A", "Tina From B"),
            "extension": ("Sick leave", "Strike at the office"), "meeting": ("Room A", "Room B")}


@pytest.mark.parametrize("name", FORMS)
def test_two_saves_at_the_same_moment_save_one_and_refuse_the_other(app, world, monkeypatch, name):
    form = FORMS[name]
    page_url = form.url(world)
    clients = [signed_in(app, form.user(world)) for _ in range(2)]
    bases = [base_of(c.get(page_url).get_data(as_text=True), form.base_index) for c in clients]
    assert bases[0] == bases[1]
    checked = form.module.stale_edit

    def slow_check(*args, **kwargs):
        stale = checked(*args, **kwargs)
        time.sleep(0.3)
        return stale

    monkeypatch.setattr(form.module, "stale_edit", slow_check)
    barrier = threading.Barrier(2)
    statuses: list[int] = [0, 0]

    def send(index: int) -> None:
        barrier.wait()
        response = clients[index].post(POSTS_TO.get(name, page_url), data={**form.sends[index], "base": bases[index]})
        statuses[index] = response.status_code

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 409], statuses
    db.session.expire_all()
    assert form.stored(world) == SAVED_AS[name][statuses.index(302)]
