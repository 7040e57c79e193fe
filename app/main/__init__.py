from flask import Blueprint

bp = Blueprint("main", __name__)

from . import views  # noqa: E402,F401  (routes attach to bp)
from . import engagement  # noqa: E402,F401
