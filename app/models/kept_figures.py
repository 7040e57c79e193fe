"""Run-wide figures kept a short while and shared by every worker (app/figures_cache.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class KeptFigures(db.Model):
    """One set of a dashboard's or report's figures: sealed (signed with SECRET_KEY) so that
    nothing but the app itself can write a value the app will read back."""
    __tablename__ = "kept_figures"

    #: SHA-256 of the set's key (the run, the cohorts shown, the day, the language).
    slot: Mapped[str] = mapped_column(String(64), primary_key=True)
    made_at: Mapped[datetime]
    value: Mapped[bytes] = mapped_column(LargeBinary)

    def __repr__(self) -> str:
        return f"<KeptFigures {self.slot[:8]} {self.made_at}>"
