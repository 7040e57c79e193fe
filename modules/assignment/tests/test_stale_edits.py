"""A form loaded before someone else's save (another facilitator, another tab) is refused with
the saved state beside what was typed, and what was saved stays: extensions and rubric ratings."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from app.extensions import db
from modules.assignment.models import Extension, Feedback

from .helpers import build_assignments
from .rubric_helpers import add_rubric_assignment, hand_in, rate


def base_of(page: str, name: str = "base") -> str:
    found = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page) or \
        re.search(rf'type="hidden" name="{name}" value="([^"]*)"', page)
    return found.group(1)


def test_a_stale_extension_form_keeps_the_other_facilitators_reason(app, client, world, login, factory):
    build_assignments(world)
    colleague = factory.user(email="second.facilitator@example.org")
    factory.member(colleague, world.cohort, role="facilitator")
    db.session.commit()
    other = app.test_client()
    assert other.post("/login", data={"email": colleague.email, "password": factory.PASSWORD}).status_code == 302
    login(world.facilitator)
    url = f"/a/assignment/cohort/{world.cohort.id}/asg-text/extension/user:{world.trainee.id}"
    mine, theirs = (base_of(c.get(url).get_data(as_text=True)) for c in (client, other))
    assert other.post(url, data={"due_on": "2099-11-07", "reason": "Sick leave", "base": theirs}).status_code == 302

    response = client.post(url, data={"due_on": "2099-12-01", "reason": "Family reasons", "base": mine})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nothing was overwritten" in page and "Family reasons" in page and "Sick leave" in page
    assert 'value="2099-12-01"' in page
    db.session.expire_all()
    stored = db.session.scalar(select(Extension))
    assert (stored.due_on, stored.reason, stored.granted_by_id) == (date(2099, 11, 7), "Sick leave", colleague.id)

    # Sent again from the page that now shows their reason: a choice, so it is saved.
    again = client.post(url, data={"due_on": "2099-12-01", "reason": "Family reasons", "base": base_of(page)})
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Extension)).reason == "Family reasons"


def test_a_fresh_extension_form_saves(client, world, login):
    build_assignments(world)
    login(world.facilitator)
    url = f"/a/assignment/cohort/{world.cohort.id}/asg-text/extension/user:{world.trainee.id}"
    first = base_of(client.get(url).get_data(as_text=True))
    assert first == ""
    assert client.post(url, data={"due_on": "2099-11-07", "reason": "Sick leave", "base": first}).status_code == 302
    second = base_of(client.get(url).get_data(as_text=True))
    assert client.post(url, data={"due_on": "2099-11-20", "reason": "Longer", "base": second}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Extension)).reason == "Longer"


def _feedback_form(client, submission) -> tuple[str, str]:
    """The feedback form's base and draft version, as a tab loads them."""
    page = client.get(f"/a/assignment/submission/{submission.id}").get_data(as_text=True)
    return base_of(page, "feedback_base"), base_of(page, "draft_version")


def test_a_stale_tab_does_not_undo_rubric_ratings_changed_in_another(client, world, login):
    assignments = build_assignments(world)
    add_rubric_assignment(assignments.national)
    submission = hand_in(client, login, world.trainee)
    rate(client, login, world.facilitator, submission, action="save", whole_family=2)
    login(world.facilitator)
    url = f"/a/assignment/submission/{submission.id}/feedback"
    text = {"body": "You see the whole family.", "decision": "accept", "action": "save"}
    (stale, _), (fresh, fresh_draft) = _feedback_form(client, submission), _feedback_form(client, submission)
    # Tab A changes only a rating (the text as it was).
    assert client.post(url, data={**text, "rubric-whole_family": "4", "feedback_base": fresh,
                                  "draft_version": fresh_draft}).status_code == 302

    response = client.post(url, data={**text, "body": "Rewritten in tab B.", "rubric-whole_family": "2",
                                      "rubric-co_creation": "3", "feedback_base": stale, "draft_version": "0"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nothing was overwritten" in page and "Rewritten in tab B." in page
    assert "Level 4 of 4: Confident" in page  # the saved rating, beside the form
    assert '<input checked class="form-check-input" id="rubric-co_creation-3"' in page  # what tab B chose
    db.session.expire_all()
    feedback = db.session.scalar(select(Feedback))
    assert [(r.criterion, r.level) for r in feedback.rubric_ratings] == [("whole_family", 4)]
    assert "Rewritten" not in feedback.body_html

    again = client.post(url, data={**text, "body": "Rewritten in tab B.", "rubric-whole_family": "2",
                                   "feedback_base": base_of(page, "feedback_base"),
                                   "draft_version": base_of(page, "draft_version")})
    assert again.status_code == 302
    db.session.expire_all()
    assert [(r.criterion, r.level) for r in db.session.scalar(select(Feedback)).rubric_ratings] == \
        [("whole_family", 2)]
