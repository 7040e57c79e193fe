"""Cross-cutting web concerns: security headers, error pages, template helpers."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from app import errors

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if current_user and current_user.is_authenticated:
        # Pages behind login speak about families: never keep them in shared caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error_page(code: int, title: str, message: str):
    return render_template("error.html", code=code, title=title, message=message), code


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    app.after_request(_security_headers)

    @app.errorhandler(403)
    @app.errorhandler(errors.Forbidden)
    def forbidden(_e):
        return _error_page(403, _l("Not allowed"), _l("You do not have access to this page."))

    @app.errorhandler(404)
    @app.errorhandler(errors.NotFound)
    def not_found(_e):
        return _error_page(404, _l("Page not found"), _l("There is no page at this address."))

    @app.errorhandler(413)
    def too_large(_e):
        return _error_page(413, _l("File too large"), _l("The file is larger than the allowed size."))

    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        return _error_page(400, _l("The form has expired"),
                           _l("Go back, reload the page and send the form again. Nothing was saved."))

    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt) if value else ""

    role_labels = {
        "trainee": _l("Trainee"), "facilitator": _l("Facilitator"), "coordinator": _l("National coordinator"),
        "admin": _l("Administrator"), "transnational_coordinator": _l("Transnational coordinator"),
    }

    @app.context_processor
    def inject_globals():
        return {"languages": app.config["LANGUAGES"], "request_path": request.path, "get_locale": get_locale,
                "role_label": lambda role: role_labels.get(role, role)}
