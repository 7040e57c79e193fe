"""In a real browser: the draft saves itself while Ana types, survives the end of her session
(text typed after it is kept in the browser), and the pages pass axe (WCAG 2.1 A/AA)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select

from app.extensions import db
from app.models import UserSession
from app.services import drafts
from modules.assignment.models import Submission
from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import log_in_and_land_home

from .helpers import build_assignments, plan_form

pytestmark = pytest.mark.browser
URL = "/a/assignment/asg-plan"


def test_autosave_survives_an_ended_session(open_page, world):
    a = build_assignments(world)
    key = f"assignment:{a.plan.id}"
    bus = open_page()
    log_in_and_land_home(bus, world.trainee.email)
    bus.goto(URL)
    assert_accessible(bus)
    bus.get_by_label("Working title").fill("Walk-and-talk")
    expect(bus.locator(".autosave-status")).to_contain_text("Draft saved at")
    assert drafts.get_draft(world.trainee, key).data["t-title"] == "Walk-and-talk"

    # The session ends on the server (time-out); what she types next stays in the browser.
    db.session.execute(delete(UserSession).where(UserSession.user_id == world.trainee.id))
    db.session.commit()
    bus.get_by_label("The small change").fill("Meet Family A on a walk")
    expect(bus.locator(".autosave-status")).to_contain_text("Your session has ended")
    db.session.expire_all()
    assert drafts.get_draft(world.trainee, key).data.get("t-change", "") == ""

    # She logs in again in this tab: both the saved draft and the text kept in the browser are back.
    log_in_and_land_home(bus, world.trainee.email)
    bus.goto(URL)
    expect(bus.get_by_label("Working title")).to_have_value("Walk-and-talk")
    expect(bus.get_by_label("The small change")).to_have_value("Meet Family A on a walk")
    expect(bus.locator(".autosave-status")).to_contain_text("Draft saved at")
    db.session.expire_all()
    assert drafts.get_draft(world.trainee, key).data["t-change"] == "Meet Family A on a walk"

    # On another computer the server's draft is there too.
    office = open_page()
    log_in_and_land_home(office, world.trainee.email)
    office.goto(URL)
    expect(office.get_by_label("The small change")).to_have_value("Meet Family A on a walk")
    expect(office.get_by_text("Restored your draft")).to_be_visible()


def test_add_a_row_and_feedback_pages_pass_axe(app, open_page, world, client, login):
    build_assignments(world)
    app.config["WTF_CSRF_ENABLED"] = False  # set-up through the test client; the browser below has CSRF on
    login(world.trainee)
    client.post(URL, data={**plan_form(), "action": "submit", "draft_version": 0, "base_version": 0})
    client.post("/logout")
    submission = db.session.scalar(select(Submission))
    login(world.facilitator)
    client.post(f"/a/assignment/submission/{submission.id}/feedback",
                data={"body": "Say whose idea it was.", "decision": "revise", "action": "release",
                      "comments-change": "Whose idea?"})
    client.post("/logout")
    app.config["WTF_CSRF_ENABLED"] = True

    trainee = open_page(viewport={"width": 390, "height": 844})  # a phone
    log_in_and_land_home(trainee, world.trainee.email)
    trainee.goto(URL)
    expect(trainee.get_by_text("Whose idea?").first).to_be_visible()
    trainee.get_by_role("button", name="Add a row to Actions").click()
    expect(trainee.get_by_label("Step, row 2")).to_be_visible()
    expect(trainee.get_by_label("Step, row 1")).to_have_value("Ask the family")
    assert_accessible(trainee)

    facilitator = open_page()
    log_in_and_land_home(facilitator, world.facilitator.email)
    facilitator.goto("/a/assignment/queue")
    assert_accessible(facilitator)
    facilitator.goto(f"/a/assignment/submission/{submission.id}")
    expect(facilitator.get_by_role("heading", name="Feedback given")).to_be_visible()
    assert_accessible(facilitator)
