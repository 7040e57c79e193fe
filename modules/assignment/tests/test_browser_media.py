"""In a real browser: a handed-in MP3 is played in the page. The player loads the recording
through the range-capable /play address (its duration is known) and the page passes axe."""
from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from modules.assignment.models import Submission
from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import log_in_and_land_home

from .helpers import add_assignment, build_assignments, mp3_bytes

pytestmark = pytest.mark.browser


def test_the_facilitator_plays_a_handed_in_mp3(app, open_page, world, client, login):
    a = build_assignments(world)
    add_assignment(a.national, "asg-voice", {"submission": "text", "media": True})
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = False  # set-up through the test client; the browser below has CSRF on
    login(world.trainee)
    response = client.post("/a/assignment/asg-voice", data={
        "action": "submit", "draft_version": 0, "base_version": 0, "transcript": "After the walk with Family A.",
        "files": [(io.BytesIO(mp3_bytes(80)), "reflection.mp3")]}, content_type="multipart/form-data")
    assert response.status_code == 302
    client.post("/logout")
    app.config["WTF_CSRF_ENABLED"] = True
    submission = db.session.scalar(select(Submission))

    page = open_page()
    log_in_and_land_home(page, world.facilitator.email)
    page.goto(f"/a/assignment/submission/{submission.id}")
    player = page.locator("audio[controls]")
    expect(player).to_be_visible()
    expect(player).to_have_attribute("aria-label", "Recording: reflection.mp3")
    # The browser fetched and parsed the MP3: about two seconds of silent frames (80 x 26 ms).
    page.wait_for_function("document.querySelector('audio').readyState >= 1")
    duration = page.evaluate("document.querySelector('audio').duration")
    assert 1.5 < duration < 2.6
    expect(page.get_by_text("After the walk with Family A.")).to_be_visible()
    assert_accessible(page)


def test_the_status_page_extends_several_trainees_and_passes_axe(open_page, world, factory):
    from app.models import CohortRole
    build_assignments(world)
    rui = factory.enrolled(world.cohort, CohortRole.TRAINEE, "Rui Trainee")
    db.session.commit()
    page = open_page(viewport={"width": 390, "height": 844})  # a phone
    log_in_and_land_home(page, world.facilitator.email)
    page.goto(f"/a/assignment/cohort/{world.cohort.id}/asg-text")
    expect(page.get_by_role("link", name="Download all hand-ins (zip)")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(f"Select {world.trainee.name}").check()
    page.get_by_label("Select Rui Trainee").check()
    page.get_by_label("New due date for the selected trainees").fill("2099-11-07")
    page.get_by_label("Reason").fill("The office was closed")
    page.get_by_role("button", name="Grant the extension to the selected trainees").click()
    expect(page.get_by_text("2 trainee(s) now have until")).to_be_visible()
    from modules.assignment.models import Extension
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Extension.user_id))) == sorted([world.trainee.id, rui.id])
