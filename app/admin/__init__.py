from flask import Blueprint

bp = Blueprint("admin", __name__)

from . import views  # noqa: E402,F401,I001  (routes attach to bp; kept in this order)
from . import content_views, lti_views, outbox_views, two_factor_views  # noqa: E402,F401
