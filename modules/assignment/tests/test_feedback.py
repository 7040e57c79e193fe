"""Written feedback as a dialogue, and feedback attachments that are refused."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Notification
from modules.assignment import uploads
from modules.assignment.models import Feedback, File, Reply, Submission

from .helpers import build_assignments, pdf_bytes


def _handed_in(client, login, world) -> Submission:
    login(world.trainee)
    client.post("/a/assignment/asg-text", data={"body": "My practice", "action": "submit", "draft_version": 0,
                                               "base_version": 0})
    client.post("/logout")
    return db.session.scalar(select(Submission))


def _notes(user, kind="assignment.reply") -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                              Notification.kind == kind)))


def test_feedback_becomes_a_dialogue(app, client, world, login, outbox):
    build_assignments(world)
    submission = _handed_in(client, login, world)
    joao = app.test_client()
    joao.post("/login", data={"email": world.facilitator.email, "password": "correct horse battery"})
    sub_url = f"/a/assignment/submission/{submission.id}"
    joao.post(f"{sub_url}/feedback", data={"body": "Which family member chose?", "decision": "revise",
                                           "action": "release"})
    feedback = db.session.scalar(select(Feedback))

    # Ana answers; João is told and reads it under his feedback.
    login(world.trainee)
    response = client.post(f"/a/assignment/feedback/{feedback.id}/reply", data={"body": "The eldest daughter."})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#feedback-{feedback.id}")
    assert [n.url for n in _notes(world.facilitator)] == [sub_url]
    assert "The eldest daughter." in joao.get(sub_url).get_data(as_text=True)

    # João answers back; Ana is told in the app and by e-mail, and sees both messages in order.
    response = joao.post(f"/a/assignment/feedback/{feedback.id}/reply", data={"body": "Then ask her first."})
    assert response.status_code == 302
    assert [n.url for n in _notes(world.trainee)] == ["/a/assignment/asg-text"]
    assert outbox[-1]["To"] == world.trainee.email and "New reply" in outbox[-1]["Subject"]
    page = client.get("/a/assignment/asg-text").get_data(as_text=True)
    thread = page.split(f'id="feedback-{feedback.id}"')[1]
    assert thread.index("The eldest daughter.") < thread.index("Then ask her first.")
    assert [r.author_id for r in db.session.scalars(select(Reply).order_by(Reply.id))] == \
        [world.trainee.id, world.facilitator.id]


def test_replies_are_sanitized_and_checked_by_the_privacy_guard(client, world, login):
    build_assignments(world)
    submission = _handed_in(client, login, world)
    login(world.facilitator)
    client.post(f"/a/assignment/submission/{submission.id}/feedback",
                data={"body": "Fine.", "decision": "revise", "action": "release"})
    client.post("/logout")
    feedback = db.session.scalar(select(Feedback))
    login(world.trainee)
    url = f"/a/assignment/feedback/{feedback.id}/reply"
    page = client.post(url, data={"body": "Her number is +351 912 345 678"}).get_data(as_text=True)
    assert "+351 912 345 678" in page and db.session.scalar(select(Reply)) is None
    client.post(url, data={"body": "<b>Done</b><script>alert(1)</script>"})
    stored = db.session.scalar(select(Reply)).body_html
    assert stored.startswith("<b>Done</b>") and "<script" not in stored


def test_a_reply_to_unreleased_feedback_is_refused(client, world, login):
    build_assignments(world)
    submission = _handed_in(client, login, world)
    login(world.facilitator)
    client.post(f"/a/assignment/submission/{submission.id}/feedback",
                data={"body": "Not yet.", "decision": "revise", "action": "save"})
    client.post("/logout")
    feedback = db.session.scalar(select(Feedback))
    login(world.trainee)
    assert client.post(f"/a/assignment/feedback/{feedback.id}/reply", data={"body": "?"}).status_code == 403
    assert db.session.scalar(select(Reply)) is None


@pytest.mark.parametrize("name, data, message", [
    ("notes.exe", b"MZ\x90\x00", "“notes.exe” is not an accepted file type."),
    ("notes.pdf", pdf_bytes() + b"x" * (110 * 1024), "“notes.pdf” is larger than 0.1 MB"),
])
def test_a_refused_feedback_file_stores_nothing(app, client, world, login, monkeypatch, name, data, message):
    monkeypatch.setattr(uploads, "FEEDBACK_MAX_MB", 0.1)  # small files keep the test fast
    build_assignments(world)
    submission = _handed_in(client, login, world)
    folder = Path(app.config["UPLOAD_DIR"]) / "assignment"
    before = sorted(folder.iterdir()) if folder.exists() else []
    login(world.facilitator)
    response = client.post(f"/a/assignment/submission/{submission.id}/feedback", data={
        "body": "See the file.", "decision": "revise", "action": "release",
        "files": [(io.BytesIO(pdf_bytes()), "fine.pdf"), (io.BytesIO(data), name)]},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and "Nothing was saved" in page
    assert "See the file.</textarea>" in page  # what he wrote stays on the page
    assert ("Accepted: PDF, DOCX, ODT, PNG, JPG, JPEG. At most 10 MB per file and 5 files."
            in page.replace("0.1 MB", "10 MB"))
    assert db.session.scalar(select(Feedback)) is None
    assert db.session.scalar(select(func.count()).select_from(File)) == 0
    assert (sorted(folder.iterdir()) if folder.exists() else []) == before
    db.session.expire_all()
    assert submission.status == "submitted" and _notes(world.trainee, "assignment.feedback") == []


def _feedback_page_fields(page: str) -> dict[str, str]:
    return {name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1)
            for name in ("csrf_token", "draft_version", "feedback_base")}


def test_feedback_saved_from_a_stale_page_is_a_conflict_and_overwrites_nothing(app, client, world, login):
    build_assignments(world)
    submission = _handed_in(client, login, world)
    url = f"/a/assignment/submission/{submission.id}"
    laptop, phone = app.test_client(), app.test_client()
    for device in (laptop, phone):
        device.post("/login", data={"email": world.facilitator.email, "password": "correct horse battery"})
    laptop_form, phone_form = (_feedback_page_fields(d.get(url).get_data(as_text=True)) for d in (laptop, phone))
    assert laptop.post(f"{url}/feedback", data={**laptop_form, "body": "Written on the laptop.",
                                                "decision": "revise", "action": "save"}).status_code == 302
    # The phone's page was loaded before the laptop saved: its save would overwrite that feedback.
    response = phone.post(f"{url}/feedback", data={**phone_form, "body": "Written on the phone.",
                                                   "decision": "accept", "action": "release"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nothing was overwritten" in page and "Written on the phone." in page  # what was typed stays
    [feedback] = db.session.scalars(select(Feedback))
    assert "Written on the laptop." in feedback.body_html and feedback.state == "draft"
    assert "The version saved now" in page and "Written on the laptop." in page  # beside the saved one
    # Saved again from that page, which showed the laptop's feedback, the phone's text replaces it.
    fresh = _feedback_page_fields(page)
    assert phone.post(f"{url}/feedback", data={**fresh, "body": "Both texts, merged.", "decision": "revise",
                                               "action": "save"}).status_code == 302
    db.session.expire_all()
    assert "Both texts, merged." in db.session.scalar(select(Feedback)).body_html
