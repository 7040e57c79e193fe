"""Two app nodes (gunicorn, four workers each) behind nginx, sharing PostgreSQL, Redis and the
upload folder, no sticky sessions: logins, throttling, uploads and e-mail work across the nodes, and
fifty trainees saving and handing in for a minute, some racing on the same drafts, get no server
error and lose or duplicate no write."""
from __future__ import annotations

import os
import re
import time
from collections import Counter
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from config import normalise_database_url
from deploy.stack import Stack, free_port
from tests.scaleout.conftest import check_prerequisites, postgres_url
from tests.scaleout.nodes import NodeBrowser
from tests.scaleout.workload import PASSWORD, Ledger, check_ledger, run_trainees

pytestmark = pytest.mark.scaleout

TRAINEES = 50
#: Ten of the trainees work in three browsers at once, on the same drafts.
RACING, BROWSERS_PER_RACER = 10, 3
#: Load trainees beyond the fifty, for the tests that pick a node (they must not disturb the ledger).
UPLOADER, MAILED, THROTTLED, TRAVELLER = (f"load-{n:03d}@scaleout.example.org" for n in range(51, 55))
SECONDS = float(os.environ.get("SCALEOUT_SECONDS", "60"))
PDF = b"%PDF-1.4\n% a portrait of my practice\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


class Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def smtp():
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, collector
    controller.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, smtp):
    server = postgres_url()
    check_prerequisites()
    controller, _ = smtp
    mail = {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(controller.port)}
    with Stack(server, run_dir=tmp_path_factory.mktemp("stack"), nodes=2, workers=4, trainees=TRAINEES + 4,
               env=mail, drop_database_at_stop=True) as running:
        yield running


@pytest.fixture(scope="module")
def database(stack):
    engine = create_engine(normalise_database_url(stack.database_url))
    yield engine
    engine.dispose()


def served(stack, node: int, method: str, path: str) -> int:
    """How many times the node's gunicorn logged this request."""
    log = (stack.run_dir / f"node-{'ab'[node]}-access.log").read_text()
    return log.count(f'"{method} {path}"')


def test_a_login_on_one_node_is_a_session_on_the_other_and_a_logout_there_ends_it(stack):
    browser = NodeBrowser(stack).on(0)
    assert browser.log_in(TRAVELLER, PASSWORD).status_code == 302
    home = browser.on(1).get("/home")
    assert home.status_code == 200 and "Log out" in home.text
    assert browser.post("/logout", data={"csrf_token": browser.csrf("/home")}).status_code == 302
    again = browser.on(0).get("/home")
    assert again.status_code == 302 and "/login" in again.headers["location"]
    assert served(stack, 0, "POST", "/login") >= 1 and served(stack, 1, "POST", "/logout") >= 1


def test_failed_logins_on_one_node_count_on_the_other(stack):
    browser = NodeBrowser(stack).on(0)
    token = browser.csrf("/login")
    for _ in range(5):  # LOGIN_LIMIT_PER_ACCOUNT: 5 per 15 minutes for this account and client
        wrong = browser.post("/login", data={"csrf_token": token, "email": THROTTLED, "password": "not-the-password"})
        assert wrong.status_code == 200 and "The e-mail or password is not right." in wrong.text
    # Without the shared Redis, node B's workers would have counted nothing yet.
    sixth = browser.on(1).post("/login", data={"csrf_token": token, "email": THROTTLED, "password": PASSWORD})
    assert sixth.status_code == 429 and "Too many failed attempts" in sixth.text


def test_a_file_uploaded_through_one_node_downloads_from_the_other(stack):
    browser = NodeBrowser(stack).on(0)
    assert browser.log_in(UPLOADER, PASSWORD).status_code == 302
    page = browser.get("/a/assignment/bring-your-practice")
    fields = dict(re.findall(r'name="(csrf_token|draft_key|draft_version|base_version)"[^>]*value="([^"]*)"',
                             page.text))
    saved = browser.post("/a/assignment/bring-your-practice", data={**fields, "action": "save"},
                         files={"files": ("portrait.pdf", PDF, "application/pdf")})
    assert saved.status_code == 302, saved.text[:500]
    other = browser.on(1).get("/a/assignment/bring-your-practice")
    [file_id] = set(re.findall(r"/a/assignment/file/(\d+)", other.text))
    download = browser.get(f"/a/assignment/file/{file_id}")
    assert download.status_code == 200 and download.content == PDF
    assert [p.read_bytes() for p in stack.upload_dir.rglob("*") if p.is_file()] == [PDF]


def test_an_e_mail_queued_by_a_node_is_delivered_by_the_worker(stack, smtp, database):
    _, collector = smtp
    browser = NodeBrowser(stack).on(1)
    sent = browser.post("/reset-password", data={"csrf_token": browser.csrf("/reset-password"), "email": MAILED})
    assert sent.status_code == 302
    status = None
    for _ in range(150):  # up to 30 s
        with database.connect() as conn:
            status = conn.execute(text("SELECT status FROM outbox_message WHERE \"to\" = :to"), {"to": MAILED}).scalar()
        if status == "sent":
            break
        time.sleep(0.2)
    assert status == "sent"
    assert [m["To"] for m in collector.messages].count(MAILED) == 1
    assert "Job OK" in stack.log_tail("worker", 20000)  # the worker sent it, not the node


def nginx_log(stack) -> list[dict[str, str]]:
    pattern = re.compile(r'"(?P<method>\S+) (?P<path>\S+)" (?P<status>\d+) .* upstream=(?P<upstream>\S+)')
    lines = (stack.run_dir / "nginx-access.log").read_text().splitlines()
    return [m.groupdict() for m in map(pattern.search, lines) if m]


def test_fifty_trainees_racing_on_their_drafts_for_a_minute_lose_nothing_and_see_no_server_error(stack, database):
    ledger = Ledger()
    emails = [f"load-{n:03d}@scaleout.example.org" for n in range(1, TRAINEES + 1)]
    run_trainees(stack.url, str(stack.certificate), emails, racing=RACING, browsers_per_racer=BROWSERS_PER_RACER,
                 seconds=SECONDS, ledger=ledger)

    assert ledger.server_errors == [] and ledger.locked == [] and ledger.unexpected == []
    assert check_ledger(ledger, database) == []
    # The races happened and were answered as conflicts, and work got through (how much depends on
    # the machine: no count of it is asserted).
    assert ledger.conflicts["autosave"] > 0 and ledger.hand_ins and len(ledger.drafts) >= TRAINEES
    assert ledger.logins > TRAINEES + RACING * (BROWSERS_PER_RACER - 1)  # some logged out and in again
    requests = nginx_log(stack)
    assert [r for r in requests if int(r["status"]) >= 500] == []
    nodes = {f"127.0.0.1:{port}" for port in stack.node_ports}
    by_node = Counter(r["upstream"] for r in requests if r["upstream"] in nodes)
    assert set(by_node) == nodes and min(by_node.values()) > 0.3 * sum(by_node.values()), by_node
    for method, path in (("POST", "/login"), ("POST", "/logout"), ("POST", "/drafts/save")):
        assert {r["upstream"] for r in requests if (r["method"], r["path"]) == (method, path)} == nodes, path
