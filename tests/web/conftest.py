"""Fixtures for the web tests: an editor token, and a stand-in for the profile-saving service."""

from __future__ import annotations

import hashlib

import pytest

EDITOR_TOKEN = "correct-horse-battery-staple"


@pytest.fixture
def web_session(web_app):
    """A session on the web app's seeded database."""
    from matcher.db import get_database

    session = get_database(web_app).session()
    yield session
    session.close()


@pytest.fixture
def token(web_app) -> str:
    """A valid API / editor token, configured (as its SHA-256) on the web app."""
    other = hashlib.sha256(b"someone-else").hexdigest()
    mine = hashlib.sha256(EDITOR_TOKEN.encode()).hexdigest()
    web_app.config["API_TOKEN_HASHES"] = f"{other}, {mine.upper()}"
    return EDITOR_TOKEN


@pytest.fixture
def signed_in(client, token):
    """The test client, signed in (once, as a browser would) with a configured token."""
    response = client.post("/sign-in", data={"token": token})
    assert response.status_code == 303
    return client


@pytest.fixture
def city_editor(web_app, web_session):
    """Make an editor of one city; returns its token (``city_editor("nl-emmen", "Ann")``)."""
    from matcher.services import editors

    def make(slug: str, name: str = "Ann Editor") -> str:
        return editors.add_editor(web_session, name, city=slug).token

    return make


@pytest.fixture
def saved_profiles(monkeypatch):
    """Replace ``update_declared_profile`` with a recorder; returns the calls it received.

    The view tests check what the web layer hands to the service, independently of how the
    service stores it (the service has its own tests).
    """
    from matcher.db import repository
    from matcher.services import cities as city_service

    calls: list[tuple[int, dict]] = []

    def record(session_, city_id, kind_to_weights):
        calls.append((city_id, kind_to_weights))
        return repository.get_city(session_, city_id)

    monkeypatch.setattr(city_service, "update_declared_profile", record, raising=False)
    return calls
