"""Concurrent saves of one draft (two tabs, a phone and a laptop, a double click): on SQLite and
PostgreSQL alike exactly one save from a given version wins, the others get a clear conflict,
none gets a server error, and the stored text is the winner's."""
from __future__ import annotations

import threading

from sqlalchemy import select

from app.extensions import db
from app.models import Draft

KEY = "journal:new"
WRITERS = 6


def _signed_in_clients(app, user, n):
    clients = []
    for _ in range(n):
        client = app.test_client()
        assert client.post("/login", data={"email": user.email, "password": "correct horse battery"}).status_code == 302
        clients.append(client)
    return clients


def _race(clients, base_version):
    barrier = threading.Barrier(len(clients))
    results: list[tuple[int, str, dict]] = [None] * len(clients)  # type: ignore[list-item]

    def save(index, client):
        text = f"text from tab {index}"
        barrier.wait()
        response = client.post("/drafts/save", data={"draft_key": KEY, "draft_version": str(base_version),
                                                     "body": text})
        results[index] = (response.status_code, text, response.get_json())

    threads = [threading.Thread(target=save, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _stored():
    db.session.expire_all()
    return db.session.scalar(select(Draft).where(Draft.key == KEY))


def test_simultaneous_first_saves_give_one_winner_and_clear_conflicts(app, world):
    clients = _signed_in_clients(app, world.trainee, WRITERS)
    results = _race(clients, 0)
    codes = sorted(code for code, _text, _body in results)
    assert codes == [200] + [409] * (WRITERS - 1), results
    [winner] = [text for code, text, _body in results if code == 200]
    draft = _stored()
    assert draft.version == 1 and draft.data["body"] == winner
    assert all("another tab" in body["message"] for code, _t, body in results if code == 409)


def test_simultaneous_saves_from_the_same_version_never_lose_a_write_silently(app, world):
    clients = _signed_in_clients(app, world.trainee, WRITERS)
    assert clients[0].post("/drafts/save", data={"draft_key": KEY, "draft_version": "0",
                                                 "body": "first"}).status_code == 200
    for round_ in range(3):
        base = _stored().version
        results = _race(clients, base)
        codes = sorted(code for code, _text, _body in results)
        assert codes == [200] + [409] * (WRITERS - 1), (round_, results)
        [winner] = [text for code, text, _body in results if code == 200]
        draft = _stored()
        assert draft.version == base + 1 and draft.data["body"] == winner


def test_simultaneous_edits_of_one_journal_entry_give_one_winner(app, world):
    from modules.journal.models import Entry
    from modules.journal.tests.helpers import entry_form

    [first, *others] = _signed_in_clients(app, world.trainee, WRITERS)
    assert first.post("/a/journal/new", data=entry_form(body="First version")).status_code == 302
    entry_id = db.session.scalar(select(Entry.id))
    barrier = threading.Barrier(WRITERS)
    codes: list[int] = [0] * WRITERS

    def edit(index, client):
        barrier.wait()
        codes[index] = client.post(f"/a/journal/entries/{entry_id}/edit",
                                   data=entry_form(body=f"Tab {index}", version=1)).status_code

    threads = [threading.Thread(target=edit, args=(i, c)) for i, c in enumerate([first, *others])]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(codes) == [302] + [409] * (WRITERS - 1), codes
    db.session.expire_all()
    entry = db.session.get(Entry, entry_id)
    assert entry.version == 2 and entry.body_html == f"<p>Tab {codes.index(302)}</p>"
