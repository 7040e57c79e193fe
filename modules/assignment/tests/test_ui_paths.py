"""Every assignment page is reached by following links from the home page, as each person would:
the trainee's task, João's queue, feedback and extensions, the coordinator's review and the
cohort setting that asks for it (coordinator and admin)."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import CohortRole, Notification
from app.timeutil import utcnow
from modules.assignment.models import Extension, Feedback, Submission

from .helpers import add_assignment, build_assignments, follow, link, second_trainee


def _hand_in(client, login, user, slug="asg-text", body="My practice"):
    login(user)
    response = client.post(f"/a/assignment/{slug}", data={"body": body, "action": "submit", "draft_version": 0,
                                                          "base_version": 0})
    assert response.status_code == 302
    client.post("/logout")
    return db.session.scalar(select(Submission).order_by(Submission.id.desc()))


def test_the_trainee_finds_her_task_and_its_versions_from_home(client, world, login):
    build_assignments(world)
    _hand_in(client, login, world.trainee)
    login(world.trainee)
    home = client.get("/home").get_data(as_text=True)
    _url, overview = follow(client, home, "Open Test programme")
    _url, module = follow(client, overview, "Module 1")
    url, task = follow(client, module, "Task asg-text")
    assert url == "/a/assignment/asg-text" and "Handed in, waiting for feedback" in task
    _url, version = follow(client, task, "Version 1")
    assert "My practice" in version and "Handed in on" in version


def test_joao_answers_from_the_queue_and_grants_extensions_from_his_cohort(client, world, login, factory):
    build_assignments(world)
    rui = second_trainee(factory, world)
    submission = _hand_in(client, login, world.trainee)

    login(world.facilitator)
    home = client.get("/home").get_data(as_text=True)
    assert link(home, "Feedback queue") == "/a/assignment/queue"  # in the main navigation too
    _url, queue = follow(client, home, "1 submission awaits your feedback")
    url, page = follow(client, queue, "Tina Trainee")
    assert url == f"/a/assignment/submission/{submission.id}"
    assert f'action="/a/assignment/submission/{submission.id}/feedback"' in page and "Save as draft" in page

    # An extension for the trainee whose work he is reading ...
    _url, form = follow(client, page, "Grant an extension")
    assert "Extension for Tina Trainee" in form

    # ... and for Rui, who has not handed anything in: through the cohort's page.
    _url, cohorts = follow(client, home, "Cohorts")
    _url, cohort = follow(client, cohorts, "Sweden pilot")
    _url, overview = follow(client, cohort, "Assignments: status and feedback")
    assert "Task asg-text" in overview and "1 submission awaits feedback" in overview
    _url, status = follow(client, overview, "Task asg-text")
    url, form = follow(client, status, "Extension Rui Trainee")
    week = utcnow().date() + timedelta(days=7)
    assert client.post(url, data={"due_on": week.isoformat(), "reason": "Family leave"}).status_code == 302
    assert db.session.scalar(select(Extension)).user_id == rui.id
    client.post("/logout")

    login(rui)
    note = db.session.scalar(select(Notification).where(Notification.user_id == rui.id))
    page = client.get(note.url).get_data(as_text=True)
    assert "extended the due date" in page and "Family leave" in page


def test_the_coordinator_sets_the_review_and_reviews_from_her_home_page(client, world, login, outbox):
    build_assignments(world)
    login(world.national_coordinator)
    home = client.get("/home").get_data(as_text=True)
    _url, cohorts = follow(client, home, "Cohorts")
    _url, cohort = follow(client, cohorts, "Sweden pilot")
    _url, overview = follow(client, cohort, "Assignments: status and feedback")
    assert "Facilitators release their feedback to trainees directly." in overview
    url, settings = follow(client, overview, "Change the feedback setting")
    assert link(cohort, "Feedback settings") == url
    assert client.post(url, data={"feedback_needs_review": "y"}).status_code == 302
    overview = client.get(link(cohort, "Assignments: status and feedback")).get_data(as_text=True)
    assert "A coordinator reviews each feedback before the trainee sees it." in overview
    client.post("/logout")

    submission = _hand_in(client, login, world.trainee)
    login(world.facilitator)
    client.post(f"/a/assignment/submission/{submission.id}/feedback",
                data={"body": "Well observed.", "decision": "accept", "action": "release"})
    client.post("/logout")
    # She is told in the app and by e-mail; the transnational coordinator is not bothered.
    assert [m["To"] for m in outbox] == [world.national_coordinator.email]
    assert "waiting for your review" in outbox[0]["Subject"]

    login(world.national_coordinator)
    home = client.get("/home").get_data(as_text=True)
    _url, queue = follow(client, home, "Feedback waiting for your review")
    _url, review = follow(client, queue, "Task asg-text")
    assert "Well observed." in review and "My practice" not in review
    cohort_overview = client.get(link(cohort, "Assignments: status and feedback")).get_data(as_text=True)
    assert link(cohort_overview, "Feedback waiting for your review: 1") == "/a/assignment/review"
    feedback = db.session.scalar(select(Feedback))
    assert client.post(f"/a/assignment/feedback/{feedback.id}/review", data={"decision": "approve"}).status_code == 302
    db.session.expire_all()
    assert (feedback.state, submission.status) == ("released", "accepted")


def test_the_admin_sets_the_review_from_the_cohort_pages(client, world, login):
    build_assignments(world)
    login(world.admin)
    admin_cohort = client.get(f"/admin/cohorts/{world.transnational.id}").get_data(as_text=True)
    url = link(admin_cohort, "Feedback settings")
    home = client.get("/home").get_data(as_text=True)
    _url, cohorts = follow(client, home, "Cohorts")
    _url, cohort = follow(client, cohorts, "Transnational pilot")
    assert link(cohort, "Feedback settings") == url
    assert client.post(url, data={"feedback_needs_review": "y"}).status_code == 302
    _url, overview = follow(client, cohort, "Assignments: status and feedback")
    assert "A coordinator reviews each feedback" in overview and "Task asg-group" in overview


def test_who_gets_which_cohort_links(client, world, login):
    build_assignments(world)
    for persona, sees_settings in ((world.facilitator, False), (world.national_coordinator, True),
                                   (world.transnational_coordinator, True), (world.admin, True)):
        login(persona)
        cohort = client.get(f"/cohorts/{world.cohort.id}").get_data(as_text=True)
        assert "Assignments: status and feedback" in cohort
        assert ("Feedback settings" in cohort) == sees_settings, persona.name
        client.post("/logout")
    login(world.national_coordinator)  # another country's cohort is not hers
    assert client.get(f"/a/assignment/cohort/{world.other_cohort.id}").status_code == 403


def test_the_cohort_overview_counts_each_step_and_the_late(client, world, login, factory):
    a = build_assignments(world)
    days_ago = (utcnow().date() - world.run.starts_on).days
    late_task = add_assignment(a.national, "asg-late", {"submission": "text"}, due={"after_start_days": days_ago - 1})
    db.session.commit()
    rui = second_trainee(factory, world)
    nina = factory.enrolled(world.cohort, CohortRole.TRAINEE, "Nina Neighbour")
    db.session.commit()
    _hand_in(client, login, world.trainee, slug="asg-late")
    _hand_in(client, login, rui, slug="asg-late")
    extended = utcnow().date() + timedelta(days=3)
    db.session.add(Extension(activity_id=late_task.id, user_id=nina.id, due_on=extended,
                             granted_by_id=world.facilitator.id))
    db.session.commit()
    submissions = list(db.session.scalars(select(Submission)))
    submissions[0].status = "accepted"
    db.session.commit()

    login(world.national_coordinator)
    page = client.get(f"/a/assignment/cohort/{world.cohort.id}").get_data(as_text=True)
    row = page.split("Task asg-late")[1].split("</tr>")[0]
    cells = [c.strip() for c in re.findall(r'<td class="text-end">(.*?)</td>', row, re.S)]
    # 3 trainees: 1 not handed in (Nina, not late: her extension runs), 1 waiting, 0 revising, 1 accepted.
    assert cells == ["1", "0", "1", "0", "1"]
    assert "Task asg-group" not in page  # the transnational cohort's task
    assert "You see the status of the work, not its content." in page
    # Without the extension, Nina's work is late.
    db.session.delete(db.session.scalar(select(Extension)))
    db.session.commit()
    row = client.get(f"/a/assignment/cohort/{world.cohort.id}").get_data(as_text=True).split("Task asg-late")[1]
    assert '<span class="badge text-bg-warning">1</span>' in row.split("</tr>")[0]


def test_joao_reads_the_cohort_overview_in_portuguese(client, world, login):
    build_assignments(world)
    world.facilitator.locale = "pt"
    db.session.commit()
    login(world.facilitator)
    cohort = client.get(f"/cohorts/{world.cohort.id}").get_data(as_text=True)
    _url, overview = follow(client, cohort, "Trabalhos: estado e feedback")
    assert "Trabalhos em Sweden pilot" in overview and "Não entregue" in overview
    assert "0 entregas aguardam feedback" in overview
