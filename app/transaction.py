"""Side effects that wait for the transaction: nothing leaves the process for work that may still
roll back (Indico's rule: one commit per request, the mail queue flushed after it).

    after_commit(deliver)        runs once the current transaction has committed
    on_rollback(remove_file)     runs if it rolls back (or the session closes without commit)

Callbacks live in the session's `info`, so they belong to one request's transaction; a failing
callback is logged and never undoes the commit that already happened."""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from .extensions import db

_COMMIT = "life_after_commit"
_ROLLBACK = "life_on_rollback"


def after_commit(callback: Callable[[], None], *, once: str | None = None) -> None:
    """Run `callback` after the commit. With `once`, a callback of that name is added only once
    per transaction (one outbox flush however many mails were queued)."""
    _add(_COMMIT, callback, once)


def on_rollback(callback: Callable[[], None]) -> None:
    _add(_ROLLBACK, callback, None)


def _add(slot: str, callback: Callable[[], None], once: str | None) -> None:
    callbacks: dict = db.session().info.setdefault(slot, {})
    callbacks[once or object()] = callbacks.get(once, callback) if once else callback


def _run(session: Session, slot: str) -> None:
    callbacks = session.info.pop(slot, {})
    for callback in callbacks.values():
        try:
            callback()
        except Exception:  # the transaction is over; a side effect must not turn it into an error
            if has_app_context():
                current_app.logger.exception("an after-transaction callback failed")


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(_ROLLBACK, None)
    _run(session, _COMMIT)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without after_commit having cleared the rollback slot:
    # it rolled back, or the session was closed without a commit.
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_COMMIT, None)
        _run(session, _ROLLBACK)
