"""The trainee's self-ratings of the competency elements, for the core's competency profile.

What the threat model ("Evaluation anonymity: threat model" in the README) allows: the trainee
themself may read their own anonymous answers (the app finds them through the pseudonymous
code, as the questionnaire page does); anyone else only answers to questionnaires declared
`anonymous: false`, as the facilitator's page of one trainee shows them. Nothing here is
aggregated, so no small-group rule applies: these are one person's own answers."""
from __future__ import annotations

from flask import url_for

from app.models import User
from app.plugins import SelfRating
from app.services.programme import viewer_for

from .questionnaire import answering_cohort
from .results import PHASE_LABELS, RETRO_LABELS, growth_plan, personal_growth
from .services import trainee_answers

SCALE_TOP = 5  # both scales (scale5, agreement5) run from 1 to 5


def _value(raw: object) -> int | None:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= SCALE_TOP else None


def self_ratings(user: User, own: bool) -> list[SelfRating]:
    viewer = viewer_for(user)
    cohort = answering_cohort(viewer.cohorts) if viewer is not None and viewer.is_trainee else None
    if cohort is None:
        return []
    items = trainee_answers(user, cohort, include_anonymous=own)
    plan = growth_plan([i.activity for i in items])
    if plan is None:
        return []
    url = url_for("evaluation.trainee_answers", cohort_id=cohort.id, user_id=user.id)
    found: list[SelfRating] = []
    for row in personal_growth(plan, items):
        for column, value in zip(plan.columns, row.values, strict=True):
            found.append(SelfRating(row.key, str(PHASE_LABELS[column.phase]), _value(value), SCALE_TOP, url))
        if row.then is not None or row.now is not None:
            found.append(SelfRating(row.key, str(RETRO_LABELS["then"]), _value(row.then), SCALE_TOP, url))
            found.append(SelfRating(row.key, str(RETRO_LABELS["now"]), _value(row.now), SCALE_TOP, url))
    return found
