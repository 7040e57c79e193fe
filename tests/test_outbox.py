"""E-mail leaves after the commit, through the outbox: an SMTP outage loses nothing, a failed
commit sends nothing and leaves no file, a message is never sent twice, and with Redis a worker
sends what a request only queued."""
from __future__ import annotations

import io
import shutil
import socket
import subprocess
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db
from app.models import OutboxMessage, OutboxStatus
from app.outbox import deliver_due, queue_mail
from modules.assignment.models import File, Submission
from modules.assignment.tests.helpers import build_assignments
from tests.conftest import make_config


class Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 302


def hand_in(client):
    response = client.post("/a/assignment/asg-text", data={"body": "My practice context", "action": "submit",
                                                         "draft_version": 0, "base_version": 0})
    assert response.status_code == 302
    return db.session.scalar(select(Submission))


def outbox_rows():
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def smtp_app(db_url, tmp_path):
    port = free_port()
    app = create_app(make_config(db_url, tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port))
    yield app, port
    with app.app_context():
        db.engine.dispose()


def test_released_feedback_survives_an_smtp_outage_and_arrives_once_when_it_is_back(smtp_app, world):
    app, port = smtp_app
    build_assignments(world)
    trainee, facilitator, admin = app.test_client(), app.test_client(), app.test_client()
    log_in(trainee, world.trainee)
    submission = hand_in(trainee)
    log_in(facilitator, world.facilitator)
    # No SMTP server listens on `port`: the release must still succeed.
    response = facilitator.post(f"/a/assignment/submission/{submission.id}/feedback",
                                data={"body": "Please add one example.", "decision": "revise", "action": "release"})
    assert response.status_code == 302
    [waiting] = outbox_rows()
    assert waiting.status == OutboxStatus.PENDING and waiting.attempts == 1 and waiting.to == world.trainee.email
    assert "Connection" in waiting.last_error and "Please add one example" not in waiting.last_error

    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        log_in(admin, world.admin)
        page = admin.get("/admin/outbox").get_data(as_text=True)
        assert world.trainee.email in page and "assignment.feedback" in page and "Please add" not in page
        assert admin.post(f"/admin/outbox/{waiting.id}/retry").status_code == 302
        assert [m["To"] for m in collector.messages] == [world.trainee.email]
        assert "revise" in collector.messages[0]["Subject"]
        with app.app_context():  # this app's, not the session's
            assert deliver_due() == 0
            assert "0 e-mail(s) sent" in app.test_cli_runner().invoke(args=["outbox", "deliver", "--now"]).output
        assert len(collector.messages) == 1  # never twice
        assert outbox_rows()[0].status == OutboxStatus.SENT
    finally:
        controller.stop()


def test_a_failed_commit_sends_nothing_and_leaves_no_file(app, client, world, login, outbox):
    build_assignments(world)
    login(world.trainee)
    submission = hand_in(client)
    client.post("/logout")
    login(world.facilitator)
    folder = Path(app.config["UPLOAD_DIR"]) / "assignment"
    before = set(folder.glob("*"))

    def refuse(_session):
        raise RuntimeError("the database went away")

    event.listen(Session, "before_commit", refuse)
    try:
        with pytest.raises(RuntimeError):
            client.post(f"/a/assignment/submission/{submission.id}/feedback",
                        data={"body": "Well done.", "decision": "accept", "action": "release",
                              "files": (io.BytesIO(b"%PDF-1.4 notes"), "notes.pdf")},
                        content_type="multipart/form-data")
    finally:
        event.remove(Session, "before_commit", refuse)
    assert outbox == [] and outbox_rows() == []
    assert db.session.scalar(select(func.count()).select_from(File).where(File.feedback_id.is_not(None))) == 0
    assert set(folder.glob("*")) == before


def test_after_the_response_mode_sends_only_once_the_response_is_closed(app, client, world, login, outbox,
                                                                        monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "response")
    build_assignments(world)
    login(world.trainee)
    submission = hand_in(client)
    client.post("/logout")
    login(world.facilitator)
    response = client.post(f"/a/assignment/submission/{submission.id}/feedback",
                           data={"body": "Fine.", "decision": "accept", "action": "release"})
    assert response.status_code == 302 and outbox == []
    assert [m.status for m in outbox_rows()] == [OutboxStatus.PENDING]
    response.close()  # what the server does once the response has gone out
    assert [m["To"] for m in outbox] == [world.trainee.email]
    assert [m.status for m in outbox_rows()] == [OutboxStatus.SENT]


def test_a_message_another_deliverer_claimed_is_not_sent_again(app, world, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "rq")  # nothing leaves at the commit
    monkeypatch.setattr("app.outbox.enqueue_delivery", lambda delay=None: None)
    queue_mail(world.trainee.email, "One", "Body one", kind="test")
    claimed = queue_mail(world.trainee.email, "Two", "Body two", kind="test")
    db.session.commit()
    claimed.status = OutboxStatus.SENDING
    db.session.commit()
    assert deliver_due() == 1 and deliver_due() == 0
    assert [m["Subject"] for m in outbox] == ["One"]


def test_header_values_lose_their_line_breaks(app, world, outbox):
    queue_mail(world.trainee.email, "About “Line one\nBcc: evil@example.org”", "Body", kind="test")
    db.session.commit()
    [sent] = outbox
    assert sent["Subject"] == "About “Line one Bcc: evil@example.org”" and sent["Bcc"] is None


@pytest.fixture
def redis_url():
    """A throw-away Redis for this test: an existing server is never touched."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is needed for this test: apt-get install redis-server")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


# The second app's worker leaves one pooled psycopg connection to the garbage collector on
# PostgreSQL (a warning at collection time, not a failure of what the test checks).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_with_redis_a_reminder_to_many_queues_and_the_worker_sends(db_url, tmp_path, world, factory, redis_url):
    from modules.evaluation.tests.helpers import evaluation_for_world, trainees
    activity = evaluation_for_world(world)
    trainees(factory, world.cohort, 30)
    app = create_app(make_config(db_url, tmp_path, MAIL_BACKEND="memory", MAIL_DELIVERY="", REDIS_URL=redis_url))
    try:
        facilitator = app.test_client()
        log_in(facilitator, world.facilitator)
        response = facilitator.post(f"/a/evaluation/results/cohort-{world.cohort.id}/i/{activity.slug}/remind")
        assert response.status_code == 302
        sent = app.extensions.setdefault("life_mail_sent", [])
        assert sent == []  # the request queued 31 e-mails and sent none of them
        assert {m.status for m in outbox_rows()} == {OutboxStatus.PENDING} and len(outbox_rows()) == 31
        with app.app_context():  # this app's, not the session's
            result = app.test_cli_runner().invoke(args=["worker", "--burst"])
        assert result.exit_code == 0, result.output
        assert len(sent) == 31 and len({m["To"] for m in sent}) == 31
        assert {m.status for m in outbox_rows()} == {OutboxStatus.SENT}
    finally:
        with app.app_context():
            db.engine.dispose()


def test_the_demo_shows_its_e_mails_on_the_console_and_to_admins(app, client, world, login, monkeypatch, capsys):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "log")
    message = queue_mail(world.trainee.email, "Your LIFE Academy account",
                         "Choose your password here: http://localhost/invitation/abc", kind="account.invite")
    db.session.commit()
    assert "http://localhost/invitation/abc" in capsys.readouterr().err
    login(world.admin)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert f"/admin/outbox/{message.id}" in page
    shown = client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert 'href="http://localhost/invitation/abc"' in shown
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")  # a real server never shows the text
    assert client.get(f"/admin/outbox/{message.id}").status_code == 404
    assert f"/admin/outbox/{message.id}" not in client.get("/admin/outbox").get_data(as_text=True)
