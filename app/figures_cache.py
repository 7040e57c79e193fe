"""Run-wide figures (the programme dashboard, the programme report) kept for a short while in
each worker process, as a reporting tool keeps its report data: at 10,000 trainees one set of
them sums every trainee's work, and a coordinator reading the page, changing its filter and
downloading its tables asked for that sum again each time.

What may be kept, and for how long:
- Plain values only (numbers, names, dates, the content's detached rows): never an object of a
  request's session, which closes with the request.
- At most `FIGURES_MAX_AGE` seconds (60; 0 keeps nothing), and the page says the time the figures
  were made ("as of"), so nobody reads a figure older than it says.
- Any write this process commits to a table other than the bookkeeping ones below drops every
  set it keeps (and a set being made while such a write commits is not kept): in a single-process
  deployment, and for the user who just saved something in this worker, the figures are exact.
  Writes in other worker processes are seen once the kept set is `FIGURES_MAX_AGE` old.
- Only GET and HEAD requests keep or reuse figures; the key holds everything the figures depend
  on that is not in the database (the run, the exact cohorts shown, the day, the language where
  the figures hold words), so nobody sees figures of cohorts beyond their own."""
from __future__ import annotations

import re
import threading
import time
import weakref
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db
from .timeutil import utcnow

T = TypeVar("T")

MAX_ENTRIES = 16

#: Tables a page view or a mail run writes that no figure is counted from: a write to one of
#: them keeps the figures (sessions renewed on every request, audit lines, sent marks, drafts).
BOOKKEEPING = frozenset({
    "user_session", "audit_event", "once_key", "notification", "draft", "outbox_message",
    "xapi_statement", "journal_seen", "assignment_feedback_read", "password_token", "digest_sent",
    "reminder_sent", "evaluation_reminder", "lti_launch_value", "content_generation"})

_WRITE = re.compile(r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+\"?(\w+)",
                    re.IGNORECASE)
_WRITE_IN_CTE = re.compile(r"\b(?:INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
_READ = re.compile(r"\s*(?:SELECT|SAVEPOINT|RELEASE|ROLLBACK|PRAGMA|BEGIN|SHOW|SET|EXPLAIN)\b", re.IGNORECASE)


class _Store:
    def __init__(self) -> None:
        self.generation = 0
        self.entries: dict[Hashable, tuple[int, float, datetime, Any]] = {}
        self.lock = threading.Lock()

    def drop_all(self) -> None:
        with self.lock:
            self.generation += 1
            self.entries.clear()


_STORES: weakref.WeakKeyDictionary[Engine, _Store] = weakref.WeakKeyDictionary()


def _store_of(engine: Engine) -> _Store:
    store = _STORES.get(engine)
    if store is None:
        store = _STORES.setdefault(engine, _Store())
    return store


def kept(namespace: str, key: Hashable, build: Callable[[], T]) -> tuple[T, datetime]:
    """`build()` and the time it was made: a set this process made less than FIGURES_MAX_AGE
    seconds ago under the same key (with no figure-changing write committed since), else a new
    one, kept for the next request."""
    max_age = float(current_app.config.get("FIGURES_MAX_AGE", 0) or 0)
    if max_age <= 0 or not has_request_context() or request.method not in ("GET", "HEAD"):
        return build(), utcnow()
    store = _store_of(db.engine)
    slot = (namespace, key)
    found = store.entries.get(slot)
    if found is not None:
        generation, made, as_of, value = found
        if generation == store.generation and time.monotonic() - made < max_age:
            return value, as_of
    generation, made, as_of = store.generation, time.monotonic(), utcnow()
    value = build()
    with store.lock:
        if generation == store.generation:  # no figure-changing write committed meanwhile
            if len(store.entries) >= MAX_ENTRIES:
                oldest = min(store.entries, key=lambda s: store.entries[s][1])
                store.entries.pop(oldest, None)
            store.entries[slot] = (generation, made, as_of, value)
    return value, as_of


def writes_figures(statement: str) -> bool:
    """Whether a statement may change a figure: any write but to a bookkeeping table (what is
    neither a plain read nor a recognised write counts as a write)."""
    match = _WRITE.match(statement)
    if match:
        return match.group(1).lower() not in BOOKKEEPING
    if statement.lstrip()[:4].upper() == "WITH":  # a CTE: a write if it holds one
        return _WRITE_IN_CTE.search(statement) is not None
    return _READ.match(statement) is None


@event.listens_for(Engine, "before_cursor_execute")
def _note_write(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    if writes_figures(statement):
        conn.info["life_figures_written"] = True


@event.listens_for(Engine, "commit")
def _drop_after_write(conn) -> None:
    if conn.info.pop("life_figures_written", False):
        _store_of(conn.engine).drop_all()


@event.listens_for(Engine, "rollback")
def _forget_write(conn) -> None:
    conn.info.pop("life_figures_written", None)
