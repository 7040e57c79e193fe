"""Rubric ratings in a facilitator's feedback, and what they become: evidence on the trainee's
competency profile (released feedback only) and counts of levels per country for coordinators.

The form gets one radio group per criterion ("not rated" or a level); the ratings are stored
beside the feedback in the same save, so they are drafts, wait for review and are released
exactly as the feedback's text is."""
from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import FormField, RadioField
from wtforms.fields.choices import SelectChoice as Choice
from wtforms.validators import Optional

from app.extensions import db
from app.forms import LocalizedSubForm
from app.localized import localized_settings
from app.models import Activity, Cohort, CohortRole, Membership, User
from app.plugins import CompetencyEvidence, CompetencyLevelCount

from .models import Feedback, FeedbackState, Submission
from .rubric_models import RubricRating
from .rubrics import rated, rubric_of

PREFIX = "rubric"


def with_rubric(form_class: type, activity_settings: dict[str, Any]) -> type:
    """The feedback form with the rubric's criteria added when the activity's feedback rates it."""
    rubric = rubric_of(activity_settings)
    if rubric is None or not rated(activity_settings):
        return form_class
    levels = [Choice(str(i), str(i)) for i in range(1, len(rubric["levels"]) + 1)]
    fields = {c["key"]: RadioField(c["title"], choices=[Choice("", _l("Not rated")), *levels], default="",
                                   validators=[Optional()]) for c in rubric["criteria"]}
    ratings = type("RubricFields", (LocalizedSubForm,), fields)
    return type(f"Rubric{form_class.__name__}", (form_class,), {PREFIX: FormField(ratings, label="")})


def ratings_from(form: Any) -> dict[str, int]:
    if PREFIX not in form:
        return {}
    return {key: int(value) for key, value in form[PREFIX].data.items() if value}


def stored_ratings(feedback: Feedback | None) -> dict[str, str]:
    """The saved ratings as form data (`rubric-<key>`), to fill the form again."""
    if feedback is None:
        return {}
    return {f"{PREFIX}-{r.criterion}": str(r.level) for r in feedback.rubric_ratings}


def save_ratings(feedback: Feedback, ratings: dict[str, int]) -> Feedback:
    """Replace the feedback's ratings with `ratings` (criterion key -> level); unknown keys are
    dropped, so only the activity's rubric is ever rated."""
    settings = feedback.submission.activity.settings
    rubric = rubric_of(settings) if rated(settings) else None
    criteria = {c["key"]: c for c in rubric["criteria"]} if rubric else {}
    top = len(rubric["levels"]) if rubric else 0
    wanted = {k: v for k, v in ratings.items() if k in criteria and 1 <= v <= top}
    for row in list(feedback.rubric_ratings):
        if row.criterion not in wanted:
            feedback.rubric_ratings.remove(row)
    existing = {r.criterion: r for r in feedback.rubric_ratings}
    for key, level in wanted.items():
        row = existing.get(key)
        if row is None:
            feedback.rubric_ratings.append(RubricRating(criterion=key, competency=criteria[key]["competency"],
                                                        level=level))
        else:
            row.level, row.competency = level, criteria[key]["competency"]
    db.session.flush()
    return feedback


def shown_rubric(activity: Activity) -> dict[str, Any] | None:
    """The activity's rubric in the reader's language."""
    return rubric_of(localized_settings(activity))


def given_ratings(feedback: Feedback) -> list[dict[str, Any]]:
    """A feedback's ratings with the criterion, level name and descriptor, for the page."""
    rubric = shown_rubric(feedback.submission.activity)
    if rubric is None:
        return []
    by_key = {r.criterion: r.level for r in feedback.rubric_ratings}
    shown = []
    for c in rubric["criteria"]:
        level = by_key.get(c["key"])
        if level is not None and level <= len(rubric["levels"]):
            shown.append({"title": c["title"], "competency": c["competency"], "level": level,
                          "out_of": len(rubric["levels"]), "level_name": rubric["levels"][level - 1],
                          "descriptor": c["descriptors"][level - 1]})
    return shown


# --- evidence on the competency profile ---------------------------------------------------------

def _owned_by(user: User):
    """Submissions of the trainee: their own, and their country groups'."""
    groups = select(Membership.cohort_id).where(Membership.user_id == user.id, Membership.role == CohortRole.TRAINEE)
    return (Submission.user_id == user.id) | Submission.group_cohort_id.in_(groups)


def evidence_for(user: User) -> list[CompetencyEvidence]:
    """Every rating of released feedback on the trainee's work, oldest first (two queries)."""
    rows = db.session.execute(
        select(RubricRating, Feedback.released_at, Feedback.version_number, Submission.id, Activity)
        .join(Feedback, RubricRating.feedback_id == Feedback.id)
        .join(Submission, Feedback.submission_id == Submission.id)
        .join(Activity, Submission.activity_id == Activity.id)
        .where(Feedback.state == FeedbackState.RELEASED, _owned_by(user))
        .order_by(Feedback.released_at, RubricRating.id)).all()
    found = []
    for rating, released_at, version, submission_id, activity in rows:
        rubric = rubric_of(localized_settings(activity)) or {}
        criterion = next((c for c in rubric.get("criteria", []) if c["key"] == rating.criterion), None)
        levels = rubric.get("levels", [])
        if criterion is None or rating.level > len(levels):
            continue  # the rubric changed in content since: the rating no longer has a meaning to show
        found.append(CompetencyEvidence(
            code=rating.competency, level=rating.level, out_of=len(levels), level_name=levels[rating.level - 1],
            descriptor=criterion["descriptors"][rating.level - 1], criterion=criterion["title"],
            meets=rating.level >= int(rubric.get("meets", len(levels))), activity_title=activity.title,
            activity_slug=activity.slug, version=version, released_at=released_at,
            own_url=url_for("assignment.activity_page", slug=activity.slug),
            staff_url=url_for("assignment.version_page", submission_id=submission_id, number=version)))
    return found


def level_counts(cohorts: list[Cohort]) -> list[CompetencyLevelCount]:
    """Released ratings by country, competency and level, for the work of the cohorts' trainees
    (a trainee's country is that of their national cohort). Counts only; two queries."""
    cohort_ids = [c.id for c in cohorts]
    if not cohort_ids:
        return []
    released = Feedback.state == FeedbackState.RELEASED
    national = select(Membership.user_id, Cohort.country_id).join(Cohort, Membership.cohort_id == Cohort.id).where(
        Membership.role == CohortRole.TRAINEE, Cohort.country_id.is_not(None),
        Membership.cohort_id.in_(cohort_ids)).distinct().subquery()
    own = db.session.execute(
        select(national.c.country_id, RubricRating.competency, RubricRating.level, func.count(RubricRating.id))
        .join(Feedback, RubricRating.feedback_id == Feedback.id)
        .join(Submission, Feedback.submission_id == Submission.id)
        .join(national, national.c.user_id == Submission.user_id)
        .where(released).group_by(national.c.country_id, RubricRating.competency, RubricRating.level)).all()
    group_cohort = select(Cohort.id, Cohort.country_id).where(Cohort.id.in_(cohort_ids),
                                                              Cohort.country_id.is_not(None)).subquery()
    groups = db.session.execute(
        select(group_cohort.c.country_id, RubricRating.competency, RubricRating.level, func.count(RubricRating.id))
        .join(Feedback, RubricRating.feedback_id == Feedback.id)
        .join(Submission, Feedback.submission_id == Submission.id)
        .join(group_cohort, group_cohort.c.id == Submission.group_cohort_id)
        .where(released).group_by(group_cohort.c.country_id, RubricRating.competency, RubricRating.level)).all()
    totals: dict[tuple[int, str, int], int] = {}
    for country_id, code, level, n in [*own, *groups]:
        totals[(country_id, code, level)] = totals.get((country_id, code, level), 0) + n
    return [CompetencyLevelCount(country_id=k[0], code=k[1], level=k[2], count=n) for k, n in sorted(totals.items())]
