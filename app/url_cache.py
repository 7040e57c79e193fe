"""Addresses of pages without arguments (the navigation's, the footer's forms), built once per
process instead of by werkzeug's URL map on every page: a page asked for a dozen of them, the
same each time. Keyed by the request's script root, the one thing besides the endpoint such an
address depends on (no url_defaults are registered; a proxy's X-Forwarded-Prefix changes it)."""
from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask import url_for as flask_url_for

_CACHE = "life_url_cache"


def url_for(endpoint: str, **values) -> str:
    """flask.url_for, remembered for an absolute endpoint with no values in a request."""
    app = current_app
    if values or endpoint.startswith(".") or not has_request_context() or app.url_default_functions:
        return flask_url_for(endpoint, **values)
    cache: dict = app.extensions[_CACHE]
    key = (request.script_root, endpoint)
    url = cache.get(key)
    if url is None:
        url = cache[key] = flask_url_for(endpoint)
    return url


def init_app(app: Flask) -> None:
    app.extensions[_CACHE] = {}
    app.jinja_env.globals["url_for"] = url_for
