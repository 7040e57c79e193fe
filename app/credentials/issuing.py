"""Issuing a trainee's credentials from their transcript: the programme's once every unit is
awarded, a unit's once that unit is. Issuing is idempotent: the stored, signed credential is
returned again, so what a verifier holds and what the trainee downloads are the same bytes."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from ..audit import record
from ..extensions import db
from ..models import IssuedCredential
from ..services.transcript import Transcript, UnitLine
from ..timeutil import utcnow
from . import document, signing, status_list


def existing(transcript: Transcript) -> dict[int | None, IssuedCredential]:
    """The trainee's issued credentials of this programme by unit id (None: the programme's)."""
    rows = db.session.scalars(select(IssuedCredential).where(
        IssuedCredential.user_id == transcript.learner.id,
        IssuedCredential.programme_id == transcript.viewer.programme.id).order_by(IssuedCredential.issued_at))
    found: dict[int | None, IssuedCredential] = {}
    for row in rows:
        found[row.unit_id] = row  # the latest one, if content changes ever made two
    return found


def issue(transcript: Transcript, unit_line: UnitLine | None) -> IssuedCredential:
    """The credential of the programme (unit_line None) or of one awarded unit; the caller has
    checked that it is earned."""
    unit_id = unit_line.unit.id if unit_line else None
    row = existing(transcript).get(unit_id)
    if row is not None and row.revoked_at is None:
        return row
    programme = transcript.viewer.programme
    row = IssuedCredential(id=uuid.uuid4().hex, user_id=transcript.learner.id, programme_id=programme.id,
                           unit_id=unit_id, issued_at=utcnow().replace(microsecond=0),
                           status_index=status_list.next_index())
    hours = unit_line.hours_done if unit_line else transcript.hours.done_total
    points = unit_line.credits_awarded if unit_line else transcript.credits_awarded
    row.jwt = signing.sign(document.credential(
        credential_id=row.id, holder_name=transcript.learner.name, issued_at=row.issued_at,
        country_code=transcript.viewer.country_code, programme=programme, unit_line=unit_line,
        hours=hours, points=points, status_index=row.status_index))
    db.session.add(row)
    # The audit target id is an integer column; the credential id (hex) goes into the detail.
    record("credential.issue", None, actor=transcript.learner, credential=row.id,
           unit=unit_line.unit.code if unit_line else None)
    db.session.commit()
    return row


@dataclass
class Earned:
    """What the transcript page offers: the programme's credential and each awarded unit's."""
    programme: IssuedCredential | None
    units: dict[int, IssuedCredential]


def earned(transcript: Transcript) -> Earned:
    """Issue whatever the transcript has earned and not yet got (a revoked one is not re-issued
    here: an admin revoked it for a reason)."""
    found = existing(transcript)
    units: dict[int, IssuedCredential] = {}
    for line in transcript.units:
        if line.awarded:
            units[line.unit.id] = found.get(line.unit.id) or issue(transcript, line)
    programme = None
    if transcript.complete:
        programme = found.get(None) or issue(transcript, None)
    return Earned(programme, units)
