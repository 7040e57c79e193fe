"""Layouts survive every language: on a 1280-px office screen the main navigation stays on one
row whatever the language and role, and on a 390-px phone no page scrolls sideways and no
button is clipped by a long translation."""
from __future__ import annotations

import pytest

from app.extensions import db

from .helpers import log_in_and_land_home

pytestmark = pytest.mark.browser

LANGUAGES = ("en", "sv", "nb", "sl", "pt", "it")
PHONE = {"width": 390, "height": 844}
OFFICE = {"width": 1280, "height": 800}

ROWS_OF_NAV = """() => new Set([...document.querySelectorAll('#nav-main .nav-item')]
    .filter((li) => li.offsetParent !== null)
    .map((li) => Math.round(li.getBoundingClientRect().top))).size"""
CLIPPED_BUTTONS = """() => [...document.querySelectorAll('button, .btn')]
    .filter((b) => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 1)
    .map((b) => b.textContent.trim())"""
SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth + 1"


def _as(world, persona: str, language: str):
    user = getattr(world, persona)
    user.locale = language
    db.session.commit()
    return user


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("persona", ["facilitator", "transnational_coordinator", "admin"])
def test_the_main_navigation_fits_one_row_at_1280_px(open_page, world, language, persona):
    user = _as(world, persona, language)
    page = open_page(viewport=OFFICE)
    log_in_and_land_home(page, user.email)
    page.wait_for_load_state("load")  # measure once the style sheets apply, not while they load
    assert page.evaluate(ROWS_OF_NAV) == 1, f"{persona} in {language}: the navigation wraps"
    assert not page.evaluate(SIDEWAYS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_phone_pages_never_scroll_sideways_nor_clip_buttons(open_page, world, language):
    from modules.journal.tests.helpers import journal_activity
    journal_activity(world)
    for persona, paths in (("trainee", ["/home", "/programme/", "/a/journal/", "/account"]),
                           ("facilitator", ["/home", f"/cohorts/{world.cohort.id}", "/meetings/"])):
        user = _as(world, persona, language)
        page = open_page(viewport=PHONE)
        log_in_and_land_home(page, user.email)
        for path in paths:
            page.goto(path, wait_until="load")
            assert not page.evaluate(SIDEWAYS), f"{path} scrolls sideways in {language}"
            assert page.evaluate(CLIPPED_BUTTONS) == [], f"{path} clips a button in {language}"
