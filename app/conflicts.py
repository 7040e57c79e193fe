"""The errors of the guarded save path (app/guarded_save.py), shared by the core and every plugin."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import flash, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text

from .extensions import db

#: The one message for "someone saved in between", wherever it happens.
CONFLICT_MESSAGE = _l("This text was changed in another tab or on another device. Nothing was overwritten: "
                      "copy what you typed here, then reload the page to see the latest version.")


class Conflict(Exception):
    """Someone (another tab, another device, another group member) saved after this page was
    loaded. `current` is what is stored now, for the page to show beside what was typed."""

    def __init__(self, current: Any = None, message: str | None = None):
        super().__init__(message or str(CONFLICT_MESSAGE))
        self.current = current

    @property
    def message(self) -> str:
        """CONFLICT_MESSAGE, unless the situation needs its own words (a group member's hand-in)."""
        return str(self.args[0])


class SaveRefused(ValueError):
    """A rule of the domain refuses the save; the message tells the user why. Plugins' errors
    (JournalError, AssignmentError, ...) derive from it, so the save path shows them all alike."""


def state_token(*values: Any) -> str:
    """A fingerprint of what a form was loaded from, for a record without a version column: the
    form carries it, and a save whose token is not the stored record's would overwrite a change it
    never showed, so it is a Conflict."""
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:24]


def locked_for_save(record: Any) -> Any:
    """On a POST, `record` read again under a row lock held until the transaction ends, before
    the stale-edit check reads it: two saves based on the same state at the same moment are then
    checked one after the other, and the second sees the first's change (a Conflict) instead of
    both passing the check and the second overwriting the first. PostgreSQL: SELECT ... FOR
    UPDATE. SQLite: a no-op UPDATE of the row takes the database's one write lock (the driver
    begins the transaction at the first write, so a lock taken by a read would not hold)."""
    if request.method != "POST":
        return record
    table = type(record).__table__
    (key,) = table.primary_key.columns
    value = getattr(record, key.key)
    if db.session.get_bind().dialect.name == "sqlite":
        # Plain SQL: a Core update would also set the columns' onupdate values (updated_at).
        db.session.execute(text(f'UPDATE "{table.name}" SET "{key.name}" = "{key.name}" WHERE "{key.name}" = :key'),
                           {"key": value})
    else:
        # The key column alone: the record's eager outer joins cannot be locked (PostgreSQL).
        db.session.execute(select(key).where(key == value).with_for_update())
    db.session.refresh(record)  # read after the lock: what the save before this one committed
    return record


def stale_edit(form, stored: str, field: str = "base") -> bool:
    """Whether the posted form was loaded before someone else saved the record (a form that sends
    no base is not checked: an older page or another client); a form being shown gets the stored
    state. `form[field]` is a BasedOnMixin-style hidden field."""
    if not form.is_submitted():
        form[field].data = stored
        return False
    return field in request.form and form[field].data != stored


def conflict_page(template: str, form, stored: str, saved: str, /, field: str = "base", form_key: str = "form",
                  **context):
    """The form as typed with the saved record (`saved`, a short text) beside it, answered 409;
    the next save is based on what is shown, so sending it again is a choice, not an accident.
    `form_key`: the form's name in the template (a page with several forms)."""
    flash(str(CONFLICT_MESSAGE), "danger")
    form[field].data = stored
    return render_template(template, **{**context, "conflict": saved, form_key: form}), 409
