"""axe-core finds no WCAG 2.1 A/AA problems on the pages everyone meets first."""
from __future__ import annotations

import pytest

from .accessibility import assert_accessible
from .helpers import log_in, log_in_and_land_home

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/", "/login", "/reset-password"])
def test_public_pages_pass_axe(page, path):
    page.goto(path)
    assert_accessible(page)


def test_login_page_with_an_error_passes_axe(page, world):
    log_in(page, world.trainee.email, password="not the password")
    page.get_by_role("alert").wait_for()
    assert_accessible(page)


@pytest.mark.parametrize("persona", ["trainee", "facilitator", "admin"])
def test_home_page_passes_axe(page, world, persona):
    log_in_and_land_home(page, world.persona(persona).email)
    assert_accessible(page)


def test_account_page_passes_axe(page, world):
    log_in_and_land_home(page, world.trainee.email)
    page.goto("/account")
    assert_accessible(page)
