"""João's steps 1-3 and Ana's step 6 in a real browser, by clicking from the home page: the queue,
feedback kept as a draft then released, an extension for a trainee who has not handed in, and
Ana's reply and revision. The new pages pass axe (WCAG 2.1 A/AA)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.timeutil import utcnow
from modules.assignment.models import Extension, Feedback, Submission
from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import log_in_and_land_home

from .helpers import build_assignments, plan_form, second_trainee

pytestmark = pytest.mark.browser


def test_joao_answers_and_extends_ana_replies_and_revises(app, open_page, world, client, login, factory):
    build_assignments(world)
    rui = second_trainee(factory, world)
    app.config["WTF_CSRF_ENABLED"] = False  # Ana's hand-in through the test client; the browsers have CSRF on
    login(world.trainee)
    client.post("/a/assignment/asg-plan", data={**plan_form(), "action": "submit", "draft_version": 0,
                                                "base_version": 0})
    client.post("/logout")
    app.config["WTF_CSRF_ENABLED"] = True
    submission = db.session.scalar(select(Submission))

    # João: home -> queue -> Ana's plan; feedback saved as a draft, then released.
    joao = open_page()
    log_in_and_land_home(joao, world.facilitator.email)
    joao.get_by_role("link", name="1 submission awaits your feedback").click()
    expect(joao.get_by_role("heading", name="Feedback queue")).to_be_visible()
    joao.get_by_role("link", name="Tina Trainee").click()
    expect(joao.get_by_role("heading", level=1)).to_contain_text("Tina Trainee")
    joao.wait_for_load_state("load")  # the rich-text editor replaces the textarea once app.js has run
    joao.get_by_label("Your feedback", exact=True).fill("A good start. Say who chose the walk.")
    joao.get_by_text("Comments on single fields").click()
    joao.get_by_label("Comment on “The small change” (optional)").fill("Whose idea was it?")
    joao.get_by_label("Ask for a revision").check()
    joao.get_by_role("button", name="Save as draft").click()
    expect(joao.get_by_text("Your feedback is saved as a draft")).to_be_visible()
    expect(joao.get_by_text("Draft: not released")).to_be_visible()
    assert db.session.scalar(select(Feedback)).state == "draft"
    joao.get_by_role("button", name="Release to the trainee").click()
    expect(joao.get_by_text("Your feedback is released")).to_be_visible()

    # João: an extension of one week for Rui, from the cohort's page.
    joao.get_by_role("link", name="Cohorts").first.click()
    joao.get_by_role("link", name="Sweden pilot").click()
    joao.get_by_role("link", name="Assignments: status and feedback").click()
    assert_accessible(joao)
    joao.get_by_role("link", name="Task asg-text").click()
    assert_accessible(joao)
    joao.get_by_role("link", name="Extension Rui Trainee").click()
    week = utcnow().date() + timedelta(days=7)
    joao.get_by_label("New due date").fill(week.isoformat())
    joao.get_by_label("Reason").fill("Family leave")
    assert_accessible(joao)
    joao.get_by_role("button", name="Grant the extension").click()
    expect(joao.get_by_text("Rui Trainee now has until")).to_be_visible()
    db.session.expire_all()
    assert db.session.scalar(select(Extension)).due_on == week

    # Rui sees the new date on his task.
    rui_page = open_page()
    log_in_and_land_home(rui_page, rui.email)
    rui_page.get_by_role("link", name="Programme").first.click()
    rui_page.get_by_role("link", name="Module 1").click()
    rui_page.get_by_role("link", name="Task asg-text").click()
    expect(rui_page.get_by_text("Your facilitator extended the due date")).to_be_visible()
    expect(rui_page.get_by_text("Family leave")).to_be_visible()

    # Ana: feedback to read -> reply -> revise the field -> hand in again.
    ana = open_page(viewport={"width": 390, "height": 844})  # a phone
    log_in_and_land_home(ana, world.trainee.email)
    ana.get_by_role("link", name="Feedback to read").click()
    expect(ana.get_by_text("Say who chose the walk.")).to_be_visible()
    ana.wait_for_load_state("load")
    ana.get_by_label("Reply to this feedback").fill("The mother chose the walk herself.")
    ana.get_by_role("button", name="Send reply").click()
    expect(ana.get_by_text("Your reply is sent.")).to_be_visible()
    expect(ana.get_by_text("The mother chose the walk herself.")).to_be_visible()
    change = ana.get_by_label(re.compile("^The small change"))
    change.fill("Meet Family A on a walk. The mother chose it.")
    ana.get_by_role("button", name="Hand in").click()
    expect(ana.get_by_text("Handed in: version 2")).to_be_visible()
    assert_accessible(ana)

    # João reads what changed since his feedback.
    joao.goto(f"/a/assignment/submission/{submission.id}")
    expect(joao.get_by_role("heading", name="What changed since your last feedback")).to_be_visible()
    expect(joao.locator("ins", has_text="The mother chose it.")).to_be_visible()
    expect(joao.get_by_text("The mother chose the walk herself.")).to_be_visible()
