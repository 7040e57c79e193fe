"""Errors as RFC 9457 problem details (application/problem+json), for every API route."""
from __future__ import annotations

from typing import Any

from flask import Response, json, request
from werkzeug.exceptions import HTTPException

PROBLEM_TYPE = "about:blank"  # RFC 9457 §4.2.1: the title is the HTTP status phrase


def problem(status: int, detail: str | None = None, *, title: str | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> Response:
    from http import HTTPStatus
    body = {"type": PROBLEM_TYPE, "title": title or HTTPStatus(status).phrase, "status": status,
            "instance": request.path, **({"detail": detail} if detail else {}), **extra}
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_http_exception(error: HTTPException) -> Response:
    headers = {"Allow": error.response.headers["Allow"]} if error.response and "Allow" in error.response.headers else {}
    if error.code == 405 and not headers:
        allowed = getattr(error, "valid_methods", None)
        if allowed:
            headers["Allow"] = ", ".join(allowed)
    return problem(error.code or 500, error.description if error.code != 404 else None, headers=headers)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


class NoProgramme(Exception):
    """The token's owner has no programme (no cohort in a run with one): 404."""


def app_level_error(error: HTTPException):
    """An app-wide handler for routing errors (405): problem details under /api/, the site's own
    page in the user's language elsewhere."""
    if is_api_request():
        return from_http_exception(error)
    from ..web import method_not_allowed
    return method_not_allowed(error)
