"""A country group's written presentation: one submission shared by the trainees of a national
cohort, answered by the transnational cohort's facilitators."""
from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.models import CohortRole, Completion, Notification
from modules.assignment.models import File, Submission

from .helpers import add_assignment, build_assignments, pdf_bytes, second_trainee

URL = "/a/assignment/asg-group"


def test_one_submission_shared_by_the_country_group(app, client, world, login, factory, outbox):
    build_assignments(world)
    rui = second_trainee(factory, world)
    tutor = factory.enrolled(world.transnational, CohortRole.FACILITATOR, "Teresa Transnational")
    db.session.commit()

    login(world.trainee)
    page = client.get(URL).get_data(as_text=True)
    assert "This is a group task" in page and "Sweden pilot" in page
    response = client.post(URL, data={"body": "Our country's presentation", "action": "submit",
                                      "draft_version": 0, "base_version": 0})
    assert response.status_code == 302
    submission = db.session.scalar(select(Submission))
    assert (submission.user_id, submission.group_cohort_id, submission.cohort_id) == \
        (None, world.cohort.id, world.transnational.id)

    # Rui, in the same country group, sees it as his own.
    rui_client = app.test_client()
    rui_client.post("/login", data={"email": rui.email, "password": "correct horse battery"})
    page = rui_client.get(URL).get_data(as_text=True)
    assert "Our country&#39;s presentation" in page or "Our country&#x27;s presentation" in page
    assert "Handed in, waiting for feedback" in page and "Tina Trainee" in page

    # The Norwegian trainee has a group of his own and sees nothing of it.
    login_other = app.test_client()
    login_other.post("/login", data={"email": world.trainee_other.email, "password": "correct horse battery"})
    other_page = login_other.get(URL).get_data(as_text=True)
    assert "Our country" not in other_page and "Not started" in other_page

    # The transnational facilitator answers; the national one does not see it in his queue.
    client.post("/logout")
    login(world.facilitator)
    assert "Country group" not in client.get("/a/assignment/queue").get_data(as_text=True)
    assert client.get(f"/a/assignment/submission/{submission.id}").status_code == 404
    client.post("/logout")
    login(tutor)
    assert "Country group: Sweden pilot" in client.get("/a/assignment/queue").get_data(as_text=True)
    response = client.post(f"/a/assignment/submission/{submission.id}/feedback", data={
        "body": "A clear presentation.", "decision": "accept", "action": "release"})
    assert response.status_code == 302

    # Every member is told, sees the feedback, and is credited.
    told = {n.user_id for n in db.session.scalars(
        select(Notification).where(Notification.kind == "assignment.feedback"))}
    assert told == {world.trainee.id, rui.id}
    assert {m["To"] for m in outbox} >= {world.trainee.email, rui.email}
    assert "A clear presentation." in rui_client.get(URL).get_data(as_text=True)
    done = {c.user_id for c in db.session.scalars(select(Completion).where(Completion.state == "done"))}
    assert done == {world.trainee.id, rui.id}


def test_a_member_revises_what_another_handed_in(app, client, world, login, factory):
    build_assignments(world)
    rui = second_trainee(factory, world)
    tutor = factory.enrolled(world.transnational, CohortRole.FACILITATOR)
    db.session.commit()
    login(world.trainee)
    client.post(URL, data={"body": "Draft by Tina", "action": "submit", "draft_version": 0, "base_version": 0})
    submission = db.session.scalar(select(Submission))
    client.post("/logout")
    login(tutor)
    client.post(f"/a/assignment/submission/{submission.id}/feedback",
                data={"body": "Add the Swedish pilot results.", "decision": "revise", "action": "release"})
    client.post("/logout")
    login(rui)
    page = client.get(URL).get_data(as_text=True)
    assert "Revise your work" in page and "Draft by Tina</textarea>" in page
    response = client.post(URL, data={"body": "Draft by Tina, with the pilot results added", "action": "submit",
                                      "draft_version": 0, "base_version": 1})
    assert response.status_code == 302
    db.session.expire_all()
    assert submission.latest_version == 2 and submission.versions[-1].submitted_by_id == rui.id
    # Tina's open page still showed version 1: handing in from it is a conflict, not an overwrite.
    client.post("/logout")
    submission.status = "revision_requested"
    db.session.commit()
    login(world.trainee)
    stale = client.post(URL, data={"body": "Old text", "action": "submit", "draft_version": 0, "base_version": 1})
    assert "A newer version was handed in" in stale.get_data(as_text=True)
    assert db.session.scalar(select(Submission)).latest_version == 2


def test_the_group_hands_in_files_together(app, client, world, login, factory):
    """As the programme's country-group presentation: files, shared, complete when handed in."""
    a = build_assignments(world)
    add_assignment(a.built.modules[1], "asg-group-files", {"submission": "files", "allowed_types": ["pdf"],
                                                           "max_size_mb": 1, "completion": "submitted",
                                                           "group": True})
    db.session.commit()
    rui = second_trainee(factory, world)
    url = "/a/assignment/asg-group-files"
    login(world.trainee)
    response = client.post(url, data={"action": "save", "draft_version": 0,
                                      "files": [(io.BytesIO(pdf_bytes("slides")), "presentation.pdf")]},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    pending = db.session.scalar(select(File))
    client.post("/logout")

    # Rui finds the file Tina uploaded, opens it, and hands in for the group.
    login(rui)
    page = client.get(url).get_data(as_text=True)
    assert "Files ready to hand in" in page and "presentation.pdf" in page
    assert client.get(f"/a/assignment/file/{pending.id}").data == pdf_bytes("slides")
    response = client.post(url, data={"action": "submit", "draft_version": 0, "base_version": 0,
                                      "body": "Our presentation"}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    submission = db.session.scalar(select(Submission))
    assert (submission.group_cohort_id, submission.latest_version, submission.status) == \
        (world.cohort.id, 1, "submitted")
    assert [f.original_name for f in submission.versions[0].files] == ["presentation.pdf"]
    done = {c.user_id for c in db.session.scalars(select(Completion).where(Completion.state == "done"))}
    assert done == {world.trainee.id, rui.id}
    client.post("/logout")

    login(world.trainee_other)  # another country's group
    assert client.get(f"/a/assignment/file/{pending.id}").status_code == 404
