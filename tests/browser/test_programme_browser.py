"""The programme in a real browser on a phone-sized screen, with the real content: Ana from her home
page to a lesson she marks done and to her printable transcript; João from his home page to the
attendance sheet of a meeting. Each page passes axe (WCAG 2.1 A and AA)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..programme_data import portuguese_cohorts_on_the_real_programme
from .accessibility import assert_accessible
from .helpers import follow_main_menu, log_in_and_land_home

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}}


def test_trainee_follows_the_programme_on_a_phone(open_page, app, factory):
    ana, _joao = portuguese_cohorts_on_the_real_programme(app, factory)
    page = open_page(**PHONE)
    log_in_and_land_home(page, ana.email)
    expect(page.get_by_text("0 of 160 hours done")).to_be_visible()
    expect(page.get_by_text("Next meeting:")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Open Innovation Skills Development Programme").click()
    expect(page.get_by_role("heading", name="Modules")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Innovation theory and practice")).click()
    expect(page.get_by_text("Research-based knowledge").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Learning at work and learning organisations").click()
    assert_accessible(page)
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_text("You marked this lesson as done")).to_be_visible()

    page.get_by_role("link", name="Innovation Skills Development Programme").first.click()
    expect(page.get_by_text("2 of 160 hours done")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Your transcript")).click()
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_visible()  # shown by app.js
    assert_accessible(page)
    follow_main_menu(page, "Calendar")  # folded on a phone
    expect(page.get_by_role("heading", name="Add it to your own calendar")).to_be_visible()
    assert_accessible(page)


def test_facilitator_reaches_attendance_from_the_home_page(open_page, app, factory):
    _ana, joao = portuguese_cohorts_on_the_real_programme(app, factory)
    page = open_page(**PHONE)
    log_in_and_land_home(page, joao.email)
    expect(page.get_by_text("Tomorrow — record who came after the meeting:")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Record attendance: National kick-off, Portugal").click()
    page.get_by_label("Ana Pereira").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved: 1 present, 0 absent.")).to_be_visible()
    assert_accessible(page)
