"""Rows that wait to leave for another system (e-mail, xAPI statements, LTI scores), sent after
the commit of the work that wrote them: by the RQ worker when REDIS_URL is set, otherwise by this
process once the view is done (after the response has gone out in "response" mode), at once
outside a request. A row is claimed by one sender before it is sent, so it is never sent twice;
a failed try waits longer each time (BACKOFF) and the row is failed after the last.

    OUTBOX = Delivery(OutboxMessage, job="app.outbox.deliver_job", send=_send, ...)
    after_the_view(OUTBOX.send_due, OUTBOX.enqueue, mode)   # in the after-commit callback
    OUTBOX.job()                                            # the body of app.outbox.deliver_job

Each user keeps what is its own: what a row is and how one is sent (the outbox's e-mail, xAPI
statements, LTI scores in app/lti/grades.py)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import after_this_request, current_app, has_request_context
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from . import jobs
from .extensions import db, rows_changed
from .models import OutboxStatus
from .timeutil import utcnow

#: Wait before the 2nd, 3rd, ... try; after the last the row is FAILED.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=12))
#: A row still "sending" after this long was interrupted (the process died).
STALE_SENDING = timedelta(minutes=15)


def default_mode() -> str:
    """'rq' (the worker sends) with REDIS_URL, else 'response' (this process, after the response)."""
    return "rq" if current_app.config.get("REDIS_URL") else "response"


def after_the_view(send: Callable[[], object], enqueue: Callable[[], None], mode: str) -> None:
    """Called after a commit that queued something: in "rq" mode `enqueue` queues the worker's
    job. Otherwise `send` runs in this process, never inside the request's own database work: in
    a request once the view is done ("response": once the response has gone out; "commit": before
    it), elsewhere (commands) at once. It runs in an app context of its own, so a db.session it
    uses is not the session that is committing."""
    if mode == "rq":
        enqueue()
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app behind the proxy

    def send_in_own_context() -> None:
        with app.app_context():
            send()

    if not has_request_context():
        send_in_own_context()
        return

    @after_this_request
    def _send_after_the_view(response):
        if mode == "response":
            response.call_on_close(send_in_own_context)
        else:
            send_in_own_context()
        return response


class Delivery:
    """One kind of row with the RetryColumns (app/models/outbox.py) and an `id`: its RQ job's dotted
    path, `send(row)` (raises when the other system did not take it), `not_sent(row)` (how the log
    names a row that did not leave), the order due rows go in and how many one pass sends at most
    (`batch`). `resend_interrupted`: a send is harmless to repeat (a PUT of a fixed id), so a row
    whose send was interrupted goes again instead of being failed for an admin. `enabled()`:
    nothing is sent while it is false."""

    def __init__(self, model: Any, *, job: str, send: Callable[[Any], None], not_sent: Callable[[Any], str],
                 order_by: Any, batch: int, resend_interrupted: bool = False,
                 enabled: Callable[[], bool] = lambda: True) -> None:
        self.model, self.job_path, self.send, self.not_sent = model, job, send, not_sent
        self.order_by, self.batch, self.resend_interrupted, self.enabled = order_by, batch, resend_interrupted, enabled

    def enqueue(self, delay: timedelta | None = None) -> None:
        jobs.enqueue(self.job_path, delay)

    def job(self) -> int:
        """The RQ job's body: send what is due, then queue the job again for the next waiting row."""
        return jobs.in_app_context(self._send_and_reschedule)

    def _send_and_reschedule(self) -> int:
        sent = self.send_due()
        wait = self.next_wait()
        if wait is not None:
            self.enqueue(wait)
        return sent

    def send_due(self, limit: int | None = None) -> int:
        """Send every pending row whose time has come; returns how many left. Runs in a session of
        its own, so it works after the caller's commit and beside it; one read for the batch."""
        if not self.enabled():
            return 0
        model, sent = self.model, 0
        with Session(db.engine, expire_on_commit=False) as session:
            self._release_interrupted(session)
            due = list(session.scalars(select(model).where(
                model.status == OutboxStatus.PENDING, model.next_attempt_at <= utcnow())
                .order_by(self.order_by).limit(self.batch if limit is None else limit)))
            for row in due:
                sent += self._send_one(session, row)
        return sent

    def summary(self) -> dict[str, Any]:
        """For the admins' outbox page: how many rows are in each state, and the last error."""
        model = self.model
        counts: dict[str, int] = dict(db.session.execute(
            select(model.status, func.count()).group_by(model.status)).all())
        last_error = db.session.scalar(select(model.last_error).where(model.last_error.is_not(None))
                                       .order_by(model.next_attempt_at.desc()).limit(1))
        return {"last_error": last_error, **{status.value: counts.get(status.value, 0) for status in OutboxStatus}}

    def retry_failed(self) -> int:
        """An admin's "send again": failed rows wait again, due now, with their tries reset (in the
        caller's transaction). Returns how many."""
        return rows_changed(db.session.execute(
            update(self.model).where(self.model.status == OutboxStatus.FAILED)
            .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=utcnow())))

    def due_now(self) -> None:
        """`flask outbox deliver --now`: rows waiting for their next try are due at once."""
        db.session.execute(update(self.model).where(self.model.status == OutboxStatus.PENDING)
                           .values(next_attempt_at=utcnow()))

    def next_wait(self) -> timedelta | None:
        """How long until the next pending row is due (None: nothing is waiting)."""
        with Session(db.engine) as session:
            soonest = session.scalar(select(func.min(self.model.next_attempt_at)).where(
                self.model.status == OutboxStatus.PENDING))
        return None if soonest is None else max(soonest - utcnow(), timedelta(seconds=1))

    def _set(self, session: Session, row: Any, *conditions, **values) -> bool:
        changed = session.execute(update(self.model).where(self.model.id == row.id, *conditions)
                                  .values(**values).execution_options(synchronize_session=False))
        session.commit()
        return rows_changed(changed) == 1

    def _send_one(self, session: Session, row: Any) -> int:
        # The claim is a compare-and-set on the status: of two senders only one gets the row.
        if not self._set(session, row, self.model.status == OutboxStatus.PENDING,
                         status=OutboxStatus.SENDING, next_attempt_at=utcnow()):
            return 0
        try:
            self.send(row)
        except Exception as exc:  # refused, timed out, SMTP or HTTP errors: recorded, tried again later
            self._set(session, row, **self._failure(row, exc))
            return 0
        self._set(session, row, status=OutboxStatus.SENT, sent_at=utcnow(), attempts=row.attempts + 1,
                  last_error=None)
        return 1

    def _failure(self, row: Any, exc: Exception) -> dict:
        attempts = row.attempts + 1
        current_app.logger.warning("%s, try %s: %s", self.not_sent(row), attempts, type(exc).__name__)
        values = {"attempts": attempts, "last_error": f"{type(exc).__name__}: {exc}"[:300]}
        if attempts > len(BACKOFF):
            return {**values, "status": OutboxStatus.FAILED}
        return {**values, "status": OutboxStatus.PENDING, "next_attempt_at": utcnow() + BACKOFF[attempts - 1]}

    def _release_interrupted(self, session: Session) -> None:
        stale = update(self.model).where(self.model.status == OutboxStatus.SENDING,
                                         self.model.next_attempt_at < utcnow() - STALE_SENDING)
        if self.resend_interrupted:
            session.execute(stale.values(status=OutboxStatus.PENDING, next_attempt_at=utcnow()))
        else:  # it may or may not have left: not sent again blindly, failed for an admin to retry
            session.execute(stale.values(status=OutboxStatus.FAILED,
                                         last_error="delivery was interrupted; it may or may not have left"))
        session.commit()
