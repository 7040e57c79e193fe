"""Reaching trainees: announcements, reminders about overdue work, notification preferences and
the one-click unsubscribe link (app/services/announcements.py, reminders.py, preferences.py,
unsubscribe.py); `flask notify digest` sends the digests (app/services/digests.py)."""
from flask import Blueprint

bp = Blueprint("notify", __name__)

from . import views  # noqa: E402,F401  (routes attach to bp)
