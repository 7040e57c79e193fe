"""A verifiable credential issued to a trainee: the programme's (unit_id None) or one ECVET unit's.

The signed JWT is kept as issued, so a download returns the very credential a verifier may already
hold, and revocation flips the bit at `status_index` in the status list."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .programme import EcvetUnit, Programme
from .user import User


class IssuedCredential(db.Model):
    __tablename__ = "issued_credential"
    __table_args__ = (UniqueConstraint("status_index", name="uq_issued_credential_status_index"),)

    #: A random public id (uuid4 hex): the credential's URL, unguessable.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("ecvet_unit.id", ondelete="CASCADE"), index=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_index: Mapped[int]
    jwt: Mapped[str] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_reason: Mapped[str] = mapped_column(String(300), default="")

    user: Mapped[User] = relationship()
    programme: Mapped[Programme] = relationship()
    unit: Mapped[EcvetUnit | None] = relationship()

    def __repr__(self) -> str:
        return f"<IssuedCredential {self.id}>"
