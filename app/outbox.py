"""The outbox: e-mail is written to a table in the caller's transaction and delivered after the
commit — by a worker on RQ + Redis when REDIS_URL is set, otherwise by this process (after the
response has gone out; at once outside a request). A message is claimed by one deliverer before
it is sent, so it is never sent twice; a failed try waits longer each time (BACKOFF) and gives up
after the last, for an admin to see on /admin/outbox.

    queue_mail(to, subject, body, kind="assignment.feedback", user_id=user.id)
    deliver_due()          # what `flask outbox deliver` and the worker run
"""
from __future__ import annotations

from datetime import timedelta

from flask import after_this_request, current_app, has_request_context
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import mail
from .extensions import db, rows_changed
from .models import OutboxMessage, OutboxStatus
from .text import one_line
from .timeutil import utcnow
from .transaction import after_commit

#: Wait before the 2nd, 3rd, ... try; after the last the message is FAILED.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=12))
#: A message still "sending" after this long was interrupted (the process died): it is not sent
#: again blindly, it is marked failed for an admin to retry.
STALE_SENDING = timedelta(minutes=15)
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
    configured = current_app.config.get("MAIL_DELIVERY")
    if configured:
        return configured
    return "rq" if current_app.config.get("REDIS_URL") else "response"


def _flush() -> None:
    """After a commit that queued mail. In a request, delivery waits until the view is done (and
    in "response" mode until the response has gone out), so it never runs inside the request's
    own database work; elsewhere (CLI commands) it runs at once."""
    mode = delivery_mode()
    if mode == "rq":
        enqueue_delivery()
        return
    if not has_request_context():
        deliver_due()
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app behind the proxy

    @after_this_request
    def _deliver_after_the_view(response):
        if mode != "response":
            deliver_due()
            return response

        def deliver() -> None:
            with app.app_context():
                deliver_due()
        response.call_on_close(deliver)
        return response


def enqueue_delivery(delay: timedelta | None = None) -> None:
    from .jobs import mail_queue
    queue = mail_queue()
    if delay is None:
        queue.enqueue("app.outbox.deliver_job")
    else:
        queue.enqueue_in(delay, "app.outbox.deliver_job")


def deliver_job() -> int:
    """The RQ job: deliver what is due (an app is created when the worker has none)."""
    from flask import has_app_context
    if has_app_context():
        return _deliver_and_reschedule()
    from . import create_app
    with create_app().app_context():
        return _deliver_and_reschedule()


def _deliver_and_reschedule() -> int:
    sent = deliver_due()
    wait = next_wait()
    if wait is not None:
        enqueue_delivery(wait)
    return sent


def deliver_due(limit: int = 500) -> int:
    """Send every pending message whose time has come; returns how many left. Runs in a session
    of its own, so it works after the caller's commit and beside it; one read for the batch."""
    sent = 0
    with Session(db.engine, expire_on_commit=False) as session:
        _fail_interrupted(session)
        due = list(session.scalars(select(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= utcnow())
            .order_by(OutboxMessage.id).limit(limit)))
        for message in due:
            sent += _deliver_one(session, message)
    return sent


def next_wait() -> timedelta | None:
    """How long until the next pending message is due (None: nothing is waiting)."""
    with Session(db.engine) as session:
        soonest = session.scalar(select(OutboxMessage.next_attempt_at).where(
            OutboxMessage.status == OutboxStatus.PENDING).order_by(OutboxMessage.next_attempt_at).limit(1))
    return None if soonest is None else max(soonest - utcnow(), timedelta(seconds=1))


def _set(session: Session, message: OutboxMessage, *conditions, **values) -> bool:
    changed = session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id, *conditions)
                              .values(**values).execution_options(synchronize_session=False))
    session.commit()
    return rows_changed(changed) == 1


def _deliver_one(session: Session, message: OutboxMessage) -> int:
    # The claim is a compare-and-set on the status: of two deliverers only one gets the row.
    if not _set(session, message, OutboxMessage.status == OutboxStatus.PENDING,
                status=OutboxStatus.SENDING, next_attempt_at=utcnow()):
        return 0
    try:
        mail.send(mail.build_message(message.to, message.subject, message.body,
                                     message_id=f"outbox-{message.id}",
                                     unsubscribe_url=message.unsubscribe_url))
    except Exception as exc:  # SMTP errors, refused connections, time-outs: try again later
        _set(session, message, **_failure(message, exc))
        return 0
    _set(session, message, status=OutboxStatus.SENT, sent_at=utcnow(), attempts=message.attempts + 1,
         last_error=None)
    return 1


def _failure(message: OutboxMessage, exc: Exception) -> dict:
    attempts = message.attempts + 1
    current_app.logger.warning("outbox message %s (%s) not delivered, try %s: %s", message.id, message.kind,
                               attempts, type(exc).__name__)
    values = {"attempts": attempts, "last_error": f"{type(exc).__name__}: {exc}"[:300]}
    if attempts > len(BACKOFF):
        return {**values, "status": OutboxStatus.FAILED}
    return {**values, "status": OutboxStatus.PENDING, "next_attempt_at": utcnow() + BACKOFF[attempts - 1]}


def _fail_interrupted(session: Session) -> None:
    session.execute(update(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.next_attempt_at < utcnow() - STALE_SENDING)
        .values(status=OutboxStatus.FAILED, last_error="delivery was interrupted; it may or may not have left"))
    session.commit()


def retry(message: OutboxMessage) -> None:
    """An admin's "try again now" for a failed or waiting message (in the caller's transaction)."""
    message.status, message.next_attempt_at = OutboxStatus.PENDING, utcnow()
    after_commit(_flush, once="outbox")
