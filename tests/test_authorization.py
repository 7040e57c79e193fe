"""Walks app.url_map: every route must declare, for each persona, what happens."""
from __future__ import annotations

import importlib
import pkgutil
from functools import reduce
from pathlib import Path

import pytest

from . import authz
from .authz import PERSONAS, Rule

SKIPPED_METHODS = {"HEAD", "OPTIONS"}


def _modules():
    for info in pkgutil.iter_modules([str(Path(authz.__file__).parent)]):
        yield importlib.import_module(f"tests.authz.{info.name}")


def _plugin_modules(app):
    with app.app_context():
        paths = list(app.config["LIFE_PLUGINS"])
    for path in paths:
        try:
            yield importlib.import_module(f"{path}.tests.authz")
        except ModuleNotFoundError:
            continue


def all_rules(app) -> dict[tuple[str, str], tuple[Rule, object]]:
    rules = {}
    for module in [*_modules(), *_plugin_modules(app)]:
        for key, rule in getattr(module, "ROUTES", {}).items():
            assert key not in rules, f"{key} is declared twice"
            rules[key] = (rule, module)
    return rules


def app_routes(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
            for method in rule.methods - SKIPPED_METHODS}


def test_every_route_declares_its_access_rules(app):
    declared = set(all_rules(app))
    routes = app_routes(app)
    assert not routes - declared, f"routes without an authorization rule: {sorted(routes - declared)}"
    assert not declared - routes, f"rules for routes that do not exist: {sorted(declared - routes)}"


def test_every_rule_names_every_persona(app):
    for key, (rule, _module) in all_rules(app).items():
        assert set(rule.expect) == set(PERSONAS), f"{key} misses personas {set(PERSONAS) - set(rule.expect)}"


def _resolve(value, world, objects):
    if not isinstance(value, str) or value[:1].isdigit():
        return value
    head, *rest = value.split(".")
    if head in objects:
        base = objects[head]
    elif hasattr(world, head):
        base = getattr(world, head)
    else:
        return value  # a literal string argument, e.g. a token
    return reduce(getattr, rest, base)


def outcome(response) -> str | int:
    location = response.headers.get("Location", "")
    # flask-login's redirect carries ?next=; a plain redirect to /login (after logout) is success.
    if response.status_code in (301, 302, 303) and "/login?next=" in location:
        return "login"
    if response.status_code == 403:
        return "forbidden"
    if response.status_code == 404:
        return "notfound"
    if response.status_code < 400:
        return "ok"
    return response.status_code


@pytest.mark.parametrize("persona", PERSONAS)
def test_routes_answer_each_persona_as_declared(app, world, login, persona):
    """One login per persona, then every route; all mismatches reported together."""
    from flask import url_for

    objects = {}
    for module in {id(m): m for _rule, m in all_rules(app).values()}.values():
        if hasattr(module, "setup"):
            objects.update(module.setup(world))
    user = world.persona(persona)
    client = app.test_client()
    if user is not None:
        response = client.post("/login", data={"email": user.email, "password": "correct horse battery"})
        assert response.status_code == 302
    mismatches = []
    for (endpoint, method), (rule, _module) in sorted(all_rules(app).items()):
        if endpoint in ("auth.logout",):
            continue  # checked last: it ends the session the other checks need
        mismatches += _check(client, url_for, endpoint, method, rule, persona, world, objects)
    if ("auth.logout", "POST") in all_rules(app):
        rule = all_rules(app)[("auth.logout", "POST")][0]
        mismatches += _check(client, url_for, "auth.logout", "POST", rule, persona, world, objects)
    assert not mismatches, "\n".join(mismatches)


def _check(client, url_for, endpoint, method, rule, persona, world, objects) -> list[str]:
    args = {k: _resolve(v, world, objects) for k, v in rule.args.items()}
    url = url_for(endpoint, **args)
    headers = {}
    if rule.bearer and persona != "anonymous":
        headers["Authorization"] = f"Bearer {objects['api_tokens'][persona]}"
    response = client.open(url, method=method, data=rule.data if method == "POST" else None, headers=headers)
    got = "login" if rule.bearer and response.status_code == 401 else outcome(response)
    response.close()  # a streamed file (a recording, a zip) holds a handle until its response is closed
    expected = rule.expect[persona]
    if got != expected:
        return [f"{method} {url} ({endpoint}) as {persona}: expected {expected}, got {got} ({response.status_code})"]
    return []
