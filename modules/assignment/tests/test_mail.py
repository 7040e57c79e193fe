"""Released feedback reaches the trainee by e-mail through a real SMTP server (aiosmtpd)."""
from __future__ import annotations

import logging
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app import create_app
from app.extensions import db
from modules.assignment.models import Submission
from tests.conftest import make_config

from .helpers import build_assignments


class Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, collector
    finally:
        controller.stop()


def test_feedback_release_sends_mail_over_smtp(db_url, tmp_path, world, smtp):
    controller, collector = smtp
    build_assignments(world)
    app = create_app(make_config(db_url, tmp_path, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1",
                                 MAIL_PORT=controller.port))
    trainee, facilitator = app.test_client(), app.test_client()
    trainee.post("/login", data={"email": world.trainee.email, "password": "correct horse battery"})
    trainee.post("/a/assignment/asg-text", data={"body": "My practice context", "action": "submit",
                                                "draft_version": 0, "base_version": 0})
    submission = db.session.scalar(select(Submission))
    assert collector.messages == []  # handing in e-mails nobody

    facilitator.post("/login", data={"email": world.facilitator.email, "password": "correct horse battery"})
    response = facilitator.post(f"/a/assignment/submission/{submission.id}/feedback",
                                data={"body": "Please add one example.", "decision": "revise", "action": "release"})
    assert response.status_code == 302

    assert len(collector.messages) == 1
    recipients, message = collector.messages[0]
    assert recipients == [world.trainee.email]
    assert message["Subject"] == "Your facilitator asks you to revise “Task asg-text”."
    assert "/a/assignment/asg-text" in message.get_content()
    with app.app_context():
        db.engine.dispose()  # this second app's connections must not outlive the test


def test_in_development_the_mail_is_written_to_the_log(app, client, world, login, monkeypatch, caplog):
    build_assignments(world)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "log")
    caplog.set_level(logging.INFO, logger=app.logger.name)
    login(world.trainee)
    client.post("/a/assignment/asg-text", data={"body": "My practice context", "action": "submit",
                                               "draft_version": 0, "base_version": 0})
    client.post("/logout")
    submission = db.session.scalar(select(Submission))
    login(world.facilitator)
    client.post(f"/a/assignment/submission/{submission.id}/feedback",
                data={"body": "Please add one example.", "decision": "revise", "action": "release"})
    logged = [r.getMessage() for r in caplog.records if "MAIL_BACKEND=log" in r.getMessage()]
    assert len(logged) == 1 and f"To: {world.trainee.email}" in logged[0]
    assert "Your facilitator asks you to revise" in logged[0]
