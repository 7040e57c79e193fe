"""The one save path for text a user typed, used by the core and every plugin:

    form -> draft snapshot -> privacy check -> conflict check -> save -> commit

    outcome = guarded_save(user, draft_key, snapshot(request.form), draft_version,
                           texts={"body": (form.body.label.text, form.body.data)},
                           confirmed=bool(form.privacy_confirmed.data),
                           save=lambda: services.create_entry(...))
    if not outcome.saved:
        return render(outcome)        # the form again, with what was typed, and why
    flash(...); return redirect(...)

The rule "nothing typed is ever lost" holds the same everywhere: the draft snapshot is stored
first and committed whatever stops the save afterwards (a privacy finding, a conflict, a rule of
the domain), so the text is there after a reload, a re-login or on another device. A form with
errors is shown again as it was typed (and autosave keeps its draft as before).
Only a successful save discards the draft, in the same commit as the work itself."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass, field
from typing import Any

from flask import has_request_context, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from . import once
from .conflicts import Conflict, SaveRefused
from .extensions import db
from .models import Draft, User
from .privacy_check import PrivacyReview, review_texts
from .services import drafts
from .web import BROWSER_COPY_FIELD, mark_browser_copies_saved

#: Form fields that are not what the user typed (the snapshot leaves them out).
RESERVED_FIELDS = frozenset({"csrf_token", "draft_key", "draft_version", BROWSER_COPY_FIELD, once.FIELD})


@dataclass
class SaveOutcome:
    saved: bool
    #: What `save` returned (the entry, the version, ...).
    result: Any = None
    draft: Draft | None = None
    privacy: PrivacyReview | None = None
    conflict: Conflict | None = None
    #: Messages for the top of the form (a conflict's, a refusal's, the form's own).
    errors: list[str] = field(default_factory=list)
    #: The HTTP status the page should answer with when nothing was saved.
    status: int = 200


def snapshot(form_data: MultiDict[str, Any], exclude: Set[str] = RESERVED_FIELDS) -> dict[str, Any]:
    """The submitted form as a draft stores it (the same shape /drafts/save writes)."""
    return {k: (v if len(vs := form_data.getlist(k)) == 1 else vs)
            for k, v in form_data.items() if k not in exclude}


def guarded_save(user: User, draft_key: str | None, data: dict[str, Any], draft_version: int | None, *,
                 save: Callable[[], Any], texts: Mapping[str, tuple[str, str]] | None = None,
                 confirmed: bool = False, errors: list[str] | None = None,
                 discard_draft: bool = True) -> SaveOutcome:
    """Run the save path; the caller renders the outcome.

    `errors`: the form's own problems, found before; the form is shown again with what was typed
    and nothing is stored. `draft_key=None`: text that must not be kept beside the user's name
    (answers to an anonymous questionnaire, once sent) gets no draft snapshot. `discard_draft=False`:
    the draft is the save itself ("save and continue later")."""
    if errors:
        return SaveOutcome(False, errors=list(errors), status=422)
    try:
        draft = drafts.save_draft(user, draft_key, data, draft_version) if draft_key else None
    except Conflict as conflict:
        db.session.rollback()
        return SaveOutcome(False, conflict=conflict, errors=[conflict.message], status=409)
    except drafts.DraftTooLarge:
        db.session.rollback()
        return SaveOutcome(False, errors=[_("The text is too long to be saved. Shorten it, or split it into "
                                            "several entries; your text is still in this form.")], status=413)
    review = review_texts(dict(texts or {}), confirmed=confirmed)
    if review.blocked:
        return _keep_draft(SaveOutcome(False, draft=draft, privacy=review, status=422))
    try:
        with db.session.begin_nested():
            result = save()
    except Conflict as conflict:
        return _keep_draft(SaveOutcome(False, draft=draft, conflict=conflict, errors=[conflict.message],
                                       status=409))
    except SaveRefused as refused:
        return _keep_draft(SaveOutcome(False, draft=draft, errors=[str(refused)], status=422))
    if draft_key and discard_draft:
        drafts.discard_draft(user, draft_key)
    db.session.commit()
    # The form's copy in the browser (keyed by the form's draft_key, which may differ from the
    # draft kept here: a questionnaire being sent keeps none) is not needed any more.
    if has_request_context():
        mark_browser_copies_saved(draft_key, request.form.get("draft_key"))
    return SaveOutcome(True, result=result, draft=None if discard_draft else draft)


def _keep_draft(outcome: SaveOutcome) -> SaveOutcome:
    db.session.commit()  # only the draft snapshot: the save itself was never made or was rolled back
    if outcome.draft is not None:
        db.session.refresh(outcome.draft)
    return outcome
