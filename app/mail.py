"""Building and handing over one e-mail. Backends (MAIL_BACKEND): "log" (development: the message
goes to the log), "memory" (tests read app.extensions["life_mail_sent"]), "smtp" (MAIL_SERVER and
friends). Nothing calls this inside a request's transaction: mail goes through the outbox
(app/outbox.py), which calls `send` after the commit."""
from __future__ import annotations

import smtplib
import sys
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

from .text import one_line


def build_message(to: str, subject: str, body: str, message_id: str | None = None,
                  unsubscribe_url: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = one_line(to)
    msg["Subject"] = one_line(subject)
    msg["Date"] = formatdate(localtime=False)
    # A stable id per outbox row: should a message ever leave twice, mail clients show it once.
    msg["Message-ID"] = make_msgid(idstring=message_id, domain="life-academy.local")
    if unsubscribe_url:
        # RFC 2369 and RFC 8058: mail clients offer "unsubscribe", which POSTs to the address.
        msg["List-Unsubscribe"] = f"<{one_line(unsubscribe_url)}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(body)
    return msg


def send(msg: EmailMessage) -> None:
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "smtp":
        _send_smtp(msg)
    elif backend == "memory":
        current_app.extensions.setdefault("life_mail_sent", []).append(msg)
    else:
        # Development: the demo's console shows every e-mail whole, so a newcomer can follow an
        # invitation link; the log keeps it too (tests read it there).
        text = msg.as_string()
        current_app.logger.info("E-mail (not sent, MAIL_BACKEND=log):\n%s", text)
        print(f"\n----- E-mail (MAIL_BACKEND=log: not sent) -----\n{text}\n-----", file=sys.stderr, flush=True)


def _send_smtp(msg: EmailMessage) -> None:
    cfg = current_app.config
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=15) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(msg)
