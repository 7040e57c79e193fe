"""Fuzzing every route with Hypothesis (issue 13): requests generated from `app.url_map` (every rule,
every method), with route ids small, huge and negative, strings with NUL, line breaks, unicode and
10 KB, and form posts whose fields come from the forms the app itself renders (each GET page of the
authorization matrix is read once and its <form>s collected by action), sent as a browser does or
as JSON (with a lone surrogate, or nested past the decoder's limit). Signed in as each persona
of the matrix, on its world: the coordinators reach the dashboards, reports and results. Two
properties:

- no response is a server error (>= 500);
- a refused post (4xx, or the form shown again with a field marked invalid) leaves every table as
  it was, but for the draft snapshot the save path keeps on purpose ("nothing typed is lost").

Bounded and deterministic: a fixed number of examples per persona, derandomized, no example
database, so a CI run is the same run each time."""
from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.routing import BuildError, IntegerConverter
from werkzeug.routing.exceptions import HTTPException as RoutingException

from app.extensions import db

from .authz import PERSONAS
from .test_authorization import _resolve, all_rules

#: Ends the session every later example needs; the matrix checks it.
SKIPPED = {("auth.logout", "POST")}
#: LIFE_FUZZ_EXAMPLES and LIFE_FUZZ_RANDOM=1 make a longer, new run by hand; CI keeps the defaults.
EXAMPLES_PER_PERSONA = int(os.environ.get("LIFE_FUZZ_EXAMPLES", "150"))
DERANDOMIZE = os.environ.get("LIFE_FUZZ_RANDOM") != "1"
#: LIFE_FUZZ_PERSONAS="admin trainee" runs only those by hand.
FUZZED_PERSONAS = tuple(os.environ.get("LIFE_FUZZ_PERSONAS", "").split()) or PERSONAS
#: Written on purpose by a refused save (app/guarded_save.py), or by any request (sessions, audit
#: of a failed login, throttling, notifications marked read by opening a page).
WRITTEN_WHEN_REFUSED = {"draft", "user_session", "audit_event", "outbox_message"}

NASTY = st.one_of(
    st.sampled_from(["", "\x00", "a\x00b", "\x07", "\x1b[31m", "one\ntwo", "one\r\ntwo", "\u2028", "\ufeff",
                     "Åsa Öberg 日本 🎉 \u202e", "<script>alert(1)</script>", "' OR 1=1 --", "%00", "../../etc/passwd",
                     "9999-12-31", "0001-01-01", "2026-02-30", str(2**31), str(10**20), "-1", "0", "1e309", "NaN",
                     "sNaN", "-Infinity", "²", "user:²", f"user:{10**20}", f"group:{2**31}", f"cohort-{10**20}",
                     f"run-{2**31}-se", f"{10**20}-abc",
                     "x" * 10240]),
    st.text(max_size=40),
)
IDS = st.one_of(st.integers(-3, 3), st.sampled_from([2**31 - 1, 2**31, 2**63, 10**20]), st.integers(0, 10**25))
DATES = st.sampled_from(["0001-01-01", "9999-12-31", "1999-12-31", "2000-01-01", "2100-12-31", "2101-01-01",
                         "2026-10-12", "2026-02-30", "12/10/2026", ""])
#: How a post's fields travel: mostly as the browser sends them; else as JSON (flask-wtf reads a form
#: posted as JSON), with a lone surrogate in a field or nested past the decoder's recursion limit.
BODIES = st.sampled_from(["form", "form", "form", "json", "json surrogate", "json deep"])
QUERY_KEYS = ["page", "q", "date_from", "date_to", "action", "actor", "run_id", "activity", "prompt", "next",
              "cohort", "module", "status", "role", "format", "lang", "token"]


class FormCollector(HTMLParser):
    """The <form>s of a page: action, method and fields (name, kind, default, options)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").upper(), "fields": {}}
            self.forms.append(self._form)
        elif self._form is not None and a.get("name"):
            fields = self._form["fields"]
            if tag == "input" and a.get("type") not in ("submit", "button", "file", "image", "reset"):
                field = fields.setdefault(a["name"], {"kind": a.get("type", "text"), "default": "", "options": []})
                if a.get("type") in ("checkbox", "radio"):
                    field["options"].append(a.get("value", "on"))
                    if "checked" in a:
                        field["default"] = a.get("value", "on")
                else:
                    field["default"] = a.get("value", "")
            elif tag == "textarea":
                fields[a["name"]] = {"kind": "textarea", "default": "", "options": []}
                self._textarea = a["name"]
            elif tag == "select":
                fields[a["name"]] = {"kind": "select", "default": "", "options": []}
                self._select = a["name"]
            elif tag == "button" and a.get("value"):
                fields.setdefault(a["name"], {"kind": "select", "default": a["value"], "options": []})
                fields[a["name"]]["options"].append(a["value"])
        if tag == "option" and self._form is not None and self._select:
            field = self._form["fields"][self._select]
            field["options"].append(a.get("value", ""))
            if "selected" in a or not field["default"]:
                field["default"] = a.get("value", "")

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea]["default"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _value(field: dict) -> st.SearchStrategy[str]:
    kind, options = field["kind"], [o for o in field["options"] if o]
    if kind == "date":
        return st.one_of(DATES, NASTY)
    if kind in ("number", "hidden"):
        return st.one_of(IDS.map(str), NASTY)
    if options:
        return st.one_of(st.sampled_from(options), NASTY)
    return NASTY


def _body(form: dict, shape: str) -> dict:
    """The client.open() arguments that send the form in the given shape."""
    if shape == "form":
        return {"data": form}
    if shape == "json deep":
        return {"data": "[" * 5000 + "]" * 5000, "content_type": "application/json"}
    if shape == "json surrogate":
        form = {name: "\ud800" for name in form} or {"x": "\ud800"}
    return {"data": json.dumps(form), "content_type": "application/json"}


def _row_counts() -> dict[str, int]:
    db.session.rollback()  # a fresh read of what the request committed
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables
            if t.name not in WRITTEN_WHEN_REFUSED}


def _refused(response, method: str) -> bool:
    if method != "POST":
        return False
    if response.status_code >= 400:
        return True
    return response.status_code == 200 and b"is-invalid" in response.data


class Fuzzer:
    def __init__(self, app, world, persona: str):
        self.app = app
        self.adapter = app.url_map.bind("localhost")
        self.rules = {key: rule for key, (rule, _module) in all_rules(app).items() if key not in SKIPPED}
        self.objects: dict = {}
        for _rule, module in {id(m): (r, m) for r, m in all_rules(app).values()}.values():
            if hasattr(module, "setup"):
                self.objects.update(module.setup(world))
        self.world = world
        # Resolved once: a fuzzed request may delete the very row a rule names.
        self.valid = {key: {k: _resolve(v, world, self.objects) for k, v in rule.args.items()}
                      for key, rule in self.rules.items()}
        self.client = app.test_client()
        user = world.persona(persona)
        if user is not None:
            response = self.client.post("/login", data={"email": user.email, "password": "correct horse battery"})
            assert response.status_code == 302
        self.forms = self._collect_forms()
        self.url_rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
        #: Refused posts whose row counts were compared: proof that the second property was checked.
        self.refusals_checked = 0
        # Half the examples post a form the persona is shown: that is where typed input goes deep.
        posts = sorted(key for key in self.rules if key[1] == "POST" and key[0] in self.forms)
        everything = st.sampled_from(sorted(self.rules))
        self.routes = st.one_of(everything, st.sampled_from(posts)) if posts else everything

    def valid_args(self, endpoint: str, method: str) -> dict:
        return self.valid.get((endpoint, method)) or self.valid.get((endpoint, "GET")) or {}

    def _collect_forms(self) -> dict[str, dict]:
        """Fields of every form the persona is shown, keyed by the endpoint the form posts to."""
        forms: dict[str, dict] = {}
        for (endpoint, method) in self.rules:
            if method != "GET":
                continue
            try:
                url = self.adapter.build(endpoint, self.valid_args(endpoint, "GET"))
            except BuildError:
                continue
            response = self.client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                response.close()  # a streamed file (a recording, a zip) holds a handle until closed
                continue
            parser = FormCollector()
            parser.feed(response.get_data(as_text=True))
            for form in parser.forms:
                path = urlsplit(form["action"]).path or url.split("?")[0]
                try:
                    target, _args = self.adapter.match(path, method=form["method"])
                except RoutingException:
                    continue
                forms.setdefault(target, {}).update(form["fields"])
        return forms

    def request(self, data) -> None:
        endpoint, method = data.draw(self.routes, label="route")
        rule = self.url_rules[endpoint]
        valid = self.valid_args(endpoint, method)
        args = {}
        for name in rule.arguments:
            converter = rule._converters[name]
            fuzzed = IDS if isinstance(converter, IntegerConverter) else NASTY
            args[name] = data.draw(st.one_of(st.just(valid[name]), fuzzed) if name in valid else fuzzed, label=name)
        try:
            url = self.adapter.build(endpoint, args, method=method)
        except (BuildError, ValueError):
            return
        fields = self.forms.get(endpoint, {})
        form = {name: f["default"] for name, f in fields.items()} | dict(self.rules[(endpoint, method)].data)
        if fields:
            for name in data.draw(st.sets(st.sampled_from(sorted(fields)), max_size=3), label="fuzzed fields"):
                form[name] = data.draw(_value(fields[name]), label=name)
        query = data.draw(st.dictionaries(st.sampled_from(QUERY_KEYS + sorted(fields)), st.one_of(NASTY, IDS.map(str)),
                                          max_size=2), label="query")
        if query:
            url += ("&" if "?" in url else "?") + urlencode(query)
        before = _row_counts() if method == "POST" else None
        body = _body(form, data.draw(BODIES, label="body")) if method == "POST" else {}
        response = self.client.open(url, method=method, **body,
                                    headers={"Accept": data.draw(st.sampled_from(["text/html", "application/json"]))})
        assert response.status_code < 500, f"{method} {url} {form!r} -> {response.status_code}"
        refused = before is not None and _refused(response, method)
        response.close()  # a streamed file (a recording, a zip) holds a handle until closed
        if before is not None and refused:
            self.refusals_checked += 1
            after = _row_counts()
            changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            assert not changed, f"{method} {url} {form!r} refused ({response.status_code}) but wrote {changed}"


@pytest.mark.parametrize("persona", FUZZED_PERSONAS)
def test_no_request_gets_a_server_error_or_half_writes(app, world, persona):
    fuzzer = Fuzzer(app, world, persona)
    assert fuzzer.forms, "no form found to fuzz: the form collector is broken"

    @settings(max_examples=EXAMPLES_PER_PERSONA, deadline=None, derandomize=DERANDOMIZE, database=None,
              phases=[Phase.explicit, Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
    @given(st.data())
    def fuzz(data):
        fuzzer.request(data)

    fuzz()
    assert fuzzer.refusals_checked > 0, "no refused post was generated: the half-write check never ran"
