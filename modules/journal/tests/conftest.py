"""Fixtures of the journal's tests."""
from __future__ import annotations

import pytest

from tests.factories import Factory


@pytest.fixture
def as_user(app):
    """A fresh client logged in as `user` (several people, several tabs)."""
    def make(user):
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": Factory.PASSWORD})
        assert response.status_code == 302
        return client
    return make
