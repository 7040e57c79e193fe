"""A trainee's main journey in Slovenian, Swedish, Norwegian and Portuguese on the real content: home, a module, a
journal entry on the module's prompt, the needs survey and the transcript. Wherever a
translation exists the page shows it and not the English text; one phone-sized run in Italian.
Each page passes axe."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import Activity, CohortRole, Module, Programme
from app.services.meetings import today_for

from ..programme_data import schedule_meetings
from .accessibility import assert_accessible
from .helpers import log_in_and_land_home

pytestmark = pytest.mark.browser

CONTENT = Path(__file__).resolve().parent.parent.parent / "content"
MODULE = "whole-family-co-creation"
JOURNAL = "journal-whole-family"
COUNTRY = {"sl": "SI", "sv": "SE", "nb": "NO", "pt": "PT", "it": "IT"}


def _trainee_in(app, factory, lang: str):
    assert app.test_cli_runner().invoke(args=["content", "import", "--path", str(CONTENT)]).exit_code == 0
    trainee = factory.user(f"Trainee {lang}")
    trainee.locale = lang
    today = today_for(trainee)
    run = factory.run(starts_on=today - timedelta(days=2), ends_on=today + timedelta(days=362))
    for cohort in (factory.cohort(run, country=COUNTRY[lang], name=f"Cohort {lang}"),
                   factory.cohort(run, country=None, name="Transnational")):
        factory.member(trainee, cohort, CohortRole.TRAINEE)
        schedule_meetings(cohort)
    db.session.commit()
    return trainee


def _pairs(row, lang: str, *fields: str) -> list[tuple[str, str]]:
    """(English, translation) of the row's translated fields that differ."""
    overlay = (row.translations or {}).get(lang) or {}
    return [(getattr(row, f), overlay[f]) for f in fields
            if isinstance(overlay.get(f), str) and overlay[f].strip() and overlay[f] != getattr(row, f)]


def _shows_translations_only(page: Page, pairs: list[tuple[str, str]]) -> None:
    text = page.locator("main").inner_text()
    assert pairs, "nothing to compare: the content has no translation here"
    for english, translated in pairs:
        assert " ".join(translated.split()) in " ".join(text.split()), f"missing translation: {translated!r}"
        if english not in translated:
            assert english not in text, f"English left on the page: {english!r}"


def _seen_in(code: str, activities: list[Activity]) -> list[Activity]:
    """The activities a trainee of that country sees: the common ones their variant neither
    replaces nor omits, and their own national ones (another country's are translated too)."""
    replaced = {a.replaces_id for a in activities if a.country is not None and a.country.code == code}
    return [a for a in activities
            if (a.country is None and a.id not in replaced and code not in (a.omitted_in or []))
            or (a.country is not None and a.country.code == code)]


def _journey(page: Page, trainee, lang: str) -> None:
    log_in_and_land_home(page, trainee.email)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    programme = db.session.scalar(db.select(Programme))
    module = db.session.scalar(db.select(Module).where(Module.slug == MODULE))
    assert_accessible(page)

    page.goto("/programme/")
    modules = db.session.scalars(db.select(Module).where(Module.programme_id == programme.id)).all()
    _shows_translations_only(page, [p for m in modules for p in _pairs(m, lang, "title")])
    assert_accessible(page)

    page.goto(f"/programme/modules/{MODULE}")
    activities = _seen_in(COUNTRY[lang], db.session.scalars(
        db.select(Activity).where(Activity.module_id == module.id, Activity.retired.is_(False))).all())
    _shows_translations_only(page, _pairs(module, lang, "title") +
                             [p for a in activities for p in _pairs(a, lang, "title")])
    assert_accessible(page)

    journal = db.session.scalar(db.select(Activity).where(Activity.slug == JOURNAL))
    page.goto(f"/a/journal/new?activity={JOURNAL}")
    prompt = yaml.safe_load((CONTENT / f"prompts.{lang}.yaml").read_text(encoding="utf-8"))
    slug = journal.settings["prompt"]["slug"]
    translated_prompt = next(p for p in prompt["prompts"] if p["slug"] == slug)
    _shows_translations_only(page, [(journal.settings["prompt"]["title"], translated_prompt["title"])])
    assert_accessible(page)
    page.locator("#title").fill("Obisk / Besök")
    page.locator("form [contenteditable=true]").first.click()  # the rich-text editor
    page.keyboard.type("Družina A / Familj A")
    page.locator("form button.btn-primary[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/a/journal/entries/\d+$"))

    page.goto("/a/evaluation/needs-survey")
    survey = yaml.safe_load((CONTENT / "instruments" / f"needs-survey.{lang}.yaml").read_text(encoding="utf-8"))
    english = yaml.safe_load((CONTENT / "instruments" / "needs-survey.yaml").read_text(encoding="utf-8"))
    _shows_translations_only(page, [(english["title"], survey["title"]),
                                    (english["sections"][0]["questions"][0]["text"],
                                     survey["sections"][0]["questions"][0]["text"])])
    assert_accessible(page)

    page.goto("/programme/transcript")
    _shows_translations_only(page, _pairs(programme, lang, "title"))
    assert_accessible(page)


@pytest.mark.parametrize("lang", ["sl", "sv", "nb", "pt"])
def test_a_trainee_works_through_the_programme_in_her_language(open_page, app, factory, lang):
    trainee = _trainee_in(app, factory, lang)
    _journey(open_page(), trainee, lang)


def test_an_italian_trainee_on_a_phone(open_page, app, factory):
    trainee = _trainee_in(app, factory, "it")
    page = open_page(viewport={"width": 390, "height": 844})
    _journey(page, trainee, "it")
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
