"""The trainee's programme pages: overview, modules, the Knowledge Triangle resource library."""
from flask import Blueprint

bp = Blueprint("programme", __name__)

from . import competency_views, transcript_views, views  # noqa: E402,F401  (routes attach to bp)
