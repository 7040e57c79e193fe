"""The authorization matrix: every route of the app, with the outcome expected for each persona.

Each area keeps its routes in its own module here (core.py, admin.py, programme.py, ...) and a
plugin may keep its own in `modules/<name>/tests/authz.py`. A module defines:

    ROUTES: dict[tuple[str, str], Rule]     # (endpoint, HTTP method) -> Rule
    def setup(world) -> dict[str, object]   # optional: objects the URLs need, keyed by name

A Rule gives the URL arguments (values name a World attribute or a key returned by setup, or are
literals) and the expected outcome per persona: "ok", "login", "forbidden", "notfound", or an
HTTP status code. tests/test_authorization.py fails for any route without a Rule."""
from __future__ import annotations

from dataclasses import dataclass, field

PERSONAS = ("anonymous", "trainee", "trainee_other", "facilitator", "facilitator_other",
            "national_coordinator", "transnational_coordinator", "admin")
SIGNED_IN = PERSONAS[1:]


@dataclass
class Rule:
    expect: dict[str, str | int]
    args: dict[str, object] = field(default_factory=dict)
    #: Form data for POST requests (CSRF is off in tests; what matters is who gets through).
    data: dict[str, str] = field(default_factory=dict)
    #: An API route (app/api/): called with the persona's personal access token (all scopes), not
    #: the session; "login" then means 401.
    bearer: bool = False


def everyone(outcome: str | int = "ok", **kw) -> Rule:
    return Rule({p: outcome for p in PERSONAS}, **kw)


def signed_in(outcome: str | int = "ok", **kw) -> Rule:
    expect: dict[str, str | int] = {p: outcome for p in SIGNED_IN}
    expect["anonymous"] = "login"
    return Rule(expect, **kw)


def only(*allowed: str, denied: str | int = "forbidden", **kw) -> Rule:
    """Allowed personas get "ok", other signed-in personas `denied`, anonymous "login"."""
    unknown = set(allowed) - set(PERSONAS)
    assert not unknown, f"unknown personas {unknown}"
    expect: dict[str, str | int] = {p: ("ok" if p in allowed else denied) for p in SIGNED_IN}
    expect["anonymous"] = "login"
    return Rule(expect, **kw)


STATUS_VIEWERS = ("facilitator", "national_coordinator", "transnational_coordinator", "admin")
