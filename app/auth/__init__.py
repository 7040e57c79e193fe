from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import passkey_views, two_factor_views, views  # noqa: E402,F401  (routes attach to bp)
