"""The per-process cache of the programme's content (app/content_cache.py): a trainee's page does
not load the programme's rows again, and any change to them, from any process, is seen on the
next request."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Activity, ContentGeneration, Module

from .programme_data import build_programme
from .queries import counted_queries


def text(response) -> str:
    return response.get_data(as_text=True)


def token() -> str | None:
    return db.session.scalar(select(ContentGeneration.token))


def content_reads(statements: list[str]) -> list[str]:
    """Statements that load modules or activities (not the ones that only filter by them)."""
    return [s for s in statements if s.lstrip().startswith(("SELECT module.", "SELECT activity."))]


def in_another_process(change) -> None:
    """A session of its own, committed: what an import in another worker does."""
    with Session(db.engine) as other:
        change(other)
        other.commit()


def test_a_second_page_view_reads_no_content_rows(client, world, login):
    build_programme(2, 2, run=world.run)
    db.session.commit()
    login(world.trainee)
    with counted_queries() as first:
        assert client.get("/programme/").status_code == 200
    with counted_queries() as second:
        page = text(client.get("/programme/modules/test-programme-m2"))
    assert content_reads(first)
    assert not content_reads(second), content_reads(second)
    assert "Module 2" in page and "Lesson 2.1" in page


def test_a_change_made_by_another_process_is_seen_on_the_next_request(client, world, login):
    build_programme(2, 2, run=world.run)
    db.session.commit()
    login(world.trainee)
    assert "Module 2" in text(client.get("/programme/"))

    def rename(session: Session) -> None:
        session.scalar(select(Module).where(Module.slug == "test-programme-m2")).title = "Working with families"
    in_another_process(rename)
    page = text(client.get("/programme/"))
    assert "Working with families" in page and "Module 2" not in page

    def retire(session: Session) -> None:
        session.scalar(select(Activity).where(Activity.slug == "test-programme-m1-a2")).retired = True
    in_another_process(retire)
    page = text(client.get("/programme/modules/test-programme-m1"))
    assert "Lesson 1.1" in page and "Lesson 1.2" not in page


def test_only_a_change_to_content_rows_changes_the_token(world):
    build_programme(1, 1, run=world.run)
    db.session.commit()
    before = token()
    assert before is not None
    world.trainee.name = "Ana Silva"
    db.session.commit()
    assert token() == before
    db.session.scalar(select(Module)).title = "A new title"
    db.session.commit()
    after = token()
    assert after is not None and after != before


def test_a_rolled_back_change_keeps_the_token(world):
    build_programme(1, 1, run=world.run)
    db.session.commit()
    before = token()
    db.session.scalar(select(Module)).title = "Not kept"
    db.session.flush()
    db.session.rollback()
    assert token() == before


def test_the_cached_rows_are_not_the_request_sessions(client, world, login, app):
    """A page's own session never holds the shared rows: its commit cannot expire them."""
    build_programme(1, 2, run=world.run)
    db.session.commit()
    login(world.trainee)
    client.get("/programme/")
    cache = app.extensions["life_content_cache"]
    content = next(value for (namespace, *_rest), value in cache.items() if namespace == "programme content")
    from sqlalchemy import inspect
    assert all(inspect(row).detached for row in (*content.modules, *content.activities, *content.plans))
    # Fully loaded: reading what the pages read through relationships needs no session.
    assert all(a.module.title and a.module.programme.title for a in content.activities)


@pytest.mark.parametrize("short_of_full", [3, 2, 1, 0])
def test_a_full_store_never_drops_what_this_request_just_kept(client, world, login, app, short_of_full):
    """The module page asks for three entries; a store (nearly) full of older tokens' entries
    must give way to them, not make them push each other out."""
    from app.content_cache import MAX_ENTRIES
    build_programme(1, 2, run=world.run)
    db.session.commit()
    store = app.extensions.setdefault("life_content_cache", {})
    store.clear()
    for n in range(MAX_ENTRIES - short_of_full):
        store[("programme content", 10_000 + n, f"an older token {n}")] = object()
    login(world.trainee)
    client.get("/programme/modules/test-programme-m1")
    with counted_queries() as second:
        assert client.get("/programme/modules/test-programme-m1").status_code == 200
    assert not [s for s in second if s.lstrip().startswith(("SELECT resource.", "SELECT competency."))]
    assert not content_reads(second), content_reads(second)
    assert len({slot[2] for slot in store}) == 1  # only the current token's entries are left
