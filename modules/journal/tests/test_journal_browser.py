"""The journal journeys in a real browser (Ana 3, 4 and 7, João 5), with axe on every page they
meet, on a phone-sized screen for the trainee."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.services import drafts
from modules.journal.models import Entry, Supervisor
from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import log_in_and_land_home

from .helpers import journal_activity

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}}


def test_ana_writes_on_the_prompt_meets_the_privacy_guard_shares_and_flags(open_page, world):
    journal_activity(world)
    db.session.add(Supervisor(cohort_id=world.cohort.id, supervisor_id=world.facilitator.id))
    db.session.commit()
    ana = open_page(**PHONE)
    log_in_and_land_home(ana, world.trainee.email)
    ana.goto("/a/journal/activity/journal-whole-family")
    assert_accessible(ana)
    ana.get_by_role("link", name="Write an entry").click()
    ana.get_by_label("Title", exact=True).fill("Meeting Family A")
    ana.get_by_label("What?", exact=True).fill("I called the mother on 070-123 45 67 and we met at home.")
    ana.get_by_label("Now what?").fill("Ask the son what he would like to change.")
    expect(ana.get_by_role("status").filter(has_text="Draft saved")).to_be_visible()
    assert drafts.get_draft(world.trainee, "journal:new:journal-whole-family") is not None
    assert_accessible(ana)
    ana.get_by_role("button", name="Save entry").click()

    alert = ana.get_by_role("alert").filter(has_text="Check before saving")
    expect(alert).to_contain_text("070-123 45 67")
    assert db.session.scalar(select(Entry)) is None
    assert_accessible(ana)
    ana.get_by_label("What?", exact=True).fill("I called the mother of Family A and we met at home.")
    ana.get_by_role("button", name="Save entry").click()
    expect(ana.get_by_role("heading", level=1)).to_have_text("Meeting Family A")
    expect(ana.get_by_text("Private: only you can read it", exact=True)).to_be_visible()
    assert_accessible(ana)

    ana.get_by_role("button", name="Share with my facilitators").click()
    expect(ana.get_by_text("Shared with your facilitators", exact=True)).to_be_visible()
    ana.get_by_text("This is weighing on me").click()
    ana.get_by_label("Anything you would like your supervisor to know (optional)").fill("Hard visit.")
    ana.get_by_role("button", name="Send to my supervisor").click()
    expect(ana).to_have_url(re.compile(r"/a/journal/flags/\d+$"))
    assert_accessible(ana)


def test_joao_reads_a_shared_entry_and_comments(open_page, world, as_trainee_entry):
    joao = open_page()
    log_in_and_land_home(joao, world.facilitator.email)
    joao.get_by_role("link", name="Shared journal entries with new activity").click()
    assert_accessible(joao)
    joao.get_by_role("link", name="After the kick-off").click()
    expect(joao.get_by_text("I was nervous.")).to_be_visible()
    assert_accessible(joao)
    joao.get_by_label("Your comment").fill("A good first step.")
    joao.get_by_role("button", name="Send comment").click()
    expect(joao.get_by_text("Your comment is sent.")).to_be_visible()
    expect(joao.get_by_text("A good first step.")).to_be_visible()


def test_group_space_and_supervisor_page_pass_axe(open_page, world, as_trainee_entry):
    ana = open_page()
    log_in_and_land_home(ana, world.trainee.email)
    ana.goto(f"/a/journal/groups/{world.cohort.id}")
    ana.get_by_label("Title", exact=True).fill("What families taught me")
    ana.get_by_label("Your reflection for the group").fill("They know their situation best.")
    ana.get_by_role("button", name="Post to the group").click()
    expect(ana.get_by_role("heading", name="What families taught me")).to_be_visible()
    assert_accessible(ana)
    ana.goto("/a/journal/")
    assert_accessible(ana)

    eva = open_page()
    log_in_and_land_home(eva, world.national_coordinator.email)
    eva.goto(f"/a/journal/cohorts/{world.cohort.id}/supervisors")
    assert_accessible(eva)


@pytest.fixture
def as_trainee_entry(world):
    from app.timeutil import utcnow
    entry = Entry(owner_id=world.trainee.id, title="After the kick-off", body_html="<p>I was nervous.</p>",
                  entry_date=utcnow().date(), shared=True, shared_at=utcnow())
    db.session.add(entry)
    db.session.commit()
    return entry
