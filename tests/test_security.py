"""Headers, CSRF and the production safety checks."""
from __future__ import annotations

import pytest

from app import StartupError, create_app
from config import ProductionConfig, TestingConfig

from .conftest import make_config


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client, world, login):
    login(world.admin)
    for url in ("/home", "/account", "/admin/"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "onclick=" not in html, url


def test_csrf_is_enforced_when_enabled(db_url, tmp_path, world):
    app = create_app(make_config(db_url, tmp_path, WTF_CSRF_ENABLED=True))
    client = app.test_client()
    response = client.post("/login", data={"email": world.trainee.email, "password": "correct horse battery"})
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)


def test_production_refuses_to_start_without_a_real_secret_key(db_url, tmp_path):
    config = type("Prod", (ProductionConfig,), {"SQLALCHEMY_DATABASE_URI": db_url,
                                                "SECRET_KEY": "dev-only-insecure-secret-key",
                                                "UPLOAD_DIR": str(tmp_path)})
    with pytest.raises(StartupError, match="SECRET_KEY"):
        create_app(config)


def test_production_cookies_are_secure(db_url, tmp_path):
    config = type("Prod", (ProductionConfig,), {"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "k" * 48,
                                                "EVALUATION_PSEUDONYM_KEY": "p" * 48,
                                                "UPLOAD_DIR": str(tmp_path)})
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert not TestingConfig.SESSION_COOKIE_SECURE


def test_nothing_creates_tables_inside_create_app(tmp_path):
    """The factory must not migrate or create_all(): an empty database stays empty."""
    from sqlalchemy import create_engine, inspect
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    create_app(make_config(url, tmp_path))
    assert inspect(create_engine(url)).get_table_names() == []
