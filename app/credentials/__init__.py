"""Verifiable credentials (Open Badges 3.0, JWT-VC signed with Ed25519): issuing from the
transcript, the public verification page and endpoint, the status list, revocation by admins."""
from flask import Blueprint

bp = Blueprint("credentials", __name__)

from . import admin_views, cli, views  # noqa: E402,F401
