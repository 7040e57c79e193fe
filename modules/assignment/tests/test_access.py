"""Who sees what: facilitators of the trainee's cohort read and answer; coordinators and admins
see status, never content; other trainees and other cohorts' facilitators see nothing."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from modules.assignment.models import Submission

from .helpers import build_assignments

SECRET = "Family A needs a calmer morning"


def _hand_in(client, login, world, a):
    login(world.trainee)
    response = client.post("/a/assignment/asg-text", data={"body": SECRET, "action": "submit",
                                                          "draft_version": 0, "base_version": 0})
    assert response.status_code == 302
    client.post("/logout")
    return db.session.scalar(select(Submission))


def test_other_cohorts_facilitator_and_other_trainee_get_not_found(client, world, login):
    a = build_assignments(world)
    submission = _hand_in(client, login, world, a)
    for persona in (world.facilitator_other, world.trainee_other):
        login(persona)
        for url in (f"/a/assignment/submission/{submission.id}", f"/a/assignment/submission/{submission.id}/v/1"):
            assert client.get(url).status_code == 404, (persona.name, url)
        assert client.post(f"/a/assignment/submission/{submission.id}/feedback",
                           data={"body": "x", "decision": "accept", "action": "release"}).status_code == 404
        queue = client.get("/a/assignment/queue")
        assert SECRET not in queue.get_data(as_text=True) and "Tina Trainee" not in queue.get_data(as_text=True)
        client.post("/logout")
    db.session.expire_all()
    assert submission.status == "submitted"


def test_coordinators_and_admins_see_status_not_content(client, world, login):
    a = build_assignments(world)
    submission = _hand_in(client, login, world, a)
    for persona in (world.national_coordinator, world.transnational_coordinator, world.admin):
        login(persona)
        assert client.get(f"/a/assignment/submission/{submission.id}").status_code == 403
        status = client.get(f"/a/assignment/cohort/{world.cohort.id}/asg-text")
        page = status.get_data(as_text=True)
        assert status.status_code == 200 and "Tina Trainee" in page and "Handed in, waiting for feedback" in page
        assert SECRET not in page and f"/a/assignment/submission/{submission.id}" not in page
        client.post("/logout")
    reads = db.session.scalars(select(AuditEvent.actor_id).where(AuditEvent.action == "assignment.submission.read"))
    assert list(reads) == []


def test_a_trainee_sees_only_their_own_work(client, world, login, factory):
    a = build_assignments(world)
    submission = _hand_in(client, login, world, a)
    neighbour = factory.enrolled(world.cohort, name="Nina Neighbour")
    db.session.commit()
    login(neighbour)
    assert client.get(f"/a/assignment/submission/{submission.id}").status_code == 404
    page = client.get("/a/assignment/asg-text").get_data(as_text=True)
    assert SECRET not in page and "Hand in" in page  # her own, empty task


def test_facilitator_reads_are_audited_and_owner_reads_are_not(client, world, login):
    a = build_assignments(world)
    submission = _hand_in(client, login, world, a)
    login(world.trainee)
    client.get(f"/a/assignment/submission/{submission.id}/v/1")
    client.post("/logout")
    login(world.facilitator)
    assert SECRET in client.get(f"/a/assignment/submission/{submission.id}").get_data(as_text=True)
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "assignment.submission.read")))
    assert [(e.actor_id, e.target_id, e.detail["owner_user"]) for e in events] == \
        [(world.facilitator.id, submission.id, world.trainee.id)]


def test_the_owner_cannot_give_feedback_on_their_own_work(client, world, login):
    a = build_assignments(world)
    submission = _hand_in(client, login, world, a)
    login(world.trainee)
    response = client.post(f"/a/assignment/submission/{submission.id}/feedback",
                           data={"body": "Great!", "decision": "accept", "action": "release"})
    assert response.status_code == 403
    # Opening the facilitator's page sends the owner to their own page.
    opened = client.get(f"/a/assignment/submission/{submission.id}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/a/assignment/asg-text")


def test_staff_cannot_hand_in(client, world, login):
    build_assignments(world)
    login(world.facilitator)
    page = client.get("/a/assignment/asg-text").get_data(as_text=True)
    assert "Instructions for" in page and "Hand in" not in page and "Status in Sweden pilot" in page
    assert client.post("/a/assignment/asg-text", data={"body": "x", "action": "submit"}).status_code == 403
