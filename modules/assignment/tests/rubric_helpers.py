"""An assignment with a rubric on the competency elements, built in the database."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Activity, Module
from modules.assignment.models import Feedback, Submission
from modules.assignment.rubrics import load_rubric

from .helpers import add_assignment

RUBRIC = """\
slug: analysis
title: Reading the analysis
meets: 3
levels: [Not yet, Beginning, Shown, Confident]
criteria:
  - key: whole_family
    competency: C1
    title: Sees the family as a whole
    descriptors: [Single problems., Some areas linked., The areas are described together., The whole is analysed.]
  - key: co_creation
    competency: C4
    title: The family's own view
    descriptors: [Object of the assessment., Mentioned only., Shown and used., Co-created throughout.]
"""
CODES = {f"C{i}" for i in range(1, 8)}


def add_rubric_assignment(module: Module, slug: str = "asg-rubric", rating: str = "optional") -> Activity:
    activity = add_assignment(module, slug, {"submission": "text"})
    activity.settings = {**activity.settings, "rubric": load_rubric(RUBRIC, "rubrics/analysis.yaml", "analysis", CODES),
                         "rubric_rating": rating}
    db.session.commit()
    return activity


def hand_in(client, login, trainee, slug: str = "asg-rubric") -> Submission:
    login(trainee)
    response = client.post(f"/a/assignment/{slug}", data={"body": "Family A and the school.", "action": "submit",
                                                          "draft_version": 0, "base_version": 0})
    assert response.status_code == 302
    client.post("/logout")
    return db.session.scalar(select(Submission).join(Activity).where(Activity.slug == slug,
                                                                     Submission.user_id == trainee.id))


def rate(client, login, facilitator, submission: Submission, action: str = "release", **levels: int) -> Feedback:
    login(facilitator)
    data = {"body": "You see the whole family.", "decision": "accept", "action": action}
    data.update({f"rubric-{k}": str(v) for k, v in levels.items()})
    response = client.post(f"/a/assignment/submission/{submission.id}/feedback", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/logout")
    db.session.expire_all()
    return db.session.scalar(select(Feedback).where(Feedback.submission_id == submission.id)
                             .order_by(Feedback.id.desc()))
