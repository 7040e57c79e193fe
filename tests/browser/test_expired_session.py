"""Text typed after the session ended is never lost (issue 12, item 1): whether the session timed
out on the server, the cookie was lost or the tab was closed before its last save, the text is kept
in this browser for its author and offered back on the same form after logging in again, with a
notice that stays in view."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select

from app.extensions import db
from app.models import UserSession
from app.services import drafts
from modules.journal.models import Entry
from modules.journal.tests.helpers import journal_activity
from tests.browser.helpers import log_in_and_land_home
from tests.factories import Factory

pytestmark = pytest.mark.browser
KEY = "journal:new:journal-whole-family"
KEPT = "We kept what you typed before your session ended — check it and save again."
# A phone: the form is several screens long, so "in view" means something.
PHONE = {"width": 390, "height": 640}


def open_new_entry(page: Page, slug: str) -> None:
    page.goto(f"/a/journal/new?activity={slug}", wait_until="load")  # autosave listens after load


def form_url(slug: str) -> re.Pattern:
    return re.compile(rf"/a/journal/new\?activity={slug}$")


def log_in_here(page: Page, email: str) -> None:
    """On the login page the app sent us to (its ?next= is what is being tested)."""
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(Factory.PASSWORD)
    page.get_by_role("button", name="Log in").click()


def type_and_autosave(page: Page) -> None:
    page.get_by_label("Title", exact=True).fill("Visit to Family A")
    expect(page.get_by_role("status").filter(has_text="Draft saved")).to_be_visible()


def end_session_on_server(world) -> None:
    db.session.execute(delete(UserSession).where(UserSession.user_id == world.trainee.id))
    db.session.commit()


def assert_offered_back(page: Page, slug: str, message: str = KEPT) -> None:
    expect(page).to_have_url(form_url(slug))
    expect(page.get_by_label("Title", exact=True)).to_have_value("Visit to Family A")
    expect(page.get_by_label("Now what?")).to_contain_text("Call the school on Monday")
    notice = page.get_by_role("alert").filter(has_text=message)
    expect(notice).to_be_visible()
    expect(notice).to_be_focused()
    expect(notice).to_be_in_viewport()
    # Still in view at the end of the long form, beside the button that saves it.
    page.get_by_role("button", name="Save entry").scroll_into_view_if_needed()
    expect(notice).to_be_in_viewport()


def save_and_check_stored(page: Page, world, slug: str) -> None:
    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_role("heading", name="Visit to Family A")).to_be_visible()
    db.session.expire_all()
    entry = db.session.scalar(select(Entry).where(Entry.title == "Visit to Family A"))
    assert "Call the school on Monday" in str(entry.stage_answers)
    assert drafts.get_draft(world.trainee, KEY) is None
    # The copy in the browser went with the save: a new entry starts empty.
    open_new_entry(page, slug)
    expect(page.get_by_label("Title", exact=True)).to_have_value("")
    expect(page.get_by_role("alert").filter(has_text="We ")).to_have_count(0)


def test_text_typed_after_an_idle_time_out_is_offered_back_after_login(open_page, world):
    slug = journal_activity(world).slug
    page = open_page(viewport=PHONE)
    log_in_and_land_home(page, world.trainee.email)
    open_new_entry(page, slug)
    type_and_autosave(page)

    end_session_on_server(world)  # the idle time-out, as the server sees it
    page.get_by_label("Now what?").fill("Call the school on Monday")
    expect(page.locator(".autosave-status")).to_contain_text("Your session has ended")
    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_text("What you typed is kept in this browser")).to_be_visible()

    log_in_here(page, world.trainee.email)
    assert_offered_back(page, slug)
    save_and_check_stored(page, world, slug)


def test_text_typed_after_the_cookie_was_lost_is_offered_back_after_login(open_page, world):
    slug = journal_activity(world).slug
    page = open_page(viewport=PHONE)
    log_in_and_land_home(page, world.trainee.email)
    open_new_entry(page, slug)
    type_and_autosave(page)

    page.context.clear_cookies()  # the session cookie and the form's token are gone
    page.get_by_label("Now what?").fill("Call the school on Monday")
    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_role("heading", name="The form has expired")).to_be_visible()
    expect(page.get_by_text("What you typed is kept in this browser")).to_be_visible()
    page.get_by_role("link", name="Back to the form").click()

    log_in_here(page, world.trainee.email)
    assert_offered_back(page, slug)
    save_and_check_stored(page, world, slug)


def test_text_of_a_closed_tab_is_offered_back_in_a_new_one(open_page, world):
    slug = journal_activity(world).slug
    first = open_page(viewport=PHONE)
    log_in_and_land_home(first, world.trainee.email)
    open_new_entry(first, slug)
    type_and_autosave(first)
    # The last words never reach the server: the tab is closed before (here: no connection).
    first.route("**/drafts/save", lambda route: route.abort())
    first.get_by_label("Now what?").fill("Call the school on Monday")
    expect(first.locator(".autosave-status")).to_contain_text("no connection")
    first.close()

    page = first.context.new_page()
    open_new_entry(page, slug)
    assert_offered_back(page, slug, "We put back text you typed in this browser that had not reached the server")
    save_and_check_stored(page, world, slug)
