"""Page addresses built once per process instead of by werkzeug's URL map on every page: a page
asked for dozens of them (the navigation's, the footer's forms, one per activity of the
programme overview), the same each time. An address depends on the endpoint, its values and the
request's script root (a proxy's X-Forwarded-Prefix changes it) only, as long as no url_defaults
are registered; blueprint-relative endpoints, `_external`/`_anchor`/... and values that are not
hashable go to flask.url_for every time. The cache is bounded: full, it starts again."""
from __future__ import annotations

from typing import Any

from flask import Flask
from flask import url_for as flask_url_for
from flask.globals import _cv_request

_CACHE = "life_url_cache"
#: Enough for every activity, module and navigation address of a few programmes; ids of
#: submissions or entries would otherwise grow it for ever.
MAX_ADDRESSES = 5000


def url_for(endpoint: str, **values: Any) -> str:
    """flask.url_for, remembered for an absolute endpoint in a request."""
    # The request context itself, not the `request`/`current_app` proxies: this runs dozens of
    # times a page, and the proxies were half its time.
    ctx = _cv_request.get(None)
    if ctx is None or endpoint.startswith(".") or ctx.app.url_default_functions:
        return flask_url_for(endpoint, **values)
    key = (ctx.request.script_root, endpoint, *sorted(values.items()))
    cache: dict[tuple, str] = ctx.app.extensions[_CACHE]
    try:
        return cache[key]
    except KeyError:
        pass
    except TypeError:  # a list of values (repeated query arguments)
        return flask_url_for(endpoint, **values)
    url = flask_url_for(endpoint, **values)
    if not any(name.startswith("_") for name in values):  # _external, _anchor, _method, _scheme
        if len(cache) >= MAX_ADDRESSES:
            cache.clear()
        cache[key] = url
    return url


def init_app(app: Flask) -> None:
    app.extensions[_CACHE] = {}
    app.jinja_env.globals["url_for"] = url_for
