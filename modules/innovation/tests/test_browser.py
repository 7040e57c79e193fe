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
