"""Every change to a micro-innovation, with its rules and its audit record."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select, update

from app import audit
from app.conflicts import Conflict, SaveRefused
from app.errors import NotFound
from app.extensions import db, rows_changed
from app.models import ProgrammeRun, User
from app.sanitize import plain_text, sanitize_html
from app.services.notifications import notify
from app.timeutil import utcnow

from . import access
from .models import Factor, Innovation, InnovationComment, StageChange
from .stages import EMERGENCE, FACTOR_KINDS, FACTOR_LEVELS, KNOWLEDGE, STAGES


class InnovationError(SaveRefused):
    """A rule of the micro-innovation refuses the change; the message says why."""


@dataclass
class RecordData:
    title: str
    family_pseudonym: str = ""
    situation_html: str = ""
    families_part_html: str = ""
    knowledge: dict[str, str] = field(default_factory=dict)
    resource_slugs: list[str] = field(default_factory=list)


def record_url(innovation: Innovation) -> str:
    return url_for("innovation.record", innovation_id=innovation.id)


def _apply(innovation: Innovation, data: RecordData) -> None:
    innovation.title = data.title.strip()
    innovation.family_pseudonym = data.family_pseudonym.strip()[:100]
    innovation.situation_html = sanitize_html(data.situation_html)
    innovation.families_part_html = sanitize_html(data.families_part_html)
    innovation.knowledge = {k: sanitize_html(v) for k, v in data.knowledge.items() if k in KNOWLEDGE and v}
    innovation.resource_slugs = list(dict.fromkeys(data.resource_slugs))
    if not innovation.title:
        raise InnovationError(_("Give your micro-innovation a title."))


def start(owner: User, run: ProgrammeRun, data: RecordData, today: date) -> Innovation:
    """The owner's record for the run, at the stage of emergence from today. One per trainee and
    run: a second start (another tab) is refused as a conflict, nothing is overwritten."""
    if db.session.scalar(select(Innovation.id).where(Innovation.owner_id == owner.id, Innovation.run_id == run.id)):
        raise Conflict(None)
    innovation = Innovation(owner_id=owner.id, run_id=run.id, stage=EMERGENCE, version=1)
    _apply(innovation, data)
    innovation.stages.append(StageChange(stage=EMERGENCE, reached_on=today, why_html=""))
    db.session.add(innovation)
    db.session.flush()
    audit.record("innovation.started", innovation)
    return innovation


def save_record(innovation: Innovation, data: RecordData, base_version: int | None) -> Innovation:
    """An edit made on `base_version`: exactly one of two saves from the same version goes
    through (compare-and-set), the other is a Conflict with nothing written."""
    claimed = db.session.execute(update(Innovation).where(Innovation.id == innovation.id,
                                                          Innovation.version == base_version)
                                 .values(version=Innovation.version + 1, updated_at=utcnow())
                                 .execution_options(synchronize_session=False))
    current = db.session.scalar(select(Innovation).where(Innovation.id == innovation.id)
                                .execution_options(populate_existing=True))
    if current is None:
        raise NotFound
    if rows_changed(claimed) != 1:
        raise Conflict(current)
    _apply(current, data)
    db.session.flush()
    return current


def change_stage(innovation: Innovation, stage: str, reached_on: date, why_html: str, today: date) -> StageChange:
    if stage not in STAGES:
        raise InnovationError(_("Choose a stage from the list."))
    if stage == innovation.stage:
        raise InnovationError(_("Your micro-innovation is at this stage already."))
    why = sanitize_html(why_html)
    if not plain_text(why).strip():
        raise InnovationError(_("Say why it has reached this stage: what happened, with the families or your team."))
    last = max((s.reached_on for s in innovation.stages), default=None)
    if last is not None and reached_on < last:
        raise InnovationError(_("The date cannot be before the last stage change (%(day)s).", day=format_date(last)))
    if reached_on > today:
        raise InnovationError(_("The date cannot be in the future."))
    change = StageChange(stage=stage, reached_on=reached_on, why_html=why)
    innovation.stages.append(change)
    innovation.stage = stage
    innovation.version += 1
    innovation.updated_at = utcnow()
    db.session.flush()
    audit.record("innovation.stage", innovation, stage=stage)
    return change


def add_factor(innovation: Innovation, kind: str, level: str, text: str) -> Factor:
    if kind not in FACTOR_KINDS or level not in FACTOR_LEVELS:
        raise InnovationError(_("Choose whether the factor promoted or impeded the innovation, and at which level."))
    text = text.strip()
    if not text:
        raise InnovationError(_("Describe the factor in a few words."))
    factor = Factor(kind=kind, level=level, text=text[:500])
    innovation.factors.append(factor)
    db.session.flush()
    return factor


def delete_factor(innovation: Innovation, factor_id: int) -> None:
    factor = next((f for f in innovation.factors if f.id == factor_id), None)
    if factor is None:
        raise NotFound
    db.session.delete(factor)
    db.session.flush()


def set_shared(innovation: Innovation, shared: bool) -> None:
    if innovation.shared != shared:
        innovation.shared = shared
        audit.record("innovation.shared" if shared else "innovation.unshared", innovation)


def add_comment(innovation: Innovation, author: User, body_html: str) -> InnovationComment:
    """A facilitator's comment (the owner is told) or the owner's answer (the facilitators who
    commented before are told)."""
    if not access.can_comment(author, innovation):
        raise NotFound
    body = sanitize_html(body_html)
    if not plain_text(body).strip():
        raise InnovationError(_("Write a comment before sending it."))
    comment = InnovationComment(innovation_id=innovation.id, author_id=author.id, body_html=body)
    db.session.add(comment)
    db.session.flush()
    if author.id != innovation.owner_id:
        recipients = [innovation.owner]
    else:
        recipients = list({c.author.id: c.author for c in innovation.comments
                           if c.author is not None and c.author_id != author.id}.values())
    for user in recipients:
        notify(user, "innovation.comment",
               lambda: _("%(name)s commented on the micro-innovation “%(title)s”.", name=author.name,
                         title=innovation.title), url=record_url(innovation))
    return comment
