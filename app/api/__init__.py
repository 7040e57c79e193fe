"""The REST/JSON API under /api/v1/ (README: "REST API"): the same data as the pages, authorised
as the pages are, for partner systems (Moodle, HR systems). Callers authenticate with a personal
access token (`Authorization: Bearer …`), never with the session cookie, so no page's CSRF
protection can be side-stepped through it. Journal text and anonymous answers are never served."""
from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("api", __name__)
#: The account page's token management (HTML, session and CSRF as every page).
tokens_bp = Blueprint("api_tokens", __name__)


def init_app(app: Flask) -> None:
    # Importing the view modules registers their routes on the blueprints.
    from ..extensions import csrf
    from . import auth, dashboard_views, docs, enrolment_views, problems, token_views, views  # noqa: F401
    from .openapi import spec

    csrf.exempt(bp)
    # Routing errors happen before any blueprint is chosen: answer them as problems on /api/ too.
    app.register_error_handler(405, problems.app_level_error)
    auth.init_rate_limit(app)
    spec.app = app  # spectree reads the routes from app.url_map; it registers no pages of its own
    app.register_blueprint(bp, url_prefix="/api/v1")
    app.register_blueprint(tokens_bp, url_prefix="/account/api-tokens")
