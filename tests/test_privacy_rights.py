"""A user's copy of their data and its erasure (Ana, step 10): through the pages a user and an
admin use, with the activity plugins' data included."""
from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Draft, Membership, Notification, User
from app.services import drafts
from app.services.notifications import notify
from modules.journal.models import Entry
from modules.journal.tests.helpers import entry_form, journal_activity
from tests.factories import Factory


def _write_journal_entry(client, title: str) -> None:
    response = client.post("/a/journal/new", data=entry_form(title=title, body="<p>Hard visit</p>"))
    assert response.status_code == 302, response.get_data(as_text=True)


def _unzip(response) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _download_data(response) -> dict:
    """The download's JSON parts put back together: {"core": ..., "activities": {type: ...}}."""
    parts = _unzip(response)
    core = json.loads(parts["core.json"])
    activities = {name[len("activities/"):-len(".json")]: json.loads(body) for name, body in parts.items()
                  if name.startswith("activities/")}
    return {"core": core, "activities": activities}


def _download_text(client) -> str:
    """Every part of the download as text, for "is it in there anywhere"."""
    return "\n".join(body.decode("utf-8", "replace") for body in _unzip(client.get("/account/data/download")).values())


def _audit_actions(user: User) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == user.id,
                                                                    AuditEvent.target_type == "user")
                                   .order_by(AuditEvent.id)))


def test_the_account_page_leads_to_the_data_page(client, world, login):
    login(world.trainee)
    assert 'href="/account/data"' in client.get("/account").get_data(as_text=True)
    page = client.get("/account/data").get_data(as_text=True)
    assert "Download my data" in page and "Ask for my data to be erased" in page


def test_download_holds_the_core_and_every_plugins_data(client, world, login):
    journal_activity(world)
    drafts.save_draft(world.trainee, "test:half-written", {"body": "on the bus"}, None)
    notify(world.trainee, "x", lambda: "Feedback is ready", email=False)
    db.session.commit()
    login(world.trainee)
    _write_journal_entry(client, "After the home visit")

    response = client.get("/account/data/download")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = _download_data(response)
    assert data["core"]["profile"]["email"] == world.trainee.email
    assert {m["cohort"] for m in data["core"]["memberships"]} == {world.cohort.name, world.transnational.name}
    assert data["core"]["drafts"][0]["data"] == {"body": "on the bus"}
    assert data["core"]["notifications"][0]["message"] == "Feedback is ready"
    assert set(data["activities"]) == {"reading", "assignment", "journal", "evaluation", "innovation"}
    assert [e["title"] for e in data["activities"]["journal"]["entries"]] == ["After the home visit"]
    assert "privacy.export" in _audit_actions(world.trainee)


def test_a_download_holds_nobody_elses_data(client, world, login):
    journal_activity(world)
    db.session.commit()
    login(world.trainee_other)
    _write_journal_entry(client, "Someone else's entry")
    client.post("/logout")
    login(world.trainee)
    data = _download_text(client)
    assert "Someone else's entry" not in data and world.trainee_other.email not in data


def test_asking_for_erasure_takes_the_password_and_a_tick(client, world, login):
    login(world.trainee)
    refused = client.post("/account/data/erasure", data={"current_password": "wrong password!", "understood": "y"})
    assert refused.status_code == 400 and "The password is not right." in refused.get_data(as_text=True)
    unticked = client.post("/account/data/erasure", data={"current_password": Factory.PASSWORD})
    assert unticked.status_code == 400
    assert "Tick the box to confirm that you understand." in unticked.get_data(as_text=True)
    db.session.expire_all()
    assert world.trainee.erasure_requested_at is None


def test_erasure_request_reaches_the_admins_and_can_be_withdrawn(client, world, login):
    login(world.trainee)
    response = client.post("/account/data/erasure", data={"current_password": Factory.PASSWORD, "understood": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert world.trainee.erasure_requested_at is not None
    admin_notes = db.session.scalars(select(Notification.message).where(Notification.user_id == world.admin.id))
    assert f"{world.trainee.name} asks for their data to be erased." in list(admin_notes)
    assert "Withdraw my request" in client.get("/account/data").get_data(as_text=True)

    client.post("/account/data/erasure/withdraw")
    db.session.expire_all()
    assert world.trainee.erasure_requested_at is None
    assert _audit_actions(world.trainee)[-2:] == ["privacy.erasure_requested", "privacy.erasure_withdrawn"]


def test_admin_erases_from_the_requests_page(client, world, login):
    journal_activity(world)
    drafts.save_draft(world.trainee, "test:half-written", {"body": "on the bus"}, None)
    db.session.commit()
    login(world.trainee)
    _write_journal_entry(client, "After the home visit")
    client.post("/account/data/erasure", data={"current_password": Factory.PASSWORD, "understood": "y"})
    client.post("/logout")
    trainee_id, email, name = world.trainee.id, world.trainee.email, world.trainee.name

    login(world.admin)
    assert "Erasure requests" in client.get("/admin/").get_data(as_text=True)
    listing = client.get("/admin/erasure-requests").get_data(as_text=True)
    assert email in listing and f'name="user-{trainee_id}-confirm_email"' in listing
    response = client.post(f"/admin/users/{trainee_id}/erase", data={f"user-{trainee_id}-confirm_email": email})
    assert response.status_code == 302
    after = client.get("/admin/erasure-requests").get_data(as_text=True)
    assert f"The data of {name} is erased." in after and "No one is waiting for an erasure." in after

    db.session.expire_all()
    erased = db.session.get(User, trainee_id)
    assert erased.email == f"erased-{trainee_id}@erased.invalid" and name not in erased.name
    assert erased.erased_at is not None and not erased.active and erased.password_hash is None
    for model in (Entry, Draft, Membership):
        owner = Entry.owner_id if model is Entry else model.user_id
        assert db.session.scalar(select(func.count()).select_from(model).where(owner == trainee_id)) == 0
    assert "privacy.erased" in _audit_actions(erased)
    client.post("/logout")
    failed = client.post("/login", data={"email": email, "password": Factory.PASSWORD})
    assert failed.status_code != 302


def test_erasure_needs_the_typed_email_and_never_erases_oneself(client, world, login):
    login(world.admin)
    wrong = client.post(f"/admin/users/{world.trainee.id}/erase",
                        data={f"user-{world.trainee.id}-confirm_email": "someone@example.org"})
    assert wrong.status_code == 303
    own = client.post(f"/admin/users/{world.admin.id}/erase",
                      data={f"user-{world.admin.id}-confirm_email": world.admin.email})
    assert own.status_code == 303
    assert "You cannot erase your own account" in client.get(own.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert world.trainee.erased_at is None and world.admin.erased_at is None


def test_a_supervisors_download_does_not_reveal_a_trainees_flag(client, world, login):
    notify(world.facilitator, "journal.flag", lambda: "Tina would like to talk about an entry", email=False)
    notify(world.facilitator, "x", lambda: "An ordinary notice", email=False)
    db.session.commit()
    login(world.facilitator)
    data = _download_text(client)
    assert "An ordinary notice" in data and "would like to talk" not in data


def test_a_draft_the_privacy_guard_stopped_is_in_its_author_export_only(app, world):
    """The warning promises the text waits in the author's private draft: it is, and nowhere else."""
    from modules.journal.tests.helpers import entry_form
    clients = {}
    for who in ("trainee", "facilitator", "admin", "trainee_other"):
        clients[who] = app.test_client()
        user = getattr(world, who)
        assert clients[who].post("/login", data={"email": user.email, "password": "correct horse battery"}
                                 ).status_code == 302
    flagged = "Call the mother on +46 70 123 45 67 before Friday"
    page = clients["trainee"].post("/a/journal/new", data=entry_form(body=flagged)).get_data(as_text=True)
    assert "this text may identify a family" in page and "private draft" in page
    assert flagged in _download_text(clients["trainee"])
    for other in ("facilitator", "admin", "trainee_other"):
        assert flagged not in _download_text(clients[other])
