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
