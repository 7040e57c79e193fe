"""Meetings and attendance, the user's calendar and their calendar feed (mounted at /meetings).

The CLI `flask meetings schedule --run <id>` gives a run's cohorts their meetings from the
programme's meeting plans (app/services/meetings.py)."""
from flask import Blueprint

bp = Blueprint("meetings", __name__)

from . import cli, views  # noqa: E402,F401  (routes and commands attach to bp)
