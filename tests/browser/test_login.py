"""Logging in through a real browser lands each role on its own home page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import HOME_URL, log_in, log_in_and_land_home

pytestmark = pytest.mark.browser


def test_trainee_logs_in_and_sees_their_programme(page, world):
    log_in(page, world.trainee.email)
    expect(page).to_have_url(HOME_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Tina Trainee")
    expect(page.get_by_role("heading", name="My programme")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Sweden pilot")
    expect(page.get_by_role("heading", name="Administration")).to_have_count(0)


@pytest.mark.parametrize(("persona", "section", "absent"), [
    ("facilitator", "Cohorts you follow", "Administration"),
    ("admin", "Administration", "My programme"),
], ids=["facilitator", "admin"])
def test_staff_land_on_their_own_home_page(page, world, persona, section, absent):
    log_in_and_land_home(page, world.persona(persona).email)
    expect(page.get_by_role("heading", name=section)).to_be_visible()
    expect(page.get_by_role("heading", name=absent)).to_have_count(0)


def test_wrong_password_shows_the_error_and_keeps_the_form(page, world):
    log_in(page, world.trainee.email, password="not the password")
    expect(page.get_by_role("alert")).to_have_text("The e-mail or password is not right.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_label("E-mail")).to_have_value(world.trainee.email)


def test_logout_returns_to_the_login_page(page, world):
    log_in_and_land_home(page, world.trainee.email)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_have_text("You are logged out.")
    page.goto("/home")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
