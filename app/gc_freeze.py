"""Keep the long-lived objects out of Python's full garbage collections.

A worker holds a few hundred thousand objects that live as long as it does: the imported
modules, babel's locale data, the compiled templates, the cached programme content. Python's
full (generation 2) collection walks every one of them; measured on the benchmark data it took
200-380 ms, and each one lands on some request (bench/RESULTS.md: the p99 of every page).
`gc.freeze()` moves the objects that exist at that moment out of the collector's sight (the
Python documentation recommends it for pre-forking servers): afterwards a full collection
walks only what was made since, about 1-5 ms.

When: once when the app is made (modules and start-up data), and once more after the worker has
served GC_FREEZE_AFTER_REQUESTS requests (templates compiled, content cached). Frozen objects
are never collected, so when the content changes (its old cached rows are dropped) everything
is thawed and frozen again after as many requests: nothing stays frozen after it was let go.
0 turns it off (the tests, where one process makes many databases' worth of content)."""
from __future__ import annotations

import gc

from flask import Flask, Response, current_app

_STATE = "life_gc_freeze"


def freeze() -> None:
    gc.collect()
    gc.freeze()


def thaw() -> None:
    """What was frozen can be collected again; frozen anew after as many requests."""
    state = current_app.extensions.get(_STATE)
    if state is not None:
        gc.unfreeze()
        state["served"] = 0


def _count_request(response: Response) -> Response:
    state = current_app.extensions[_STATE]
    state["served"] += 1
    if state["served"] == current_app.config["GC_FREEZE_AFTER_REQUESTS"]:
        freeze()
    return response


def init_app(app: Flask) -> None:
    if not app.config.get("GC_FREEZE_AFTER_REQUESTS"):
        return
    app.extensions[_STATE] = {"served": 0}
    app.after_request(_count_request)
    freeze()
