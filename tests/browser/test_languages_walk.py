"""Each of the five languages in a real browser, beyond the trainee's journey
(test_journey_languages.py): the staff's main pages, the journal editor (whose toolbar and
autosave texts the script takes from the page) and an error page. Each page has the user's
<html lang>, no English message of the catalogue left in what is seen or read out (text, titles,
aria-labels, alt texts, including what the scripts wrote), and passes axe."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db

from ..language_crawl import leftovers, visible_text
from .accessibility import assert_accessible
from .helpers import log_in_and_land_home

pytestmark = pytest.mark.browser

LANGS = ("sv", "nb", "sl", "pt", "it")
STAFF_PAGES = ("/home", "/cohorts", "/account", "/notifications", "/programme/", "/no-such-page")


def _reads_in(page: Page, lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)
    html_lang, chunks = visible_text(page.content())  # the DOM as the scripts left it
    assert html_lang == lang
    assert not leftovers(lang, chunks), f"{page.url}: English left: {leftovers(lang, chunks)}"
    assert_accessible(page)


def _as(open_page, user, lang: str) -> Page:
    user.locale = lang
    db.session.commit()
    page = open_page()
    log_in_and_land_home(page, user.email)
    return page


@pytest.mark.parametrize("lang", LANGS)
def test_a_facilitators_pages_read_in_her_language(open_page, world, lang):
    page = _as(open_page, world.facilitator, lang)
    for path in STAFF_PAGES:
        page.goto(path)
        _reads_in(page, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_a_coordinators_dashboard_reads_in_his_language(open_page, world, lang):
    page = _as(open_page, world.transnational_coordinator, lang)
    for path in ("/home", "/dashboard/", "/dashboard/report", "/cohorts"):
        page.goto(path)
        _reads_in(page, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_the_journal_editor_speaks_the_trainees_language(open_page, world, lang):
    page = _as(open_page, world.trainee, lang)
    page.goto("/a/journal/new")
    editor = page.locator("form [contenteditable=true]").first
    expect(editor).to_be_visible()  # the script has built the editor and its toolbar
    editor.click()
    page.keyboard.type("Familj A")
    _reads_in(page, lang)
