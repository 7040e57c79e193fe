"""Answering questionnaires and reminding those who have not. Functions add and flush; the view
commits once.

Anonymity (the README's "Evaluation anonymity: threat model" says what remains):
- Until a trainee sends an anonymous questionnaire, what they saved part-way is an ordinary draft
  of their own (app/services/drafts.py). Sending deletes the draft and writes the answers as an
  `AnonymousResponse` keyed by the pseudonymous code only, and a `Participation` saying that they
  answered. Nothing joins the two but the code, which cannot be computed without the key.
- Editing until the close date finds the response again through the code; only the running app,
  which holds the key, can do that.
- Nothing in the database orders the anonymous rows or dates them: every sending (and every
  change, and an erasure) rewrites all the answers to that questionnaire in that cohort, with new
  random ids, in a random order, in one transaction (`rewrite_group`). So neither the physical
  order of rows (what a dump lists first) nor PostgreSQL's per-row transaction id (`xmin`) tells
  which row was written beside which participation."""
from __future__ import annotations

import secrets
import uuid
from typing import Any

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import delete, select

from app.audit import record
from app.extensions import db, rows_changed
from app.models import Activity, Cohort, Draft, User
from app.services import drafts as draft_service
from app.services import progress
from app.services.reminders import ReminderResult, remind_each
from app.timeutil import utcnow

from .models import AnonymousResponse, NamedResponse, Participation, Reminder
from .queries import non_respondents
from .questionnaire import CLOSED, OPEN, UPCOMING, EvaluationError, Situation, instrument_of, pseudonym, window


def _require_open(s: Situation) -> None:
    if not s.is_trainee:
        raise EvaluationError(_("Only trainees answer questionnaires."))
    if s.state == UPCOMING:
        raise EvaluationError(_("This questionnaire opens on %(date)s.", date=format_date(s.window.opens_on)))
    if s.state == CLOSED:
        raise EvaluationError(_("This questionnaire closed on %(date)s; answers can no longer be changed.",
                                date=format_date(s.window.closes_on)))


def check_partial(user: User, s: Situation) -> None:
    """'Save and continue later' before the first sending: the guarded save path has stored the
    trainee's own draft (never part of any result); after sending, changes are saved whole (see
    `submit`)."""
    _require_open(s)
    if s.submitted:
        raise EvaluationError(_("You have already sent your answers; use “Save changes” to change them."))
    progress.mark_started(user, s.activity)


def submit(user: User, s: Situation, answers: dict[str, Any]) -> bool:
    """Send (or change, until the close date) the answers. Returns True the first time."""
    _require_open(s)
    instrument, activity, cohort = s.instrument, s.activity, s.cohort
    first = s.participation is None
    if instrument["anonymous"]:
        lock_group(cohort.id)
    if first:
        db.session.add(Participation(activity_id=activity.id, cohort_id=cohort.id, user_id=user.id))
    if instrument["anonymous"]:
        code = pseudonym(user.id, instrument["family"])
        group = group_answers(activity.id, cohort.id)
        if code not in group and not first:
            # Answered, but the code no longer finds the answers: the key was changed.
            raise EvaluationError(_("Your earlier answers cannot be found any more, so they cannot be "
                                    "changed. Nothing was saved."))
        group[code] = answers
        rewrite_group(activity.id, cohort.id, group)
    else:
        response = db.session.scalar(select(NamedResponse).where(
            NamedResponse.activity_id == activity.id, NamedResponse.cohort_id == cohort.id,
            NamedResponse.user_id == user.id))
        if response is None:
            response = NamedResponse(activity_id=activity.id, cohort_id=cohort.id, user_id=user.id)
            db.session.add(response)
        response.answers = answers
        response.updated_at = utcnow()
    # The part-way draft would tie these answers to the trainee: it goes as soon as they are sent.
    draft_service.discard_draft(user, s.draft_key)
    progress.mark_done(user, activity)
    db.session.flush()
    return first


def discard_stale_draft(user: User, s: Situation) -> bool:
    """A tab opened before the answers were sent may autosave a draft afterwards; once sent,
    answers never sit beside the name, so such a draft is removed when the page is next opened."""
    if not s.submitted:
        return False
    return bool(rows_changed(db.session.execute(delete(Draft).where(Draft.user_id == user.id,
                                                                    Draft.key == s.draft_key))))


# --- storing anonymous answers without order or time ---------------------------------------------

#: Shuffles the rows before they are written again (a test replaces it to see its effect).
_shuffle = secrets.SystemRandom().shuffle


def lock_group(cohort_id: int) -> None:
    """One writer at a time for a cohort's anonymous answers (a row lock on PostgreSQL that does
    not block inserts referring to the cohort; SQLite has a single writer anyway), so a rewrite
    sees every row and two rewrites cannot interleave."""
    db.session.execute(select(Cohort.id).where(Cohort.id == cohort_id).with_for_update(key_share=True))


def group_answers(activity_id: int, cohort_id: int) -> dict[str, dict[str, Any]]:
    """{code: answers} of one questionnaire in one cohort."""
    return dict(db.session.execute(select(AnonymousResponse.code, AnonymousResponse.answers).where(
        AnonymousResponse.activity_id == activity_id, AnonymousResponse.cohort_id == cohort_id)).all())


def rewrite_group(activity_id: int, cohort_id: int, group: dict[str, dict[str, Any]]) -> None:
    """Delete and write again every anonymous answer of the questionnaire in the cohort, with new
    random ids and in a random order, in the caller's transaction. The row just sent is one of
    many written at once: the order of rows on disk and PostgreSQL's xmin (the id of the
    transaction that last wrote a row, which is also the participation's) say nothing about
    which row it is. Cost: one cohort's answers (a few dozen rows) per sending."""
    table = AnonymousResponse.__table__
    db.session.execute(table.delete().where(table.c.activity_id == activity_id, table.c.cohort_id == cohort_id))
    rows = [{"id": uuid.uuid4().hex, "activity_id": activity_id, "cohort_id": cohort_id, "code": code,
             "answers": answers} for code, answers in group.items()]
    _shuffle(rows)
    if rows:
        db.session.execute(table.insert(), rows)


def remind(sender: User, cohort: Cohort, activity: Activity) -> ReminderResult:
    """Notify every trainee of the cohort who has not answered yet, except those reminded of it
    in the last 48 hours (app/services/reminders.py holds the limit); says who was skipped."""
    w = window(instrument_of(activity), cohort.run)
    if w.state() != OPEN:
        raise EvaluationError(_("Reminders can only be sent while the questionnaire is open."))
    recipients = non_respondents(cohort, activity)
    if not recipients:
        raise EvaluationError(_("Everyone has answered: there is nobody to remind."))
    url = url_for("evaluation.answer", slug=activity.slug)
    result = remind_each(recipients, activity, "evaluation.reminder",
                         lambda: _("Reminder: please answer “%(title)s” by %(date)s. It takes a few minutes.",
                                   title=activity.title, date=format_date(w.closes_on)), url)
    if result.sent:
        db.session.add(Reminder(activity_id=activity.id, cohort_id=cohort.id, sent_by_id=sender.id,
                                recipients=len(result.sent)))
    record("evaluation.remind", cohort, actor=sender, activity=activity.slug, recipients=len(result.sent),
           skipped=len(result.skipped))
    db.session.flush()
    return result
