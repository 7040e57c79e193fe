"""One trainee and one questionnaire: the pseudonymous code, when an instrument is open, which
cohort a trainee answers in, and what the answer page needs (readers only; writes.py changes).

Answer shapes (what `answers` JSON holds, question key -> value; unanswered questions are left out):
scale5/agreement5: 1..5 or "na"; single: an option key; multiple: a list of option keys; text: a
string; matrix: {row key: 1..5 or "na"}, and with `retrospective`: {row key: {"then": .., "now": ..}}."""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.conflicts import SaveRefused
from app.extensions import db
from app.models import Activity, Cohort, Draft, ProgrammeRun, User
from app.services import drafts as draft_service
from app.timeutil import add_days, utcnow

from .instrument import questions
from .models import AnonymousResponse, NamedResponse, Participation

PLUGIN = "evaluation"


KEY_LABEL = b"life-academy/evaluation-pseudonym/v1"


class EvaluationError(SaveRefused):
    """The action is not allowed now; the message says why (shown to the user)."""


# --- the pseudonymous code -------------------------------------------------------------------

def pseudonym_key() -> bytes:
    """EVALUATION_PSEUDONYM_KEY, or (outside production) a key derived from SECRET_KEY under
    its own label, so the session-signing key itself never touches evaluation data."""
    configured = current_app.config.get("EVALUATION_PSEUDONYM_KEY")
    if configured:
        return configured.encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), KEY_LABEL, hashlib.sha256).digest()


def pseudonym(user_id: int, family: str) -> str:
    """The same for one trainee's answers to every instrument of a family (before, interim,
    final), different between families, and not reversible without the key."""
    return hmac.new(pseudonym_key(), f"{user_id}:{family}".encode(), hashlib.sha256).hexdigest()


# --- when an instrument is open ----------------------------------------------------------------

UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"


@dataclass(frozen=True)
class Window:
    opens_on: date
    #: The last day answers are accepted.
    closes_on: date

    def state(self, today: date | None = None) -> str:
        today = today or utcnow().date()
        if today < self.opens_on:
            return UPCOMING
        return OPEN if today <= self.closes_on else CLOSED


def _day(rule: dict[str, Any], run: ProgrammeRun) -> date:
    anchor = run.starts_on if rule["from"] == "start" else run.ends_on
    return add_days(anchor, rule["days"])


def window(instrument: dict[str, Any], run: ProgrammeRun) -> Window:
    return Window(_day(instrument["opens"], run), _day(instrument["closes"], run))


def instrument_of(activity: Activity) -> dict[str, Any]:
    return activity.settings["instrument"]


# --- which cohort a trainee answers in -----------------------------------------------------------

def answering_cohort(cohorts: list[Cohort]) -> Cohort | None:
    """Trainees are in a national cohort and the transnational one; their answers count for the
    national cohort (its country), or the transnational one if that is all they have."""
    national = [c for c in cohorts if c.country_id is not None]
    return (national or cohorts or [None])[0]


def applies_to(activity: Activity, cohort: Cohort, replaced_ids: set[int]) -> bool:
    """Whether the activity is part of the programme of the cohort's trainees (national variants)."""
    if activity.country_id is not None:
        return activity.country_id == cohort.country_id
    code = cohort.country.code if cohort.country is not None else ""
    return activity.id not in replaced_ids and code not in (activity.omitted_in or [])


# --- one trainee and one questionnaire -----------------------------------------------------------

PREVIEW = "preview"


@dataclass
class Situation:
    """Everything the answer page needs about one user and one evaluation activity."""
    activity: Activity
    cohort: Cohort | None
    is_trainee: bool
    window: Window | None = None
    participation: Participation | None = None
    #: The answers already sent (found through the code for anonymous instruments).
    answers: dict[str, Any] | None = None
    draft: Draft | None = None

    @property
    def instrument(self) -> dict[str, Any]:
        return instrument_of(self.activity)

    @property
    def anonymous(self) -> bool:
        return bool(self.instrument["anonymous"])

    @property
    def state(self) -> str:
        if not self.is_trainee or self.cohort is None or self.window is None:
            return PREVIEW
        return self.window.state()

    @property
    def submitted(self) -> bool:
        return self.participation is not None

    @property
    def editable(self) -> bool:
        return self.state == OPEN

    @property
    def draft_key(self) -> str:
        return f"{PLUGIN}:{self.activity.id}:{self.cohort.id if self.cohort else 0}"


def situation(user: User, activity: Activity, cohorts: list[Cohort], is_trainee: bool) -> Situation:
    cohort = answering_cohort(cohorts) if is_trainee else None
    s = Situation(activity=activity, cohort=cohort, is_trainee=is_trainee and cohort is not None)
    if not s.is_trainee:
        return s
    s.window = window(s.instrument, cohort.run)
    s.participation = db.session.scalar(select(Participation).where(
        Participation.activity_id == activity.id, Participation.cohort_id == cohort.id,
        Participation.user_id == user.id))
    if s.participation is not None:
        s.answers = own_answers(user, activity, cohort)
    else:
        s.draft = draft_service.get_draft(user, s.draft_key)
    return s


def own_answers(user: User, activity: Activity, cohort: Cohort) -> dict[str, Any] | None:
    instrument = instrument_of(activity)
    if instrument["anonymous"]:
        response = db.session.scalar(select(AnonymousResponse).where(
            AnonymousResponse.activity_id == activity.id, AnonymousResponse.cohort_id == cohort.id,
            AnonymousResponse.code == pseudonym(user.id, instrument["family"])))
    else:
        response = db.session.scalar(select(NamedResponse).where(
            NamedResponse.activity_id == activity.id, NamedResponse.cohort_id == cohort.id,
            NamedResponse.user_id == user.id))
    return dict(response.answers) if response is not None else None


def all_questions(activity: Activity) -> list[dict[str, Any]]:
    return questions(instrument_of(activity))
