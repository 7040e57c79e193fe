"""Run-wide figures (the programme dashboard, the programme report) kept for a short while, as a
reporting tool keeps its report data: at 10,000 trainees one set of them sums every trainee's
work (a second of a worker's time), and a coordinator reading the page, changing its filter and
downloading its tables asked for that sum again each time.

What may be kept, and for how long:
- Plain values only (numbers, names, dates): never an object of a request's session, which
  closes with the request.
- At most `FIGURES_MAX_AGE` seconds (300; 0 keeps nothing), and the page says the time the figures
  were made ("Figures as of ..."), so nobody reads a figure older than it says.
- Only a set that took at least `FIGURES_KEEP_AFTER_MS` (100 ms) to make: a pilot's or a single
  country's dashboard is made in a few milliseconds and stays exact after every save; a run of
  thousands of trainees is where a set costs a second.
- Writes do not drop the kept sets: at 10,000 trainees work is saved several times a second, and
  a set dropped by every save would be made again for nearly every request. Figures a few
  minutes old, with their time, are what a reporting page may show; the pages that staff act on (a cohort's own page and
  progress grid, the marking queue) are made for each request.
- Each worker keeps the sets it uses in memory, and every worker shares them through the
  database (`kept_figures`, written after the response has gone out): a worker that has none,
  or whose set is ageing, reads the one another worker or node made instead of making its own.
  Values are sealed with SECRET_KEY (HMAC-SHA256) and a value that does not verify is ignored,
  so write access to that table alone cannot make the app read back an object of its choosing.
- A set past 40-80 % of its age (a random point per set, so that the workers do not all renew
  at the same moment) is still used, and renewed after the response has gone out (in this
  worker, in a request context of its own, as mail is sent: app/delivery.py): from the shared
  table when another worker renewed it lately, else made again. With steady use nobody waits for
  the figures but the first reader after a quiet spell.
- An erasure forgets every set at once (the dashboard names trainees waiting for feedback): in
  this worker and in the shared table; other workers' sets in memory age out.
- Only GET and HEAD requests keep or reuse figures; the key holds everything the figures depend
  on that is not in the database (the run, the exact cohorts shown, the day, the language where
  the figures hold words), so nobody sees figures of cohorts beyond their own."""
from __future__ import annotations

import hashlib
import hmac
import pickle
import random
import threading
import time
import weakref
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import after_this_request, current_app, has_request_context, request
from sqlalchemy import delete, insert, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .models import KeptFigures
from .timeutil import utcnow

T = TypeVar("T")
#: (namespace, key)
Slot = tuple[str, Hashable]

MAX_ENTRIES = 16
#: A renewal takes the shared set instead of making one when the shared set is this young.
SHARED_FRESH_SHARE = 0.4


class _Store:
    def __init__(self) -> None:
        self.generation = 0
        self.entries: dict[Slot, tuple[int, float, datetime, Any]] = {}
        #: Slots being renewed after a response (one renewal at a time each).
        self.renewing: set[Slot] = set()
        self.lock = threading.Lock()

    def put(self, slot: Slot, generation: int, made: float, as_of: datetime, value: Any) -> None:
        with self.lock:
            if generation != self.generation:  # forgotten (drop_all) while it was being made
                return
            if slot not in self.entries and len(self.entries) >= MAX_ENTRIES:
                oldest = min(self.entries, key=lambda s: self.entries[s][1])
                self.entries.pop(oldest, None)
            self.entries[slot] = (generation, made, as_of, value)

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


def kept(namespace: str, key: Hashable, build: Callable[[], T],
         renew: Callable[[], T] | None = None) -> tuple[T, datetime]:
    """`build()` and the time it was made (UTC): a set made less than FIGURES_MAX_AGE seconds
    ago under the same key (by this worker, or by any through the shared table), else a new one,
    kept for the next request. `renew`: makes the same set without this request's objects (its
    own session), called after the response once the set is past 40-80 % of its age."""
    max_age = float(current_app.config.get("FIGURES_MAX_AGE", 0) or 0)
    if max_age <= 0 or not has_request_context() or request.method not in ("GET", "HEAD"):
        return build(), utcnow()
    store = _store_of(db.engine)
    slot: Slot = (namespace, key)
    now = time.monotonic()
    found = store.entries.get(slot)
    if found is not None:
        generation, made, as_of, value = found
        if generation == store.generation and now - made < max_age:
            if renew is not None and now - made >= max_age * _renew_share(made):
                _after_response(lambda: _renew(store, slot, renew, max_age))
            return value, as_of
    generation = store.generation
    shared = _read_shared(slot, max_age)
    if shared is not None:
        return _take_shared(store, slot, generation, shared)
    as_of = utcnow()
    value = build()
    if (time.monotonic() - now) * 1000 >= current_app.config.get("FIGURES_KEEP_AFTER_MS", 0):
        store.put(slot, generation, now, as_of, value)
        _after_response(lambda: _write_shared(slot, as_of, value))
    return value, as_of


def forget_all() -> None:
    """Forget every kept set: this worker's, and the shared table's (in the caller's transaction:
    an erasure's)."""
    _store_of(db.engine).drop_all()
    db.session.execute(delete(KeptFigures))


def _renew_share(made: float) -> float:
    """Past which share of its age a set is renewed: 0.4-0.8, fixed per set (seeded by the time
    it was made), different from one worker to the next."""
    return 0.4 + 0.4 * random.Random(made).random()


def _age(as_of: datetime) -> float:
    return max(0.0, (utcnow() - as_of).total_seconds())


def _take_shared(store: _Store, slot: Slot, generation: int, shared: tuple[datetime, Any]) -> tuple[Any, datetime]:
    """A set read from the shared table, kept in memory as if made here when it was made there."""
    as_of, value = shared
    store.put(slot, generation, time.monotonic() - _age(as_of), as_of, value)
    return value, as_of


def _renew(store: _Store, slot: Slot, renew: Callable[[], Any], max_age: float) -> None:
    """After a response: the shared set when another worker renewed it lately, else a new one."""
    with store.lock:
        if slot in store.renewing:
            return
        store.renewing.add(slot)
    try:
        generation = store.generation
        shared = _read_shared(slot, max_age * SHARED_FRESH_SHARE)
        if shared is not None:
            _take_shared(store, slot, generation, shared)
            return
        made, as_of = time.monotonic(), utcnow()
        value = renew()
        store.put(slot, generation, made, as_of, value)
        _write_shared(slot, as_of, value)
    finally:
        store.renewing.discard(slot)


def _after_response(work: Callable[[], None]) -> None:
    """`work` once the response has gone out, in a request context of the site's own address
    (content links are built while figures are made), with no user and no cookie. A failure is
    logged: the kept set ages out and the next reader makes one, never a lost response."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app behind the proxy
    url_root = request.url_root

    def run() -> None:
        try:
            with app.test_request_context("/", base_url=url_root):
                work()
        except Exception:
            app.logger.exception("kept figures could not be renewed or shared")

    @after_this_request
    def _after(response):
        response.call_on_close(run)
        return response


def _slot_id(slot: Slot) -> str:
    return hashlib.sha256(repr(slot).encode()).hexdigest()


def _mac(payload: bytes) -> bytes:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), b"kept-figures:" + payload, hashlib.sha256).digest()


def _read_shared(slot: Slot, max_age: float) -> tuple[datetime, Any] | None:
    """The shared set of `slot` if it is younger than `max_age` seconds and its seal verifies."""
    try:
        row = db.session.execute(select(KeptFigures.made_at, KeptFigures.value)
                                 .where(KeptFigures.slot == _slot_id(slot))).first()
    except SQLAlchemyError:  # a database without the table yet (before `flask db upgrade`)
        current_app.logger.exception("kept figures could not be read")
        db.session.rollback()
        return None
    if row is None or _age(row.made_at) >= max_age:
        return None
    blob = bytes(row.value)
    seal, payload = blob[:32], blob[32:]
    if not hmac.compare_digest(seal, _mac(payload)):
        current_app.logger.warning("kept figures with a seal that does not verify were ignored")
        return None
    return row.made_at, pickle.loads(payload)  # noqa: S301  (sealed by this app: verified above)


def _write_shared(slot: Slot, as_of: datetime, value: Any) -> None:
    """Replaces the shared set of `slot`, in a transaction of its own, and deletes every set past
    its age (yesterday's keys would otherwise stay for ever); two workers writing the same slot at
    once: one of them wins, which is all either needs."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    slot_id = _slot_id(slot)
    too_old = utcnow() - timedelta(seconds=float(current_app.config.get("FIGURES_MAX_AGE", 0) or 0))
    db.session.rollback()  # no read of this context's session holds SQLite's lock meanwhile
    try:
        with db.engine.begin() as conn:
            conn.execute(delete(KeptFigures).where(or_(KeptFigures.slot == slot_id, KeptFigures.made_at < too_old)))
            conn.execute(insert(KeptFigures).values(slot=slot_id, made_at=as_of, value=_mac(payload) + payload))
    except SQLAlchemyError:
        current_app.logger.info("kept figures of %s were not shared (another worker shared them)", slot[0])
