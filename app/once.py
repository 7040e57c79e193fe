"""A create form sent twice (a double click, a resent page, two tabs, a phone retrying on a bad
network) creates one thing, not two.

The form carries a random one-time key (`{{ once_field() }}` from macros/forms.html). The view
claims it before it creates anything and says where the created thing is before it commits:

    @bp.post("/entries/<int:entry_id>/comments")
    @login_required
    @once.per_key
    def comment(entry_id):
        ...
        services.add_comment(...)
        once.saved(url_for("journal.entry", entry_id=entry_id))
        db.session.commit()

The claim is a row under (user, key) with a unique constraint, inserted in the request's own
transaction, first: a second send of the same key waits on the index while the first is under
way (PostgreSQL; SQLite serialises writers), then fails on it, rolls its transaction back and
answers as the first did (AlreadySaved: "This was already saved" and a redirect to the created
thing). A send whose transaction commits without saving anything (the form shown again with a
message) leaves no claim behind, so the same form can be sent again. A form without a key (a page
opened before keys existed) is saved once per send, as before. Keys are purged after KEEP_DAYS."""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from .extensions import db, rows_changed
from .models import OnceKey

#: The form field's name (app/guarded_save.py and app.js leave it out of drafts and copies).
FIELD = "once_key"
#: How long a key is remembered: far longer than any retry, short enough to keep the table small.
KEEP_DAYS = 7

_KEY = re.compile(r"[0-9a-f]{32}")
_CLAIM = "life_once_claim"

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


class AlreadySaved(Exception):
    """This form was sent before and saved; `url` is where the first send led."""

    def __init__(self, url: str | None) -> None:
        super().__init__(url)
        self.url = url


def new_key() -> str:
    return secrets.token_hex(16)


def posted_key() -> str | None:
    """The key the form was sent with; none (an old page, a forged value) means no protection."""
    key = request.form.get(FIELD, "")
    return key if _KEY.fullmatch(key) else None


def claim(user_id: int) -> None:
    """Claim the posted key for this transaction, or raise AlreadySaved (the transaction rolled
    back) when a send of the same form has already saved."""
    key = posted_key()
    if key is None:
        return
    row = OnceKey(user_id=user_id, key=key)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise AlreadySaved(db.session.scalar(select(OnceKey.url).where(
            OnceKey.user_id == user_id, OnceKey.key == key))) from None
    db.session.info[_CLAIM] = row


def saved(url: str) -> None:
    """Say where the thing this request created is, before the commit: the claim is kept."""
    row = db.session.info.get(_CLAIM)
    if row is not None:
        row.url = url[:500]


def saving(create: Callable[[], T], url_of: Callable[[T], str]) -> Callable[[], T]:
    """`create`, then saved(url_of(what it created)): for guarded_save's `save`."""
    def run() -> T:
        result = create()
        saved(url_of(result))
        return result
    return run


def per_key_if(applies: Callable[[], bool]) -> Callable[[F], F]:
    """per_key for the sends where `applies()`: a form that both saves a draft (an update, kept
    in order by its draft version, sent many times from one page) and creates (a hand-in, an
    upload) claims its key for the creating sends only, so a second draft save is not refused."""
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if request.method == "POST" and current_user.is_authenticated and applies():
                claim(current_user.id)
            return view(*args, **kwargs)
        return wrapper  # type: ignore[return-value]
    return decorate


#: Claim the posted key before a create view runs (place it below @login_required).
per_key = per_key_if(lambda: True)


def purge(before: datetime) -> int:
    return rows_changed(db.session.execute(delete(OnceKey).where(OnceKey.created_at < before))) or 0


def purge_expired(now: datetime) -> int:
    return purge(now - timedelta(days=KEEP_DAYS))


@event.listens_for(Session, "before_commit")
def _drop_unused_claim(session: Session) -> None:
    # A commit that saved nothing (an audit read, a draft kept beside a privacy finding) must not
    # use the key up. Savepoints (guarded_save's) commit too: only the outermost commit decides.
    if session.in_nested_transaction():
        return
    row = session.info.get(_CLAIM)
    if row is not None and row.url is None and row in session:
        session.delete(row)


@event.listens_for(Session, "after_transaction_end")
def _forget_claim(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_CLAIM, None)


def _answer_again(error: AlreadySaved):
    flash(_("This was already saved."), "info")
    return redirect(error.url or url_for("main.index"), code=303)


def init_app(app: Flask) -> None:
    app.register_error_handler(AlreadySaved, _answer_again)
    app.jinja_env.globals["new_once_key"] = new_key
    app.jinja_env.globals["once_keep_days"] = KEEP_DAYS  # the privacy notice says how long keys stay
