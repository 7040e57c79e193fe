"""Simulated trainees for the scale-out tests: each logs in, autosaves drafts, saves the full form
and hands in, one assignment after another, and now and then logs out and in again. Some trainees
work in several browsers at once on the same draft (a phone and a laptop), each with the version
it last saw, so their saves race; the loser must get the conflict answer, never a 500 and never
a silent overwrite.

Everything the server acknowledged is written into a Ledger; `check_ledger` then compares it
with the database: every acknowledged write is there exactly once and nothing else is."""
from __future__ import annotations

import json
import random
import re
import ssl
import string
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import httpx
from sqlalchemy import text

PASSWORD = "life-demo-2026"
#: Text assignments each trainee hands in, in this order; the last one is only ever drafted.
HAND_IN = ["my-practice-context", "first-idea", "factors-map", "reframing-exercise", "stakeholder-conversation"]
KEEP_DRAFTING = "micro-innovation-plan"
LOCKED = "database is locked"
HANDED_IN = re.compile(r"Handed in: version (\d+)\.")
DRAFT_SAVED = "Your draft is saved. Nothing has been handed in yet."
#: A bound on each browser's requests, whatever the clock says.
MAX_REQUESTS = 3000


class Ledger:
    """What the server answered and acknowledged, filled by every browser thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.server_errors: list[str] = []
        self.locked: list[str] = []
        self.unexpected: list[str] = []
        #: (email, draft key) -> [(version, token)] of every draft write the server acknowledged.
        self.drafts: dict[tuple[str, str], list[tuple[int, str]]] = {}
        #: (email, slug) -> [(version number, token)] of every hand-in acknowledged.
        self.hand_ins: dict[tuple[str, str], list[tuple[int, str]]] = {}
        #: (email, draft key) of the drafts handed in (the hand-in discards the draft).
        self.handed_keys: set[tuple[str, str]] = set()
        self.conflicts = Counter[str]()
        self.logins = 0
        self._tokens = 0

    def token(self) -> str:
        """Unique, and letters only: no run of digits the privacy check could take for a phone number."""
        with self.lock:
            self._tokens += 1
            n, letters = self._tokens, ""
        while n:
            n, digit = divmod(n, 26)
            letters += string.ascii_lowercase[digit]
        return f"tok{letters}x"

    def saw(self, method: str, path: str, response: httpx.Response) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code >= 500:
                self.server_errors.append(f"{method} {path} -> {response.status_code}")
            if LOCKED in response.text:
                self.locked.append(f"{method} {path} -> {response.status_code}")

    def wrote_draft(self, email: str, key: str, version: int, token: str) -> None:
        with self.lock:
            self.drafts.setdefault((email, key), []).append((version, token))

    def handed_in(self, email: str, form: Form, number: int, token: str) -> None:
        with self.lock:
            self.hand_ins.setdefault((email, form.slug), []).append((number, token))
            self.handed_keys.add((email, form.key))

    def odd(self, what: str) -> None:
        with self.lock:
            self.unexpected.append(what)

    def conflict(self, kind: str) -> None:
        with self.lock:
            self.conflicts[kind] += 1


class _WorkForm(HTMLParser):
    """The hidden fields of the assignment's work form (the one with data-autosave)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form" and "data-autosave" in values:
            self.inside = True
        elif tag == "input" and self.inside and values.get("type") == "hidden" and values.get("name"):
            self.fields[values["name"] or ""] = values.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


@dataclass
class Form:
    slug: str
    fields: dict[str, str]
    version: int

    @property
    def key(self) -> str:
        return self.fields["draft_key"]


@dataclass
class Browser:
    """One browser of one trainee, talking to nginx like a real one (cookies, CSRF tokens)."""

    base_url: str
    certificate: str
    email: str
    ledger: Ledger
    requests: int = 0
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        # Referer: over HTTPS, Flask-WTF refuses a form post that does not come from this site.
        context = ssl.create_default_context(cafile=self.certificate)
        self.http = httpx.Client(base_url=self.base_url, verify=context, timeout=60, follow_redirects=False,
                                 headers={"Referer": f"{self.base_url}/"})

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self.requests += 1
        response = self.http.request(method, path, **kwargs)
        self.ledger.saw(method, path, response)
        return response

    def expect(self, response: httpx.Response, *statuses: int) -> bool:
        if response.status_code in statuses:
            return True
        self.ledger.odd(f"{response.request.method} {response.request.url.path} -> {response.status_code}")
        return False

    def csrf(self, path: str) -> str:
        response = self.request("GET", path)
        match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', response.text)
        return match.group(1) if match else ""

    def log_in(self) -> bool:
        token = self.csrf("/login")
        response = self.request("POST", "/login", data={"csrf_token": token, "email": self.email, "password": PASSWORD})
        with self.ledger.lock:
            self.ledger.logins += 1
        return self.expect(response, 302)

    def log_out(self) -> bool:
        token = self.csrf("/home")
        return self.expect(self.request("POST", "/logout", data={"csrf_token": token}), 302)

    def open(self, slug: str) -> Form | None:
        """The work form of the assignment, or None when it is handed in (or the page failed)."""
        response = self.request("GET", f"/a/assignment/{slug}")
        if not self.expect(response, 200):
            return None
        parser = _WorkForm()
        parser.feed(response.text)
        if "draft_key" not in parser.fields:
            return None
        return Form(slug, parser.fields, int(parser.fields.get("draft_version") or 0))

    def _data(self, form: Form, token: str, **extra: str) -> dict[str, str]:
        body = f"Practice note {token}: we tried a shorter meeting with the family and wrote down what changed."
        return {**form.fields, "draft_version": str(form.version), "body": body, **extra}

    def autosave(self, form: Form, token: str) -> None:
        response = self.request("POST", "/drafts/save", data=self._data(form, token),
                                headers={"Accept": "application/json"})
        if response.status_code == 200:
            form.version = response.json()["version"]
            self.ledger.wrote_draft(self.email, form.key, form.version, token)
        elif response.status_code == 409 and response.json().get("error") == "conflict":
            self.ledger.conflict("autosave")
            form.version = response.json().get("version") or -1  # -1: the draft is gone (handed in)
        else:
            self.expect(response, 200, 409)

    def _flash_after(self, response: httpx.Response) -> str:
        if response.status_code != 302:
            return ""
        page = self.request("GET", response.headers["location"])
        return page.text if self.expect(page, 200) else ""

    def save(self, form: Form, token: str) -> None:
        """The "Save draft" button: a redirect and the message on the next page when it was saved."""
        response = self.request("POST", f"/a/assignment/{form.slug}", data=self._data(form, token, action="save"))
        if not self.expect(response, 200, 302):
            return
        if DRAFT_SAVED in self._flash_after(response):
            form.version += 1
            self.ledger.wrote_draft(self.email, form.key, form.version, token)
        else:  # the conflict message: reload the page, as the message says, and go on from there
            self.ledger.conflict("save")
            fresh = self.open(form.slug)
            form.version = fresh.version if fresh is not None else -1

    def hand_in(self, form: Form, token: str) -> None:
        response = self.request("POST", f"/a/assignment/{form.slug}", data=self._data(form, token, action="submit"))
        if not self.expect(response, 200, 302):
            return
        handed = HANDED_IN.search(self._flash_after(response))
        if handed:
            self.ledger.wrote_draft(self.email, form.key, form.version + 1, token)
            self.ledger.handed_in(self.email, form, int(handed.group(1)), token)
        else:
            self.ledger.conflict("hand-in")


class Trainee:
    """One trainee's browsers (one, or several racing on the same drafts), each in its own thread."""

    def __init__(self, browsers: list[Browser], deadline: float, seed: int):
        self.browsers = browsers
        self.deadline = deadline
        self.rng = random.Random(seed)
        self.stop = False
        self.barrier = threading.Barrier(len(browsers), action=self._decide, timeout=120)
        self.form: dict[int, Form | None] = {}

    def _decide(self) -> None:
        """Every browser of the trainee learns at the same moment whether to go on."""
        self.stop = time.monotonic() > self.deadline or any(b.requests > MAX_REQUESTS for b in self.browsers)

    def threads(self) -> list[threading.Thread]:
        return [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(len(self.browsers))]

    def _run(self, index: int) -> None:
        browser = self.browsers[index]
        rng = random.Random(self.rng.random() + index)
        try:
            if not browser.log_in():
                return
            for slug in [*HAND_IN, *[KEEP_DRAFTING] * 1000]:
                self.barrier.wait()
                if self.stop:
                    break
                self._work_on(index, browser, slug, rng)
        except threading.BrokenBarrierError:
            browser.ledger.odd(f"{browser.email}: a browser of this trainee stopped early")
        except Exception as exc:  # a transport error is a failure of the stack, reported, not a crash
            browser.ledger.odd(f"{browser.email}: {type(exc).__name__}: {exc}")
            self.barrier.abort()

    def _work_on(self, index: int, browser: Browser, slug: str, rng: random.Random) -> None:
        ledger = browser.ledger
        # The first browser makes the first save (so no one else starts from "no draft").
        if index == 0:
            form = browser.open(slug)
            if form is not None and form.version == 0:
                browser.autosave(form, ledger.token())
            self.form[index] = form
        self.barrier.wait()
        form = self.form.get(0) if index == 0 else browser.open(slug)
        if form is None or form.version <= 0:
            self.barrier.wait()
            return
        for _ in range(rng.randint(3, 8)):
            if form.version <= 0 or time.monotonic() > self.deadline:  # past it: save and hand in, then stop
                break
            browser.autosave(form, ledger.token())
            time.sleep(rng.random() * 0.05)
        if form.version > 0:
            browser.save(form, ledger.token())
        self.barrier.wait()  # then every browser hands in with the version it has: one wins at most
        if slug != KEEP_DRAFTING and form.version > 0:
            browser.hand_in(form, ledger.token())
        if rng.random() < 0.25 and browser.log_out():
            browser.log_in()


def run_trainees(base_url: str, certificate: str, emails: list[str], *, racing: int, browsers_per_racer: int,
                 seconds: float, ledger: Ledger) -> None:
    """`racing` of the trainees work in `browsers_per_racer` browsers at once; the others in one."""
    deadline = time.monotonic() + seconds
    trainees = [Trainee([Browser(base_url, certificate, email, ledger)
                         for _ in range(browsers_per_racer if n < racing else 1)], deadline, seed=n)
                for n, email in enumerate(emails)]
    threads = [t for trainee in trainees for t in trainee.threads()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 240)
    if any(thread.is_alive() for thread in threads):
        ledger.odd("some browsers were still working long after the deadline")
    for trainee in trainees:
        for browser in trainee.browsers:
            browser.http.close()


# --- counting afterwards -----------------------------------------------------------------------

def _data(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else value


def check_ledger(ledger: Ledger, engine) -> list[str]:
    """Every acknowledged write is in the database exactly once: the problems found (none: all is well)."""
    problems: list[str] = []
    with engine.connect() as conn:
        drafts = {(row.email, row.key): (row.version, _data(row.data)) for row in conn.execute(text(
            'SELECT u.email, d.key, d.version, d.data FROM draft d JOIN "user" u ON u.id = d.user_id '
            "WHERE u.email LIKE 'load-%'"))}
        versions = list(conn.execute(text(
            'SELECT u.email, a.slug, v.number, v.body_html FROM assignment_version v '
            "JOIN assignment_submission s ON s.id = v.submission_id JOIN \"user\" u ON u.id = s.user_id "
            "JOIN activity a ON a.id = s.activity_id WHERE u.email LIKE 'load-%'")))
    for (email, key), writes in ledger.drafts.items():
        numbers = [v for v, _ in writes]
        if len(numbers) != len(set(numbers)):
            twice = sorted(v for v, n in Counter(numbers).items() if n > 1)
            problems.append(f"{email} {key}: versions {twice} were acknowledged to two saves (a lost write)")
        stored = drafts.get((email, key))
        if (email, key) in ledger.handed_keys:
            if stored is not None:
                problems.append(f"{email} {key}: handed in, but a draft is left")
            continue
        last_version, last_token = max(writes)
        if stored is None:
            problems.append(f"{email} {key}: the draft acknowledged as version {last_version} is missing")
        elif stored[0] != last_version or last_token not in str(stored[1].get("body")):
            problems.append(f"{email} {key}: stored version {stored[0]} is not the last acknowledged "
                            f"({last_version}, {last_token})")
    stored_hand_ins = Counter((row.email, row.slug) for row in versions)
    for (email, slug), acks in ledger.hand_ins.items():
        if len(acks) != 1:
            problems.append(f"{email} {slug}: {len(acks)} hand-ins acknowledged, one expected")
        for number, token in acks:
            rows = [r for r in versions if r.email == email and r.slug == slug and token in r.body_html]
            if len(rows) != 1 or rows[0].number != number:
                problems.append(f"{email} {slug}: hand-in {token} (version {number}) is stored {len(rows)} times")
    for (email, slug), count in stored_hand_ins.items():
        if count != len(ledger.hand_ins.get((email, slug), [])):
            problems.append(f"{email} {slug}: {count} versions stored, "
                            f"{len(ledger.hand_ins.get((email, slug), []))} acknowledged")
    return problems

