"""Login, logout, password rules, reset links and server-side sessions, through HTTP."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import PasswordToken, UserSession
from app.timeutil import utcnow

from .factories import Factory


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_wrong_password_and_unknown_email_get_the_same_message(client, world):
    wrong = client.post("/login", data={"email": world.trainee.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 200
    assert "The e-mail or password is not right." in _text(wrong)
    assert "The e-mail or password is not right." in _text(unknown)


def test_login_is_case_insensitive_on_email_and_honours_next(client, world):
    response = client.post("/login?next=/cohorts", data={"email": world.facilitator.email.upper(),
                                                         "password": Factory.PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/cohorts")


def test_login_never_redirects_off_site(client, world):
    response = client.post("/login?next=//evil.example/x", data={"email": world.trainee.email,
                                                                "password": Factory.PASSWORD})
    assert response.headers["Location"].endswith("/home")


def test_deactivated_user_cannot_log_in(client, factory):
    user = factory.user(active=False)
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": Factory.PASSWORD})
    assert "The e-mail or password is not right." in _text(response)


def test_throttle_per_account_blocks_even_the_right_password(client, world):
    for _ in range(5):
        client.post("/login", data={"email": world.trainee.email, "password": "wrong wrong"})
    response = client.post("/login", data={"email": world.trainee.email, "password": Factory.PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts" in _text(response)
    # Another account from the same client is not locked by this account's failures.
    other = client.post("/login", data={"email": world.facilitator.email, "password": Factory.PASSWORD})
    assert other.status_code == 302


def test_throttle_per_client_across_accounts(client, world):
    for i in range(30):
        client.post("/login", data={"email": f"guess{i}@example.org", "password": "wrong wrong"})
    response = client.post("/login", data={"email": world.trainee.email, "password": Factory.PASSWORD})
    assert response.status_code == 429


def test_logout_ends_the_session_on_the_server(app, client, world, login):
    login(world.trainee)
    stolen = client.get_cookie("session")
    assert client.post("/logout").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0
    replay = app.test_client()
    replay.set_cookie("session", stolen.value)
    assert "/login" in replay.get("/home").headers["Location"]


def test_idle_timeout_ends_the_session(client, world, login):
    login(world.trainee)
    sess = db.session.scalar(select(UserSession))
    sess.last_seen_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    response = client.get("/home")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_absolute_timeout_ends_even_an_active_session(client, world, login):
    login(world.trainee)
    sess = db.session.scalar(select(UserSession))
    sess.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/home").status_code == 302


def test_remember_me_outlives_idle_timeout_and_cookie_is_hardened(client, world, login):
    response = login(world.trainee, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember and "SameSite=Lax" in remember
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    sess = db.session.scalar(select(UserSession))
    sess.last_seen_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    assert client.get("/home").status_code == 200


def test_change_password_checks_current_and_logs_out_other_devices(app, client, world, login):
    login(world.trainee)
    other_device = app.test_client()
    other_device.post("/login", data={"email": world.trainee.email, "password": Factory.PASSWORD})
    bad = client.post("/account/password", data={"current_password": "nope", "new_password": "a brand new secret",
                                                 "confirm": "a brand new secret"})
    assert bad.status_code == 400 and "The current password is not right." in _text(bad)
    ok = client.post("/account/password", data={"current_password": Factory.PASSWORD,
                                                "new_password": "a brand new secret", "confirm": "a brand new secret"})
    assert ok.status_code == 302
    assert client.get("/home").status_code == 200
    assert other_device.get("/home").status_code == 302


def test_password_rules(client, world, login):
    login(world.trainee)
    cases = {"short": "at least 8", "password123": "too common", "qwertyuiop": "too common",
             "x" * 65: "at most 64"}
    for password, message in cases.items():
        response = client.post("/account/password", data={"current_password": Factory.PASSWORD,
                                                          "new_password": password, "confirm": password})
        assert message in _text(response), password
    mismatch = client.post("/account/password", data={"current_password": Factory.PASSWORD,
                                                      "new_password": "long enough one", "confirm": "long enough two"})
    assert "The two passwords differ." in _text(mismatch)


def _link_from(outbox) -> str:
    return re.search(r"http://localhost(/\S+)", outbox[-1].get_content()).group(1)


def test_password_reset_link_is_single_use(client, world, outbox):
    response = client.post("/reset-password", data={"email": world.trainee.email})
    assert response.status_code == 302
    link = _link_from(outbox)
    assert client.get(link).status_code == 200
    done = client.post(link, data={"new_password": "river stone lantern", "confirm": "river stone lantern"})
    assert done.status_code == 302
    login = client.post("/login", data={"email": world.trainee.email, "password": "river stone lantern"})
    assert login.status_code == 302
    client.post("/logout")
    reused = client.post(link, data={"new_password": "another secret here", "confirm": "another secret here"})
    assert reused.status_code == 410 and "no longer works" in _text(reused)


def test_expired_reset_link_is_refused(client, world, outbox):
    client.post("/reset-password", data={"email": world.trainee.email})
    link = _link_from(outbox)
    token = db.session.scalar(select(PasswordToken))
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(link).status_code == 410


def test_reset_request_does_not_reveal_accounts(client, world, outbox):
    known = client.post("/reset-password", data={"email": world.trainee.email}, follow_redirects=True)
    unknown = client.post("/reset-password", data={"email": "ghost@example.org"}, follow_redirects=True)
    assert "If an account exists" in _text(known) and "If an account exists" in _text(unknown)
    assert len(outbox) == 1


def test_password_reset_ends_existing_sessions(app, client, world, login, outbox):
    login(world.trainee)
    app.test_client().post("/reset-password", data={"email": world.trainee.email})
    link = _link_from(outbox)
    app.test_client().post(link, data={"new_password": "river stone lantern", "confirm": "river stone lantern"})
    assert client.get("/home").status_code == 302


def test_language_switcher_sets_the_page_language(client, world, login):
    login(world.trainee)
    client.post("/language", data={"lang": "pt", "next": "/home"})
    db.session.refresh(world.trainee)
    assert world.trainee.locale == "pt"
    assert '<html lang="pt">' in _text(client.get("/home"))


def test_browser_language_is_used_for_anonymous_visitors(client):
    response = client.get("/", headers={"Accept-Language": "sl,en;q=0.5"})
    assert '<html lang="sl">' in _text(response)


def test_profile_update_rejects_unknown_time_zone(client, world, login):
    login(world.trainee)
    response = client.post("/account", data={"name": "Tina T", "locale": "en", "timezone": "Mars/Olympus"})
    assert response.status_code == 200 and "Not a valid choice" in _text(response)
    ok = client.post("/account", data={"name": "Tina T", "locale": "sv", "timezone": "Europe/Lisbon"})
    assert ok.status_code == 302
