"""Steps the browser tests share."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from ..factories import Factory

HOME_URL = re.compile(r"/home$")


def log_in(page: Page, email: str, password: str = Factory.PASSWORD) -> None:
    """Through the real login form, as a person would."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def log_in_and_land_home(page: Page, email: str) -> None:
    log_in(page, email)
    expect(page).to_have_url(HOME_URL)


def follow_main_menu(page: Page, name) -> None:
    """Follow a link of the main navigation, unfolding the menu first where it is folded (a
    phone-sized screen). Waits for the page's scripts: a click on the menu button before
    Bootstrap has attached its handler would do nothing."""
    page.wait_for_load_state("load")
    toggler = page.get_by_role("button", name="Show menu")
    if toggler.is_visible():
        toggler.click()
        expect(page.locator("#nav-main")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()
