"""Rubric ratings in a real browser, from the facilitator's written feedback to the trainee's
competency profile: Fia rates a criterion of Tina's hand-in and releases the feedback; Tina, who
reads the site in Slovenian, sees the rating with the feedback and as evidence on her profile,
and saves her own reflection there. Each page passes axe."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import CompetencyReflection
from modules.assignment.rubric_models import RubricRating
from modules.assignment.tests.helpers import build_assignments
from modules.assignment.tests.rubric_helpers import add_rubric_assignment, hand_in

from .accessibility import assert_accessible
from .helpers import log_in_and_land_home

pytestmark = pytest.mark.browser


def test_a_released_rating_is_evidence_the_trainee_reflects_on(open_page, app, world, client, login, monkeypatch):
    world.trainee.locale = "sl"
    add_rubric_assignment(build_assignments(world).national)
    # The hand-in is set up through the test client (no CSRF token there); the browsers have CSRF on.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    submission = hand_in(client, login, world.trainee)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    fia = open_page()
    log_in_and_land_home(fia, world.facilitator.email)
    fia.goto(f"/a/assignment/submission/{submission.id}", wait_until="load")  # the editor is built by app.js
    criterion = fia.get_by_role("group", name="C1 · Sees the family as a whole")
    expect(criterion.get_by_label("Not rated")).to_be_checked()
    assert_accessible(fia)
    criterion.get_by_label("3 · Shown: The areas are described together.").check()
    fia.get_by_role("textbox", name="Your feedback", exact=True).fill("You see the whole family.")
    fia.get_by_label("Accept").check()
    fia.get_by_role("button", name="Release to the trainee").click()
    expect(fia.get_by_text("Your feedback is released; the trainee has been told.")).to_be_visible()
    assert [(r.criterion, r.level) for r in db.session.scalars(select(RubricRating))] == [("whole_family", 3)]

    tina = open_page()
    log_in_and_land_home(tina, world.trainee.email)
    tina.goto("/a/assignment/asg-rubric")
    given = tina.locator("dl.rubric-given")
    expect(given).to_contain_text("C1 · Sees the family as a whole")
    expect(given).to_contain_text("Raven 3 od 4: Shown")  # "Level 3 of 4", in Slovenian
    expect(given).not_to_contain_text("The family's own view")  # not rated
    assert_accessible(tina)

    tina.goto("/programme/")
    tina.get_by_role("link", name="Vaš profil kompetenc").click()
    c1 = tina.locator("#competency-C1")
    expect(c1.get_by_text("Izkazano v povratni informaciji")).to_be_visible()  # "Shown in feedback"
    expect(c1).to_contain_text("Raven 3 od 4: Shown — Sees the family as a whole")
    expect(tina.locator("#competency-C2")).not_to_contain_text("Raven")
    assert_accessible(tina)
    c1.get_by_role("textbox").fill("Zdaj sprašujem o šoli, stanovanju in zdravju hkrati.")
    c1.get_by_role("button", name="Shrani razmislek o C1").click()
    expect(tina.get_by_text("Vaš razmislek o C1 je shranjen.")).to_be_visible()
    expect(tina.locator("#competency-C1").get_by_role("textbox")).to_have_value(
        "Zdaj sprašujem o šoli, stanovanju in zdravju hkrati.")
    row = db.session.scalar(select(CompetencyReflection))
    assert (row.user_id, row.code, row.version) == (world.trainee.id, "C1", 1)
    assert_accessible(tina)
