"""Issue 13 item 4: HSTS and HTTPS behind the proxy, no public development key on a real server,
random calendar feed tokens stored hashed, a fresh CSRF token at login, the same work for every
login whatever the account."""
from __future__ import annotations

import logging
import re
import stat

from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy import select

import app as app_package
from app import create_app
from app.extensions import db
from app.models import User
from config import INSECURE_DEFAULT_KEY, ProductionConfig

from .conftest import make_config
from .factories import Factory


def _production_app(db_url, tmp_path, **extra):
    config = type("Prod", (ProductionConfig,), {"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "k" * 48,
                                                "EVALUATION_PSEUDONYM_KEY": "p" * 48,
                                                "UPLOAD_DIR": str(tmp_path), **extra})
    return create_app(config)


def test_production_sends_hsts_and_redirects_http_from_the_proxy(db_url, tmp_path):
    client = _production_app(db_url, tmp_path, TRUSTED_PROXIES=1).test_client()
    plain = client.get("/login?next=/home", headers={"X-Forwarded-Proto": "http", "X-Forwarded-For": "10.0.0.9"})
    assert plain.status_code == 301
    assert plain.headers["Location"].startswith("https://") and plain.headers["Location"].endswith("/login?next=/home")
    secure = client.get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.9"})
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert plain.headers["Strict-Transport-Security"]


def test_outside_production_no_hsts_and_no_redirect(client):
    response = client.get("/login", headers={"X-Forwarded-Proto": "http"})
    assert response.status_code == 200 and "Strict-Transport-Security" not in response.headers


def test_an_unset_secret_key_outside_production_is_generated_once_and_reused(db_url, tmp_path, caplog,
                                                                            monkeypatch):
    instance = tmp_path / "instance"

    class InTmp(Flask):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, instance_path=str(instance), **kwargs)
    monkeypatch.setattr(app_package, "Flask", InTmp)
    config = make_config(db_url, tmp_path, SECRET_KEY=INSECURE_DEFAULT_KEY)
    with caplog.at_level(logging.WARNING):
        first = create_app(config)
    key_file = instance / "secret_key"
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert first.config["SECRET_KEY"] == key and key != INSECURE_DEFAULT_KEY and len(key) >= 48
    assert "SECRET_KEY is not set" in caplog.text
    assert create_app(config).config["SECRET_KEY"] == key  # reused, not made again


def _feed_url(client) -> str:
    page = client.get("/meetings/").get_data(as_text=True)
    match = re.search(r'value="(http://localhost/meetings/ical/[^"]+\.ics)"', page)
    assert match, "no feed address on the calendar page"
    return match.group(1)


def test_feed_tokens_are_random_and_only_their_hash_is_stored(client, world, login):
    login(world.trainee)
    first = _feed_url(client)
    assert client.get(first).status_code == 200
    client.post("/meetings/calendar-link/reset")
    second = _feed_url(client)
    client.post("/meetings/calendar-link/reset")
    third = _feed_url(client)
    assert len({first, second, third}) == 3
    assert client.get(first).status_code == 404 and client.get(second).status_code == 404
    assert client.get(third).status_code == 200
    token = third.rsplit("/", 1)[1].removesuffix(".ics")
    db.session.expire_all()
    row = db.session.execute(select(User.__table__).where(User.__table__.c.id == world.trainee.id)).one()
    assert all(token not in str(value) for value in row)


def test_the_csrf_token_changes_at_login(db_url, tmp_path, world):
    app = create_app(make_config(db_url, tmp_path, WTF_CSRF_ENABLED=True))
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    before = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    with client.session_transaction() as session:
        raw_before = session["csrf_token"]
    response = client.post("/login", data={"email": world.trainee.email, "password": Factory.PASSWORD,
                                           "csrf_token": before})
    assert response.status_code == 302
    client.get("/account")
    with client.session_transaction() as session:
        assert session.get("csrf_token") and session["csrf_token"] != raw_before


def test_every_login_does_one_argon2_verification(client, factory, monkeypatch):
    active = factory.user()
    inactive = factory.user(active=False)
    db.session.commit()
    calls: list[str] = []
    real_verify = PasswordHasher.verify

    def counting(self, hash_, password):
        calls.append(hash_)
        return real_verify(self, hash_, password)
    monkeypatch.setattr(PasswordHasher, "verify", counting)
    for email in ("nobody@example.org", inactive.email, active.email):
        client.post("/login", data={"email": email, "password": "not the password"})
    assert len(calls) == 3
    assert all(h.startswith("$argon2id$") for h in calls)
