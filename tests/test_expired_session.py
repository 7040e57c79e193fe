"""A form sent after the session ended (issue 12, item 1), seen through HTTP: the login leads back to
the page of the form (never a replay of the POST), the refused-token page tells the truth and links
back, and a saved form tells the browser its copy is no longer needed. The browser side is
tests/browser/test_expired_session.py."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import delete

from app.extensions import db
from app.models import UserSession
from modules.journal.tests.helpers import entry_form, journal_activity

KEY = "journal:new:journal-whole-family"


def _next_of(response) -> str | None:
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    return parse_qs(location.query).get("next", [None])[0]


def _end_sessions(user) -> None:
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.commit()


def test_a_form_sent_after_the_session_ended_leads_back_to_the_page_of_the_form(client, world, login):
    slug = journal_activity(world).slug
    page = f"/a/journal/new?activity={slug}"
    login(world.trainee)
    _end_sessions(world.trainee)
    sent = client.post("/a/journal/new", data={**entry_form(), "browser_copy": "1"},
                       headers={"Referer": f"http://localhost{page}"})
    assert _next_of(sent) == page
    assert "What you typed is kept in this browser" in client.get(sent.headers["Location"]).get_data(as_text=True)
    again = client.post(f"/login?next={page}", data={"email": world.trainee.email, "password": "correct horse battery"})
    assert again.status_code == 302 and again.headers["Location"] == page


def test_a_post_from_another_site_or_without_referrer_leads_to_its_own_address(client, world, login):
    slug = journal_activity(world).slug
    login(world.trainee)
    _end_sessions(world.trainee)
    foreign = client.post(f"/a/journal/new?activity={slug}", data=entry_form(),
                          headers={"Referer": "https://evil.example/a/journal/x"})
    assert _next_of(foreign) == f"/a/journal/new?activity={slug}"
    assert _next_of(client.get("/a/journal/")) == "/a/journal/"


def test_the_refused_token_page_says_the_text_is_kept_and_links_back(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = "/a/journal/new?activity=journal-whole-family"
    kept = client.post("/a/journal/new", data={"draft_key": KEY, "browser_copy": "1", "title": "x"},
                       headers={"Referer": f"http://localhost{page}"})
    html = kept.get_data(as_text=True)
    assert kept.status_code == 400 and "The form has expired" in html
    assert "What you typed is kept in this browser" in html and "Nothing was saved" not in html
    assert re.search(r'<a class="btn btn-primary" href="/a/journal/new\?activity=journal-whole-family">'
                     r'Back to the form</a>', html)
    # Without a copy in the browser (no script ran), the page does not promise one.
    bare = client.post("/a/journal/new", data={"draft_key": KEY, "title": "x"},
                       headers={"Referer": "https://evil.example/x"}).get_data(as_text=True)
    assert "kept in this browser" not in bare and "nothing was saved" in bare
    assert "Back to the form" not in bare


def test_a_saved_form_tells_the_next_page_that_its_copy_is_not_needed(client, world, login):
    slug = journal_activity(world).slug
    login(world.trainee)
    typed = {**entry_form(what="We met at home"), "browser_copy": "1"}
    saved = client.post(f"/a/journal/new?activity={slug}", data=typed, follow_redirects=True)
    assert saved.status_code == 200
    assert f'<meta name="life-saved-copies" content="{KEY}">' in saved.get_data(as_text=True)
    assert "life-saved-copies" not in client.get("/home").get_data(as_text=True)
