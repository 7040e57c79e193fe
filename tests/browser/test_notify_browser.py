"""Announcements and reminders in a real browser: Fia writes an announcement to her cohort with the
rich-text editor and sends it, Tina finds it on her home page and reads it formatted; Fia reminds
the trainees late with a lesson, and a second reminder within 48 hours is refused with the reason.
Each page passes axe."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.timeutil import utcnow

from ..programme_data import build_programme
from .accessibility import assert_accessible
from .helpers import log_in_and_land_home

pytestmark = pytest.mark.browser


def test_an_announcement_reaches_the_trainee_and_reminders_hold_48_hours(open_page, world):
    # 60 days into the run: Lesson 1.1 (due on day 11) is overdue for Tina.
    today = utcnow().date()
    world.run.starts_on, world.run.ends_on = today - timedelta(days=60), today + timedelta(days=300)
    late = build_programme(run=world.run, slug="late").activities[0]
    db.session.commit()

    fia = open_page()
    log_in_and_land_home(fia, world.facilitator.email)
    fia.goto(f"/cohorts/{world.cohort.id}")
    fia.get_by_role("link", name="Write an announcement").click()
    fia.wait_for_load_state("load")  # the editor is built by app.js
    assert_accessible(fia)
    fia.get_by_label("To", exact=True).select_option(label="Cohort: Sweden pilot")
    fia.get_by_label("Subject", exact=True).fill("Meeting moved")
    fia.get_by_role("textbox", name="Text", exact=True).click()
    fia.keyboard.type("The meeting is on ")
    fia.keyboard.press("Control+b")
    fia.keyboard.type("Friday")
    fia.get_by_role("button", name="Count the recipients").click()
    expect(fia.get_by_text("It will reach 1 trainee.")).to_be_visible()
    fia.get_by_role("button", name="Send the announcement").click()
    expect(fia.get_by_text("Announcement sent to 1 trainee.")).to_be_visible()
    expect(fia.get_by_role("heading", name="Meeting moved")).to_be_visible()
    assert_accessible(fia)

    tina = open_page()
    log_in_and_land_home(tina, world.trainee.email)
    news = tina.get_by_role("region", name="New announcements")
    news.get_by_role("link", name="Meeting moved").click()
    expect(tina.get_by_role("heading", name="Meeting moved")).to_be_visible()
    expect(tina.locator(".user-text strong")).to_have_text("Friday")
    assert_accessible(tina)

    fia.goto(f"/cohorts/{world.cohort.id}")
    fia.get_by_role("link", name="Overdue work: remind trainees").click()
    expect(fia.get_by_text("at most once in 48 hours")).to_be_visible()
    assert_accessible(fia)
    remind = fia.get_by_role("button", name=f"Remind them ({late.title})")
    remind.click()
    expect(fia.get_by_text("Reminder sent to 1 trainee. Tina Trainee")).to_be_visible()
    remind.click()
    expect(fia.get_by_text("Reminder sent to 0 trainees.")).to_be_visible()
    expect(fia.get_by_text("already reminded of this in the last 48 hours")).to_be_visible()
    assert_accessible(fia)

    tina.goto("/notifications")
    expect(tina.get_by_text(late.title).first).to_be_visible()
