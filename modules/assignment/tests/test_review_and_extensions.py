"""A cohort that wants a coordinator's review before feedback is released, and extensions."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Notification
from modules.assignment.models import Extension, Feedback, Submission

from .helpers import build_assignments, second_trainee


def _hand_in(client, login, world, body="My practice"):
    login(world.trainee)
    client.post("/a/assignment/asg-text", data={"body": body, "action": "submit", "draft_version": 0,
                                               "base_version": 0})
    client.post("/logout")
    return db.session.scalar(select(Submission))


def test_feedback_waits_for_the_coordinators_review(client, world, login, outbox):
    build_assignments(world)
    login(world.national_coordinator)
    assert client.post(f"/a/assignment/cohort/{world.cohort.id}/settings",
                       data={"feedback_needs_review": "y"}).status_code == 302
    client.post("/logout")
    submission = _hand_in(client, login, world)

    login(world.facilitator)
    page = client.get(f"/a/assignment/submission/{submission.id}").get_data(as_text=True)
    assert "Send for coordinator review" in page
    client.post(f"/a/assignment/submission/{submission.id}/feedback",
                data={"body": "Well observed.", "decision": "accept", "action": "release"})
    feedback = db.session.scalar(select(Feedback))
    assert feedback.state == "awaiting_review"
    page = client.get(f"/a/assignment/submission/{submission.id}").get_data(as_text=True)
    assert "waiting for a coordinator&#39;s review" in page.replace("&#x27;", "&#39;") and "Decision: Accepted." in page
    client.post("/logout")

    # The trainee sees nothing yet.
    login(world.trainee)
    assert "Well observed." not in client.get("/a/assignment/asg-text").get_data(as_text=True)
    assert db.session.scalar(select(Notification).where(Notification.user_id == world.trainee.id)) is None
    client.post("/logout")

    # The coordinator sends it back with a note, then approves the next try.
    login(world.national_coordinator)
    assert "Feedback waiting for your review" in client.get("/home").get_data(as_text=True)
    page = client.get(f"/a/assignment/feedback/{feedback.id}/review").get_data(as_text=True)
    assert "Well observed." in page and "My practice" not in page  # feedback only, never the work
    refused = client.post(f"/a/assignment/feedback/{feedback.id}/review", data={"decision": "return"})
    assert "Please say what should change." in refused.get_data(as_text=True)
    client.post(f"/a/assignment/feedback/{feedback.id}/review",
                data={"decision": "return", "note": "Name one thing to improve."})
    db.session.expire_all()
    assert feedback.state == "draft" and feedback.review_note == "Name one thing to improve."
    client.post("/logout")

    login(world.facilitator)
    assert "Name one thing to improve." in \
        client.get(f"/a/assignment/submission/{submission.id}").get_data(as_text=True)
    client.post(f"/a/assignment/submission/{submission.id}/feedback", data={
        "body": "Well observed. Next time, name the family's own words.", "decision": "accept", "action": "release"})
    client.post("/logout")
    login(world.national_coordinator)
    assert client.post(f"/a/assignment/feedback/{feedback.id}/review",
                       data={"decision": "approve"}).status_code == 302
    db.session.expire_all()
    assert (feedback.state, feedback.reviewed_by_id, submission.status) == \
        ("released", world.national_coordinator.id, "accepted")
    assert outbox[-1]["To"] == world.trainee.email
    client.post("/logout")
    login(world.trainee)
    assert "name the family&#39;s own words" in client.get("/a/assignment/asg-text").get_data(as_text=True) or \
        "name the family&#x27;s own words" in client.get("/a/assignment/asg-text").get_data(as_text=True)


def test_without_the_setting_feedback_is_released_at_once(client, world, login):
    build_assignments(world)
    submission = _hand_in(client, login, world)
    login(world.facilitator)
    page = client.get(f"/a/assignment/submission/{submission.id}").get_data(as_text=True)
    assert "Release to the trainee" in page
    client.post(f"/a/assignment/submission/{submission.id}/feedback",
                data={"body": "Fine.", "decision": "accept", "action": "release"})
    assert db.session.scalar(select(Feedback)).state == "released"


def test_feedback_cannot_be_released_empty(client, world, login):
    build_assignments(world)
    submission = _hand_in(client, login, world)
    login(world.facilitator)
    page = client.post(f"/a/assignment/submission/{submission.id}/feedback",
                       data={"body": " ", "decision": "accept", "action": "release"}).get_data(as_text=True)
    assert "Please write your feedback before releasing it." in page
    assert db.session.scalar(select(Feedback)) is None


def test_extension_shows_the_new_date_to_the_trainee(client, world, login):
    a = build_assignments(world)
    login(world.trainee)
    page = client.get("/a/assignment/asg-text").get_data(as_text=True)
    assert "Due Oct 31, 2026" in page  # 30 days after the run's start, 1 Oct 2026
    client.post("/logout")

    login(world.facilitator)
    status = client.get(f"/a/assignment/cohort/{world.cohort.id}/asg-text").get_data(as_text=True)
    assert "Tina Trainee" in status and "Not started" in status
    url = f"/a/assignment/cohort/{world.cohort.id}/asg-text/extension/user:{world.trainee.id}"
    past = client.post(url, data={"due_on": "2000-01-01", "reason": "Too late"})
    assert "The new due date cannot be in the past." in past.get_data(as_text=True)
    assert client.post(url, data={"due_on": "2099-11-07", "reason": "Sick leave"}).status_code == 302
    extension = db.session.scalar(select(Extension))
    assert (extension.due_on, extension.user_id, extension.granted_by_id) == \
        (date(2099, 11, 7), world.trainee.id, world.facilitator.id)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.extension.grant")) is not None
    client.post("/logout")

    login(world.trainee)
    note = db.session.scalar(select(Notification).where(Notification.kind == "assignment.extension"))
    assert note.user_id == world.trainee.id and "Nov 7, 2099" in note.message
    page = client.get("/a/assignment/asg-text").get_data(as_text=True)
    assert "Due Nov 7, 2099" in page and "extended the due date" in page and "Sick leave" in page
    overview = client.get(f"/programme/modules/{a.national.slug}").get_data(as_text=True)
    assert "Nov 7, 2099" in overview


def test_extension_for_someone_outside_the_cohort_is_not_found(client, world, login):
    build_assignments(world)
    login(world.facilitator)
    url = f"/a/assignment/cohort/{world.cohort.id}/asg-text/extension/user:{world.trainee_other.id}"
    assert client.get(url).status_code == 404
    client.post("/logout")
    login(world.facilitator_other)
    url = f"/a/assignment/cohort/{world.cohort.id}/asg-text/extension/user:{world.trainee.id}"
    assert client.post(url, data={"due_on": "2099-01-01", "reason": "x"}).status_code == 403
    assert db.session.scalar(select(Extension)) is None


def test_the_transnational_coordinator_reviews_the_transnational_cohorts_feedback(client, world, login, factory,
                                                                                 outbox):
    from app.models import CohortRole
    build_assignments(world)
    tutor = factory.enrolled(world.transnational, CohortRole.FACILITATOR, "Teresa Transnational")
    db.session.commit()
    login(world.transnational_coordinator)
    assert client.post(f"/a/assignment/cohort/{world.transnational.id}/settings",
                       data={"feedback_needs_review": "y"}).status_code == 302
    client.post("/logout")
    login(world.trainee)
    client.post("/a/assignment/asg-group", data={"body": "Our presentation", "action": "submit", "draft_version": 0,
                                                "base_version": 0})
    client.post("/logout")
    login(tutor)
    client.post(f"/a/assignment/submission/{db.session.scalar(select(Submission)).id}/feedback",
                data={"body": "Clear.", "decision": "accept", "action": "release"})
    client.post("/logout")
    assert [m["To"] for m in outbox] == [world.transnational_coordinator.email]
    login(world.national_coordinator)  # the Swedish coordinator does not review the transnational cohort
    assert "Clear." not in client.get("/a/assignment/review").get_data(as_text=True)
    feedback = db.session.scalar(select(Feedback))
    assert client.post(f"/a/assignment/feedback/{feedback.id}/review", data={"decision": "approve"}).status_code == 404


def test_the_facilitators_submission_page_shows_its_own_extension_only(client, world, login, factory):
    build_assignments(world)
    submission = _hand_in(client, login, world)
    other = second_trainee(factory, world)
    login(world.facilitator)
    other_url = f"/a/assignment/cohort/{world.cohort.id}/asg-text/extension/user:{other.id}"
    assert client.post(other_url, data={"due_on": "2099-12-24", "reason": "Other leave"}).status_code == 302
    client.get("/home")  # the confirmation, which names the date
    page = client.get(f"/a/assignment/submission/{submission.id}").get_data(as_text=True)
    assert "Extended to" not in page and "Dec 24, 2099" not in page
    url = f"/a/assignment/cohort/{world.cohort.id}/asg-text/extension/user:{world.trainee.id}"
    assert client.post(url, data={"due_on": "2099-11-07", "reason": "Sick leave"}).status_code == 302
    client.get("/home")
    page = client.get(f"/a/assignment/submission/{submission.id}").get_data(as_text=True)
    assert "Dec 24, 2099" not in page and "Due Nov 7, 2099" in page
    assert "Extended to Nov 7, 2099" in page and "Sick leave" in page
