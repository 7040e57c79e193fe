"""A trainee starts their micro-innovation and records a stage in a real browser; the pages pass axe."""
from __future__ import annotations

import pytest

from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import log_in_and_land_home

pytestmark = pytest.mark.browser


def test_trainee_starts_the_record_and_moves_it_to_stabilisation(page, world):
    log_in_and_land_home(page, world.trainee.email)
    page.get_by_role("link", name="My micro-innovation").first.click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Kitchen-table plans")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Kitchen-table plans").wait_for()
    page.get_by_label("New stage", exact=True).select_option("stabilisation")
    page.get_by_label("Why it has reached this stage").fill("Three families use the plan now.")
    page.get_by_role("button", name="Record the stage").click()
    page.get_by_text("Stage reached: Stabilisation").wait_for()
    assert_accessible(page)


def test_a_task_starts_from_the_record_and_the_handin_comes_back_to_its_timeline(page, world):
    from playwright.sync_api import expect

    from .test_handins import attached_tasks
    attached_tasks(world)
    log_in_and_land_home(page, world.trainee.email)
    page.get_by_role("link", name="My micro-innovation").first.click()
    page.get_by_label("Title").fill("Kitchen-table plans")
    page.get_by_label("Family pseudonym").fill("Family A")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Hand-ins of this micro-innovation").wait_for()
    assert_accessible(page)

    # From the record to the task: its form starts from the record and says so.
    page.get_by_role("link", name="Task rec-plan").click()
    expect(page.get_by_label("Working title")).to_have_value("Kitchen-table plans")
    expect(page.get_by_label("Family pseudonym")).to_have_value("Family A")
    expect(page.get_by_label("emergence")).to_be_checked()
    expect(page.locator("#prefilled-note")).to_contain_text("filled in from your record")
    assert_accessible(page)
    page.get_by_label("The small change").fill("Plan the week at the kitchen table.")
    page.get_by_role("button", name="Hand in").click()
    page.get_by_text("Handed in: version 1").wait_for()

    # The task links back to the record, which lists the hand-in and has it on its timeline.
    page.locator("#record-link").get_by_role("link", name="My micro-innovation").click()
    expect(page.get_by_role("row", name="Task rec-plan")).to_contain_text("Handed in")
    expect(page.locator("section[aria-labelledby=timeline-h]")).to_contain_text("Handed in: Task rec-plan")
    assert_accessible(page)
