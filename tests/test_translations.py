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


PARTNER_LANGUAGES = ("sv", "nb", "sl", "pt", "it")
# The keywords `pybabel extract` is run with (README, "Translations").
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "N_": None, "ngettext": (1, 2),
            "lazy_ngettext": (1, 2)}


def extracted_ids() -> set[str]:
    """Every msgid in the code and templates now, as `pybabel extract -F babel.cfg` finds them."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg
    root = TRANSLATIONS.parent.parent
    with (root / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    ids = set()
    for _file, _line, message, *_rest in extract_from_dir(str(root), method_map, options_map, keywords=KEYWORDS):
        ids.add(message[0] if isinstance(message, (tuple, list)) else message)
    return ids


def test_every_partner_language_has_a_catalog():
    assert {p.parent.parent.name for p in CATALOGS} >= set(PARTNER_LANGUAGES)


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_every_entry_is_translated(po_path):
    missing = [m.id for m in load(po_path) if m.id and not translated(m)]
    assert not missing, f"{len(missing)} untranslated entries, e.g.:\n" + "\n".join(map(str, missing[:20]))


def test_every_string_in_the_code_is_in_every_catalog():
    """A string marked for translation but missing from a catalogue would show in English: run
    the extract and update commands of the README's "Translations" section, translate, compile."""
    wanted = extracted_ids()
    problems = []
    for po_path in CATALOGS:
        have = {as_tuple(m.id)[0] for m in load(po_path) if m.id}
        gone = sorted(wanted - have)
        if gone:
            problems.append(f"{po_path.parent.parent.name}: {len(gone)} missing, e.g. {gone[:5]}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["sv", "nb", "it", "pt"])
def test_plural_forms_follow_the_count(language):
    from babel.support import Translations
    translations = Translations.load(str(TRANSLATIONS), [language])
    catalog = load(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
    plural = next(m for m in catalog if isinstance(m.id, (tuple, list)) and m.id[0] == "%(hours)s hour")
    singular, plural_form = as_tuple(plural.string)[:2]
    assert translations.ungettext(plural.id[0], plural.id[1], 1) == singular
    assert translations.ungettext(plural.id[0], plural.id[1], 2) == plural_form
    assert singular != plural_form or language in ("sv", "nb")  # "1 timme"/"2 timmar"; "ora"/"ore"


def test_slovenian_has_four_plural_forms():
    from babel.support import Translations
    translations = Translations.load(str(TRANSLATIONS), ["sl"])
    catalog = load(TRANSLATIONS / "sl" / "LC_MESSAGES" / "messages.po")
    plural = next(m for m in catalog if isinstance(m.id, (tuple, list)) and m.id[0] == "%(num)d day")
    forms = as_tuple(plural.string)
    assert len(forms) == 4 and len(set(forms)) == 4
    assert [translations.ungettext(plural.id[0], plural.id[1], n) for n in (1, 2, 3, 5, 101)] == \
        [forms[0], forms[1], forms[2], forms[3], forms[0]]
