"""The plugin's privacy hooks: everything a trainee handed in is exported, and erased on request."""
from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from modules.assignment import plugin
from modules.assignment.models import Feedback, File, Reply, Submission, Version

from .helpers import build_assignments, pdf_bytes, second_trainee


def _work(client, login, world):
    login(world.trainee)
    client.post("/a/assignment/asg-files", data={"body": "My portrait", "action": "submit", "draft_version": 0,
                                                "base_version": 0, "files": [(io.BytesIO(pdf_bytes()), "me.pdf")]},
                content_type="multipart/form-data")
    client.post("/a/assignment/asg-group", data={"body": "Our group text", "action": "submit", "draft_version": 0,
                                                "base_version": 0})
    client.post("/logout")
    submission = db.session.scalar(select(Submission).where(Submission.user_id == world.trainee.id))
    login(world.facilitator)
    client.post(f"/a/assignment/submission/{submission.id}/feedback",
                data={"body": "Nice portrait.", "decision": "accept", "action": "release"})
    client.post("/logout")
    login(world.trainee)
    feedback = db.session.scalar(select(Feedback))
    client.post(f"/a/assignment/feedback/{feedback.id}/reply", data={"body": "Thank you!"})
    client.post("/logout")
    return submission


def test_export_holds_submissions_versions_files_feedback_and_replies(client, world, login, factory):
    build_assignments(world)
    second_trainee(factory, world)
    _work(client, login, world)
    data = plugin.export_user_data(world.trainee)
    by_activity = {s["activity"]: s for s in data["submissions"]}
    assert set(by_activity) == {"asg-files", "asg-group"}
    mine = by_activity["asg-files"]
    assert mine["versions"][0]["body_html"] == "<p>My portrait</p>"
    assert mine["versions"][0]["files"][0]["name"] == "me.pdf"
    assert mine["feedback"][0]["body_html"] == "<p>Nice portrait.</p>"
    assert mine["feedback"][0]["replies"] == [{"body_html": "<p>Thank you!</p>",
                                               "at": mine["feedback"][0]["replies"][0]["at"], "mine": True}]
    assert by_activity["asg-group"]["group"] is True


def test_erase_removes_own_work_and_files_but_keeps_the_group_submission(app, client, world, login, factory):
    build_assignments(world)
    rui = second_trainee(factory, world)
    submission = _work(client, login, world)
    stored = Path(app.config["UPLOAD_DIR"]) / "assignment" / db.session.scalar(select(File.stored_name))
    assert stored.exists()

    plugin.erase_user_data(world.trainee)
    db.session.commit()

    assert db.session.get(Submission, submission.id) is None
    assert db.session.scalar(select(func.count()).select_from(File)) == 0
    assert db.session.scalar(select(func.count()).select_from(Reply)) == 0
    assert not stored.exists()
    group = db.session.scalar(select(Submission).where(Submission.group_cohort_id == world.cohort.id))
    assert group is not None and group.versions[0].submitted_by_id is None
    assert plugin.export_user_data(rui)["submissions"][0]["activity"] == "asg-group"
    assert db.session.scalar(select(func.count()).select_from(Version)) == 1
