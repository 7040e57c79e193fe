"""Cross-cutting web concerns: security headers, error pages, template helpers."""
from __future__ import annotations

import hashlib
import hmac
from datetime import date
from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_request_context, jsonify, make_response, render_template, request, session
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin, current_user
from flask_wtf.csrf import CSRFError

from app import errors
from app.localized import country_name
from app.numbers import count, figure, percent

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if _logged_in():
        # Pages behind login speak about families: never keep them in shared caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _logged_in() -> bool:
    """Whether the request ran for a logged-in user. A user the request already loaded counts
    without asking the row again: a view that committed has expired it, and `is_authenticated`
    would reload it (a query) only to tell what the session lookup already said."""
    loaded = g.get("_login_user")
    if loaded is not None and not isinstance(loaded, AnonymousUserMixin):
        return True
    return bool(current_user and current_user.is_authenticated)


# Copies of unsaved text kept in the browser (app/static/js/app.js) are filed under this tag of their
# author, rendered in <meta name="life-user">; the autosave sends it back in this header.
BROWSER_USER_HEADER = "X-Life-User"
# Set by the logout view: the next page tells the script to forget every copy (FORGET_COPIES).
FORGET_COPIES = "forget_browser_copies"
# Draft keys of forms saved for good: the next page tells the script their copies are not needed.
SAVED_COPIES = "saved_browser_copies"
# Sent by the script with a form that has a copy in the browser (the error page may say so).
BROWSER_COPY_FIELD = "browser_copy"


def browser_user_tag(user) -> str:
    """Opaque and stable per user (a re-login finds its own copies), not the e-mail or the id."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"browser-copy:{user.id}".encode(), hashlib.sha256).hexdigest()[:24]


def _refuse_another_users_copy():
    """A tab opened by one user, still open after someone else logged in in the same browser, must
    not save its text into the new user's drafts: its requests name the user the page was for."""
    claimed = request.headers.get(BROWSER_USER_HEADER)
    if claimed is None or request.method != "POST" or not current_user.is_authenticated:
        return None  # a logged-out request gets the view's own answer (401 for the autosave)
    # Bytes: compare_digest refuses str with non-ASCII characters, and a header may hold any.
    if hmac.compare_digest(claimed.encode("utf-8", "replace"), browser_user_tag(current_user).encode()):
        return None
    return jsonify(error="user", message=_(
        "Someone else has logged in in this browser since this page was opened. Nothing was saved: "
        "copy what you typed here, log in again and paste it in.")), 409


def _forget_browser_copies() -> bool:
    return bool(session.pop(FORGET_COPIES, False))


def mark_browser_copies_saved(*keys: str | None) -> None:
    """The server has the text of these forms now: the browser may drop its copies (app.js)."""
    saved = set(session.get(SAVED_COPIES, [])) | {key for key in keys if key}
    if saved:
        session[SAVED_COPIES] = sorted(saved)


def _saved_browser_copies() -> str:
    return " ".join(session.pop(SAVED_COPIES, []))


def referring_page() -> str | None:
    """The page (path and query) of this site the request came from: where a form that could not
    be sent was, to go back to it (GET) rather than replay the POST."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or not referrer.path.startswith("/") or referrer.path.startswith("//"):
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def _error_page(code: int, title: str, message: str, **extra):
    if request.path.startswith("/api/"):  # the API answers in problem details (app/api/problems.py)
        from .api.problems import problem
        return problem(code, str(message))
    return render_template("error.html", code=code, title=title, message=message, **extra), code


def _date_filter(value, fmt: str = "medium") -> str:
    """`format_date`, remembered per request for plain dates in the reader's locale: a table of
    3,000 meetings on a few hundred days formats each day once (babel's formatting was a tenth
    of the transnational dashboard). Datetimes depend on the time zone too: never remembered."""
    if not value:
        return ""
    if isinstance(value, str):  # an ISO date in a document (a credential's "validFrom")
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value  # not a date: shown as it is written
    if type(value) is not date or not has_request_context():
        return format_date(value, fmt)
    memo = g.setdefault("_formatted_dates", {})
    key = (value, fmt, str(get_locale()))
    if key not in memo:
        memo[key] = format_date(value, fmt)
    return memo[key]


def method_not_allowed(error):
    """Our 405 page in the user's language, with the Allow header Werkzeug's English one had.
    Routing errors come before any blueprint is chosen, so app/api/problems.py's app-wide
    handler calls this for every path outside /api/."""
    from flask_babel import lazy_gettext as _l
    response = make_response(_error_page(405, _l("Not possible here"), _l(
        "This address cannot be used this way. Go back and use the buttons and links of the page.")))
    response.headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or [])
    return response


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    app.after_request(_security_headers)
    # Before the CSRF check: a tab left open when someone else logged in carries the old user's
    # form token too (rotated at login), and the truthful answer is "someone else logged in".
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_another_users_copy)

    @app.errorhandler(403)
    @app.errorhandler(errors.Forbidden)
    def forbidden(_e):
        return _error_page(403, _l("Not allowed"), _l("You do not have access to this page."))

    @app.errorhandler(404)
    @app.errorhandler(errors.NotFound)
    def not_found(_e):
        return _error_page(404, _l("Page not found"), _l("There is no page at this address."))

    # The other errors a user can meet, in their language: Werkzeug's own pages are English only.
    @app.errorhandler(400)
    def bad_request(_e):
        return _error_page(400, _l("Request not understood"), _l(
            "The site could not make sense of what was sent. Go back, reload the page and try again."))

    # 405 is answered by method_not_allowed below, through the API's app-wide handler (app/api/).

    @app.errorhandler(429)
    def too_many_requests(_e):
        return _error_page(429, _l("Too many requests"),
                           _l("Too many requests came from here in a short time. Wait a moment and try again."))

    @app.errorhandler(500)
    def server_error(_e):
        return _error_page(500, _l("Something went wrong"), _l(
            "Something went wrong on our side. Go back and try again in a moment; if it happens again, "
            "tell your coordinator."))

    @app.errorhandler(413)
    def too_large(_e):
        # The body was not read, so nothing of it can be shown again; the browser's copy of the
        # typed text (app/static/js/app.js) is what the user gets back.
        if request.mimetype == "multipart/form-data":
            return _error_page(413, _l("File too large"), _l("The file is larger than the allowed size."))
        message = _l("What you sent is larger than this site accepts. Nothing was saved. Go back to the form: "
                     "this browser keeps a copy of what you typed. Shorten it and send it again.")
        if request.accept_mimetypes.best == "application/json":
            return jsonify(error="size", message=str(message)), 413
        return _error_page(413, _l("Too much text"), message)

    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        # The form's token is refused when the session it belongs to is gone (the cookie was lost,
        # the server forgot the session). A form with autosave has kept what was typed in this
        # browser (app.js says so with BROWSER_COPY_FIELD): its page offers the text back.
        back = referring_page()
        if request.form.get(BROWSER_COPY_FIELD) and request.form.get("draft_key"):
            message = _l("Your session had ended, so the form could not be sent and nothing new was saved "
                         "on the server. What you typed is kept in this browser: go back to the form, log "
                         "in if you are asked to, check your text and save again.")
        else:
            message = _l("Your session had ended or the page was open too long, so the form could not be "
                         "sent and nothing was saved. Go back to the page, reload it and send the form again.")
        return _error_page(400, _l("The form has expired"), message, back_url=back,
                           back_label=_l("Back to the form"))

    app.jinja_env.filters["date"] = _date_filter
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt) if value else ""
    # A wall-clock time of a plan or meeting ("14:00", "2:00 PM"), already in the meeting's zone.
    app.jinja_env.filters["clock"] = lambda value: format_time(value, "short", rebase=False) if value else ""
    app.jinja_env.filters["country_name"] = country_name  # in the reader's language
    app.jinja_env.filters["percent"] = percent  # 45 -> "45 %" in sv, "45%" in pt
    # Not "count": Jinja's own filter of that name is an alias of length.
    app.jinja_env.filters["grouped"] = count  # 10000 -> "10 000" in sv, "10.000" in pt
    app.jinja_env.filters["figure"] = figure  # 0.5 -> "0,5" in sv and pt (a size limit in MB)

    role_labels = {
        "trainee": _l("Trainee"), "facilitator": _l("Facilitator"), "coordinator": _l("National coordinator"),
        "admin": _l("Administrator"), "transnational_coordinator": _l("Transnational coordinator"),
    }

    @app.context_processor
    def inject_globals():
        return {"languages": app.config["LANGUAGES"], "request_path": request.path, "get_locale": get_locale,
                "role_label": lambda role: role_labels.get(role, role),
                "browser_user_tag": browser_user_tag, "forget_browser_copies": _forget_browser_copies,
                "saved_browser_copies": _saved_browser_copies}
