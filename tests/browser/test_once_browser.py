"""A double click on a create form's button sends it once (app.js): the browser shows the first
send's answer, and one journal entry is stored. Without the script the server would still store
one (app/once.py), but the page would then show the second send's answer, "already saved"."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from modules.journal.models import Entry
from tests.browser.helpers import log_in_and_land_home

pytestmark = pytest.mark.browser


def _send_an_entry(ana):
    """Fills a new journal entry and clicks "Save entry" once; returns the button, now busy."""
    ana.goto("/a/journal/new", wait_until="load")
    ana.get_by_label("Title", exact=True).fill("A home visit")
    ana.get_by_label("Your reflection").fill("The family set the agenda.")
    save = ana.get_by_role("button", name="Save entry")
    save.click(no_wait_after=True)
    expect(save).to_have_attribute("aria-disabled", "true")
    return save


def test_a_double_click_on_save_stores_one_journal_entry(open_page, world):
    ana = open_page()
    log_in_and_land_home(ana, world.trainee.email)
    ana.goto("/a/journal/new", wait_until="load")
    ana.get_by_label("Title", exact=True).fill("A home visit")
    ana.get_by_label("Your reflection").fill("The family set the agenda.")
    ana.get_by_role("button", name="Save entry").dblclick()
    expect(ana).to_have_url(re.compile(r"/a/journal/entries/\d+$"))
    expect(ana.get_by_text("Your entry is saved.")).to_be_visible()
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 1


def test_a_second_click_while_the_first_send_is_on_its_way_sends_nothing(open_page, world):
    ana = open_page()
    log_in_and_land_home(ana, world.trainee.email)
    # Sends are answered "204 No Content": the browser stays on the form, as while a send is on
    # its way over a slow network (Chromium itself merges two clicks within one moment).
    sends: list[str] = []

    def answer(route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        sends.append(route.request.url)
        route.fulfill(status=204)

    ana.route("**/a/journal/new", answer)
    save = _send_an_entry(ana)
    # force: Playwright waits for an aria-disabled button to be enabled; a person can click it.
    save.click(force=True, no_wait_after=True)
    for _ in range(100):  # both sends, if there were two, reach the route
        if sends:
            break
        ana.wait_for_timeout(50)
    ana.wait_for_timeout(500)
    assert len(sends) == 1


def test_the_button_says_it_is_busy_while_the_form_is_on_its_way(open_page, world):
    ana = open_page()
    log_in_and_land_home(ana, world.trainee.email)
    # The send is answered "204 No Content", so the browser stays on the form, as while it waits.
    ana.route("**/a/journal/new", lambda route: route.fulfill(status=204) if route.request.method == "POST"
              else route.continue_())
    save = _send_an_entry(ana)
    # Back from another page through the back-forward cache: the form can be sent again.
    ana.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    expect(save).not_to_have_attribute("aria-disabled", "true")
