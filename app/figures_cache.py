"""Run-wide figures (the programme dashboard, the programme report) kept for a short while in
each worker process, as a reporting tool keeps its report data: at 10,000 trainees one set of
them sums every trainee's work, and a coordinator reading the page, changing its filter and
downloading its tables asked for that sum again each time.

What may be kept, and for how long:
- Plain values only (numbers, names, dates): never an object of a request's session, which
  closes with the request.
- At most `FIGURES_MAX_AGE` seconds (60; 0 keeps nothing), and the page says the time the figures
  were made ("Figures as of ..."), so nobody reads a figure older than it says. Every worker
  keeps its own sets, so each worker makes a run's figures at most once a minute whatever the
  number of coordinators reading them.
- Writes do not drop the kept sets: at 10,000 trainees work is saved several times a second, and
  a set dropped by every save would be made again for nearly every request. A minute-old figure
  is what a reporting page may show; the pages that staff act on (a cohort's own page and
  progress grid, the marking queue) are made for each request.
- A set past 40-80 % of its age (a random point per set, so that the workers do not all make
  theirs at the same moment) is still used, and made again after the response has gone out (in
  this worker, in a context of its own, as mail is sent: app/delivery.py), so that with
  steady use nobody waits for the figures but the first reader after a quiet spell.
- Only GET and HEAD requests keep or reuse figures; the key holds everything the figures depend
  on that is not in the database (the run, the exact cohorts shown, the day, the language where
  the figures hold words), so nobody sees figures of cohorts beyond their own."""
from __future__ import annotations

import random
import threading
import time
import weakref
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar

from flask import after_this_request, current_app, has_request_context, request
from sqlalchemy.engine import Engine

from .extensions import db
from .timeutil import utcnow

T = TypeVar("T")
#: (namespace, key)
Slot = tuple[str, Hashable]

MAX_ENTRIES = 16

class _Store:
    def __init__(self) -> None:
        self.generation = 0
        self.entries: dict[Slot, tuple[int, float, datetime, Any]] = {}
        #: Slots being made again after a response (one renewal at a time each).
        self.renewing: set[Slot] = set()
        self.lock = threading.Lock()

    def put(self, slot: Slot, generation: int, made: float, as_of: datetime, value: Any) -> None:
        with self.lock:
            if generation != self.generation:  # dropped (drop_all) while it was being made
                return
            if slot not in self.entries and len(self.entries) >= MAX_ENTRIES:
                oldest = min(self.entries, key=lambda s: self.entries[s][1])
                self.entries.pop(oldest, None)
            self.entries[slot] = (generation, made, as_of, value)

    def drop_all(self) -> None:
        """Forget every kept set (a content import, an erasure: see `forget_all`)."""
        with self.lock:
            self.generation += 1
            self.entries.clear()


_STORES: weakref.WeakKeyDictionary[Engine, _Store] = weakref.WeakKeyDictionary()


def _store_of(engine: Engine) -> _Store:
    store = _STORES.get(engine)
    if store is None:
        store = _STORES.setdefault(engine, _Store())
    return store


def kept(namespace: str, key: Hashable, build: Callable[[], T],
         renew: Callable[[], T] | None = None) -> tuple[T, datetime]:
    """`build()` and the time it was made: a set this process made less than FIGURES_MAX_AGE
    seconds ago under the same key, else a new one, kept for the next request. `renew`: makes
    the same set without this request's objects (its own session, no request context), called
    after the response once the set is past 40-80 % of its age."""
    max_age = float(current_app.config.get("FIGURES_MAX_AGE", 0) or 0)
    if max_age <= 0 or not has_request_context() or request.method not in ("GET", "HEAD"):
        return build(), utcnow()
    store = _store_of(db.engine)
    slot = (namespace, key)
    found = store.entries.get(slot)
    now = time.monotonic()
    if found is not None:
        generation, made, as_of, value = found
        if generation == store.generation and now - made < max_age:
            if renew is not None and now - made >= max_age * _renew_share(made):
                _renew_after_response(store, slot, renew)
            return value, as_of
    generation, as_of = store.generation, utcnow()
    value = build()
    store.put(slot, generation, now, as_of, value)
    return value, as_of


def _renew_share(made: float) -> float:
    """Past which share of its age a set is made again: 0.4-0.8, fixed per set (seeded by the
    time it was made), different from one worker to the next."""
    return 0.4 + 0.4 * random.Random(made).random()


def _renew_after_response(store: _Store, slot: Slot, renew: Callable[[], Any]) -> None:
    with store.lock:
        if slot in store.renewing:
            return
        store.renewing.add(slot)
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app behind the proxy
    # Content links are built while the figures are made (the programme's overview): a request
    # context of the site's own address, with no user and no cookie.
    url_root = request.url_root

    def make_again() -> None:
        try:
            with app.test_request_context("/", base_url=url_root):
                generation, made, as_of = store.generation, time.monotonic(), utcnow()
                store.put(slot, generation, made, as_of, renew())
        except Exception:  # the kept set ages out and the next reader makes it: never a lost response
            app.logger.exception("the figures %s could not be made again", slot[0])
        finally:
            store.renewing.discard(slot)

    @after_this_request
    def _after(response):
        response.call_on_close(make_again)
        return response


def forget_all() -> None:
    """Drop the sets this process keeps: after an erasure, the erased trainee's name leaves the
    dashboard's "waiting longest" table at once here (other workers' sets age out)."""
    _store_of(db.engine).drop_all()
