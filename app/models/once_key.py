"""The one-time keys of create forms (app/once.py): a form sent twice creates one thing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class OnceKey(db.Model):
    """A create form's key, stored in the transaction of what the form created. The unique
    constraint, not a read before the write, decides which of two sends of one form wins."""
    __tablename__ = "once_key"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_once_key_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: Random, made when the form was shown (32 hex digits).
    key: Mapped[str] = mapped_column(String(32))
    #: Where the first send led (the created thing's page); a second send is sent there too.
    url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<OnceKey user={self.user_id} {self.url}>"
