"""The translation catalogs: committed .mo files match their .po, translations keep the
placeholders of the English, and the app serves the Portuguese."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app.extensions import db

TRANSLATIONS = Path(__file__).resolve().parent.parent / "app" / "translations"
CATALOGS = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
# %(name)s, %(n)d, %s, a literal %%, and str.format fields such as {name} or {0}.
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr%]|\{[A-Za-z_0-9]*\}")


def load(po_path: Path):
    with po_path.open("rb") as fh:
        return read_po(fh)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def as_tuple(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def translated(message) -> bool:
    return all(as_tuple(message.string))


def test_there_is_a_portuguese_catalog():
    assert TRANSLATIONS / "pt" / "LC_MESSAGES" / "messages.po" in CATALOGS


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_the_committed_mo_is_up_to_date_with_its_po(po_path):
    """pybabel compile leaves out fuzzy and untranslated entries; so must the .mo on disk."""
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"run: pybabel compile -d app/translations ({mo_path} is missing)"
    expected = {as_tuple(m.id): as_tuple(m.string) for m in load(po_path)
                if m.id and translated(m) and not m.fuzzy}
    with mo_path.open("rb") as fh:
        compiled = {as_tuple(m.id): as_tuple(m.string) for m in read_mo(fh) if m.id}
    stale = sorted(str(k) for k in expected.keys() ^ compiled.keys())
    stale += sorted(str(k) for k in expected.keys() & compiled.keys() if expected[k] != compiled[k])
    assert not stale, "run: pybabel compile -d app/translations; stale entries:\n" + "\n".join(stale[:20])


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_translations_keep_the_placeholders_of_the_english(po_path):
    problems = []
    for m in load(po_path):
        if not m.id or not translated(m):
            continue
        ids = as_tuple(m.id)
        for index, string in enumerate(as_tuple(m.string)):
            source = ids[min(index, len(ids) - 1)]  # plural forms follow msgid_plural
            if placeholders(string) != placeholders(source):
                problems.append(f"{source!r}: {placeholders(source)} but {string!r}: {placeholders(string)}")
            if source.endswith("\n") != string.endswith("\n"):
                problems.append(f"{source!r}: the translation must end with a newline exactly when the English does")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_no_fuzzy_entries(po_path):
    catalog = load(po_path)
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    assert not fuzzy, "review these and remove their fuzzy flag:\n" + "\n".join(map(str, fuzzy))


def test_portuguese_plural_forms():
    catalog = load(TRANSLATIONS / "pt" / "LC_MESSAGES" / "messages.po")
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"
    plurals = [m for m in catalog if isinstance(m.id, tuple) and translated(m)]
    assert plurals and all(len(m.string) == 2 for m in plurals)


def test_the_guard_spots_a_lost_placeholder():
    assert placeholders("Hello %(name)s, %(n)d left") == ["%(n)d", "%(name)s"]
    assert placeholders("Olá, faltam %(n)d") != placeholders("Hello %(name)s, %(n)d left")
    assert placeholders("{count} of {total}") == ["{count}", "{total}"]


def test_login_page_in_portuguese_from_the_browser_language(client):
    html = client.get("/login", headers={"Accept-Language": "pt-PT,pt;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="pt">' in html
    assert "<h1>Iniciar sessão</h1>" in html
    assert "Palavra-passe" in html
    assert "Log in" not in html


@pytest.mark.parametrize("language", ["sv", "nb", "sl", "it"])
def test_the_login_page_speaks_each_partner_language_from_the_browser(client, language):
    catalog = load(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
    heading = catalog["Log in"].string
    assert heading and heading != "Log in"
    html = client.get("/login", headers={"Accept-Language": f"{language},en;q=0.5"}).get_data(as_text=True)
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html


def test_a_language_the_platform_does_not_offer_falls_back_to_english(client):
    html = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1>Log in</h1>" in html


def test_a_trainee_who_chose_portuguese_sees_the_home_page_in_portuguese(client, world, login):
    world.trainee.locale = "pt"
    db.session.commit()
    login(world.trainee)
    html = client.get("/home", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="pt">' in html
    assert "<h1>Bem-vindo(a), Tina Trainee</h1>" in html
    assert "O meu programa" in html
    assert "Welcome," not in html


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_each_catalog_says_whether_a_native_speaker_reviewed_it(po_path):
    first_line = po_path.read_text(encoding="utf-8").splitlines()[0]
    assert "reviewed by a native speaker" in first_line, first_line

