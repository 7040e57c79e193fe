"""Every GET page of the authorization matrix, opened by each persona with their language set to
each of the five, reads in that language: <html lang> is the user's, no text the user sees or
hears is an English message of the catalogue left untranslated, and no page shows WTForms'
English messages. User data (names, the synthetic programme's English titles) is left out: only
whole text pieces equal to a catalogue msgid count, so a title that contains "Home" does not."""
from __future__ import annotations

import pytest
from flask import url_for

from app.extensions import db
from app.form_messages import MESSAGES

from .language_crawl import catalogue, leftovers, visible_text
from .test_authorization import _resolve, all_rules

LANGS = ("sv", "nb", "sl", "pt", "it")
PERSONAS = ("anonymous", "trainee", "facilitator", "national_coordinator", "transnational_coordinator", "admin")
def test_the_leftover_check_spots_english():
    assert leftovers("sv", ["Logga ut", "Log out"]) == ["Log out"]
    assert visible_text('<html lang="sv"><title>Hem</title><a aria-label="Close">x</a><script>no</script>')\
        == ("sv", ["Hem", "Close", "x"])


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_reads_in_the_users_language(app, world, persona):
    rules = all_rules(app)
    objects = {}
    for module in {id(m): m for _rule, m in rules.values()}.values():
        if hasattr(module, "setup"):
            objects.update(module.setup(world))
    problems = []
    for lang in LANGS:
        client = _client_in(app, world.persona(persona), lang)
        for (endpoint, method), (rule, _module) in sorted(rules.items()):
            if method != "GET" or rule.bearer or rule.expect[persona] not in ("ok", 400, 410):
                continue
            url = url_for(endpoint, **{k: _resolve(v, world, objects) for k, v in rule.args.items()})
            problems += _page_problems(client, url, lang)
    assert not problems, "\n".join(problems)


def _client_in(app, user, lang: str):
    client = app.test_client()
    if user is None:
        client.post("/language", data={"lang": lang})
        return client
    user.locale = lang
    db.session.commit()
    assert client.post("/login", data={"email": user.email, "password": "correct horse battery"}).status_code == 302
    return client


def _page_problems(client, url: str, lang: str) -> list[str]:
    response = client.get(url)
    html = response.get_data(as_text=True) if response.mimetype == "text/html" and response.status_code < 300 else ""
    response.close()
    if not html:
        return []  # a redirect, a file, JSON or CSV (whose column names are for machines)
    html_lang, chunks = visible_text(html)
    problems = [f"{lang} {url}: <html lang={html_lang!r}>"] if html_lang != lang else []
    return problems + [f"{lang} {url}: English {text!r}" for text in leftovers(lang, chunks)]


@pytest.mark.parametrize("lang", LANGS)
def test_wtforms_messages_come_translated_from_our_catalogue(lang):
    """WTForms' own messages (and Slovenian, which WTForms lacks) are in our catalogues."""
    english, _translations = catalogue(lang)
    missing = [m if isinstance(m, str) else m[0] for m in MESSAGES
               if (m if isinstance(m, str) else m[0]) not in english]
    assert not missing, f"{lang}: add these to the catalogue (app/form_messages.py): {missing}"


@pytest.mark.parametrize("lang", LANGS)
def test_a_form_error_is_in_the_users_language(client, lang):
    client.post("/language", data={"lang": lang})
    page = client.post("/reset-password", data={"email": ""}).get_data(as_text=True)
    assert "This field is required." not in page
    assert catalogue(lang)[0]["This field is required."] in page


@pytest.mark.parametrize("lang", LANGS)
def test_error_pages_are_in_the_users_language(app, client, lang):
    """404, 405 and 400 are our pages, not Werkzeug's English ones (413 has its own test)."""
    client.post("/language", data={"lang": lang})
    for method, url, status in [("GET", "/no-such-page", 404), ("GET", "/logout", 405)]:
        response = client.open(url, method=method)
        html_lang, chunks = visible_text(response.get_data(as_text=True))
        assert (response.status_code, html_lang) == (status, lang), url
        assert "Method Not Allowed" not in chunks and not leftovers(lang, chunks)
    assert "POST" in client.get("/logout").headers["Allow"]
    with app.test_request_context(f"/x?lang={lang}"):
        from flask_babel import force_locale
        from werkzeug.exceptions import BadRequest
        with force_locale(lang):
            body, code = app.handle_http_exception(BadRequest())
            assert code == 400 and "Request not understood" not in body
