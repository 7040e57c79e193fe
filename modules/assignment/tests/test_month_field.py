"""The `month` field type: a month and year (YYYY-MM), checked on the server, shown as "May 2026";
an answer stored by the earlier `date` type keeps its month."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from modules.assignment.models import Submission, Version
from modules.assignment.templating import display_value, parse_month

from .helpers import add_assignment, build_assignments

TIMELINE_TEMPLATE = """\
slug: plan
title: Timeline
fields:
  - {key: first_tried, label: Month first tried, type: month, required: true}
  - key: timeline
    label: Timeline
    type: rows
    columns:
      - {key: date, label: Month and year, type: month}
      - {key: event, label: What happened, type: short_text}
"""
URL = "/a/assignment/asg-timeline"



def _setup(world, login):
    assignments = build_assignments(world)
    add_assignment(assignments.national, "asg-timeline", {}, template=TIMELINE_TEMPLATE)
    db.session.commit()
    login(world.trainee)


def _post(client, **data):
    return client.post(URL, data={"action": "submit", "draft_version": 0, "base_version": 0, **data})


def test_month_fields_render_as_month_inputs(client, world, login):
    _setup(world, login)
    page = client.get(URL).get_data(as_text=True)
    assert 'id="t-first_tried"' in page and 'type="month"' in page and 'placeholder="YYYY-MM"' in page
    assert 'aria-label="Month and year, row 1"' in page


def test_a_month_that_is_not_one_is_refused_with_a_clear_message(client, world, login):
    _setup(world, login)
    page = _post(client, **{"t-first_tried": "2026-13", "t-timeline-0-date": "May",
                            "t-timeline-0-event": "First walk"}).get_data(as_text=True)
    assert page.count("Give a month and year as YYYY-MM, for example 2026-05.") == 2
    page = _post(client, **{"t-first_tried": "1999-05"}).get_data(as_text=True)
    assert "Give a month between 2000 and 2100." in page
    assert db.session.scalar(select(Submission)) is None


def test_a_month_is_stored_as_year_and_month_and_shown_as_a_month(client, world, login):
    _setup(world, login)
    response = _post(client, **{"t-first_tried": "2026-05", "t-timeline-0-date": "2026-06",
                                "t-timeline-0-event": "Second walk"})
    assert response.status_code == 302
    fields = db.session.scalar(select(Version)).fields
    assert fields["first_tried"] == "2026-05"
    assert fields["timeline"] == [{"date": "2026-06", "event": "Second walk"}]
    page = client.get(URL).get_data(as_text=True)
    assert "May 2026" in page and "June 2026" in page


def test_an_answer_stored_as_a_full_date_keeps_its_month():
    assert parse_month("2026-05-14") == "2026-05"
    assert parse_month("2026-02-30") is None and parse_month("26-05") is None and parse_month(None) is None
    spec = {"type": "month"}
    assert display_value(spec, "not a month") == "not a month"
