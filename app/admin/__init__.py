from flask import Blueprint

bp = Blueprint("admin", __name__)

from . import views  # noqa: E402,F401  (routes attach to bp)
from . import outbox_views  # noqa: E402,F401
