"""Template helpers for the assignment pages (views.py gives them to its blueprint's templates only)."""
from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.numbers import count
from app.sanitize import safe_html

from . import media, rubric_ratings, templating

STATUS_LABELS = {
    "not_started": _l("Not started"),
    "draft": _l("Draft"),
    "submitted": _l("Handed in, waiting for feedback"),
    "revision_requested": _l("Revision requested"),
    "accepted": _l("Accepted"),
}
STATUS_BADGES = {
    "not_started": "text-bg-light border", "draft": "text-bg-secondary", "submitted": "text-bg-info",
    "revision_requested": "text-bg-warning", "accepted": "text-bg-success",
}
FEEDBACK_STATE_LABELS = {
    "draft": _l("Draft: not released"),
    "awaiting_review": _l("Waiting for a coordinator's review"),
    "released": _l("Released"),
}
DECISION_LABELS = {"accept": _l("Accepted"), "revise": _l("Revision requested")}


def lines(text: str | None) -> Markup:
    """Plain text with its line breaks, escaped."""
    return Markup("<br>\n".join(str(escape(line)) for line in (text or "").splitlines()))


def file_size(size: int) -> str:
    """ "1.5 MB", "1,5 MB" in sv and pt: the size of a file on a page, in the reader's locale."""
    if size >= 1024 * 1024:
        return f"{format_decimal(size / (1024 * 1024), format='#,##0.0')} MB"
    return f"{count(max(1, size // 1024))} KB"


def assignment_helpers() -> dict:
    return {
        "safe_html": safe_html, "lines": lines, "file_size": file_size,
        "assignment_status_label": lambda s: STATUS_LABELS.get(s, s),
        "assignment_status_badge": lambda s: STATUS_BADGES.get(s, "text-bg-light"),
        "feedback_state_label": lambda s: FEEDBACK_STATE_LABELS.get(s, s),
        "decision_label": lambda d: DECISION_LABELS.get(d, d),
        "display_value": templating.display_value,
        "media_player": media.player_of,
        "shown_rubric": rubric_ratings.shown_rubric, "given_ratings": rubric_ratings.given_ratings,
    }
