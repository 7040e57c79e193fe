"""The OpenAPI document and the interactive documentation page. Both are public: they describe
the API, they hold no one's data."""
from __future__ import annotations

from flask import jsonify, render_template

from . import bp
from .openapi import spec


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(spec.spec)


@bp.get("/docs")
def docs():
    return render_template("api/docs.html")
