"""xAPI learning records: completions and hand-ins reach a configured LRS after the commit, with
the actor as a platform account (never the e-mail), ADL verbs, the activity's address and name,
retried on failure without duplicates; off by default. The LRS is a small HTTP server in a thread
that checks what a real one checks (X-Experience-API-Version, Basic auth) and keeps statements
by id as the xAPI specification says (the same id again: no second statement)."""
from __future__ import annotations

import base64
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app import xapi
from app.extensions import db
from app.models import OutboxStatus, XapiStatement
from app.services import privacy

from .programme_data import build_programme

USER, PASSWORD = "lrs-key", "lrs-secret"


class FakeLrs:
    def __init__(self) -> None:
        self.statements: dict[str, dict] = {}
        self.requests: list[dict] = []
        self.down = False  # answer 503
        self.lose_answer = False  # store, then answer 502 (the answer is lost on the way)
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_PUT(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                query = parse_qs(urlsplit(self.path).query)
                lrs.requests.append({"path": urlsplit(self.path).path, "query": query, "headers": dict(self.headers),
                                     "body": body})
                self.send_response(lrs.answer(self.headers, query, body))
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/xapi/"

    def answer(self, headers, query, body: bytes) -> int:
        if headers.get("X-Experience-API-Version", "").split(".")[:2] != ["1", "0"]:
            return 400
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if headers.get("Authorization") != expected:
            return 401
        if self.down:
            return 503
        statement = json.loads(body)
        sid = query.get("statementId", [""])[0]
        if sid != statement.get("id"):
            return 400
        if sid in self.statements:
            return 204 if self.statements[sid] == statement else 409
        self.statements[sid] = statement
        return 502 if self.lose_answer else 204

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def lrs(app, monkeypatch):
    server = FakeLrs()
    monkeypatch.setitem(app.config, "XAPI_ENDPOINT", server.url)
    monkeypatch.setitem(app.config, "XAPI_USERNAME", USER)
    monkeypatch.setitem(app.config, "XAPI_PASSWORD", PASSWORD)
    yield server
    server.close()


def _lesson(world, translations=None):
    built = build_programme(run=world.run)
    activity = built.activities[0]
    if translations:
        activity.translations = translations
    db.session.commit()
    return activity


def _done(client, activity):
    response = client.post(f"/a/reading/{activity.slug}/done")
    assert response.status_code == 302, response.get_data(as_text=True)
    response.close()  # the server closes the response once it has gone out: then the statement leaves
    return response


def test_off_by_default_nothing_is_recorded(client, world, login, app):
    assert not app.config.get("XAPI_ENDPOINT")
    activity = _lesson(world)
    login(world.trainee)
    _done(client, activity)
    assert db.session.scalar(select(XapiStatement)) is None


def test_a_completion_reaches_the_lrs_as_an_account_never_the_email(client, world, login, lrs, app):
    activity = _lesson(world, {"sv": {"title": "Lektion 1.1"}})
    world.trainee.locale = "sv"
    db.session.commit()
    login(world.trainee)
    _done(client, activity)
    assert len(lrs.requests) == 1
    request = lrs.requests[0]
    assert request["path"] == "/xapi/statements" and request["headers"]["X-Experience-API-Version"] == "1.0.3"
    statement = json.loads(request["body"])
    assert request["query"]["statementId"] == [statement["id"]]
    site = app.config["PUBLIC_URL"].rstrip("/")
    assert statement["actor"] == {"objectType": "Agent", "account": {"homePage": site, "name": str(world.trainee.id)}}
    assert world.trainee.email.encode() not in request["body"] and world.trainee.name.encode() not in request["body"]
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert statement["object"]["id"] == f"{site}/a/reading/{activity.slug}"
    assert statement["object"]["definition"]["name"] == {"en": "Lesson 1.1", "sv": "Lektion 1.1"}
    assert statement["result"] == {"completion": True} and statement["timestamp"].endswith("Z")
    row = db.session.get(XapiStatement, statement["id"])
    assert row.status == OutboxStatus.SENT and row.sent_at is not None and row.attempts == 1
    # Marking it done again is not a second completion, and not a second statement.
    _done(client, activity)
    assert len(lrs.requests) == 1 and db.session.query(XapiStatement).count() == 1


def test_an_lrs_that_is_down_never_blocks_the_page_and_the_retry_sends_one_statement(client, world, login, lrs, app):
    activity = _lesson(world)
    lrs.down = True
    login(world.trainee)
    _done(client, activity)  # the page answers as usual
    row = db.session.scalar(select(XapiStatement))
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and row.last_error == "LrsRefused: HTTP 503"
    assert row.next_attempt_at > row.created_at
    # The LRS stores the next try but its answer is lost: the try after that is the same id.
    lrs.down, lrs.lose_answer = False, True
    cli = app.test_cli_runner()
    result = cli.invoke(args=["outbox", "deliver", "--now"])
    assert result.exit_code == 0 and "0 learning record(s) sent" in result.output
    lrs.lose_answer = False
    result = cli.invoke(args=["outbox", "deliver", "--now"])
    assert "1 learning record(s) sent" in result.output
    assert len(lrs.statements) == 1 and len(lrs.requests) == 3
    assert {json.loads(r["body"])["id"] for r in lrs.requests} == {row.id}
    db.session.expire_all()
    assert db.session.get(XapiStatement, row.id).status == OutboxStatus.SENT


def test_failed_records_show_on_the_outbox_page_and_an_admin_sends_them_again(client, world, login, lrs, app):
    activity = _lesson(world)
    lrs.down = True
    login(world.trainee)
    _done(client, activity)
    row = db.session.scalar(select(XapiStatement))
    row.status, row.attempts = OutboxStatus.FAILED, 6
    db.session.commit()
    client.post("/logout")
    login(world.admin)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Learning records (xAPI)" in page and f"sent as xAPI statements to {lrs.url}" in page
    assert "LrsRefused: HTTP 503" in page and "Send the failed learning records again" in page
    lrs.down = False
    response = client.post("/admin/outbox/xapi/retry")
    assert response.status_code == 302
    response.close()
    db.session.expire_all()
    assert db.session.get(XapiStatement, row.id).status == OutboxStatus.SENT and len(lrs.statements) == 1


def test_the_outbox_page_says_when_xapi_is_off(client, world, login):
    login(world.admin)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Off: no learning records are sent." in page


def test_a_hand_in_is_a_submitted_statement_per_version(client, world, login, lrs):
    from modules.assignment.tests.helpers import build_assignments, pdf_bytes
    a = build_assignments(world)
    db.session.commit()
    login(world.trainee)
    response = client.post("/a/assignment/asg-files", data={
        "action": "submit", "draft_key": f"assignment:{a.files.id}", "draft_version": 0, "base_version": 0,
        "files": (io.BytesIO(pdf_bytes()), "portrait.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert lrs.requests == []  # nothing leaves before the response has gone out
    response.close()
    verbs = sorted(s["verb"]["id"] for s in lrs.statements.values())
    # This task is complete when handed in: a hand-in and a completion.
    assert verbs == ["http://activitystrea.ms/schema/1.0/submit", "http://adlnet.gov/expapi/verbs/completed"]
    submitted = next(s for s in lrs.statements.values() if s["verb"]["display"] == {"en": "submitted"})
    assert submitted["object"]["id"].endswith("/a/assignment/asg-files")
    assert list(submitted["context"]["extensions"].values()) == [1]
    assert b"portrait.pdf" not in b"".join(r["body"] for r in lrs.requests)  # nothing of the work itself


def test_statement_ids_are_deterministic_and_a_rolled_back_event_sends_nothing(client, world, login, lrs, app):
    activity = _lesson(world)
    first = xapi.statement_id("completed", world.trainee, activity)
    assert first == xapi.statement_id("completed", world.trainee, activity)
    assert first != xapi.statement_id("completed", world.trainee_other, activity)
    assert xapi.statement_id("submitted", world.trainee, activity, 1) != xapi.statement_id(
        "submitted", world.trainee, activity, 2)
    xapi.record("completed", world.trainee, activity)
    db.session.rollback()
    assert db.session.scalar(select(XapiStatement)) is None and lrs.requests == []


def test_erasure_deletes_the_records_and_the_data_download_lists_them(client, world, login, lrs):
    activity = _lesson(world)
    login(world.trainee)
    _done(client, activity)
    exported = privacy.export_data(world.trainee)["core"]["learning_records"]
    assert len(exported) == 1 and exported[0]["status"] == "sent"
    privacy.erase(world.trainee, by=world.admin)
    db.session.commit()
    assert db.session.scalar(select(XapiStatement)) is None


def test_xapi_auth_is_sent_as_the_whole_authorization_header(client, world, login, lrs, app, monkeypatch):
    header = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    monkeypatch.setitem(app.config, "XAPI_USERNAME", None)
    monkeypatch.setitem(app.config, "XAPI_AUTH", header)
    activity = _lesson(world)
    login(world.trainee)
    _done(client, activity)
    assert len(lrs.statements) == 1 and lrs.requests[0]["headers"]["Authorization"] == header


def test_wrong_credentials_are_kept_as_the_error_for_the_admin(client, world, login, lrs, app, monkeypatch):
    monkeypatch.setitem(app.config, "XAPI_PASSWORD", "wrong")
    activity = _lesson(world)
    login(world.trainee)
    _done(client, activity)
    row = db.session.scalar(select(XapiStatement))
    assert lrs.statements == {} and row.status == OutboxStatus.PENDING and row.last_error == "LrsRefused: HTTP 401"
