"""Content in the reader's language: the English source with the overlay of the current locale.

The importer stores, on each row the content files fill, `translations = {lang: overlay}`
(app/content/translations.py). Pages never read a translated text any other way than through
`localized()` / `localized_settings()`, which merge the overlay for `flask_babel.get_locale()` and
say whether the text fell back to English, so templates can show one marker for it
(macros/localized.html)."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from babel import Locale, UnknownLocaleError
from flask import has_request_context
from markupsafe import Markup

from .i18n import current_locale

SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class Localized:
    """A text in the reader's language, or the English source when `fell_back`."""
    text: Any
    fell_back: bool
    lang: str

    def __str__(self) -> str:
        return str(self.text or "")

    def __html__(self) -> str:  # Jinja escapes it like the plain text
        return str(Markup.escape(self.text or ""))


def content_language() -> str:
    """The language content is shown in: the locale's language ('nb' for nb_NO), else English."""
    if not has_request_context():
        return SOURCE_LANGUAGE
    locale = current_locale()
    return locale.language if locale is not None else SOURCE_LANGUAGE


def country_name(country: Any) -> str:
    """A country's name in the reader's language ('Norge' for a Norwegian reader), from the CLDR
    data by its ISO code; `country` is a Country row or a code. A code CLDR does not know, or no
    request to take a language from, gives the name stored with the country (or the code)."""
    code, stored = (country, country) if isinstance(country, str) else (country.code, country.name)
    locale = current_locale() if has_request_context() else None
    if locale is None:
        return stored
    try:
        name = Locale.parse(str(locale)).territories.get(code.upper())
    except (UnknownLocaleError, ValueError):
        return stored
    # ZZ is CLDR's "Unknown region": a user-assigned code an admin gave a country of their own.
    return name if name and code.upper() != "ZZ" else stored


def language_name(lang: str) -> str:
    """The language's own name, as its speakers write it at the start of a sentence: 'Svenska'."""
    try:
        name = Locale.parse(lang).get_display_name(lang) or lang
    except (ValueError, LookupError):
        return lang
    return name[:1].upper() + name[1:]


def merge(source: Any, overlay: Any) -> Any:
    """The source with the overlay's texts in place. Dicts merge by key; list overlays have the
    source's length with None where an item is not translated."""
    if overlay is None:
        return source
    if isinstance(source, dict) and isinstance(overlay, dict):
        merged = dict(source)
        for key, value in overlay.items():
            if key in merged:
                merged[key] = merge(merged[key], value)
        return merged
    if isinstance(source, list) and isinstance(overlay, list):
        return [merge(s, o) for s, o in zip(source, overlay, strict=False)] + source[len(overlay):]
    if isinstance(overlay, str) and (isinstance(source, str) or source is None):
        return overlay
    return source


def _overlay(obj: Any, lang: str) -> dict[str, Any]:
    return ((getattr(obj, "translations", None) or {}).get(lang) or {}) if obj is not None else {}


def localized(obj: Any, field: str) -> Localized:
    """obj.<field> in the reader's language; fell_back when a translated reader gets English."""
    value = getattr(obj, field, None)
    lang = content_language()
    if lang == SOURCE_LANGUAGE or not value:
        return Localized(value, False, lang)
    overlay = _overlay(obj, lang)
    if field not in overlay:
        return Localized(value, True, lang)
    return Localized(merge(value, overlay[field]), False, lang)


def localized_items(obj: Any, field: str) -> list[Localized]:
    """A list field (learning outcomes) item by item, each with its own fallback."""
    items = getattr(obj, field, None) or []
    lang = content_language()
    overlay = _overlay(obj, lang).get(field) or []
    out = []
    for index, item in enumerate(items):
        part = overlay[index] if index < len(overlay) else None
        out.append(Localized(merge(item, part), lang != SOURCE_LANGUAGE and part is None, lang))
    return out


def localized_settings(activity: Any) -> dict[str, Any]:
    """The activity's settings with the reader's language merged in (a copy: never write back)."""
    settings = copy.deepcopy(getattr(activity, "settings", None) or {})
    overlay = _overlay(activity, content_language()).get("settings")
    return merge(settings, overlay) if overlay else settings


def settings_fell_back(activity: Any) -> bool:
    """Whether a translated reader sees the activity's own texts (lesson, task, prompt,
    questionnaire) in English."""
    lang = content_language()
    return lang != SOURCE_LANGUAGE and bool(activity.settings) and "settings" not in _overlay(activity, lang)


def settings_text(activity: Any, key: str) -> Localized:
    """One text of the activity's settings (a lesson's `body_md`, a task's `instructions_md`)."""
    return Localized(localized_settings(activity).get(key, ""), settings_fell_back(activity), content_language())


def meeting_text(meeting: Any, field: str) -> Localized:
    """A cohort's meeting keeps the plan's title and agenda until the cohort edits them: while it
    has the plan's own text, the plan's translation is shown."""
    plan = getattr(meeting, "plan", None)
    own = getattr(meeting, field, None)
    if plan is not None and own == getattr(plan, field, None):
        return localized(plan, field)
    return Localized(own, False, content_language())


def init_app(app) -> None:
    app.jinja_env.globals.update(localized=localized, localized_items=localized_items,
                                 localized_settings=localized_settings, settings_fell_back=settings_fell_back,
                                 settings_text=settings_text,
                                 meeting_text=meeting_text, language_name=language_name)
