"""What the micro-innovation stores about people: in the owner's data download, erased with
them, purged with the run's submissions (SUBMISSION_RETENTION_DAYS after the run ends)."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Draft, ProgrammeRun, User
from app.plugins import NotPersonal, PersonalData
from app.services import retention

from .models import Factor, Innovation, InnovationComment, StageChange

_RETENTION = "SUBMISSION_RETENTION_DAYS after the run ends (flask privacy purge --run)"


def user_data(user: User) -> dict[str, Any]:
    records = db.session.scalars(select(Innovation).where(Innovation.owner_id == user.id).options(
        selectinload(Innovation.stages), selectinload(Innovation.factors),
        selectinload(Innovation.comments).selectinload(InnovationComment.author), selectinload(Innovation.run)))
    own = [{
        "run": i.run.name, "title": i.title, "family_pseudonym": i.family_pseudonym,
        "situation_html": i.situation_html,
        "families_part_html": i.families_part_html, "knowledge": i.knowledge, "resources": i.resource_slugs,
        "stage": i.stage, "shared": i.shared,
        "stages": [{"stage": s.stage, "reached_on": s.reached_on.isoformat(), "why_html": s.why_html}
                   for s in i.stages],
        "factors": [{"kind": f.kind, "level": f.level, "text": f.text} for f in i.factors],
        "comments": [{"by": "me" if c.author_id == user.id else (c.author.name if c.author else "(erased user)"),
                      "body_html": c.body_html, "at": c.created_at.isoformat()} for c in i.comments],
    } for i in records]
    written = db.session.scalars(select(InnovationComment).join(Innovation).where(
        InnovationComment.author_id == user.id, Innovation.owner_id != user.id))
    return {"innovations": own,
            "comments_on_others": [{"body_html": c.body_html, "at": c.created_at.isoformat()} for c in written]}


def _delete(innovation_ids) -> None:
    """Bulk delete with the children listed explicitly: bulk statements do not run ORM cascades."""
    for model in (StageChange, Factor, InnovationComment):
        db.session.execute(delete(model).where(model.innovation_id.in_(innovation_ids)))
    db.session.execute(delete(Innovation).where(Innovation.id.in_(innovation_ids)))


def erase_user(user: User) -> None:
    db.session.execute(delete(InnovationComment).where(InnovationComment.author_id == user.id))
    _delete(select(Innovation.id).where(Innovation.owner_id == user.id))
    db.session.execute(delete(Draft).where(Draft.user_id == user.id, Draft.key.like("innovation:%")))
    db.session.expire_all()


def purge_run(run: ProgrammeRun, today: date) -> dict[str, int]:
    retention.check_retention(run, today, int(current_app.config["SUBMISSION_RETENTION_DAYS"]),
                              "SUBMISSION_RETENTION_DAYS", "micro-innovations")
    ids = list(db.session.scalars(select(Innovation.id).where(Innovation.run_id == run.id)))
    if ids:
        db.session.execute(delete(Draft).where(Draft.key.in_([f"innovation:{i}" for i in ids]
                                                             + [f"innovation:{i}:stage" for i in ids]
                                                             + [f"innovation:{i}:comment" for i in ids])))
        _delete(ids)
        db.session.expire_all()
    return {"micro-innovations": len(ids)}


PERSONAL_DATA: tuple[PersonalData | NotPersonal, ...] = (
    PersonalData("innovation", ("owner_id",), ("title", "family_pseudonym", "situation_html", "families_part_html",
                                              "knowledge"),
                 export="innovation.innovations", erase="deleted with the owner", retention=_RETENTION),
    NotPersonal("innovation", ("resource_slugs", "stage"), "slugs of library resources and a stage name"),
    PersonalData("innovation_stage", (), ("why_html",), export="innovation.innovations[].stages",
                 erase="deleted with the innovation", retention=_RETENTION),
    NotPersonal("innovation_stage", ("stage",), "a stage name"),
    PersonalData("innovation_factor", (), ("text",), export="innovation.innovations[].factors",
                 erase="deleted with the innovation", retention=_RETENTION),
    NotPersonal("innovation_factor", ("kind", "level"), "the toolkit's categories"),
    PersonalData("innovation_comment", ("author_id",), ("body_html",),
                 export="innovation.innovations[].comments, innovation.comments_on_others",
                 erase="deleted with the author or the innovation", retention=_RETENTION),
)
