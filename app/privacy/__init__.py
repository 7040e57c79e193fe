"""The user's data-protection rights: download a copy of their data, ask for its erasure; and the
administrators' side, carrying the erasure out."""
from flask import Blueprint

bp = Blueprint("privacy", __name__)

from . import views  # noqa: E402,F401  (routes attach to bp)
