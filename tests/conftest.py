"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when TEST_DATABASE_URL or
DATABASE_URL is set), an app, a client, factories and the eight personas of the access rules."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, text

from app import create_app
from app.extensions import db
from config import TestingConfig, normalise_database_url

from .factories import Factory, World

PARTNER_CODES = ("SE", "NO", "SI", "PT", "IT")


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    return normalise_database_url(url) or f"sqlite:///{tmp_root / 'test.sqlite'}"


def make_config(db_url: str, tmp_root: Path, **overrides):
    return type("Config", (TestingConfig,), {
        "SQLALCHEMY_DATABASE_URI": db_url,
        "UPLOAD_DIR": str(tmp_root / "uploads"),
        # Not the worktree's instance/ folder: each test session makes its own LTI key.
        "LTI_PRIVATE_KEY_PATH": str(tmp_root / "lti_private_key.pem"),
        **overrides,
    })


_session_db_url: list[str] = []


@pytest.fixture(scope="session")
def db_url(tmp_path_factory) -> str:
    # Cached for the same reason as the app below: modules/conftest.py makes pytest run this
    # fixture twice, and a second SQLite file would be one the migrations never built.
    if not _session_db_url:
        _session_db_url.append(_database_url(tmp_path_factory.mktemp("db")))
    return _session_db_url[0]


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a real server does. Without this the
    request would reuse the test's context, and with it flask-login's cached user and the
    test's database session, hiding bugs that production would show."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


#: The session's one app. modules/conftest.py re-exports these fixtures for the plugins' tests,
#: which makes pytest run this fixture a second time in a run of tests/ and modules/ together;
#: a second app would reset the schema under the first (on PostgreSQL: a deadlock).
_session_app: list[Flask] = []


@pytest.fixture(scope="session")
def app(db_url, tmp_path_factory):
    """One app for the session; the schema is built by the real migrations, from empty."""
    if not _session_app:
        root = tmp_path_factory.mktemp("app")
        application = create_app(make_config(db_url, root))
        application.test_client_class = IsolatedClient
        with application.app_context():
            reset_schema()
            from flask_migrate import upgrade
            upgrade()
        _session_app.append(application)
    application = _session_app[0]
    yield application
    with application.app_context():
        # Close the pooled connections: psycopg warns about unclosed ones, and warnings are errors.
        db.engine.dispose()


def reset_schema() -> None:
    """Start from an empty database, whatever an earlier run left behind."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def clean_tables() -> None:
    """Empty every table but the seeded countries, so each test starts from the migrated state."""
    db.session.rollback()
    from app.models import Country
    for table in reversed(db.metadata.sorted_tables):
        if table.name != "country":
            db.session.execute(delete(table))
    db.session.execute(delete(Country).where(Country.code.not_in(PARTNER_CODES)))
    db.session.commit()


@pytest.fixture(autouse=True)
def _app_context(request, app):
    if "no_app_context" in request.keywords:
        yield
        return
    with app.app_context():
        yield
        clean_tables()
        app.extensions["life_login_throttle"].reset()
        app.extensions.get("life_mail_sent", []).clear()
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def outbox(app):
    return app.extensions.setdefault("life_mail_sent", [])


@pytest.fixture
def factory(app) -> Factory:
    return Factory()


@pytest.fixture
def world(factory) -> World:
    """The eight personas of the access rules, in two countries' cohorts."""
    return World.build(factory)


@pytest.fixture
def login(client):
    def do_login(user, password: str = Factory.PASSWORD, remember: bool = False):
        response = client.post("/login", data={"email": user.email, "password": password,
                                               "remember": "y" if remember else ""})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response
    return do_login
