"""Outgoing e-mail. Backends: "log" (development: the message goes to the log), "memory" (tests
read app.extensions["life_outbox"]), "smtp" (MAIL_SERVER and friends)."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    return msg


def send_mail(to: str, subject: str, body: str) -> None:
    msg = build_message(to, subject, body)
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "smtp":
        _send_smtp(msg)
    elif backend == "memory":
        current_app.extensions.setdefault("life_outbox", []).append(msg)
    else:
        current_app.logger.info("E-mail (not sent, MAIL_BACKEND=log):\n%s", msg.as_string())


def _send_smtp(msg: EmailMessage) -> None:
    cfg = current_app.config
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=15) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(msg)
