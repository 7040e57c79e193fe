"""The OpenAPI 3.1 document, made by spectree from the routes' pydantic models and docstrings.
spectree's own documentation pages load their scripts from a CDN, so none are registered: the
interactive page is ours (app/api/docs.py), with Swagger UI vendored under app/static/vendor/."""
from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from spectree import SecurityScheme, SpecTree
from spectree.models import SecureType, SecuritySchemeData

from . import problems


def _problem_on_invalid_request(req: Any, resp: Any, error: Exception | None, _instance: Any,
                                *_args: Any) -> None:
    """spectree answers bad query parameters itself: make that answer a problem document too."""
    if not isinstance(error, ValidationError) or resp is None:
        return
    detail = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'request'}: {e['msg']}" for e in error.errors())
    answer = problems.problem(400, detail, errors=[{"loc": [str(p) for p in e["loc"]], "msg": e["msg"]}
                                                   for e in error.errors()])
    resp.status_code = 400
    resp.set_data(answer.get_data())
    resp.mimetype = "application/problem+json"


spec = SpecTree(
    "flask", mode="strict", title="LIFE Academy API", version="1.0.0",
    description="Read the programme, your progress and the cohorts you follow; authorised as the "
                "pages are. Authenticate with a personal access token from your account page.",
    path="api/v1/openapi", filename="openapi.json", page_templates={}, validation_error_status=400,
    before=_problem_on_invalid_request, annotations=True,
    security_schemes=[SecurityScheme(name="token", data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer"))],
    security={"token": []},
)
