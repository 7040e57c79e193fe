"""Sends of one create form at the same moment (a double click that beat the script, a phone
retrying while the first send is still on its way): on PostgreSQL (TEST_DATABASE_URL) and SQLite
alike one thing is created, the other sends get no error page but the first one's answer. The
unique (user, key) constraint decides, not a read before the write: the first send holds its
claim until it commits, the others wait on it, fail on it and roll back."""
from __future__ import annotations

import threading
import time

import pytest

from app import once
from app.extensions import db

from .test_once import CASES, count, form_key, signed_in

SENDERS = 3


def _race(clients, send, key: str) -> list:
    barrier = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)

    def post(index, client):
        barrier.wait()
        response = send.post(client, once_key=key)
        responses[index] = (response.status_code, response.headers.get("Location"))

    threads = [threading.Thread(target=post, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return responses


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_sends_at_the_same_moment_create_one_thing_and_none_fails(app, world, factory, monkeypatch, case):
    send = case.prepare(app, world, factory)
    db.session.commit()
    clients = [signed_in(app, send.user) for _ in range(SENDERS)]
    key = form_key(clients[0].get(send.page).get_data(as_text=True), send.action)
    before = count(case.model)
    saved = once.saved

    def slow_saved(url: str) -> None:
        # The first send stays open a moment after its insert, so the others surely meet its claim
        # while it is uncommitted (no assertion on time: only the overlap is made likely).
        saved(url)
        time.sleep(0.2)

    monkeypatch.setattr(once, "saved", slow_saved)
    responses = _race(clients, send, key)
    db.session.expire_all()
    assert count(case.model) == before + 1, responses
    assert sorted(status for status, _ in responses) == [302] + [303] * (SENDERS - 1), responses
    assert len({location for _, location in responses}) == 1, responses
