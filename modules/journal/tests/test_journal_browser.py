"""The journal journeys in a real browser, reached only through links and buttons from the home
page (Ana 3, 4 and 7; João 5; Admin 2), with axe on every page they meet, and on a phone-sized
screen for the trainee."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.services import drafts
from modules.journal.models import Audience, Entry, Flag, Supervisor
from tests.browser.accessibility import assert_accessible
from tests.browser.helpers import follow_main_menu, log_in_and_land_home

from .helpers import journal_activity

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}}


def test_the_coordinator_names_a_supervisor_from_the_cohort_page(open_page, world):
    """How a cohort's supervisor is named: Cohorts → the cohort → Supervisors."""
    nora = open_page()
    log_in_and_land_home(nora, world.national_coordinator.email)
    follow_main_menu(nora, "Cohorts")
    nora.get_by_role("link", name=world.cohort.name).first.click()
    nora.get_by_role("link", name="Supervisors for flagged journal entries").click()
    assert_accessible(nora)
    nora.get_by_label("Supervisor", exact=True).select_option(label=world.facilitator.name)
    nora.get_by_role("button", name="Save").click()
    expect(nora.get_by_text("The supervisor is saved.")).to_be_visible()
    expect(nora.get_by_role("cell", name=world.facilitator.name)).to_be_visible()
    assert db.session.scalar(select(Supervisor.supervisor_id)) == world.facilitator.id


def test_ana_writes_on_the_prompt_meets_the_privacy_guard_shares_and_flags(open_page, world):
    activity = journal_activity(world)
    db.session.add(Supervisor(cohort_id=world.cohort.id, supervisor_id=world.facilitator.id))
    db.session.commit()
    ana = open_page(**PHONE)
    log_in_and_land_home(ana, world.trainee.email)
    # Ana 3: from the programme to the module, to its journal activity and its prompt.
    follow_main_menu(ana, "Programme")
    ana.get_by_role("link", name=activity.module.title).click()
    ana.get_by_role("link", name=activity.title).click()
    assert_accessible(ana)
    ana.get_by_role("link", name="Write an entry").click()
    # Autosave listens once app.js has run: wait for the page's load event before typing.
    ana.wait_for_url(re.compile(r"/a/journal/new\?activity="), wait_until="load")
    ana.get_by_label("Title", exact=True).fill("A first home visit")
    ana.get_by_label("What?", exact=True).fill("I called the mother on 070-123 45 67 and we met at home.")
    ana.get_by_label("Now what?").fill("Ask the son what he would like to change.")
    expect(ana.get_by_role("status").filter(has_text="Draft saved")).to_be_visible()
    assert drafts.get_draft(world.trainee, "journal:new:journal-whole-family") is not None
    assert_accessible(ana)
    ana.get_by_role("button", name="Save entry").click()

    # Ana 4: told what was found, offered a pseudonym, she replaces the number.
    alert = ana.get_by_role("alert").filter(has_text="Check before saving")
    expect(alert).to_contain_text("070-123 45 67")
    expect(alert).to_contain_text("Suggested pseudonym for the family: “Family A”")
    assert db.session.scalar(select(Entry)) is None
    assert_accessible(ana)
    ana.get_by_label("What?", exact=True).fill("I called the mother of Family A and we met at home.")
    ana.get_by_role("button", name="Save entry").click()
    expect(ana.get_by_role("heading", level=1)).to_have_text("A first home visit")
    expect(ana.get_by_text("Private: only you can read it", exact=True)).to_be_visible()
    assert_accessible(ana)

    ana.get_by_role("button", name="Share with my facilitators").click()
    expect(ana.get_by_text("Shared with your facilitators", exact=True)).to_be_visible()
    # Ana 7: the entry goes to her named supervisor only.
    ana.get_by_text("This is weighing on me").click()
    ana.get_by_label("Anything you would like your supervisor to know (optional)").fill("Hard visit.")
    ana.get_by_role("button", name="Send to my supervisor").click()
    expect(ana).to_have_url(re.compile(r"/a/journal/flags/\d+$"))
    assert_accessible(ana)
    # Her journal, reached from the menu, lists the entry as sent to her supervisor.
    follow_main_menu(ana, "Journal")
    expect(ana.get_by_role("row", name=re.compile("A first home visit"))
           .get_by_text("Sent to your supervisor")).to_be_visible()


def test_the_supervisor_answers_a_flag_and_ana_reads_the_answer(open_page, world, flagged_entry):
    fia = open_page()
    log_in_and_land_home(fia, world.facilitator.email)
    fia.get_by_role("link", name="Journal entries flagged to you").click()
    fia.get_by_role("link", name="After the home visit").click()
    expect(fia.get_by_text("I keep thinking about the children.")).to_be_visible()
    assert_accessible(fia)
    fia.get_by_label("Your answer").fill("Let us talk tomorrow at 10.")
    fia.get_by_role("button", name="Send", exact=True).click()
    expect(fia.get_by_text("Your answer is sent.")).to_be_visible()

    ana = open_page(**PHONE)
    log_in_and_land_home(ana, world.trainee.email)
    follow_main_menu(ana, re.compile("^Notifications"))
    ana.get_by_role("link", name=re.compile("answered about the entry you said is weighing on you")).click()
    expect(ana.get_by_text("Let us talk tomorrow at 10.")).to_be_visible()
    assert_accessible(ana)


def test_joao_reads_a_shared_entry_comments_and_the_admin_sees_the_read(open_page, world, shared_entry):
    joao = open_page()
    log_in_and_land_home(joao, world.facilitator.email)
    follow_main_menu(joao, "Journal")
    joao.get_by_role("link", name="Entries shared with me").click()
    assert_accessible(joao)
    joao.get_by_role("link", name="After the kick-off").click()
    expect(joao.get_by_text("I was nervous.")).to_be_visible()
    assert_accessible(joao)
    joao.get_by_label("Your comment").fill("A good first step.")
    joao.get_by_role("button", name="Send comment").click()
    expect(joao.get_by_text("Your comment is sent.")).to_be_visible()
    expect(joao.get_by_text("A good first step.")).to_be_visible()

    # Admin 2: who read which shared entry.
    admin = open_page()
    log_in_and_land_home(admin, world.admin.email)
    follow_main_menu(admin, "Administration")
    admin.get_by_role("link", name="Audit log").first.click()
    admin.get_by_label("Action starts with").fill("journal.entry.read")
    admin.get_by_role("button", name="Filter").click()
    row = admin.get_by_role("row").filter(has_text="journal.entry.read").first
    expect(row).to_contain_text(world.facilitator.name)
    expect(row).to_contain_text(f"entry #{shared_entry.id}")
    expect(row).to_contain_text(world.trainee.name)
    assert_accessible(admin)


def test_group_space_and_export_are_reached_from_the_journal(open_page, world, shared_entry):
    ana = open_page()
    log_in_and_land_home(ana, world.trainee.email)
    follow_main_menu(ana, "Journal")
    assert_accessible(ana)
    ana.get_by_role("link", name="Group reflection").first.click()
    ana.get_by_role("link", name=world.cohort.name).click()
    expect(ana.get_by_role("button", name="Post to the group")).to_be_visible()
    ana.wait_for_load_state("load")  # the rich-text editor replaces the textarea once app.js has run
    ana.get_by_label("Title", exact=True).fill("What families taught me")
    ana.get_by_label("Your reflection for the group").fill("They know their situation best.")
    ana.get_by_role("button", name="Post to the group").click()
    expect(ana.get_by_role("heading", name="What families taught me")).to_be_visible()
    assert_accessible(ana)

    follow_main_menu(ana, "Journal")
    with ana.expect_download() as download:
        ana.get_by_role("link", name="Markdown (plain text)").click()
    assert "## After the kick-off" in Path(download.value.path()).read_text(encoding="utf-8")


@pytest.fixture
def shared_entry(world):
    from app.timeutil import utcnow
    entry = Entry(owner_id=world.trainee.id, title="After the kick-off", body_html="<p>I was nervous.</p>",
                  entry_date=utcnow().date(), shared=True, shared_at=utcnow(), cohort_id=world.cohort.id)
    entry.audience.append(Audience(user_id=world.facilitator.id))
    db.session.add(entry)
    db.session.commit()
    return entry


@pytest.fixture
def flagged_entry(world):
    from app.timeutil import utcnow
    entry = Entry(owner_id=world.trainee.id, title="After the home visit",
                  body_html="<p>I keep thinking about the children.</p>", entry_date=utcnow().date())
    db.session.add(entry)
    db.session.flush()
    db.session.add(Flag(entry_id=entry.id, supervisor_id=world.facilitator.id))
    db.session.commit()
    return entry
