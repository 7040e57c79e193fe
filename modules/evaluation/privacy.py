"""A user's answers for the privacy export, and their erasure (anonymous answers keep counting)."""
from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Draft, User
from app.plugins import NotPersonal, PersonalData

from .models import AnonymousResponse, NamedResponse, Participation
from .questionnaire import PLUGIN, instrument_of, pseudonym
from .writes import group_answers, lock_group, rewrite_group

# --- privacy export and erasure --------------------------------------------------------------------

def export_user_data(user: User) -> dict[str, Any]:
    """Everything about the user, anonymous answers included: the app can find those through the
    code, so they are the user's data too (three queries)."""
    participations = list(db.session.scalars(select(Participation).where(Participation.user_id == user.id)
                                             .options(joinedload(Participation.activity))))
    named = {(r.activity_id, r.cohort_id): r.answers for r in db.session.scalars(
        select(NamedResponse).where(NamedResponse.user_id == user.id))}
    codes = {pseudonym(user.id, instrument_of(p.activity)["family"]) for p in participations}
    anonymous = {}
    if codes:
        anonymous = {(r.activity_id, r.cohort_id, r.code): r.answers for r in db.session.scalars(
            select(AnonymousResponse).where(AnonymousResponse.code.in_(codes)))}
    items = []
    for p in participations:
        instrument = instrument_of(p.activity)
        if instrument["anonymous"]:
            answers = anonymous.get((p.activity_id, p.cohort_id, pseudonym(user.id, instrument["family"])))
        else:
            answers = named.get((p.activity_id, p.cohort_id))
        items.append({"activity": p.activity.slug, "cohort_id": p.cohort_id,
                      "submitted_at": p.submitted_at.isoformat(), "anonymous": instrument["anonymous"],
                      "answers": answers})
    return {"questionnaires": items}


def erase_user_data(user: User) -> None:
    """Named answers and participation go. Anonymous answers stay in the aggregates, but their
    code is replaced by a random one (the same within a family, so before/after pairs still
    count): after erasure not even the key links them to the person."""
    families = {instrument_of(p.activity)["family"] for p in db.session.scalars(
        select(Participation).where(Participation.user_id == user.id).options(joinedload(Participation.activity)))}
    replacement = {pseudonym(user.id, family): secrets.token_hex(32) for family in families}
    groups = set(db.session.execute(select(AnonymousResponse.activity_id, AnonymousResponse.cohort_id).where(
        AnonymousResponse.code.in_(list(replacement))))) if replacement else set()
    for activity_id, cohort_id in sorted(groups):
        # The whole group is rewritten, or the erasure's transaction (and its audit event) would
        # point at exactly the rows whose code it changed.
        lock_group(cohort_id)
        group = group_answers(activity_id, cohort_id)
        rewrite_group(activity_id, cohort_id, {replacement.get(code, code): a for code, a in group.items()})
    for model in (NamedResponse, Participation):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(delete(Draft).where(Draft.user_id == user.id, Draft.key.like(f"{PLUGIN}:%")))
    db.session.flush()


# --- what questionnaires store about people (app/plugins.py PersonalData) ------------------------

PERSONAL_DATA: tuple[PersonalData | NotPersonal, ...] = (
    PersonalData("evaluation_participation", ("user_id",), export="evaluation (which questionnaires were answered)",
                 erase="deleted", retention="until the account is erased"),
    PersonalData("evaluation_named_response", ("user_id",), ("answers",), export="evaluation (named answers)",
                 erase="deleted", retention="until the account is erased"),
    PersonalData("evaluation_response", (), ("code", "answers"),
                 export="evaluation (anonymous answers found through the user's pseudonymous code)",
                 erase="kept in the aggregates; the code is replaced by a random one",
                 retention="kept anonymous for the project's evaluation"),
    NotPersonal("evaluation_response", ("id",), "a random row identifier"),
    PersonalData("evaluation_reminder", ("sent_by_id",), export="not exported: a coordinator's reminder count",
                 erase="kept: points at the erased, anonymous user row", retention="while the cohort exists"),
)
