"""A form loaded before someone else's save (another facilitator, another tab) is refused with
the saved state beside what was typed, and what was saved stays: extensions and rubric ratings."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from app.extensions import db
from modules.assignment.models import Extension

from .helpers import build_assignments


def base_of(page: str, name: str = "base") -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page).group(1)


def test_a_stale_extension_form_keeps_the_other_facilitators_reason(app, client, world, login, factory):
    build_assignments(world)
    colleague = factory.user(email="second.facilitator@example.org")
    factory.member(colleague, world.cohort, role="facilitator")
    db.session.commit()
    other = app.test_client()
    assert other.post("/login", data={"email": colleague.email, "password": factory.PASSWORD}).status_code == 302
    login(world.facilitator)
    url = f"/a/assignment/cohort/{world.cohort.id}/asg-text/extension/user:{world.trainee.id}"
    mine, theirs = (base_of(c.get(url).get_data(as_text=True)) for c in (client, other))
    assert other.post(url, data={"due_on": "2099-11-07", "reason": "Sick leave", "base": theirs}).status_code == 302

    response = client.post(url, data={"due_on": "2099-12-01", "reason": "Family reasons", "base": mine})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nothing was overwritten" in page and "Family reasons" in page and "Sick leave" in page
    assert 'value="2099-12-01"' in page
    db.session.expire_all()
    stored = db.session.scalar(select(Extension))
    assert (stored.due_on, stored.reason, stored.granted_by_id) == (date(2099, 11, 7), "Sick leave", colleague.id)

    # Sent again from the page that now shows their reason: a choice, so it is saved.
    again = client.post(url, data={"due_on": "2099-12-01", "reason": "Family reasons", "base": base_of(page)})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Extension)).reason == "Family reasons"


def test_a_fresh_extension_form_saves(client, world, login):
    build_assignments(world)
    login(world.facilitator)
    url = f"/a/assignment/cohort/{world.cohort.id}/asg-text/extension/user:{world.trainee.id}"
    first = base_of(client.get(url).get_data(as_text=True))
    assert first == ""
    assert client.post(url, data={"due_on": "2099-11-07", "reason": "Sick leave", "base": first}).status_code == 302
    second = base_of(client.get(url).get_data(as_text=True))
    assert client.post(url, data={"due_on": "2099-11-20", "reason": "Longer", "base": second}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Extension)).reason == "Longer"
