"""On a phone the navigation folds behind the menu button, and works with the keyboard alone."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from app.extensions import db

from .helpers import log_in_and_land_home

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}


def tab_to(page: Page, target: Locator, max_presses: int = 10) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would."""
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"{target} was not reached with {max_presses} presses of Tab")


def test_phone_menu_is_collapsed_and_operable_with_the_keyboard(open_page, world):
    page = open_page(viewport=PHONE)
    log_in_and_land_home(page, world.facilitator.email)
    toggler = page.get_by_role("button", name="Show menu")
    cohorts_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Cohorts")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(cohorts_link).to_be_hidden()

    tab_to(page, toggler)
    page.keyboard.press("Enter")
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(cohorts_link).to_be_visible()

    tab_to(page, cohorts_link)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cohorts$"))


def test_desktop_shows_the_navigation_without_the_menu_button(page, world):
    log_in_and_land_home(page, world.facilitator.email)
    expect(page.get_by_role("button", name="Show menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Cohorts")).to_be_visible()


@pytest.mark.parametrize("width", [1200, 1280, 1440])
def test_office_screens_never_scroll_sideways(open_page, world, width):
    """The facilitator has the longest menu (queue, journal, evaluation, cohorts), and Portuguese
    the longest labels: the page must still fit the window."""
    world.facilitator.locale = "pt"
    db.session.commit()
    page = open_page(viewport={"width": width, "height": 800})
    log_in_and_land_home(page, world.facilitator.email)
    expect(page.locator("#nav-main").get_by_role("link", name="Coortes")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
