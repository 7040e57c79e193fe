"""LTI 1.3 Deep Linking (an instructor picks a module or activity, the platform gets a signed
response) and the admin page that registers platforms."""
from __future__ import annotations

import json
import re
from html import unescape

import jwt
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.lti import keys
from app.models import AuditEvent, LtiPlatform

from .lti_platform import DEPLOYMENT, INSTRUCTOR, Platform
from .programme_data import build_programme


@pytest.fixture
def cohort(factory):
    run = factory.run("LTI run")
    cohort = factory.cohort(run, name="Partner university cohort")
    build_programme(run=run)
    db.session.commit()
    return cohort


@pytest.fixture
def platform(cohort):
    return Platform(cohort)


def _deep_link_launch(client, platform, roles=(INSTRUCTOR,)):
    return platform.launch(client, sub="teacher-1", email="teacher@uni.example", roles=roles,
                           **platform.deep_linking_claims())


def test_an_instructor_chooses_an_activity_and_the_platform_gets_a_signed_response(client, app, platform):
    response = _deep_link_launch(client, platform)
    assert response.status_code == 302 and response.headers["Location"] == "/lti/deep-link"
    page = client.get("/lti/deep-link").get_data(as_text=True)
    assert "Module 1" in page and "Lesson 1.2" in page
    value = re.search(r'value="(activity:\d+)"', page).group(1)
    answer = client.post("/lti/deep-link", data={"item": value})
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    # No inline script; the launch's locale (sv-SE) chose the language of the button.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "Tillbaka till plattformen" in html
    assert f'action="{platform.issuer}/mod/lti/contentitem_return.php"' in html
    assert f"form-action 'self' {platform.issuer}" in answer.headers["Content-Security-Policy"]
    token = unescape(re.search(r'name="JWT" value="([^"]+)"', html).group(1))
    with app.app_context():
        public = jwt.PyJWK(keys.jwks()["keys"][0]).key
        assert jwt.get_unverified_header(token)["kid"] == keys.key_id()
    claims = jwt.decode(token, public, algorithms=["RS256"], audience=platform.issuer)
    assert claims["iss"] == platform.client_id
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == DEPLOYMENT
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
    (item,) = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["url"] == "http://localhost:5000/lti/launch" and item["title"] == "Lesson 1.1"
    assert item["custom"]["life_target"].startswith("/a/reading/")
    assert item["custom"]["life_activity"] == "test-programme-m1-a1"  # for the completion sent back
    # The response is given once: the page is gone from this session.
    assert client.get("/lti/deep-link").status_code == 400


def test_a_module_can_be_chosen_and_a_bad_choice_is_a_message(client, platform):
    _deep_link_launch(client, platform)
    assert client.post("/lti/deep-link", data={"item": "module:nope"}).status_code == 400
    html = client.post("/lti/deep-link", data={"item": "module:test-programme-m2"}).get_data(as_text=True)
    token = unescape(re.search(r'name="JWT" value="([^"]+)"', html).group(1))
    item = jwt.decode(token, options={"verify_signature": False})[
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"][0]
    assert item["custom"] == {"life_target": "/programme/modules/test-programme-m2"}


def test_a_learner_cannot_make_a_deep_link(client, platform):
    assert _deep_link_launch(client, platform, roles=("http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",)
                             ).status_code == 403


def test_the_deep_link_page_needs_a_deep_linking_launch(client, login, factory):
    user = factory.user("Plain Trainee")
    db.session.commit()
    login(user)
    assert client.get("/lti/deep-link").status_code == 400


# The admin page --------------------------------------------------------------------------------

def _form(cohort, **changes):
    form = {"name": "Canvas of a municipality", "issuer": "https://canvas.instructure.com",
            "client_id": "10000000000042",
            "auth_login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
            "auth_token_url": "https://sso.canvaslms.com/login/oauth2/token",
            "key_set_url": "https://sso.canvaslms.com/api/lti/security/jwks", "key_set": "",
            "deployment_ids": "12:abc, 13:def, 12:abc", "cohort_id": str(cohort.id)}
    return {**form, **changes}


@pytest.fixture
def admin(factory, login):
    user = factory.user("Ada Admin", site_role="admin")
    db.session.commit()
    login(user)
    return user


def test_the_admin_page_shows_the_tool_urls(client, admin, cohort):
    page = client.get("/admin/lti").get_data(as_text=True)
    for url in ("http://localhost:5000/lti/launch", "http://localhost:5000/lti/login", "http://localhost:5000/lti/jwks"):
        assert url in page
    assert 'href="/admin/lti"' in page  # in the admin navigation


def test_an_admin_registers_lists_and_deletes_a_platform(client, admin, cohort):
    response = client.post("/admin/lti", data=_form(cohort))
    assert response.status_code == 302
    platform = db.session.scalar(select(LtiPlatform))
    assert platform.deployment_ids == ["12:abc", "13:def"] and platform.cohort_id == cohort.id
    assert platform.key_set is None
    page = client.get("/admin/lti").get_data(as_text=True)
    assert "Canvas of a municipality" in page and "10000000000042" in page
    assert client.post("/admin/lti", data=_form(cohort)).status_code == 400  # the same one again
    assert client.post(f"/admin/lti/{platform.id}/delete").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(LtiPlatform)) == 0
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("admin.lti.%"))).all()
    assert sorted(actions) == ["admin.lti.platform_added", "admin.lti.platform_deleted"]


def test_a_key_set_can_be_pasted_instead_of_a_url(client, admin, cohort):
    key_set = {"keys": [{"kty": "RSA", "kid": "k1", "n": "abc", "e": "AQAB"}]}
    response = client.post("/admin/lti", data=_form(cohort, key_set_url="", key_set=json.dumps(key_set)))
    assert response.status_code == 302
    assert db.session.scalar(select(LtiPlatform.key_set)) == key_set


@pytest.mark.parametrize("changes, message", [
    ({"issuer": "http://canvas.instructure.com"}, "https://"),
    ({"auth_login_url": "javascript:alert(1)"}, "https://"),
    ({"auth_token_url": "https://"}, "https://"),
    ({"key_set_url": "ftp://keys.example"}, "https://"),
    ({"name": "Two\nlines"}, "one line"),
    ({"client_id": "a\r\nb"}, "one line"),
    ({"deployment_ids": " , ,"}, "deployment id"),
    ({"key_set_url": ""}, "keyset URL or the keyset"),
    ({"key_set_url": "", "key_set": "{not json"}, "This is not a keyset"),
    ({"key_set_url": "", "key_set": '{"keys": [{"kty": "RSA"}]}'}, "This is not a keyset"),
    ({"cohort_id": "999999"}, "Not a valid choice"),
    ({"cohort_id": "x"}, "could not coerce"),
])
def test_bad_input_is_a_message_and_nothing_is_stored(client, admin, cohort, changes, message):
    response = client.post("/admin/lti", data=_form(cohort, **changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LtiPlatform)) == 0


def test_http_is_allowed_for_localhost_outside_production(client, admin, cohort):
    response = client.post("/admin/lti", data=_form(cohort, issuer="http://localhost:8080",
                                                   auth_login_url="http://127.0.0.1:8080/auth"))
    assert response.status_code == 302
