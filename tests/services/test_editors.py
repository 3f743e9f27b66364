"""Editors with a scope, their tokens and links, and the limit on failed authentications."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from matcher.services import editors
from matcher.services.editors import EditorError

CITY = "it-bologna"
OTHER = "be-gent"


def test_a_city_editor_token_edits_that_city_only(session):
    issued = editors.add_editor(session, "Ann", city=CITY)
    actor = editors.actor_for_token(session, issued.token, [])
    assert actor.name == "Ann" and actor.may_edit_city(CITY)
    assert not actor.may_edit_city(OTHER) and not actor.may_edit_event(1)
    assert not actor.is_admin


def test_only_the_digest_of_the_token_is_stored(session):
    from sqlalchemy import select

    from matcher.db.models import EditorRow

    issued = editors.add_editor(session, "Ann", admin=True)
    row = session.scalars(select(EditorRow)).one()
    assert row.token_hash == editors.hash_secret(issued.token)
    assert issued.token not in {row.token_hash, row.link_hash}


def test_a_wrong_or_revoked_token_is_nobody(session):
    issued = editors.add_editor(session, "Ann", admin=True)
    assert editors.actor_for_token(session, issued.token + "x", []) is None
    editors.revoke(session, issued.editor.id)
    assert editors.actor_for_token(session, issued.token, []) is None
    assert editors.actor_for_editor(session, issued.editor.id) is None


def test_configured_hashes_are_administrators(session):
    actor = editors.actor_for_token(session, "secret", [editors.hash_secret("secret").upper()])
    assert actor.is_admin and actor.name == editors.CONFIGURED_ADMIN_NAME


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"admin": True, "city": CITY}, {"city": "xx-nowhere"}, {"event": 999}],
    ids=["no scope", "two scopes", "unknown city", "unknown event"],
)
def test_a_bad_scope_is_refused_and_nothing_is_stored(session, kwargs):
    with pytest.raises(EditorError):
        editors.add_editor(session, "Ann", **kwargs)
    assert editors.list_editors(session) == []


def test_a_sign_in_link_works_once(session):
    issued = editors.add_editor(session, "Ann", city=CITY)
    assert editors.editor_of_link(session, issued.link_token).name == "Ann"
    assert editors.use_link(session, issued.link_token).name == "Ann"
    assert editors.use_link(session, issued.link_token) is None


def test_a_sign_in_link_expires(session):
    issued = editors.add_editor(session, "Ann", city=CITY)
    later = editors.utc_now() + editors.LINK_LIFETIME + timedelta(hours=1)
    assert editors.use_link(session, issued.link_token, now=later) is None


def test_failures_past_the_limit_are_refused_until_the_window_passes(session):
    start = datetime(2026, 12, 1, 12, 0, 0)
    for second in range(editors.FAILURE_LIMIT):
        assert editors.retry_after(session, "10.0.0.1", now=start) is None
        editors.record_failure(session, "10.0.0.1", now=start + timedelta(seconds=second))
    now = start + timedelta(seconds=10)
    wait = editors.retry_after(session, "10.0.0.1", now=now)
    assert wait == 50
    assert editors.retry_after(session, "10.0.0.2", now=now) is None
    assert editors.retry_after(session, "10.0.0.1", now=start + timedelta(seconds=61)) is None
