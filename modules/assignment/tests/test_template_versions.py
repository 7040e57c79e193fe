"""A hand-in is shown against the template version it was written for (issue 16, item 4): a field
the content removes later still shows its answer, a field it adds is not asked of the old
hand-in, and a corrected label does not rewrite what the trainee answered to."""
from __future__ import annotations

import copy

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from app.extensions import db
from modules.assignment.models import Submission

from .helpers import build_assignments, plan_form

URL = "/a/assignment/asg-plan"


def _correct_the_template(activity) -> None:
    """What an import of a corrected template file does to the activity's settings."""
    settings = copy.deepcopy(activity.settings)
    fields = [f for f in settings["template"]["fields"] if f["name"] != "confidence"]
    fields.append({"name": "family_feedback", "label": "What the family said", "type": "long_text",
                   "required": True, "help": ""})
    settings["template"]["fields"] = fields
    activity.settings = settings
    flag_modified(activity, "settings")
    db.session.commit()


def test_a_hand_in_keeps_the_template_it_was_written_for(client, world, login):
    assignments = build_assignments(world)
    login(world.trainee)
    response = client.post(URL, data={"action": "submit", "draft_version": 0, "base_version": 0, **plan_form()})
    assert response.status_code == 302
    submission = db.session.scalar(select(Submission).where(Submission.activity_id == assignments.plan.id))
    version = submission.versions[-1]
    assert [f["name"] for f in version.template["fields"]] == [
        "title", "stage", "start", "confidence", "change", "actions"]

    _correct_the_template(assignments.plan)

    # The trainee's own page: the hand-in as written.
    page = client.get(URL).get_data(as_text=True)
    handed_in = page[page.index('<dl class="answers">'):]
    assert "Confidence" in handed_in and "4 of 5" in handed_in
    assert "What the family said" not in handed_in

    # The facilitator's submission page and the version page, the same.
    client.post("/logout")
    login(world.facilitator)
    for url in (f"/a/assignment/submission/{submission.id}", f"/a/assignment/submission/{submission.id}/v/1"):
        page = client.get(url).get_data(as_text=True)
        assert "Confidence" in page and "4 of 5" in page, url
        assert "What the family said" not in page, url


def test_a_version_handed_in_before_templates_were_kept_uses_the_current_one(client, world, login):
    assignments = build_assignments(world)
    login(world.trainee)
    client.post(URL, data={"action": "submit", "draft_version": 0, "base_version": 0, **plan_form()})
    submission = db.session.scalar(select(Submission).where(Submission.activity_id == assignments.plan.id))
    submission.versions[-1].template = None
    db.session.commit()
    client.post("/logout")
    login(world.facilitator)
    page = client.get(f"/a/assignment/submission/{submission.id}").get_data(as_text=True)
    assert "Working title" in page and "Walk-and-talk" in page
