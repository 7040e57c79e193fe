"""Autosaved drafts: saved while typing, restored after the session ends, never silently
overwritten by a second tab."""
from __future__ import annotations

from app.extensions import db
from app.models import Draft
from app.services import drafts


def _save(client, version, **fields):
    return client.post("/drafts/save", data={"draft_key": "assignment:7", "draft_version": version, **fields})


def test_first_save_then_next_version(client, world, login):
    login(world.trainee)
    first = _save(client, 0, body="Half of my plan")
    assert first.status_code == 200 and first.json["version"] == 1 and "Draft saved" in first.json["message"]
    second = _save(client, 1, body="Half of my plan, and more")
    assert second.json["version"] == 2
    assert drafts.get_draft(world.trainee, "assignment:7").data == {"body": "Half of my plan, and more"}


def test_second_tab_gets_a_conflict_and_nothing_is_overwritten(client, world, login):
    login(world.trainee)
    _save(client, 0, body="tab A, first")          # both tabs loaded version 0; A saves -> v1
    stale = _save(client, 0, body="tab B text")     # B still believes version 0
    assert stale.status_code == 409 and stale.json["error"] == "conflict"
    assert "Nothing was overwritten" in stale.json["message"]
    assert drafts.get_draft(world.trainee, "assignment:7").data == {"body": "tab A, first"}


def test_draft_survives_an_ended_session_and_another_device(app, client, world, login):
    login(world.trainee)
    _save(client, 0, body="typed on the bus")
    client.post("/logout")
    refused = _save(client, 1, body="typed after logout")
    assert refused.status_code == 401 and refused.json["error"] == "login"
    office = app.test_client()
    office.post("/login", data={"email": world.trainee.email, "password": "correct horse battery"})
    assert drafts.get_draft(world.trainee, "assignment:7").data == {"body": "typed on the bus"}
    assert _save(office, 1, body="finished at the office").status_code == 200


def test_drafts_are_per_user(client, world, login):
    login(world.trainee)
    _save(client, 0, body="mine")
    assert drafts.get_draft(world.facilitator, "assignment:7") is None


def test_bad_key_and_oversize_are_refused_with_a_message(client, world, login):
    login(world.trainee)
    bad = client.post("/drafts/save", data={"draft_key": "../etc", "draft_version": 0, "body": "x"})
    assert bad.status_code == 400 and bad.json["message"]
    big = _save(client, 0, body="x" * (drafts.MAX_DRAFT_BYTES + 10))
    assert big.status_code == 413
    assert db.session.query(Draft).count() == 0


def test_multi_valued_fields_are_kept_as_lists(client, world, login):
    login(world.trainee)
    client.post("/drafts/save", data={"draft_key": "assignment:8", "draft_version": 0, "choice": ["a", "b"]})
    assert drafts.get_draft(world.trainee, "assignment:8").data == {"choice": ["a", "b"]}


def test_discard_removes_the_draft(world):
    drafts.save_draft(world.trainee, "journal:new", {"body": "x"}, 0)
    drafts.discard_draft(world.trainee, "journal:new")
    assert drafts.get_draft(world.trainee, "journal:new") is None
