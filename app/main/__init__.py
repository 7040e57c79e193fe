from flask import Blueprint

bp = Blueprint("main", __name__)

from . import views  # noqa: E402,F401,I001  (routes attach to bp; kept in this order)
from . import engagement  # noqa: E402,F401
