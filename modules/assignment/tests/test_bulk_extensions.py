"""One extension for several trainees at once, from the task's status page: all or nothing,
forged ids refused with a message, every trainee told."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, CohortRole, Notification
from modules.assignment.models import Extension

from .helpers import build_assignments, second_trainee


def _url(world, slug="asg-text"):
    return f"/a/assignment/cohort/{world.cohort.id}/{slug}/extensions"


def _extensions() -> int:
    return db.session.scalar(select(func.count()).select_from(Extension)) or 0


def test_the_facilitator_extends_several_trainees_from_the_status_page(client, world, login, factory):
    build_assignments(world)
    rui = second_trainee(factory, world)
    login(world.facilitator)
    page = client.get(f"/a/assignment/cohort/{world.cohort.id}/asg-text").get_data(as_text=True)
    assert f'name="owner" value="user:{world.trainee.id}"' in page and f'value="user:{rui.id}"' in page
    assert "Grant the extension to the selected trainees" in page and "Download all hand-ins (zip)" in page
    response = client.post(_url(world), data={"owner": [f"user:{world.trainee.id}", f"user:{rui.id}"],
                                              "due_on": "2099-11-07", "reason": "Strike at the office"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 trainee(s) now have until Nov 7, 2099. They have been told." in page
    rows = db.session.scalars(select(Extension).order_by(Extension.user_id)).all()
    assert [(e.user_id, e.due_on, e.reason, e.granted_by_id) for e in rows] == [
        (world.trainee.id, date(2099, 11, 7), "Strike at the office", world.facilitator.id),
        (rui.id, date(2099, 11, 7), "Strike at the office", world.facilitator.id)]
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "assignment.extension"))
    assert sorted(told) == sorted([world.trainee.id, rui.id])
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "assignment.extension.grant")) == 2


def test_a_forged_trainee_id_grants_nothing_at_all(client, world, login):
    build_assignments(world)
    login(world.facilitator)
    for forged in (f"user:{world.trainee_other.id}", "user:999999", "user:abc", f"group:{world.cohort.id}",
                   "user:" + "9" * 40):
        response = client.post(_url(world), data={"owner": [f"user:{world.trainee.id}", forged],
                                                  "due_on": "2099-11-07", "reason": "Sick leave"})
        page = response.get_data(as_text=True)
        assert response.status_code == 200, forged
        assert "1 of the chosen trainees is not in this cohort. Nothing was changed" in page, forged
        assert re.search(rf'value="user:{world.trainee.id}"[^>]*\bchecked', page), forged  # the choice is kept
    assert _extensions() == 0
    assert db.session.scalar(select(Notification).where(Notification.kind == "assignment.extension")) is None


def test_dates_and_choices_are_checked(client, world, login):
    build_assignments(world)
    login(world.facilitator)
    me = f"user:{world.trainee.id}"
    cases = [
        ({"owner": me, "due_on": "2026-10-15", "reason": "x"},  # the task is due 31 Oct 2026; today is later
         "The new due date cannot be"),
        ({"owner": me, "due_on": "2101-01-01", "reason": "x"}, "Please correct the fields marked below."),
        ({"owner": me, "due_on": "2099-01-01", "reason": ""}, "Please correct the fields marked below."),
        ({"due_on": "2099-01-01", "reason": "x"}, "Choose at least one trainee for the extension."),
        ({"owner": [f"user:{i}" for i in range(1, 502)], "due_on": "2099-01-01", "reason": "x"},
         "Too many trainees were chosen."),
    ]
    for data, message in cases:
        response = client.post(_url(world), data=data)
        assert response.status_code == 200 and message in response.get_data(as_text=True), data
    assert _extensions() == 0


def test_not_before_the_tasks_own_due_date(client, world, login, monkeypatch):
    """A due date in the future, still before the task's: refused (the rule of item 3)."""
    from modules.assignment import handin_views
    build_assignments(world)
    monkeypatch.setattr(handin_views.programme_service, "due_date_of", lambda viewer, activity: date(2099, 6, 1))
    login(world.facilitator)
    page = client.post(_url(world), data={"owner": f"user:{world.trainee.id}", "due_on": "2099-05-31",
                                          "reason": "x"}).get_data(as_text=True)
    assert "The new due date cannot be before the task&#39;s own due date, Jun 1, 2099." in page.replace(
        "&#x27;", "&#39;")
    assert _extensions() == 0


def test_the_reason_goes_through_the_privacy_guard(client, world, login):
    build_assignments(world)
    login(world.facilitator)
    page = client.post(_url(world), data={"owner": f"user:{world.trainee.id}", "due_on": "2099-01-01",
                                          "reason": "Call her on +351 912 345 678"}).get_data(as_text=True)
    assert "this text may identify a family" in page and _extensions() == 0


def test_a_group_task_extends_country_groups(client, world, login, factory):
    build_assignments(world)
    login(world.facilitator)
    url = f"/a/assignment/cohort/{world.transnational.id}/asg-group/extensions"
    # The Swedish facilitator does not facilitate the transnational cohort.
    assert client.post(url, data={"owner": f"group:{world.cohort.id}", "due_on": "2099-01-01",
                                  "reason": "x"}).status_code == 403
    client.post("/logout")
    tutor = factory.enrolled(world.transnational, CohortRole.FACILITATOR, "Teresa Transnational")
    db.session.commit()
    login(tutor)
    refused = client.post(url, data={"owner": f"user:{world.trainee.id}", "due_on": "2099-01-01", "reason": "x"})
    assert "1 of the chosen trainees is not in this cohort" in refused.get_data(as_text=True)
    response = client.post(url, data={"owner": f"group:{world.cohort.id}", "due_on": "2099-01-01",
                                      "reason": "Travel"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(select(Extension)).group_cohort_id == world.cohort.id
