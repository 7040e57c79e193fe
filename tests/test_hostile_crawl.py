"""A crawler with hostile input (issue 13, second pass): where tests/test_fuzz.py draws requests at
random, this one walks every route of `app.url_map` as each persona, deterministically, and sends
the named hostile values of the outside review:

- every GET route with odd path values (0, -1, 2**31, 2**63, 10**30, "abc", "%00", "..%2f", a
  5,000-character segment, unicode) and odd query strings (repeated keys, huge and negative page
  numbers, `sort=<script>`, `lang=xx`, a 100 KB `q`, NUL bytes, invalid UTF-8);
- every form the persona is shown (the HTML of each page it reaches), posted with hostile values
  per field type (empty, 100 KB, control characters, invalid UTF-8, RTL overrides, numbers out of
  range, negative, float for int, impossible dates, a field given twice, unknown choices, a file
  where text goes and text where a file goes), and whole bodies that are wrong (no CSRF token,
  JSON, XML, a wrong Content-Type, multipart with a bogus boundary).

Properties: no response is a server error, nothing is logged at ERROR level (an exception caught
and logged is a 500 hidden from the client), and a refused post leaves every table as it was.
Values are rotated over the personas (each persona gets a share of every list, all of them get
all of it), so the run stays short."""
from __future__ import annotations

import io
import logging
from urllib.parse import quote, quote_from_bytes, urlsplit

import pytest
from werkzeug.routing import BuildError
from werkzeug.routing.exceptions import HTTPException as RoutingException

from .authz import PERSONAS
from .test_authorization import _resolve, all_rules
from .test_fuzz import FormCollector, _refused, _row_counts

#: Ends the session the rest of the crawl needs (the authorization matrix checks it).
SKIPPED = {("auth.logout", "POST")}

#: Path segments, already encoded as they travel in the address ("%00" is a NUL, "..%2f" a
#: slash that must not climb out of the route).
ODD_SEGMENTS = ["0", "-1", str(2**31), str(2**63), str(10**30), "abc", "%00", "..%2f..%2fetc%2fpasswd",
                "x" * 5000, quote("Åsa Öberg 日本 🎉 \u202e"), "%ff%fe", "1.5", "%20"]
BIG = "x" * 100_000
ODD_QUERIES = ["page=1&page=2&page=abc", f"page={10**30}", "page=-1", "page=2147483648&per_page=-5",
               "sort=%3Cscript%3Ealert(1)%3C%2Fscript%3E&order=%27%20OR%201%3D1", "lang=xx", f"q={BIG}", "q=a%00b",
               "q=%ff%fe%ed%a0%80", "q=%E2%80%AEevil", "next=%2F%2Fevil.example&next=javascript:alert(1)",
               "date_from=0000-00-00&date_to=2026-02-30", "cohort=-1&module=99999999999999999999&status=%00"]

# Hostile values per field kind, as bytes: a lone surrogate or invalid UTF-8 cannot be a str.
TEXT = [b"", BIG.encode(), b"a\x00b", b"\x01\x02\x1b[31m\x7f", b"\xed\xa0\x80", b"\xff\xfe",
        "\u202eevil\u202c \u2066x\u2069".encode(), "Åsa Öberg 日本 🎉".encode(), b"<script>alert(1)</script>",
        b"line\r\nbreak", "\ufeff".encode()]
NUMBER = [b"-1", b"0", str(2**31).encode(), str(2**63).encode(), str(10**30).encode(), b"1.5", b"1e309", b"NaN",
          b"-Infinity", b"abc", b"", b"\x00"]
DATE = [b"0000-00-00", b"9999-12-31", b"2026-02-30", b"0001-01-01", b"2026-13-01", b"-2026-01-01", b"12/10/2026",
        b"", b"2026-10-12\x00"]
CHOICE = [b"__no_such_choice__", b"", str(2**63).encode(), b"-1", b"\xff", b"\x00"]
EMAIL = [b"a@b", ("x" * 300 + "@example.org").encode(), "\u202e@example.org".encode(), b"a\x00@example.org", b""]
VALUES = {"text": TEXT, "textarea": TEXT, "search": TEXT, "password": TEXT, "url": TEXT, "tel": TEXT,
          "number": NUMBER, "range": NUMBER, "hidden": NUMBER + TEXT[:6], "date": DATE, "datetime-local": DATE,
          "time": DATE + [b"25:61"], "email": EMAIL, "select": CHOICE, "checkbox": CHOICE, "radio": CHOICE,
          "file": TEXT[:3]}
#: Whole bodies that are wrong whatever the fields (see _send_shape).
SHAPES = ["twice", "json", "xml", "text/plain", "bogus boundary", "file for text", "no csrf", "charset",
          "many fields"]

#: Bodies for the routes without a form: JSON of the wrong shapes and CSV (the API's enrolments).
ODD_BODIES = [(b"null", "application/json"), (b'"text"', "application/json"), (b"[1, 2]", "application/json"),
              (b'{"name": [1], "scopes": {"a": null}, "expires_on": "0000-00-00", "id": 1e999}', "application/json"),
              (b"{not json", "application/json"), (b"\xff\xfe{}", "application/json"),
              (b"email,name,role\r\na\x00@example.org,=HYPERLINK(1),trainee\r\n", "text/csv"),
              (b"\xff\xfe\xed\xa0\x80,x\r\n", "text/csv"), (b"email\r\n" + b"x" * 100_000, "text/csv"),
              (b'email,name,role,country,language\r\n"unterminated,' + b"y" * 300, "text/csv"),
              (b"<x>&e;</x>", "application/xml")]


class FileFormCollector(FormCollector):
    """The forms of a page, with their file inputs (kind "file") and encoding."""

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms[-1]["enctype"] = a.get("enctype", "")
        elif tag == "input" and a.get("type") == "file" and self._form is not None and a.get("name"):
            self._form["fields"][a["name"]] = {"kind": "file", "default": "", "options": []}


def _encode(pairs: list[tuple[str, bytes]]) -> bytes:
    return "&".join(f"{quote(k)}={quote_from_bytes(v)}" for k, v in pairs).encode("ascii")


def _rotate(values: list, start: int, count: int) -> list:
    return [values[(start + i) % len(values)] for i in range(min(count, len(values)))]


class Crawler:
    def __init__(self, app, world, persona: str, caplog):
        self.app = app
        self.persona = persona
        self.salt = PERSONAS.index(persona)
        self.caplog = caplog
        self.adapter = app.url_map.bind("localhost")
        rules = all_rules(app)
        self.rules = {key: rule for key, (rule, _module) in rules.items() if key not in SKIPPED}
        objects: dict = {}
        for module in {id(m): m for _r, m in rules.values()}.values():
            if hasattr(module, "setup"):
                objects.update(module.setup(world))
        self.valid = {key: {k: _resolve(v, world, objects) for k, v in rule.args.items()}
                      for key, rule in self.rules.items()}
        self.url_rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
        self.user = world.persona(persona)
        token = objects.get("api_tokens", {}).get(persona)
        self.bearer = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = app.test_client()
        self.failures: list[str] = []
        #: Row counts after the last post (None: a GET since may have written, count again).
        self.counts: dict[str, int] | None = None
        #: GET forms (filters, searches) by the path they send to: their fields and options.
        self.search_forms: dict[str, dict] = {}
        self.sent = 0
        self.refusals_checked = 0
        self.log_in()

    def log_in(self) -> None:
        if self.user is None:
            return
        response = self.client.post("/login", data={"email": self.user.email, "password": "correct horse battery"})
        assert response.status_code == 302, f"{self.persona} cannot log in"

    def still_signed_in(self) -> None:
        """A hostile send may have been accepted and ended the session (a password changed): sign in again
        so the rest of the crawl still reaches the pages behind login."""
        if self.user is None:
            return
        self.counts = None
        response = self.client.get("/account")
        response.close()
        if response.status_code in (301, 302, 303):
            self.client = self.app.test_client()
            response = self.client.post("/login", data={"email": self.user.email,
                                                         "password": "correct horse battery"})
            if response.status_code != 302:
                self.user = None  # the account is gone or its password changed: carry on anonymous

    def send(self, method: str, url: str, what: str, **kwargs):
        """One request; a server error, an exception or an ERROR log line is a failure, collected."""
        self.sent += 1
        if method == "GET":
            self.counts = None
        self.caplog.clear()
        headers = kwargs.pop("headers", {})
        if url.startswith("/api/"):
            headers = {**self.bearer, **headers}
        try:
            response = self.client.open(url, method=method, headers=headers, **kwargs)
        except Exception as exc:  # TESTING propagates the view's exception instead of a 500
            self.failures.append(f"{method} {url[:200]} [{what}]: {type(exc).__name__}: {str(exc)[:300]}")
            return None
        errors = [r.getMessage()[:200] for r in self.caplog.records if r.levelno >= logging.ERROR or r.exc_info]
        if response.status_code >= 500 or errors:
            self.failures.append(f"{method} {url[:200]} [{what}] -> {response.status_code} {errors}")
        return response

    # -- GET -----------------------------------------------------------------------------------

    def url_with(self, endpoint: str, method: str, odd: dict[str, str]) -> str | None:
        """The rule's address with its valid arguments, but the ones in `odd` (already encoded)."""
        rule = self.url_rules[endpoint]
        valid = self.valid.get((endpoint, method)) or self.valid.get((endpoint, "GET")) or {}
        if not odd:
            try:
                return self.adapter.build(endpoint, {n: valid.get(n, "x") for n in rule.arguments}, method=method)
            except (BuildError, ValueError):
                return None
        # Rebuild the path from the rule's pattern so odd values reach the router as sent.
        parts = []
        for is_dynamic, text in rule._trace:
            if is_dynamic:
                name = text
                if name in odd:
                    parts.append(odd[name])
                else:
                    parts.append(rule._converters[name].to_url(valid.get(name, "1")))
            else:
                parts.append(text)
        path = "".join(parts).split("|", 1)[-1]
        return path

    def crawl_gets(self) -> dict[str, dict]:
        """GETs every route (valid, then odd path values and odd query strings); returns the forms seen."""
        forms: dict[str, dict] = {}
        for n, (endpoint, method) in enumerate(sorted(self.rules)):
            if method != "GET":
                continue
            url = self.url_with(endpoint, "GET", {})
            if url is None:
                continue
            response = self.send("GET", url, "valid")
            if response is not None:
                if response.status_code == 200 and response.mimetype == "text/html":
                    self.collect(url, response.get_data(as_text=True), forms)
                response.close()
            for query in _rotate(ODD_QUERIES, n + self.salt * 2, 2):
                response = self.send("GET", f"{url}{'&' if '?' in url else '?'}{query}", "odd query")
                if response is not None:
                    response.close()
            for name in self.url_rules[endpoint].arguments:
                for value in _rotate(ODD_SEGMENTS, n + self.salt * 2, 2):
                    odd_url = self.url_with(endpoint, "GET", {name: value})
                    if odd_url:
                        response = self.send("GET", odd_url, f"odd {name}")
                        if response is not None:
                            response.close()
        return forms

    def collect(self, url: str, html: str, forms: dict[str, dict]) -> None:
        parser = FileFormCollector()
        parser.feed(html)
        for form in parser.forms:
            path = urlsplit(form["action"]).path or url.split("?")[0]
            if form["method"] == "GET":  # a filter or search form: its fields travel in the query
                self.search_forms.setdefault(path, {}).update(form["fields"])
                continue
            try:
                endpoint, _args = self.adapter.match(path, method="POST")
            except RoutingException:
                continue
            if (endpoint, "POST") in SKIPPED:
                continue
            known = forms.setdefault(path, {"endpoint": endpoint, "fields": {}, "enctype": ""})
            known["fields"].update(form["fields"])
            known["enctype"] = known["enctype"] or form.get("enctype", "")

    def crawl_search_forms(self) -> None:
        """Each GET form with hostile values in its fields, one field at a time, then all at once."""
        for n, (path, fields) in enumerate(sorted(self.search_forms.items())):
            defaults = [(name, f["default"].encode()) for name, f in fields.items() if f["kind"] != "file"]
            everything = []
            for i, (name, field) in enumerate(sorted(fields.items())):
                values = _rotate(VALUES.get(field["kind"], TEXT), n + i + self.salt * 2, 2)
                everything.append((name, values[0]))
                for value in values:
                    query = _encode([(k, value if k == name else v) for k, v in defaults])
                    response = self.send("GET", f"{path}?{query.decode()}", f"{name}={value[:20]!r}")
                    if response is not None:
                        response.close()
            if everything:
                response = self.send("GET", f"{path}?{_encode(everything + everything).decode()}", "all, twice")
                if response is not None:
                    response.close()

    # -- POST ----------------------------------------------------------------------------------

    def crawl_forms(self, forms: dict[str, dict]) -> None:
        for n, (path, form) in enumerate(sorted(forms.items())):
            fields = form["fields"]
            defaults = [(name, f["default"].encode()) for name, f in fields.items() if f["kind"] != "file"]
            for i, (name, field) in enumerate(sorted(fields.items())):
                values = VALUES.get(field["kind"], TEXT)
                for value in _rotate(values, n + i + self.salt * 2, 2):
                    pairs = [(k, value if k == name else v) for k, v in defaults]
                    if field["kind"] == "file":
                        pairs.append((name, value))  # text where a file is expected
                    self.post(path, _encode(pairs), f"{name}={value[:20]!r}",
                              content_type="application/x-www-form-urlencoded")
            shape = SHAPES[(n + self.salt) % len(SHAPES)]
            self.post_shape(path, defaults, fields, shape)
            self.still_signed_in()

    def crawl_other_writes(self, forms: dict[str, dict]) -> None:
        """The POST routes no page showed a form for (the API, buttons posted by scripts, routes the
        persona may not see): the authorization matrix's data with hostile values, and odd bodies."""
        shown = {form["endpoint"] for form in forms.values()}
        for n, (endpoint, method) in enumerate(sorted(self.rules)):
            if method == "GET" or endpoint in shown:
                continue
            url = self.url_with(endpoint, method, {})
            if url is None:
                continue
            data = [(k, str(v).encode()) for k, v in self.rules[(endpoint, method)].data.items()]
            for i, (name, _value) in enumerate(data):
                for value in _rotate(TEXT + NUMBER, n + i + self.salt * 2, 2):
                    self.post(url, _encode([(k, value if k == name else v) for k, v in data]), f"{name}={value[:20]!r}",
                              content_type="application/x-www-form-urlencoded", method=method)
            for body, content_type in _rotate(ODD_BODIES, n + self.salt, 2):
                self.post(url, body, f"body {content_type}", content_type=content_type, method=method)
            self.still_signed_in()

    def post(self, path: str, data, what: str, method: str = "POST", **kwargs) -> None:
        # The counts after the previous post are the counts before this one: one count per post.
        before = self.counts if self.counts is not None else _row_counts()
        response = self.send(method, path, what, data=data, **kwargs)
        self.counts = after = _row_counts()
        if response is None:
            return
        refused = _refused(response, "POST")  # any write method: a 4xx must leave the tables alone
        response.close()
        if refused:
            self.refusals_checked += 1
            changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            if changed:
                self.failures.append(f"POST {path} [{what}] refused ({response.status_code}) but wrote {changed}")

    def post_shape(self, path: str, defaults: list[tuple[str, bytes]], fields: dict, shape: str) -> None:
        if shape == "twice":  # an array for every scalar: each field given twice, the second hostile
            pairs = [p for k, v in defaults for p in ((k, v), (k, b"\x00" if v else BIG.encode()[:5000]))]
            self.post(path, _encode(pairs), shape, content_type="application/x-www-form-urlencoded")
        elif shape == "json":
            body = "{" + ", ".join(f'"{k}": [1, {{"a": null}}]' for k, _v in defaults) + "}"
            self.post(path, body, shape, content_type="application/json")
        elif shape == "xml":
            self.post(path, '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
                      shape, content_type="application/xml")
        elif shape == "text/plain":
            self.post(path, _encode(defaults), shape, content_type="text/plain")
        elif shape == "bogus boundary":
            body = b"--nope\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue\r\n--nope--\r\n"
            self.post(path, body, shape, content_type="multipart/form-data; boundary=somethingelse")
            self.post(path, b"garbage without any boundary", shape + " (no boundary)",
                      content_type="multipart/form-data")
        elif shape == "file for text":  # a file uploaded in place of every text field
            data = {k: (io.BytesIO(b"\x00\xff binary"), "evil\u202e.txt.exe") for k, _v in defaults}
            self.post(path, data, shape, content_type="multipart/form-data")
        elif shape == "charset":  # a charset the site never sends, and a body not in it
            self.post(path, _encode(defaults), shape, content_type="application/x-www-form-urlencoded; charset=utf-16")
        elif shape == "many fields":  # more parts than a form has, and a 10 KB field name
            pairs = defaults + [(f"f{i}", b"x") for i in range(5000)] + [("k" * 10_000, b"v")]
            self.post(path, _encode(pairs), shape, content_type="application/x-www-form-urlencoded")
        elif shape == "no csrf":
            self.app.config["WTF_CSRF_ENABLED"] = True
            try:
                self.post(path, _encode([(k, v) for k, v in defaults if k != "csrf_token"]), shape,
                          content_type="application/x-www-form-urlencoded")
            finally:
                self.app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize("persona", PERSONAS)
def test_hostile_crawl_gets_no_server_error_and_writes_nothing_when_refused(app, world, persona, caplog):
    caplog.set_level(logging.WARNING)
    crawler = Crawler(app, world, persona, caplog)
    forms = crawler.crawl_gets()
    assert forms or persona == "anonymous", "no form found: the collector is broken"
    crawler.crawl_search_forms()
    crawler.crawl_forms(forms)
    crawler.crawl_other_writes(forms)
    assert crawler.refusals_checked > 0 or not forms, "no refused post: the half-write check never ran"
    assert not crawler.failures, f"{len(crawler.failures)} of {crawler.sent}:\n" + "\n".join(crawler.failures[:60])



# -- What the crawler found, each fixed at its cause ---------------------------------------------

def _a_file() -> tuple[io.BytesIO, str]:
    return io.BytesIO(b"\x00\xff not text"), "evil.txt"


def test_a_file_sent_for_a_text_field_is_an_empty_field_not_an_error(client, world, login):
    """A forged multipart post with a file under a text field's name: the text validators used to
    get the FileStorage (len() of it, a 500); the field is now empty and says so."""
    from app.models import User
    login(world.trainee)
    response = client.post("/account", data={"name": _a_file(), "locale": "en", "timezone": "Europe/Stockholm"},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and b"is-invalid" in response.data
    from app.extensions import db
    db.session.expire_all()
    assert db.session.get(User, world.trainee.id).name == "Tina Trainee"


def test_a_file_sent_for_a_hidden_id_is_refused_with_a_message(client, world, login):
    login(world.facilitator)
    response = client.post(f"/cohorts/{world.cohort.id}/reminders", data={"activity_id": _a_file()},
                           content_type="multipart/form-data")
    assert response.status_code == 200


def test_a_file_for_a_file_field_still_reaches_it(client, world, login):
    """The CSV import keeps its upload: only files under text fields' names are dropped."""
    login(world.admin)
    csv = io.BytesIO(b"email,name,role\nnew.person@example.org,New Person,trainee\n")
    response = client.post(f"/admin/cohorts/{world.cohort.id}/import", data={"file": (csv, "people.csv")},
                           content_type="multipart/form-data")
    assert response.status_code < 500
    assert b"Choose a CSV file to upload." not in response.data


# -- A refused create form writes nothing, and shows again what was typed ------------------------

LONG = "Längre " * 15_000  # about 100 KB

CREATE_FORMS = [
    ("admin", "/admin/users/new", {"name": LONG}),
    ("admin", "/admin/users/new", {"email": "a@b"}),
    ("admin", "/admin/users/new", {"site_role": "emperor"}),
    ("admin", "/admin/runs/new", {"name": "Run", "starts_on": "2026-02-30"}),
    ("admin", "/admin/runs/new", {"name": "Run", "starts_on": "0000-00-00", "ends_on": "9999-12-31"}),
    ("admin", "/admin/cohorts/new", {"name": "Cohort", "run_id": str(2**31)}),
    ("admin", "/admin/cohorts/new", {"name": "Cohort", "run_id": "1.5", "country_id": "abc"}),
    ("admin", "/admin/cohorts/new", {"name": "Cohort", "kind": "galactic"}),
    ("trainee", "/a/journal/new", {"title": "Day one", "entry_date": "2026-02-30", "body": "x"}),
    ("trainee", "/a/journal/new", {"title": LONG, "entry_date": "2026-10-12", "body": "x"}),
    ("facilitator", "/meetings/cohort/{cohort}/new", {"title": "Kick-off", "starts_on": "2026-10-12", "hours": "-1"}),
    ("facilitator", "/meetings/cohort/{cohort}/new", {"title": "Kick-off", "starts_on": "2026-10-12",
                                                      "hours": str(10**30)}),
    ("facilitator", "/announcements/new", {"audience": "cohort:99999999999999999999", "subject": "Hello",
                                           "body": "x"}),
    ("facilitator", "/announcements/new", {"subject": LONG, "body": "x"}),
]


@pytest.mark.parametrize("persona, path, hostile", CREATE_FORMS)
def test_a_refused_create_form_writes_nothing_and_keeps_what_was_typed(client, world, login, persona, path, hostile):
    login(world.persona(persona))
    path = path.format(cohort=world.cohort.id)
    page = client.get(path)
    assert page.status_code == 200
    parser = FileFormCollector()
    parser.feed(page.get_data(as_text=True))
    fields = next(form["fields"] for form in parser.forms
                  if form["method"] == "POST" and hostile.keys() & form["fields"])
    assert hostile.keys() <= fields.keys(), f"the form has no field {hostile.keys() - fields.keys()}"
    data = {name: field["default"] for name, field in fields.items() if field["kind"] != "file"} | hostile
    before = _row_counts()
    response = client.post(path, data=data)
    assert _refused(response, "POST"), f"{path} {hostile} accepted ({response.status_code})"
    changed = {t: (before[t], n) for t, n in _row_counts().items() if before[t] != n}
    assert not changed, f"refused but wrote {changed}"
    typed = next((value for value in hostile.values() if value == LONG), None)
    if typed is not None and response.status_code == 200:
        assert LONG[:5000] in response.get_data(as_text=True), "the form lost what was typed"
