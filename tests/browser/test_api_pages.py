"""The API's pages in a real browser: a token made and shown once, the interactive documentation
drawn from the vendored Swagger UI under the CSP, both passing axe."""
from __future__ import annotations

import pytest

from .accessibility import assert_accessible
from .helpers import log_in_and_land_home

pytestmark = pytest.mark.browser


def test_token_page_makes_a_token_and_passes_axe(page, world):
    log_in_and_land_home(page, world.facilitator.email)
    page.goto("/account")
    page.get_by_role("link", name="API tokens").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Moodle sync")
    page.get_by_label("Read the progress of the cohorts you follow").check()
    page.get_by_role("button", name="Create the token").click()
    secret = page.get_by_label("Token", exact=True).input_value()
    assert secret.startswith("life_")
    assert page.get_by_role("cell", name="Moodle sync", exact=True).is_visible()
    assert_accessible(page)


def test_docs_page_draws_the_operations_without_csp_violations(page):
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto("/api/v1/docs")
    page.locator(".opblock-summary-path", has_text="/api/v1/cohorts").first.wait_for()
    assert page.locator(".opblock").count() >= 7
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
