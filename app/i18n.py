"""Locale: the user's preference, then the language switcher's choice, then the language of the
person an invitation or reset link was sent to, then the browser."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import get_locale, get_translations, refresh
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

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


def current_locale():
    """flask_babel.get_locale(), reading the locale flask-babel already chose for this request
    straight from the app context's `g`: content pages ask for it once per localized text (dozens
    a page), and each get_locale() went three times through the `g` proxy. Anything unexpected
    (no choice yet, another flask-babel layout) goes to get_locale() itself."""
    ctx = _cv_app.get(None)
    chosen = getattr(getattr(ctx.g, "_flask_babel", None), "babel_locale", None) if ctx is not None else None
    return chosen if chosen is not None else get_locale()


def prefer_language(locale: str | None) -> None:
    """A page that knows whom it speaks to before they log in (an invitation, a reset link) uses
    their language, unless they chose another with the switcher; the browser's comes after."""
    g.preferred_language = locale
    refresh()


def select_timezone() -> str | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.timezone
    return None


#: The page's translations, looked up once when the template is rendered: flask-babel finds
#: them anew for every `_()` (four lookups through `flask.g`), about a tenth of the login page.
TEMPLATE_TRANSLATIONS = "_life_translations"


def _translations_of(context):
    return context.get(TEMPLATE_TRANSLATIONS) or get_translations()  # an imported macro has no page


def _formatted(context, text: str, variables: dict):
    """As Jinja's newstyle gettext: escaped as Markup, always a format string (but a text with no
    `%` comes out unchanged, so it is not formatted)."""
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables if variables or "%" in text else text


@pass_context
def _template_gettext(context, string: str, **variables):
    return _formatted(context, _translations_of(context).ugettext(string), variables)


@pass_context
def _template_ngettext(context, singular: str, plural: str, num: int, **variables):
    variables.setdefault("num", num)
    return _formatted(context, _translations_of(context).ungettext(singular, plural, num), variables)


def _page_translations() -> dict:
    # Inside render_template: a page rendered under force_locale() (an e-mail) gets that locale's.
    return {TEMPLATE_TRANSLATIONS: get_translations()}


def init_app(app: Flask) -> None:
    translations = Path(__file__).resolve().parent / "translations"
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories=str(translations))
    # `_` in templates resolves "gettext" (jinja2.ext), so these two serve every template string.
    app.jinja_env.globals.update(gettext=_template_gettext, ngettext=_template_ngettext)
    app.context_processor(_page_translations)
