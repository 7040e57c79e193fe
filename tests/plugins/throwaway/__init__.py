"""A plugin that lives outside app/ and modules/: it brings a model, a blueprint, a template,
its own settings validation and its own hours rule, and the core needs no change for it."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from flask import Blueprint, render_template
from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from app.content.schema import ContentModel, Says
from app.extensions import db
from app.plugins import ActivityPlugin, ContentContext

if TYPE_CHECKING:
    from app.models import Activity

bp = Blueprint("throwaway", __name__, template_folder="templates")


class ThrowawayNote(db.Model):  # type: ignore[misc]  # db.Model is Any to mypy (pyproject.toml)
    __tablename__ = "throwaway_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(100))


@bp.get("/")
def hello() -> str:
    count = db.session.scalar(select(func.count()).select_from(ThrowawayNote))
    return render_template("throwaway/hello.html", count=count)


class ThrowawaySettings(ContentModel):
    colour: Annotated[Literal["red", "blue"], Says("colour must be red or blue")]


class ThrowawayPlugin(ActivityPlugin):
    def validate_config(self, raw: dict[str, Any], context: ContentContext) -> dict[str, Any]:
        return {"colour": context.check(ThrowawaySettings, raw).colour}

    def hours(self, activity: Activity) -> Decimal:
        return Decimal(activity.hours) * 2  # a rule of its own: double credit


plugin = ThrowawayPlugin(name="throwaway", label="Throwaway", blueprint=bp, models=(ThrowawayNote,))
