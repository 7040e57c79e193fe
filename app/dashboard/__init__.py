"""The programme dashboard for coordinators and admins (facilitators see their own cohorts)."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from . import views  # noqa: E402,F401  (routes attach to bp)
