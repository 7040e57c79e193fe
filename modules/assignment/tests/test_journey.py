"""Ana's journey (steps 5-6) and João's (steps 1-3), end to end through HTTP against the database."""
from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Completion, Draft, Notification
from app.services import drafts, progress
from modules.assignment.models import Feedback, Submission, Version

from .helpers import build_assignments, plan_form


def _draft_version(page: str) -> int:
    return int(re.search(r'name="draft_version" value="(\d+)"', page).group(1))


def _base_version(page: str) -> int:
    return int(re.search(r'name="base_version"[^>]*value="(\d+)"', page).group(1))


def test_ana_and_joao(app, client, world, login, outbox):
    a = build_assignments(world)
    ana, joao = world.trainee, world.facilitator
    url = "/a/assignment/asg-plan"
    key = f"assignment:{a.plan.id}"

    # Ana starts the plan on the bus: the page autosaves what she types.
    login(ana)
    page = client.get(url).get_data(as_text=True)
    assert "Micro-innovation plan" not in page or "Working title" in page
    assert "Hand in" in page and _draft_version(page) == 0
    saved = client.post("/drafts/save", data={"draft_key": key, "draft_version": 0, "t-title": "Walk-and-talk",
                                              "t-change": "Meet Family A on a walk"})
    assert saved.status_code == 200 and saved.json["version"] == 1

    # The session expires; a save after that is refused, the draft on the server stays.
    client.post("/logout")
    assert client.post("/drafts/save", data={"draft_key": key, "draft_version": 1, "t-title": "x"}).status_code == 401

    # At the office, on another computer, everything she typed is there.
    office = app.test_client()
    office.post("/login", data={"email": ana.email, "password": "correct horse battery"})
    page = office.get(url).get_data(as_text=True)
    assert 'value="Walk-and-talk"' in page and "Meet Family A on a walk</textarea>" in page
    assert "Restored your draft" in page and _draft_version(page) == 1

    # She submits.
    response = office.post(url, data={**plan_form(), "action": "submit", "draft_key": key,
                                      "draft_version": _draft_version(page), "base_version": _base_version(page)})
    assert response.status_code == 302, response.get_data(as_text=True)
    submission = db.session.scalar(select(Submission))
    assert (submission.status, submission.latest_version, submission.cohort_id) == ("submitted", 1, world.cohort.id)
    assert submission.versions[0].fields["actions"] == [{"step": "Ask the family", "when": "2026-11-01"}]
    assert drafts.get_draft(ana, key) is None
    page = office.get(url).get_data(as_text=True)
    assert "Handed in, waiting for feedback" in page and "Walk-and-talk" in page and "Hand in</button>" not in page

    # João: home page and queue.
    joao_client = app.test_client()
    joao_client.post("/login", data={"email": joao.email, "password": "correct horse battery"})
    home = joao_client.get("/home").get_data(as_text=True)
    assert "1 submission awaits your feedback (oldest: 0 days)" in home
    queue = joao_client.get("/a/assignment/queue").get_data(as_text=True)
    assert "Tina Trainee" in queue and "Task asg-plan" in queue
    sub_url = f"/a/assignment/submission/{submission.id}"
    page = joao_client.get(sub_url).get_data(as_text=True)
    assert "Walk-and-talk" in page and "What changed since your last feedback" not in page
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assignment.submission.read",
                                                      AuditEvent.actor_id == joao.id)) is not None

    # He writes feedback, keeps it as a draft: Ana sees nothing yet.
    feedback_form = {"body": "A good start.\n\nSay who chose the walk.", "decision": "revise",
                     "comments-change": "Whose idea was the walk: yours or the family's?",
                     "draft_key": f"feedback:{submission.id}", "draft_version": 0}
    assert joao_client.post(f"{sub_url}/feedback", data={**feedback_form, "action": "save"}).status_code == 302
    feedback = db.session.scalar(select(Feedback))
    assert feedback.state == "draft" and feedback.body_html == "<p>A good start.</p><p>Say who chose the walk.</p>"
    assert "A good start" not in office.get(url).get_data(as_text=True)
    assert db.session.scalar(select(Notification).where(Notification.user_id == ana.id)) is None

    # ... then releases it: Ana is notified in the app and by e-mail.
    page = joao_client.get(sub_url).get_data(as_text=True)
    assert "A good start." in page and "Draft: not released" in page
    response = joao_client.post(f"{sub_url}/feedback", data={**feedback_form, "action": "release"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (feedback.state, submission.status) == ("released", "revision_requested")
    note = db.session.scalar(select(Notification).where(Notification.user_id == ana.id))
    assert note.kind == "assignment.feedback" and "revise" in note.message and note.url == url
    assert outbox[-1]["To"] == ana.email and "revise" in outbox[-1]["Subject"]

    # Ana: "feedback to read" at home, the feedback and the field comment on her page.
    assert "Feedback to read" in office.get("/home").get_data(as_text=True)
    page = office.get(url).get_data(as_text=True)
    assert "Say who chose the walk." in page and "Whose idea was the walk" in page
    assert "Revise your work" in page and "Meet Family A on a walk instead of at the office.</textarea>" in page
    assert "Feedback to read" not in office.get("/home").get_data(as_text=True)

    # She replies: the feedback becomes a dialogue, João is told.
    response = office.post(f"/a/assignment/feedback/{feedback.id}/reply",
                           data={"body": "The mother chose the walk herself."})
    assert response.status_code == 302
    assert "The mother chose the walk herself." in joao_client.get(sub_url).get_data(as_text=True)
    assert db.session.scalar(select(Notification).where(Notification.user_id == joao.id,
                                                        Notification.kind == "assignment.reply")) is not None

    # She revises the field and hands in again.
    page = office.get(url).get_data(as_text=True)
    revised = plan_form(**{"t-change": "Meet Family A on a walk instead of at the office. The mother chose it."})
    response = office.post(url, data={**revised, "action": "submit", "draft_key": key,
                                      "draft_version": _draft_version(page), "base_version": _base_version(page)})
    assert response.status_code == 302
    db.session.expire_all()
    assert (submission.status, submission.latest_version) == ("submitted", 2)
    assert [v.number for v in db.session.scalars(select(Version).order_by(Version.number))] == [1, 2]
    assert db.session.scalar(select(Notification).where(Notification.user_id == joao.id,
                                                        Notification.kind == "assignment.resubmitted")) is not None

    # João reads what changed since his feedback, and only that stands out.
    page = joao_client.get(sub_url).get_data(as_text=True)
    assert "What changed since your last feedback" in page
    assert '<ins class="bg-success-subtle"> The mother chose it.</ins>' in page
    changes = page.split("What changed since your last feedback")[1].split("</dl>")[0]
    assert changes.count(">changed<") == 1 and "unchanged" in changes
    # Every version stays viewable.
    first = joao_client.get(f"{sub_url}/v/1").get_data(as_text=True)
    assert "instead of at the office." in first and "The mother chose it" not in first

    # He accepts; the activity is complete and its hours count.
    before = progress.hours_done(ana, world.run).done["national"]
    response = joao_client.post(f"{sub_url}/feedback", data={
        "body": "Clear and realistic. Accepted.", "decision": "accept", "action": "release",
        "draft_key": f"feedback:{submission.id}", "draft_version": 0})
    assert response.status_code == 302
    db.session.expire_all()
    assert submission.status == "accepted"
    completion = db.session.scalar(select(Completion).where(Completion.user_id == ana.id,
                                                            Completion.activity_id == a.plan.id))
    assert completion.state == "done"
    assert progress.hours_done(ana, world.run).done["national"] == before + Decimal("3.5")
    page = office.get(url).get_data(as_text=True)
    assert "Accepted" in page and "Hand in</button>" not in page
    assert db.session.scalar(select(Draft).where(Draft.user_id == ana.id)) is None


def test_second_tab_gets_a_conflict_and_nothing_is_overwritten(client, world, login):
    a = build_assignments(world)
    login(world.trainee)
    key = f"assignment:{a.text.id}"
    url = "/a/assignment/asg-text"
    client.get(url)  # both tabs open the page at draft version 0
    assert client.post("/drafts/save", data={"draft_key": key, "draft_version": 0, "body": "Tab A"}).status_code == 200
    stale = client.post(url, data={"body": "Tab B", "action": "submit", "draft_key": key, "draft_version": 0,
                                   "base_version": 0})
    page = stale.get_data(as_text=True)
    assert stale.status_code == 200 and "changed in another tab" in page and "Nothing was overwritten" in page
    assert "Tab B</textarea>" in page  # what this tab typed is still on the page
    assert db.session.scalar(select(Submission)) is None
    assert drafts.get_draft(world.trainee, key).data == {"body": "Tab A"}
    # The "Save draft" button without script is refused in the same way.
    again = client.post(url, data={"body": "Tab B", "action": "save", "draft_key": key, "draft_version": 0})
    assert "changed in another tab" in again.get_data(as_text=True)
    assert drafts.get_draft(world.trainee, key).data == {"body": "Tab A"}


def test_handing_in_twice_from_stale_pages_is_refused(app, client, world, login):
    a = build_assignments(world)
    login(world.trainee)
    url = "/a/assignment/asg-text"
    data = {"body": "First", "action": "submit", "draft_key": f"assignment:{a.text.id}", "draft_version": 0,
            "base_version": 0}
    assert client.post(url, data=data).status_code == 302
    # A revision is requested, then a page still showing version 0 tries to hand in.
    submission = db.session.scalar(select(Submission))
    submission.status = "revision_requested"
    db.session.commit()
    response = client.post(url, data={**data, "body": "Stale"})
    assert "A newer version was handed in" in response.get_data(as_text=True)
    assert db.session.scalar(select(Version).where(Version.number == 2)) is None


def test_save_draft_without_script_and_restore(client, world, login):
    a = build_assignments(world)
    login(world.trainee)
    url = "/a/assignment/asg-text"
    assert '<span class="badge text-bg-light border">Not started</span>' in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"body": "Half done", "action": "save", "draft_key": f"assignment:{a.text.id}",
                                      "draft_version": 0})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Half done</textarea>" in page and "Restored your draft" in page
    assert '<span class="badge text-bg-secondary">Draft</span>' in page
    assert db.session.scalar(select(Submission)) is None
    assert db.session.scalar(select(Completion)).state == "started"


def test_completion_on_submit_when_the_content_says_so(client, world, login):
    import io

    from .helpers import pdf_bytes
    a = build_assignments(world)
    login(world.trainee)
    response = client.post("/a/assignment/asg-files", data={
        "action": "submit", "draft_key": f"assignment:{a.files.id}", "draft_version": 0, "base_version": 0,
        "files": (io.BytesIO(pdf_bytes()), "portrait.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    completion = db.session.scalar(select(Completion).where(Completion.activity_id == a.files.id))
    assert completion.state == "done"
    assert progress.hours_done(world.trainee, world.run).done["national"] == Decimal(2)


def test_the_trainees_page_does_not_load_the_activity_again_with_the_submission(client, world, login):
    """The activity, its module and the trainee are the session's already: the submission's
    statement does not send their rows (their JSON texts) a second time."""
    from tests.queries import counted_queries

    a = build_assignments(world)
    login(world.trainee)
    url = "/a/assignment/asg-plan"
    response = client.post(url, data={**plan_form(), "action": "submit", "draft_key": f"assignment:{a.plan.id}",
                                      "draft_version": 0, "base_version": 0})
    assert response.status_code == 302, response.get_data(as_text=True)
    client.get(url)  # warm-up
    with counted_queries() as statements:
        page = client.get(url).get_data(as_text=True)
    assert "Handed in, waiting for feedback" in page and world.trainee.name in page
    lookup = next(s for s in statements if s.startswith("SELECT assignment_submission."))
    assert "JOIN activity" not in lookup and 'JOIN "user"' not in lookup, lookup
