"""The record as the hand-ins start from it (ActivityPlugin.record_values): every field that a
template field may name with `from_record:` in content, as plain text. Two queries, once per
request."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import ProgrammeRun, Resource, User
from app.plugins import NavLink
from app.request_memo import memoised
from app.rich_text import html_to_editable

from .models import Innovation
from .stages import FACTOR_LEVELS, IMPEDING, KNOWLEDGE, PROMOTING, SCALING_UP, STABILISATION, STAGES

#: name -> what it holds; the names content may use in `from_record:`.
RECORD_FIELDS: dict[str, str] = {
    "title": "the title of the micro-innovation",
    "family_pseudonym": "the family's pseudonym",
    "situation": "the family situation it answers",
    "families_part": "the families' part as co-creators",
    "stage": "the current stage (emergence, stabilisation, scaling_up)",
    "knowledge": "the knowledge it draws on, all three kinds and the library resources",
    "knowledge_practice": "the practice-based knowledge it draws on",
    "knowledge_education": "the education-based knowledge it draws on",
    "knowledge_research": "the research-based knowledge it draws on",
    "resources": "the titles of the library resources it draws on",
    "promoting_factors": "the promoting factors met, one a line",
    "impeding_factors": "the impeding factors met, one a line",
    "stabilisation_why": "why it reached stabilisation, as recorded with the stage",
    "scaling_up_why": "why it was scaled up, as recorded with the stage",
}


def _factors(innovation: Innovation, kind: str) -> str:
    return "\n".join(f"{f.text} ({FACTOR_LEVELS[f.level]})" for f in innovation.factors if f.kind == kind)


def _why(innovation: Innovation, stage: str) -> str:
    reasons = [s.why_html for s in innovation.stages if s.stage == stage and s.why_html]
    return html_to_editable(reasons[-1]) if reasons else ""


def values_of(innovation: Innovation) -> dict[str, str]:
    titles = list(db.session.scalars(select(Resource.title).where(Resource.slug.in_(innovation.resource_slugs))
                                     .order_by(Resource.title))) if innovation.resource_slugs else []
    knowledge = {k: html_to_editable(innovation.knowledge.get(k)) for k in KNOWLEDGE}
    combined = [f"{KNOWLEDGE[k]}: {text}" for k, text in knowledge.items() if text]
    if titles:
        combined.append(_("From the programme's resources: %(titles)s", titles="; ".join(titles)))
    values = {
        "title": innovation.title, "family_pseudonym": innovation.family_pseudonym,
        "situation": html_to_editable(innovation.situation_html),
        "families_part": html_to_editable(innovation.families_part_html), "stage": innovation.stage,
        "knowledge": "\n\n".join(combined), "resources": "; ".join(titles),
        **{f"knowledge_{k}": text for k, text in knowledge.items()},
        "promoting_factors": _factors(innovation, PROMOTING), "impeding_factors": _factors(innovation, IMPEDING),
        "stabilisation_why": _why(innovation, STABILISATION), "scaling_up_why": _why(innovation, SCALING_UP),
    }
    return {name: value for name, value in values.items() if value}


def record_values(user: User, run: ProgrammeRun) -> tuple[str, str, dict[str, str]]:
    """(label, url, values) of the user's record in the run; values empty before it is started."""
    def build() -> tuple[str, str, dict[str, str]]:
        innovation = db.session.scalar(select(Innovation).where(
            Innovation.owner_id == user.id, Innovation.run_id == run.id)
            .options(selectinload(Innovation.stages), selectinload(Innovation.factors)))
        label = _l("My micro-innovation")
        return label, url_for("innovation.mine"), values_of(innovation) if innovation else {}
    return memoised("innovation.record_values", (user.id, run.id), build)


def stage_update(user: User, run: ProgrammeRun, name: str, value: str) -> NavLink | None:
    """A hand-in that says the innovation reached a later stage than the record: a link to record
    it (the record's stage form, that stage chosen). Never a step back: stages are dated in order."""
    if name != "stage":
        return None
    stage = value.strip().lower().replace("-", "_")
    _label, url, values = record_values(user, run)
    current = values.get("stage")
    order = list(STAGES)
    if current not in order or stage not in order or order.index(stage) <= order.index(current):
        return None
    return NavLink(_("Your hand-in says it has reached the stage “%(stage)s”: record it on your micro-innovation",
                     stage=STAGES[stage]), url_for("innovation.mine", stage=stage) + "#stage-h")
