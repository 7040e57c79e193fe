"""What a national variant says on the site: its `notes:` on the programme overview and, per
module, "In Norway this module …" (content/variants/<cc>/variant.yaml, `module_notes:`). Read
from Programme.variants, which the importer fills and a run's content version pins: no query."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..localized import Localized, content_language, country_name, localized
from .current_content import programme_variants
from .programme_viewer import Viewer


@dataclass
class _Texts:
    """One variant's texts with their translations, shaped for `localized()`."""
    notes_md: str
    module_notes: dict[str, str]
    translations: dict[str, Any] = field(default_factory=dict)


@dataclass
class VariantNote:
    country: str
    country_name: str
    text: Localized


def _countries(viewer: Viewer) -> list[str]:
    variants = programme_variants(viewer.programme)
    if viewer.every_country:
        return sorted(variants)
    return [viewer.country_code] if viewer.country_code in variants else []


def _texts(viewer: Viewer, code: str) -> _Texts:
    data = programme_variants(viewer.programme).get(code) or {}
    translations = {lang: {"notes_md": o.get("summary_md"), "module_notes": o.get("module_notes") or {}}
                    for lang, o in (data.get("translations") or {}).items()}
    for overlay in translations.values():
        if overlay["notes_md"] is None:
            del overlay["notes_md"]
    return _Texts(data.get("notes_md") or "", data.get("module_notes") or {}, translations)


def programme_notes(viewer: Viewer) -> list[VariantNote]:
    """The `notes:` of the viewer's country's variant (every variant for site-wide staff)."""
    out = []
    for code in _countries(viewer):
        texts = _texts(viewer, code)
        if texts.notes_md:
            out.append(VariantNote(code, country_name(code), localized(texts, "notes_md")))
    return out


def module_notes(viewer: Viewer, slug: str) -> list[VariantNote]:
    out = []
    for code in _countries(viewer):
        texts = _texts(viewer, code)
        if slug in texts.module_notes:
            note = localized(texts, "module_notes")
            text = note.text.get(slug) if isinstance(note.text, dict) else None
            out.append(VariantNote(code, country_name(code), Localized(text or texts.module_notes[slug],
                                                                      _untranslated(texts, slug), note.lang)))
    return out


def _untranslated(texts: _Texts, slug: str) -> bool:
    overlay = (texts.translations.get(content_language()) or {}).get("module_notes") or {}
    return content_language() != "en" and slug not in overlay


def module_hours(viewer: Viewer, slug: str, common: Decimal) -> Decimal:
    """The module's hours for the viewer's country (its variant may change them)."""
    if viewer.every_country or not viewer.country_code:
        return common
    data = programme_variants(viewer.programme).get(viewer.country_code) or {}
    hours = (data.get("module_hours") or {}).get(slug)
    return Decimal(hours) if hours is not None else common
