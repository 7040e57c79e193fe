"""The outbox: e-mail is written to a table in the caller's transaction and delivered after the
commit — by a worker on RQ + Redis when REDIS_URL is set, otherwise by this process (after the
response has gone out; at once outside a request). A message is claimed by one deliverer before
it is sent, so it is never sent twice; a failed try waits longer each time and gives up after
the last, for an admin to see on /admin/outbox (app/delivery.py, which xAPI statements share).

    queue_mail(to, subject, body, kind="assignment.feedback", user_id=user.id)
    deliver_due()          # what `flask outbox deliver` and the worker run
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app

from . import mail
from .delivery import Delivery, after_the_view, default_mode
from .extensions import db
from .models import OutboxMessage, OutboxStatus
from .text import one_line
from .timeutil import utcnow
from .transaction import after_commit

QUEUE_NAME = "life-mail"


def queue_mail(to: str, subject: str, body: str, *, kind: str = "mail", user_id: int | None = None,
               unsubscribe_url: str | None = None) -> OutboxMessage:
    """Add a message to the outbox in the current transaction; it leaves after the commit.
    `unsubscribe_url` becomes its List-Unsubscribe header (app/services/unsubscribe.py)."""
    message = OutboxMessage(to=one_line(to)[:320], subject=one_line(subject)[:200], body=body,
                            kind=kind[:60], user_id=user_id, next_attempt_at=utcnow(),
                            unsubscribe_url=one_line(unsubscribe_url)[:500] if unsubscribe_url else None)
    db.session.add(message)
    after_commit(_flush, once="outbox")
    return message


def delivery_mode() -> str:
    """'rq' (a worker delivers), 'response' (this process, after the response), or 'commit'
    (this process, right after the commit: tests, and commands outside a request)."""
    return current_app.config.get("MAIL_DELIVERY") or default_mode()


def _send(message: OutboxMessage) -> None:
    mail.send(mail.build_message(message.to, message.subject, message.body, message_id=f"outbox-{message.id}",
                                 unsubscribe_url=message.unsubscribe_url))


OUTBOX = Delivery(OutboxMessage, job="app.outbox.deliver_job", send=_send, order_by=OutboxMessage.id, batch=500,
                  not_sent=lambda message: f"outbox message {message.id} ({message.kind}) not delivered")


def _flush() -> None:
    after_the_view(deliver_due, enqueue_delivery, delivery_mode())


def enqueue_delivery(delay: timedelta | None = None) -> None:
    OUTBOX.enqueue(delay)


def deliver_job() -> int:
    """The RQ job: deliver what is due, then queue itself again for the next waiting message."""
    return OUTBOX.job()


def deliver_due(limit: int | None = None) -> int:
    """Send every pending message whose time has come (500 at most, or `limit`); returns how many
    left (app/delivery.py)."""
    return OUTBOX.send_due(limit)


def next_wait() -> timedelta | None:
    """How long until the next pending message is due (None: nothing is waiting)."""
    return OUTBOX.next_wait()


def retry(message: OutboxMessage) -> None:
    """An admin's "try again now" for a failed or waiting message (in the caller's transaction)."""
    message.status, message.next_attempt_at = OutboxStatus.PENDING, utcnow()
    after_commit(_flush, once="outbox")
