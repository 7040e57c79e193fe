"""The structured-template form: six field types, "Add a row" without JavaScript, server-side
checks with clear messages, the privacy guard and the sanitizer."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import Draft
from modules.assignment.models import Submission, Version

from .helpers import build_assignments, plan_form

URL = "/a/assignment/asg-plan"


def _post(client, data, action="submit"):
    return client.post(URL, data={"action": action, "draft_version": 0, "base_version": 0, **data})


def _draft_version_on(page: str) -> str:
    """The draft version the page carries, as the browser sends it back."""
    return re.search(r'name="draft_version" value="(\d+)"', page).group(1)


def test_every_field_type_is_rendered_accessibly(client, world, login):
    build_assignments(world)
    login(world.trainee)
    page = client.get(URL).get_data(as_text=True)
    assert '<label class="form-label" for="t-title">Working title' in page
    assert "<legend" in page and 'value="emergence"' in page and 'type="radio"' in page
    assert 'type="date"' in page and 'id="t-start"' in page
    assert "1 = Not at all, 5 = Very" in page and 'id="t-confidence-4"' in page
    assert '<textarea class="form-control" id="t-change"' in page
    assert 'aria-label="Step, row 1"' in page and 'name="action" value="add_row:actions"' in page
    assert "<caption class=\"visually-hidden\">Actions</caption>" in page


def test_add_a_row_keeps_everything_typed_and_saves_nothing(client, world, login):
    build_assignments(world)
    login(world.trainee)
    response = _post(client, plan_form(), action="add_row:actions")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Walk-and-talk"' in page and 'value="Ask the family"' in page
    assert 'aria-label="Step, row 2"' in page and 'aria-label="Step, row 3"' not in page
    assert "Please fill in" not in page
    assert db.session.scalar(select(Submission)) is None
    # Add another, then fill both rows and hand in: the rows arrive in order, blank ones left out.
    page = _post(client, {**plan_form(), "t-actions-1-step": "Try it"}, action="add_row:actions").get_data(as_text=True)
    assert 'value="Try it"' in page and 'aria-label="Step, row 3"' in page
    assert _post(client, {**plan_form(), "t-actions-1-step": "Try it", "t-actions-2-step": ""}).status_code == 302
    assert db.session.scalar(select(Version)).fields["actions"] == [
        {"step": "Ask the family", "when": "2026-11-01"}, {"step": "Try it", "when": None}]


def test_missing_and_malformed_answers_get_clear_messages_and_nothing_is_saved(client, world, login):
    build_assignments(world)
    login(world.trainee)
    data = plan_form(**{"t-title": "", "t-start": "next week", "t-stage": "someday", "t-actions-0-step": "",
                        "t-actions-0-when": "2026-12-01", "t-change": "Kept text"})
    response = _post(client, data)
    page = response.get_data(as_text=True)
    assert "Please correct the fields marked below. Nothing has been handed in yet." in page
    assert page.count("Please fill in this field.") == 2  # the title, and the step of the half-filled row
    assert "Not a valid date value." in page and "Not a valid choice." in page
    assert "Kept text</textarea>" in page and 'value="next week"' in page
    assert db.session.scalar(select(Submission)) is None


def test_a_required_table_needs_a_row(client, world, login):
    build_assignments(world)
    login(world.trainee)
    page = _post(client, plan_form(**{"t-actions-0-step": "", "t-actions-0-when": ""})).get_data(as_text=True)
    assert "Please fill in at least 1 row(s)." in page
    assert db.session.scalar(select(Submission)) is None


def test_privacy_guard_asks_before_handing_in(client, world, login):
    build_assignments(world)
    login(world.trainee)
    data = plan_form(**{"t-change": "Call the mother on +351 912 345 678 first."})
    page = _post(client, data).get_data(as_text=True)
    assert "this text may identify a family" in page and "+351 912 345 678" in page and "The small change" in page
    assert db.session.scalar(select(Submission)) is None
    # What was typed is kept as the trainee's private draft while they decide (app/guarded_save.py).
    assert db.session.scalar(select(Draft.data)) is not None
    confirmed = {**data, "privacy_confirmed": "y", "draft_version": _draft_version_on(page)}
    assert _post(client, confirmed).status_code == 302
    assert db.session.scalar(select(Draft)) is None
    assert db.session.scalar(select(Submission)).status == "submitted"


def test_rich_text_is_sanitized(client, world, login):
    build_assignments(world)
    login(world.trainee)
    client.post("/a/assignment/asg-text", data={
        "body": "<p onclick='x()'>Hi <b>there</b></p><img src=x><script>alert(1)</script>",
        "action": "submit", "draft_version": 0, "base_version": 0})
    html = db.session.scalar(select(Version)).body_html
    assert "<p>Hi <b>there</b></p>" in html
    assert "<script" not in html and "onclick" not in html and "<img" not in html


def test_plain_text_keeps_its_paragraphs(client, world, login):
    build_assignments(world)
    login(world.trainee)
    client.post("/a/assignment/asg-text", data={"body": "First line\nsecond line\n\nNext <3 paragraph",
                                               "action": "submit", "draft_version": 0, "base_version": 0})
    assert db.session.scalar(select(Version)).body_html == \
        "<p>First line<br>second line</p><p>Next &lt;3 paragraph</p>"
    page = client.get("/a/assignment/asg-text").get_data(as_text=True)
    assert "<p>First line<br>second line</p>" in page


def test_empty_text_cannot_be_handed_in(client, world, login):
    build_assignments(world)
    login(world.trainee)
    page = client.post("/a/assignment/asg-text", data={"body": "  ", "action": "submit", "draft_version": 0,
                                                      "base_version": 0}).get_data(as_text=True)
    assert "Please write your answer before handing it in." in page
    assert db.session.scalar(select(Submission)) is None
