"""A per-request memo for read models that several parts of one page ask for (the viewer, the
programme's rows, the viewer's meetings): computed once per GET request and forgotten with it.

Only GET and HEAD requests memoise: a POST may change memberships or meetings and read them
again, and must see its own writes. Nothing outlives the request (flask.g), so no other user or
request can ever see another's memo."""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import g, has_request_context, request

T = TypeVar("T")


def memoised(namespace: str, key: Hashable, build: Callable[[], T]) -> T:
    if not has_request_context() or request.method not in ("GET", "HEAD"):
        return build()
    store: dict = g.setdefault("_request_memo", {})
    slot = (namespace, key)
    if slot not in store:
        store[slot] = build()
    return store[slot]
