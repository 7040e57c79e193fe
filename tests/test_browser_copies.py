"""Copies of unsaved text kept in the browser belong to their author (issue 12, item 2), seen
through HTTP: the page names its user with an opaque tag, a save for another user is refused, and
logout tells the browser to forget every copy."""
from __future__ import annotations

import re

from app.services import drafts
from app.web import browser_user_tag

KEY = "assignment:7"


def _save(client, tag, body):
    return client.post("/drafts/save", data={"draft_key": KEY, "draft_version": 0, "body": body},
                       headers={"X-Life-User": tag})


def _tag_in(page: str) -> str:
    match = re.search(r'<meta name="life-user" content="([0-9a-f]+)">', page)
    assert match, "the page names no user for its browser copies"
    return match.group(1)


def test_pages_name_their_user_by_an_opaque_tag_stable_per_user(app, client, world, login):
    login(world.trainee)
    tag = _tag_in(client.get("/home").get_data(as_text=True))
    assert tag == _tag_in(client.get("/home").get_data(as_text=True))
    with app.test_request_context():
        assert tag == browser_user_tag(world.trainee) != browser_user_tag(world.trainee_other)
    assert str(world.trainee.id) != tag and world.trainee.email not in tag


def test_a_save_from_a_page_of_another_user_is_refused_and_stores_nothing(app, client, world, login):
    with app.test_request_context():
        tina, otto = browser_user_tag(world.trainee), browser_user_tag(world.trainee_other)
    login(world.trainee_other)
    refused = _save(client, tina, "Tina's notes about a family")
    assert refused.status_code == 409 and refused.json["error"] == "user"
    assert "Nothing was saved" in refused.json["message"]
    assert drafts.get_draft(world.trainee_other, KEY) is None
    assert _save(client, otto, "Otto's own").status_code == 200
    assert drafts.get_draft(world.trainee_other, KEY).data == {"body": "Otto's own"}


def test_logout_clears_site_storage_and_the_next_page_says_forget_the_copies(client, world, login):
    login(world.trainee)
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Clear-Site-Data"] == '"storage"'
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<meta name="life-forget-copies" content="1">' in login_page
    assert 'name="life-user"' not in login_page
    # Only once: a later visit to the login page (the session ended, the same user comes back to
    # find the copy of what she typed) keeps the copies.
    assert "life-forget-copies" not in client.get("/login").get_data(as_text=True)
