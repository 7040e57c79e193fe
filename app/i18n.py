"""Locale: the user's preference, then the language switcher's choice, then the language of the
person an invitation or reset link was sent to, then the browser."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import refresh
from flask_login import current_user

from .extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work: force_locale() decides, else English
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if g.get("preferred_language") in languages:
        return g.preferred_language
    return request.accept_languages.best_match(list(languages)) or current_app.config["BABEL_DEFAULT_LOCALE"]


def prefer_language(locale: str | None) -> None:
    """A page that knows whom it speaks to before they log in (an invitation, a reset link) uses
    their language, unless they chose another with the switcher; the browser's comes after."""
    g.preferred_language = locale
    refresh()


def select_timezone() -> str | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.timezone
    return None


def init_app(app: Flask) -> None:
    translations = Path(__file__).resolve().parent / "translations"
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories=str(translations))
