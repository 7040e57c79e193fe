"""A per-process cache of what changes only when the programme's content does (its modules,
activities, meeting plans, resources and competency elements: app/services/current_content.py),
so that a trainee's page does not load and decode the whole programme on every request.

Why it is safe:
- Every change to a content row, through any session of any process, replaces the random token
  of `content_generation` in the same transaction (the `before_flush` listener below). A request
  reads the token once (with the session lookup, app/sessions.py) and uses only rows cached under
  that token, so a worker sees an import made by another on its very next request.
- The cached rows are read in a session of their own and closed: they are detached, read-only
  and fully loaded (every relationship a page reads is loaded eagerly), and no request's session
  ever holds, expires or writes them.
- Only GET and HEAD requests use the cache, as the per-request memo does: a POST may change the
  content and must read its own writes.
- The cache is per app (app.extensions): a few entries per programme under the current token;
  entries under an older token are dropped with the first miss after it changed."""
from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app, g, has_request_context, request
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from . import gc_freeze
from .extensions import db
from .models import (
    Activity,
    Competency,
    ContentGeneration,
    Country,
    EcvetUnit,
    MeetingPlan,
    Module,
    Programme,
    Resource,
)

T = TypeVar("T")

#: The rows whose change makes cached content out of date.
CONTENT_MODELS = (Programme, Module, Activity, MeetingPlan, EcvetUnit, Country, Resource, Competency)
MAX_ENTRIES = 64
_TABLE = ContentGeneration.__table__

#: For the session lookup's statement: the token comes with the user, at no extra query.
TOKEN = select(ContentGeneration.token).where(ContentGeneration.id == 1).scalar_subquery()


def remember_token(token: str | None) -> None:
    g.life_content_token = token


def content_token() -> str | None:
    """The token of this request: from the session lookup, or read once."""
    if "life_content_token" not in g:
        g.life_content_token = db.session.scalar(select(ContentGeneration.token).where(ContentGeneration.id == 1))
    return g.life_content_token


def cached(namespace: str, key: Hashable, load: Callable[[Session, bool], T]) -> T:
    """`load(session, True)` run in a session of its own, kept under the request's content token;
    `load(db.session, False)` (no cache) outside a GET request or before the first content change.
    The flag says the rows will be detached: everything a page reads from them must be loaded."""
    if not has_request_context() or request.method not in ("GET", "HEAD"):
        return load(db.session(), False)
    token = content_token()
    if token is None:
        return load(db.session(), False)
    store: dict[Any, Any] = current_app.extensions.setdefault("life_content_cache", {})
    slot = (namespace, key, token)
    value = store.get(slot)
    if value is None:
        with Session(db.engine, expire_on_commit=False, autoflush=False) as session:
            value = load(session, True)
        _drop_out_of_date(store, token)
        store[slot] = value
    return value


def _drop_out_of_date(store: dict[Any, Any], token: str) -> None:
    """Every entry kept under another token (the token is the whole database's, so they are all
    out of date), then the oldest while full; what was dropped can be collected again
    (app/gc_freeze.py). Never an entry of this token while there is room: the pages of one
    request ask for several, and dropping one another just kept made every request load again."""
    slots = list(store)  # a snapshot: threaded workers share the store
    stale = [slot for slot in slots if slot[2] != token]
    fresh = [slot for slot in slots if slot[2] == token]
    stale += fresh[:max(0, len(fresh) + 1 - MAX_ENTRIES)]
    for slot in stale:
        store.pop(slot, None)
    if stale:
        gc_freeze.thaw()


def _changes_content(session: Session) -> bool:
    if any(isinstance(o, CONTENT_MODELS) for o in session.new) or \
            any(isinstance(o, CONTENT_MODELS) for o in session.deleted):
        return True
    return any(isinstance(o, CONTENT_MODELS) and session.is_modified(o, include_collections=False)
               for o in session.dirty)


@event.listens_for(Session, "before_flush")
def _new_token_with_content_change(session: Session, _context, _instances) -> None:
    if _changes_content(session):
        renew_token(session)


def renew_token(session: Session) -> None:
    """In the session's transaction: every process reads the content again once it commits."""
    token = secrets.token_hex(16)
    connection = session.connection()
    if connection.execute(update(_TABLE).where(_TABLE.c.id == 1).values(token=token)).rowcount == 0:
        # A database built without the migration's row (tests empty every table).
        connection.execute(insert(_TABLE).values(id=1, token=token))
