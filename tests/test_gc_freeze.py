"""Long-lived objects are kept out of full garbage collections (app/gc_freeze.py): frozen when the
app is made and after its first requests, thawed when the content changes (so the old cached
rows can be collected), and frozen again after as many requests."""
from __future__ import annotations

import gc

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import Module

from .conftest import IsolatedClient, make_config
from .factories import Factory
from .programme_data import build_programme


@pytest.fixture
def freezing_app(db_url, tmp_path):
    """A second app on the same database, with freezing on after 3 requests."""
    application = create_app(make_config(db_url, tmp_path, GC_FREEZE_AFTER_REQUESTS=3))
    application.test_client_class = IsolatedClient
    yield application
    gc.unfreeze()  # the rest of the test session runs unfrozen, as configured
    with application.app_context():
        db.engine.dispose()


def test_frozen_at_start_and_after_the_first_requests(freezing_app):
    assert gc.get_freeze_count() > 0  # what start-up made
    gc.unfreeze()
    client = freezing_app.test_client()
    for _ in range(2):
        client.get("/login")
    assert gc.get_freeze_count() == 0
    client.get("/login")
    assert gc.get_freeze_count() > 0


def test_a_content_change_thaws_and_the_worker_freezes_again(freezing_app, world):
    build_programme(1, 1, run=world.run)
    db.session.commit()
    client = freezing_app.test_client()
    assert client.post("/login", data={"email": world.trainee.email, "password": Factory.PASSWORD}).status_code == 302
    for _ in range(3):
        assert client.get("/programme/").status_code == 200
    assert gc.get_freeze_count() > 0
    db.session.scalar(select(Module)).title = "Renamed by an import"
    db.session.commit()
    page = client.get("/programme/").get_data(as_text=True)
    assert "Renamed by an import" in page
    assert gc.get_freeze_count() == 0  # the old rows can be collected
    for _ in range(3):
        client.get("/programme/")
    assert gc.get_freeze_count() > 0
