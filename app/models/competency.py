"""A trainee's own reflection on one competency element (the competency profile)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class CompetencyReflection(db.Model):
    __tablename__ = "competency_reflection"
    __table_args__ = (UniqueConstraint("user_id", "code", name="uq_competency_reflection_user_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: The competency element's code (C1..C7); a code, not a key, as modules and activities keep them.
    code: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text, default="")
    #: Compare-and-swap: a save names the version it started from.
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<CompetencyReflection user={self.user_id} {self.code} v{self.version}>"
