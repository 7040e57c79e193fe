"""Erasure leaves nothing (issue 12, item 6). A trainee whose name is a canary uses the journal,
the group space, flags, assignments (with a file), drafts and the erasure request, so that their
name is copied into other people's notifications, the outbox and the audit log; then a canary is
planted in every declared text column of every row tied to them (the walk of
tests/test_personal_data.py). After an admin erases them, no canary is left: by query in any text
column of any table, in the SQLite file and its write-ahead log, in the uploads folder, or in the
captured logs."""
from __future__ import annotations

import io
import logging
from pathlib import Path

from sqlalchemy import JSON, String, Text, cast, func, select, text, update

from app.extensions import db
from app.models import AuditEvent, Notification, OutboxMessage, User
from app.plugins import PersonalData
from app.services import drafts
from app.services.privacy import declarations
from modules.assignment.tests.helpers import build_assignments, pdf_bytes
from modules.journal.models import Entry, GroupPost, Supervisor
from modules.journal.tests.helpers import entry_form, journal_activity
from tests.factories import Factory

CANARY = "CNRY7Q"
#: Columns no canary is planted in: a CHECK constraint allows only a few words (site_role); the
#: name already is one, and must stay the name the copies were made with.
UNPLANTABLE = {("user", "site_role"), ("user", "name")}


def _as(app, user, email=None):
    client = app.test_client()
    response = client.post("/login", data={"email": email or user.email, "password": Factory.PASSWORD})
    assert response.status_code == 302
    return client


def _use_everything(app, world) -> None:
    """Leave the trainee's name and text wherever the app copies them, through the pages."""
    build_assignments(world)
    journal_activity(world)
    db.session.add(Supervisor(cohort_id=world.cohort.id, trainee_id=None, supervisor_id=world.facilitator.id))
    world.trainee.name = f"Ximena {CANARY}name"
    drafts.save_draft(world.trainee, "test:half-written", {"body": f"{CANARY} on the bus"}, None)
    db.session.commit()
    tina, fia = _as(app, world.trainee), _as(app, world.facilitator)
    assert tina.post("/a/journal/new", data=entry_form(title=f"{CANARY} title", body=f"{CANARY} body")
                     ).status_code == 302
    entry = db.session.scalar(select(Entry))
    tina.post(f"/a/journal/entries/{entry.id}/sharing", data={"shared": "1"})
    fia.post(f"/a/journal/entries/{entry.id}/comments", data={"body": "Thank you for sharing."})
    tina.post(f"/a/journal/entries/{entry.id}/comments", data={"body": f"{CANARY} answer"})
    tina.post(f"/a/journal/entries/{entry.id}/flag", data={"note": f"{CANARY} note"})
    tina.post(f"/a/journal/groups/{world.cohort.id}", data={"title": f"{CANARY} post", "body": f"{CANARY} text"})
    post = db.session.scalar(select(GroupPost))
    fia.post(f"/a/journal/groups/posts/{post.id}/replies", data={f"reply-{post.id}-body": "Well said."})
    tina.post("/a/assignment/asg-files", data={"body": f"{CANARY} portrait", "action": "submit",
                                              "draft_version": 0, "base_version": 0,
                                              "files": [(io.BytesIO(pdf_bytes(CANARY)), f"{CANARY}.pdf")]},
              content_type="multipart/form-data")
    tina.get("/account/data/download")
    tina.post("/account/data/erasure", data={"current_password": Factory.PASSWORD, "understood": "y"})
    db.session.expire_all()
    # The copies this test is about exist before the erasure.
    others = select(Notification.message).where(Notification.user_id != world.trainee.id)
    assert any(CANARY in m and "would like to talk about" in m for m in db.session.scalars(others))
    assert any(CANARY in (m.body or "") for m in db.session.scalars(select(OutboxMessage)
                                                                     .where(OutboxMessage.user_id != world.trainee.id)))


def _plant(user_id: int) -> dict[str, int]:
    """A canary in every declared text column of every row a user column ties to the user."""
    planted: dict[str, int] = {}
    for d in declarations():
        if not isinstance(d, PersonalData):
            continue
        table = db.metadata.tables[d.table]
        keys = [table.c.id] if d.table == "user" else [table.c[name] for name in d.user_columns]
        for key in keys:
            for name in d.text_columns:
                if (d.table, name) in UNPLANTABLE:
                    continue
                column = table.c[name]
                value = {"canary": f"{CANARY}-{d.table}-{name}"} if isinstance(column.type, JSON) \
                    else f"{CANARY}-{name}"[: getattr(column.type, "length", None) or 200]
                if d.table == "user" and name == "email":
                    value = f"{CANARY.lower()}@example.org"
                result = db.session.execute(update(table).where(key == user_id).values({name: value}))
                planted[f"{d.table}.{name}"] = planted.get(f"{d.table}.{name}", 0) + (result.rowcount or 0)
    db.session.commit()
    return planted


def _found_by_query() -> list[str]:
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (String, Text, JSON)):
                hits = db.session.scalar(select(func.count()).select_from(table)
                                         .where(cast(column, String).contains(CANARY)))
                if hits:
                    found.append(f"{table.name}.{column.name}")
    return found


def test_after_erasure_no_canary_is_left_anywhere(app, world, caplog):
    caplog.set_level(logging.DEBUG)
    _use_everything(app, world)
    trainee_id = world.trainee.id
    planted = _plant(trainee_id)
    # (A flag hangs on its entry, tied to the supervisor: its note carries the canary typed above.)
    for column in ("journal_entry.body_html", "journal_comment.body_html",
                   "journal_group_post.body_html", "notification.message", "outbox_message.body",
                   "draft.data", "audit_event.detail", "audit_event.ip", "assignment_version.body_html",
                   "assignment_file.original_name", "user_session.user_agent", "user.email"):
        assert planted.get(column), f"no row of the trainee to plant in {column}"
    assert _found_by_query(), "the canaries were planted"
    admin = _as(app, world.admin)
    db.session.remove()

    email = f"{CANARY.lower()}@example.org"
    response = admin.post(f"/admin/users/{trainee_id}/erase", data={f"user-{trainee_id}-confirm_email": email})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, trainee_id).erased_at is not None

    assert _found_by_query() == []
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == trainee_id)).all()
    assert events and all(e.ip is None for e in events)
    if db.engine.dialect.name == "sqlite":
        db.session.remove()
        database = Path(db.engine.url.database)
        for path in (database, database.with_name(database.name + "-wal")):
            if path.exists():
                assert CANARY.encode() not in path.read_bytes(), f"a canary is still in {path.name}"
                assert CANARY.lower().encode() not in path.read_bytes(), f"the e-mail is still in {path.name}"
    for path in Path(app.config["UPLOAD_DIR"]).rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), f"a canary is still in {path}"
    assert CANARY not in caplog.text
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1  # the database still works after VACUUM
