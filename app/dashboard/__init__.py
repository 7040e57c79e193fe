"""The programme dashboard for coordinators and admins (facilitators see their own cohorts)."""
from collections.abc import Callable

from flask import Blueprint
from flask_babel import gettext

from ..numbers import count

bp = Blueprint("dashboard", __name__)


@bp.app_template_global()
def done_of_total() -> Callable[[int, int], str]:
    """done_of(3, 25) -> "3 of 25" ("3 av 25"): the figures grouped as the locale groups digits,
    in a sentence translated once for the template (`{% set done_of = done_of_total() %}`). A table
    shows it in every cell (the module completion of 480 cohorts), where a gettext call and a
    Markup formatting per cell were most of the programme report."""
    pattern = gettext("%(done)s of %(total)s")

    def done_of(done: int, total: int) -> str:
        return pattern % {"done": count(done), "total": count(total)}
    return done_of

from . import views  # noqa: E402,F401  (routes attach to bp)
