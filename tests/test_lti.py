"""LTI 1.3 launches from a simulated platform (tests/lti_platform.py): OIDC login, signed
id_tokens, nonce and state checks, users matched or provisioned, roles mapped."""
from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, LtiIdentity, Membership, User, UserSession

from .lti_platform import INSTRUCTOR, Platform


@pytest.fixture
def cohort(factory):
    cohort = factory.cohort(name="Partner university cohort")
    db.session.commit()
    return cohort


@pytest.fixture
def platform(cohort):
    return Platform(cohort)


def _signed_in(client) -> bool:
    return client.get("/programme/").status_code == 200


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_login_redirects_to_the_platform_with_state_nonce_and_our_own_launch_url(client, platform):
    auth = platform.start_login(client)
    assert auth["state"].startswith("state-") and len(auth["nonce"]) >= 32
    # Never the target_link_uri of the request: only our own launch URL.
    assert auth["redirect_uri"] == "http://localhost:5000/lti/launch"
    assert auth["client_id"] == platform.client_id and auth["login_hint"] == "hint-42"
    assert auth["lti_message_hint"] == "msg-7" and auth["response_mode"] == "form_post"


def test_a_learner_is_provisioned_enrolled_and_signed_in(client, platform, cohort):
    response = platform.launch(client)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/programme/"
    user = db.session.scalar(select(User).where(User.email == "learner@uni.example"))
    assert user is not None and user.name == "Lea Learner" and user.locale == "sv"
    assert user.password_hash is None
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert (membership.cohort_id, membership.role) == (cohort.id, "trainee")
    assert db.session.scalar(select(LtiIdentity.subject).where(LtiIdentity.user_id == user.id)) == "moodle-user-1"
    assert _count(UserSession) == 1 and _signed_in(client)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "lti.launch"))
    assert event.target_id == user.id and event.detail["provisioned"] is True


def test_a_second_launch_finds_the_same_account_by_subject(client, platform):
    assert platform.launch(client).status_code == 302
    # The e-mail changed on the platform: the subject still names the same person.
    assert platform.launch(client, email="renamed@uni.example").status_code == 302
    assert _count(User) == 1 and _count(LtiIdentity) == 1 and _count(Membership) == 1


def test_an_instructor_becomes_facilitator(client, platform, cohort):
    assert platform.launch(client, sub="teacher-1", email="teacher@uni.example", roles=(INSTRUCTOR,)).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "teacher@uni.example"))
    assert db.session.scalar(select(Membership.role).where(Membership.user_id == user.id)) == "facilitator"


def test_an_existing_account_is_matched_by_email_without_a_duplicate(client, platform, factory, cohort):
    existing = factory.user("Existing Trainee", email="known@uni.example")
    factory.member(existing, cohort)
    db.session.commit()
    assert platform.launch(client, email="Known@Uni.example").status_code == 302
    assert _count(User) == 1 and _count(Membership) == 1
    assert db.session.scalar(select(LtiIdentity.user_id)) == existing.id


def test_a_staff_account_is_not_taken_over_by_a_platform_claiming_its_email(client, platform, factory):
    admin = factory.user("Ada Admin", email="admin@life.example", site_role="admin")
    db.session.commit()
    response = platform.launch(client, email=admin.email)
    assert response.status_code == 403 and not _signed_in(client)
    assert _count(LtiIdentity) == 0


def test_a_deactivated_user_is_refused(client, platform, factory):
    user = factory.user("Gone Trainee", email="gone@uni.example")
    user.active = False
    db.session.commit()
    assert platform.launch(client, email="gone@uni.example").status_code == 403
    assert _count(UserSession) == 0


def test_an_unmapped_role_is_refused(client, platform):
    response = platform.launch(client, roles=("http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor",))
    assert response.status_code == 403 and "role" in response.get_data(as_text=True)
    assert _count(User) == 0


def test_a_replayed_id_token_is_refused(client, platform):
    auth = platform.start_login(client)
    form = {"id_token": platform.id_token(auth), "state": auth["state"]}
    assert client.post("/lti/launch", data=form).status_code == 302
    client.get("/logout")
    replay = client.post("/lti/launch", data=form)
    assert replay.status_code == 400 and "Traceback" not in replay.get_data(as_text=True)
    assert _count(UserSession) == 1  # only the first launch's


def test_an_expired_id_token_is_refused(client, platform):
    auth = platform.start_login(client)
    old = int(time.time()) - 3600
    token = platform.id_token(auth, iat=old, exp=old + 300)
    assert client.post("/lti/launch", data={"id_token": token, "state": auth["state"]}).status_code == 400
    assert _count(User) == 0


def test_an_id_token_without_expiry_is_refused(client, platform):
    auth = platform.start_login(client)
    token = platform.id_token(auth, exp=None)
    assert client.post("/lti/launch", data={"id_token": token, "state": auth["state"]}).status_code == 400


def test_a_wrong_signature_is_refused(client, platform):
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    auth = platform.start_login(client)
    token = platform.id_token(auth, key=forger)  # same kid, another key
    response = client.post("/lti/launch", data={"id_token": token, "state": auth["state"]})
    assert response.status_code == 400 and _count(User) == 0


def test_a_tampered_body_is_refused(client, platform):
    auth = platform.start_login(client)
    header, _, signature = platform.id_token(auth).split(".")
    body = {"iss": platform.issuer, "aud": platform.client_id, "sub": "x", "nonce": auth["nonce"],
            "exp": 9999999999, "iat": 1}
    forged_body = jwt.utils.base64url_encode(json.dumps(body).encode()).decode()
    response = client.post("/lti/launch", data={"id_token": f"{header}.{forged_body}.{signature}",
                                                "state": auth["state"]})
    assert response.status_code == 400 and _count(User) == 0


def test_a_wrong_audience_is_refused(client, platform):
    auth = platform.start_login(client)
    token = platform.id_token(auth, aud="another-tool")
    assert client.post("/lti/launch", data={"id_token": token, "state": auth["state"]}).status_code == 400
    assert _count(User) == 0


def test_an_unknown_deployment_is_refused(client, platform):
    auth = platform.start_login(client)
    token = platform.id_token(auth, **{"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "other"})
    assert client.post("/lti/launch", data={"id_token": token, "state": auth["state"]}).status_code == 400


def test_a_missing_state_cookie_is_refused(client, app, platform):
    auth = platform.start_login(client)
    token = platform.id_token(auth)
    fresh = app.test_client()  # another browser: neither the state nor the session-id cookie
    assert fresh.post("/lti/launch", data={"id_token": token, "state": auth["state"]}).status_code == 400
    # A state that is not the cookie's is refused too, in the browser that has the cookies.
    assert client.post("/lti/launch", data={"id_token": token, "state": "state-forged"}).status_code == 400
    assert _count(User) == 0


def test_a_nonce_from_another_login_is_refused(client, platform):
    auth = platform.start_login(client)
    token = platform.id_token({**auth, "nonce": "a-nonce-we-never-issued"})
    assert client.post("/lti/launch", data={"id_token": token, "state": auth["state"]}).status_code == 400


@pytest.mark.parametrize("params", [
    {"iss": "https://unknown.example", "login_hint": "x", "client_id": "life-academy-client"},
    {"iss": "https://moodle.example.org", "login_hint": "x", "client_id": "other-client"},
    {"iss": "https://moodle.example.org", "client_id": "life-academy-client"},
    {},
])
def test_a_login_for_no_registration_is_a_plain_400_page(client, platform, params):
    response = client.get("/lti/login", query_string=params)
    assert response.status_code == 400
    assert "not registered" in response.get_data(as_text=True)


def test_launch_and_login_without_any_message_are_400(client):
    assert client.post("/lti/launch").status_code == 400
    assert client.post("/lti/launch", data={"id_token": "not.a.jwt", "state": "x"}).status_code == 400
    assert client.get("/lti/login").status_code == 400


@pytest.mark.parametrize("target, landing", [
    ("/programme/modules/m1-family-work", "/programme/modules/m1-family-work"),
    ("https://evil.example/", "/programme/"),
    ("//evil.example/programme/", "/programme/"),
    ("/programme/../admin/", "/programme/"),
    ("/programme/%2e%2e/admin", "/programme/"),
    ("/admin/users", "/programme/"),
    ("/programme\\@evil.example", "/programme/"),
])
def test_life_target_lands_only_inside_the_programme(client, platform, target, landing):
    response = platform.launch(client, **{"https://purl.imsglobal.org/spec/lti/claim/custom": {"life_target": target}})
    assert response.status_code == 302
    assert response.headers["Location"] == landing


def test_the_jwks_publishes_the_tool_key_with_a_kid(client):
    keys = client.get("/lti/jwks").get_json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["kid"]
    assert "d" not in keys[0]  # the public half only
    assert client.get("/lti/jwks").get_json() == {"keys": keys}  # the same key every time


def test_the_platform_account_is_in_the_download_and_gone_at_erasure(client, platform, factory):
    from app.services import privacy
    assert platform.launch(client).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "learner@uni.example"))
    (linked,) = privacy.export_data(user)["core"]["lti_accounts"]
    assert linked["subject"] == "moodle-user-1" and linked["platform"] == platform.row.name
    admin = factory.user("Ada Admin", site_role="admin")
    privacy.erase(user, by=admin)
    db.session.commit()
    assert _count(LtiIdentity) == 0
    # The erased account cannot be reached from the platform again.
    assert platform.launch(client, email="other@uni.example").status_code == 302
    assert db.session.scalar(select(LtiIdentity.user_id)) != user.id


NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


@pytest.mark.parametrize(("claim", "offered"), [
    ({"context_memberships_url": "https://moodle.example.org/mod/lti/services.php/CourseSection/2/bindings/1/"
                                 "memberships", "service_versions": ["2.0"]}, True),
    ({"context_memberships_url": "not a url", "service_versions": "2.0"}, False),  # malformed: ignored, not fatal
    ("a string where an object belongs", False),
])
def test_a_names_and_roles_claim_is_accepted_and_not_called(client, platform, cohort, monkeypatch, claim, offered):
    """The tool provisions from the launch itself, so Names and Role Provisioning is never called
    (no roster is pulled from a partner); a launch that offers it, well-formed or not, goes on."""
    import requests

    def no_network(*args, **kwargs):
        raise AssertionError("NRPS must not be called")
    monkeypatch.setattr(requests.Session, "request", no_network)
    response = platform.launch(client, **{NRPS: claim})
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/programme/"
    user = db.session.scalar(select(User).where(User.email == "learner@uni.example"))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "lti.launch"))
    assert event.target_id == user.id
    # The audit says whether the platform offers the service, never its address (a course's roster).
    assert event.detail["names_and_roles"] is offered and "memberships" not in json.dumps(event.detail)
