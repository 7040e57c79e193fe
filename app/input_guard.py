"""Bad input answered before any view runs: route ids outside what the database stores (404) and
control characters in the address, the query string or a form (400). Each view then only ever
sees ids it can look up and text it can store."""
from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from .text import has_control_characters

#: The largest id an INTEGER column holds on PostgreSQL (SQLite's go further, but a bigger id
#: never names a row on either, and SQLite fails on 20 digits).
MAX_ID = 2**31 - 1


def bounded_int(value: str) -> int:
    """`type=` for request.args.get / request.form.get: a number the database can compare with
    (0..MAX_ID); anything else raises ValueError, so the caller's default applies."""
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError(value)
    return number


def parse_id(text: str | None) -> int | None:
    """The id in a token a user can edit ('user:12', 'cohort-3', a feed link's '12-...'): ASCII
    digits within 1..MAX_ID, else None. (str.isdigit() also accepts '²', which int() refuses.)"""
    if not text or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: 1..MAX_ID, anything else is no page (404), never a query the
    database cannot run."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _values():
    yield request.path
    yield from (str(v) for v in (request.view_args or {}).values())
    for source in (request.args, request.form):
        for key, values in source.lists():
            yield key
            yield from values
    for storage in request.files.values():
        yield storage.filename or ""


def _refuse_control_characters():
    if not any(has_control_characters(value) for value in _values()):
        return None
    message = _("The request contains characters that cannot be stored (such as NUL or other control "
                "characters). Nothing was saved: remove them and try again.")
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error="characters", message=message), 400
    return render_template("error.html", code=400, title=_("Characters that cannot be used"),
                           message=message), 400


def reads_json(view):
    """Marks a view that reads a JSON body itself (passkeys, the credential check). Every other
    view is posted forms: flask-wtf would read a JSON body as the form, and `[1, 2]`, a number
    where text goes or a NUL (the control character check sees only forms) then breaks it."""
    view.reads_json = True
    return view


def _refuse_json_to_forms():
    if not request.is_json or request.method in ("GET", "HEAD", "OPTIONS") or request.blueprint == "api":
        return None  # the API validates its own bodies (app/api)
    if getattr(current_app.view_functions.get(request.endpoint or ""), "reads_json", False):
        return None
    message = _("This address takes a form as a web browser sends it, not JSON. Nothing was saved.")
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error="content_type", message=message), 415
    return render_template("error.html", code=415, title=_("Unsupported request"), message=message), 415


def _storable(value) -> None:
    """Raise ValueError for a lone surrogate anywhere in decoded JSON ("\\ud800" is valid JSON,
    but no such string can be encoded, stored or signed). Iterative: the nesting is already
    bounded by the decoder."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            item.encode("utf-8")  # UnicodeEncodeError is a ValueError
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class BoundedJSONProvider(DefaultJSONProvider):
    """JSON bodies that cannot be decoded into storable text raise ValueError, which
    `request.get_json()` turns into a 400 (or None with silent=True), for every view and for
    flask-wtf's forms posted as JSON. Without it a body of 5,000 '[' raises RecursionError, which
    nothing catches (a 500 on any POST route)."""

    def loads(self, s, **kwargs):
        try:
            value = super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply") from exc
        _storable(value)
        return value


def init_app(app: Flask) -> None:
    """Call before any blueprint is registered: rules bind their converters when added."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.json = BoundedJSONProvider(app)
    app.before_request(_refuse_control_characters)
    app.before_request(_refuse_json_to_forms)
