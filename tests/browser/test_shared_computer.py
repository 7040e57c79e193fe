"""A shared office PC (issue 12, item 2): the copy of unsaved text that autosave keeps in the browser
belongs to its author. After a logout, or when someone else logs in on the same browser, the next
user sees none of it, and it never reaches their draft on the server."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete

from app.extensions import db
from app.models import UserSession
from app.services import drafts
from modules.journal.tests.helpers import journal_activity
from tests.browser.helpers import log_in_and_land_home

pytestmark = pytest.mark.browser
KEY = "journal:new:journal-whole-family"
SECRET = "Family B lives above the bakery"


def open_new_entry(page: Page, slug: str) -> None:
    page.goto(f"/a/journal/new?activity={slug}", wait_until="load")  # autosave listens after load


def copies_in_browser(page: Page) -> list[str]:
    # The page's script forgets other users' copies once it has run: wait for it on a busy machine.
    page.wait_for_load_state("load")
    return page.evaluate("""() => [sessionStorage, localStorage].flatMap((s) => Object.keys(s))
                              .filter((k) => k.startsWith("life-draft:"))""")


def type_unsaved(page: Page) -> None:
    """Ana types while the draft cannot reach the server (no connection): the copy in the browser
    is then the only one."""
    page.route("**/drafts/save", lambda route: route.abort())
    page.get_by_label("Title", exact=True).fill(SECRET)
    expect(page.locator(".autosave-status")).to_contain_text("no connection")
    assert len(copies_in_browser(page)) == 1
    page.unroute("**/drafts/save")


def assert_b_sees_nothing_of_a(page: Page, world, slug: str) -> None:
    open_new_entry(page, slug)
    expect(page.get_by_label("Title", exact=True)).to_have_value("")
    expect(page.get_by_text("We restored text you typed")).to_have_count(0)
    page.get_by_label("Now what?").fill("My own plan")
    expect(page.get_by_role("status").filter(has_text="Draft saved")).to_be_visible()
    db.session.expire_all()
    draft = drafts.get_draft(world.trainee_other, KEY)
    assert draft.data["stage_now_what"] == "<p>My own plan</p>"
    assert SECRET not in str(draft.data)
    assert drafts.get_draft(world.trainee, KEY) is None  # nor was A's text saved for A


def test_after_a_logout_the_next_user_finds_none_of_the_text(open_page, world):
    slug = journal_activity(world).slug
    pc = open_page()
    log_in_and_land_home(pc, world.trainee.email)
    open_new_entry(pc, slug)
    type_unsaved(pc)

    response = None

    def keep_logout(r):
        nonlocal response
        if r.url.endswith("/logout"):
            response = r
    pc.on("response", keep_logout)
    pc.get_by_role("button", name="Log out").click()
    expect(pc.get_by_text("You are logged out.")).to_be_visible()
    assert response.all_headers().get("clear-site-data") == '"storage"'
    assert copies_in_browser(pc) == []

    log_in_and_land_home(pc, world.trainee_other.email)
    assert_b_sees_nothing_of_a(pc, world, slug)


def test_a_login_by_someone_else_after_a_session_ended_forgets_the_copy(open_page, world):
    slug = journal_activity(world).slug
    pc = open_page()
    log_in_and_land_home(pc, world.trainee.email)
    open_new_entry(pc, slug)
    type_unsaved(pc)
    # Ana walks away; her session times out on the server, with no logout.
    db.session.execute(delete(UserSession).where(UserSession.user_id == world.trainee.id))
    db.session.commit()

    log_in_and_land_home(pc, world.trainee_other.email)
    assert copies_in_browser(pc) == []
    assert_b_sees_nothing_of_a(pc, world, slug)


def test_a_tab_left_open_does_not_save_into_the_next_users_draft(open_page, world):
    slug = journal_activity(world).slug
    ana_tab = open_page()
    log_in_and_land_home(ana_tab, world.trainee.email)
    open_new_entry(ana_tab, slug)
    # Ana's session ends; Otto logs in in another tab of the same browser (same cookies).
    db.session.execute(delete(UserSession).where(UserSession.user_id == world.trainee.id))
    db.session.commit()
    otto_tab = ana_tab.context.new_page()
    log_in_and_land_home(otto_tab, world.trainee_other.email)

    ana_tab.get_by_label("Title", exact=True).fill(SECRET)
    status = ana_tab.get_by_role("alert").filter(has_text="Someone else has logged in in this browser")
    expect(status).to_be_visible()
    db.session.expire_all()
    assert drafts.get_draft(world.trainee_other, KEY) is None
    assert drafts.get_draft(world.trainee, KEY) is None
