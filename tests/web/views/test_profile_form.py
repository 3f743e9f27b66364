"""The form in which a city declares its interests, needs and offers."""

from __future__ import annotations

import re

import pytest

URL = "/cities/nl-emmen/profile/edit"


def _value(page: str, field: str) -> str | None:
    match = re.search(rf'<input[^>]*\bname="{re.escape(field)}"[^>]*>', page)
    assert match, f"no input {field}"
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return value.group(1) if value else None


def test_form_has_a_weight_box_per_theme_and_kind(client, signed_in, web_session):
    from matcher.db import repository

    page = client.get(URL).get_data(as_text=True)
    for theme_id in repository.theme_ids(web_session):
        for kind in ("interest", "need", "offer"):
            assert f'name="{kind}-{theme_id}"' in page


def test_form_is_prefilled_with_declared_weights_only(client, signed_in, web_session):
    from matcher.db import models, repository

    emmen = repository.get_city(web_session, "nl-emmen")
    web_session.add(
        models.ProfileWeightRow(
            city_id=emmen.id, kind="offer", theme_id="smart-lighting", weight=0.7,
            provenance="declared by the city",
        )
    )  # fmt: skip
    web_session.commit()
    derived = next(e for e in emmen.profile if e.provenance.startswith("derived"))
    page = client.get(URL).get_data(as_text=True)
    assert _value(page, "offer-smart-lighting") == "0.7"
    assert _value(page, f"{derived.kind}-{derived.theme_id}") in (None, "")


def test_invalid_weight_keeps_every_input_and_explains(client, signed_in, saved_profiles):
    response = client.post(
        URL,
        data={"interest-open-data": "1.5", "need-open-data": "abc",
              "offer-smart-lighting": "0.4"},
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _value(page, "interest-open-data") == "1.5"
    assert _value(page, "need-open-data") == "abc"
    assert _value(page, "offer-smart-lighting") == "0.4"
    assert page.count("must be a number from 0 to 1") >= 2
    assert 'aria-invalid="true"' in page
    assert 'href="#interest-open-data"' in page  # the summary links to the field
    assert saved_profiles == []


def test_decimal_comma_is_accepted(client, signed_in, saved_profiles):
    response = client.post(URL, data={"interest-open-data": "0,25"})
    assert response.status_code == 303
    assert saved_profiles[0][1]["interest"] == {"open-data": 0.25}


def test_valid_form_saves_every_kind_and_redirects_to_the_city(client, signed_in, saved_profiles):
    response = client.post(
        URL,
        data={"interest-open-data": "0.8", "need-smart-lighting": "1",
              "offer-open-data": "", "offer-circular-economy": "0"},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/cities/nl-emmen")
    (_, weights) = saved_profiles[0]
    assert weights == {
        "interest": {"open-data": 0.8},
        "need": {"smart-lighting": 1.0},
        "offer": {"circular-economy": 0.0},
    }
    assert "was saved" in client.get("/cities/nl-emmen").get_data(as_text=True)


def test_without_signing_in_the_form_asks_to_sign_in(client, token, saved_profiles):
    page = client.get(URL)
    assert page.status_code == 403
    assert "Sign in needed" in page.get_data(as_text=True)
    response = client.post(URL, data={"interest-open-data": "0.5"})
    assert response.status_code == 403 and "Sign in needed" in response.get_data(as_text=True)
    assert saved_profiles == []


def test_the_form_no_longer_asks_for_a_token(client, signed_in):
    page = client.get(URL).get_data(as_text=True)
    assert 'type="password"' not in page and "Editor token" not in page


def test_an_editor_of_another_city_is_refused(client, city_editor, saved_profiles):
    client.post("/sign-in", data={"token": city_editor("de-haren-ems")})
    response = client.post(URL, data={"interest-open-data": "0.5"})
    assert response.status_code == 403
    assert "editor of de-haren-ems" in response.get_data(as_text=True)
    assert saved_profiles == []


def test_an_editor_of_this_city_saves_and_the_history_names_them(client, city_editor):
    from matcher.db import get_database
    from matcher.services import history

    client.post("/sign-in", data={"token": city_editor("nl-emmen", "Ann Editor")})
    assert client.post(URL, data={"offer-open-data": "0.6"}).status_code == 303
    page = client.get("/cities/nl-emmen").get_data(as_text=True)
    assert "Ann Editor" in page and "offer open-data" in page
    with client.application.app_context():
        [change] = history.city_history(get_database().session(), "nl-emmen")
    assert change.editor_name == "Ann Editor"
    assert change.details["after"]["offer"]["open-data"] == 0.6


def test_weight_for_an_unknown_theme_is_rejected(client, signed_in, saved_profiles):
    response = client.post(URL, data={"need-teleportation": "0.5"})
    assert response.status_code == 422
    assert "themes we do not know" in response.get_data(as_text=True)
    assert saved_profiles == []


def test_post_without_csrf_token_is_rejected(client, signed_in, web_app, saved_profiles):
    web_app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(URL, data={"interest-open-data": "0.5"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert saved_profiles == []


def test_form_with_its_csrf_token_is_accepted(client, signed_in, web_app, saved_profiles):
    web_app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(URL).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(URL, data={"csrf_token": csrf, "interest-open-data": "0.5"})
    assert response.status_code == 303
    assert len(saved_profiles) == 1


def test_unknown_city_has_no_form(client):
    assert client.get("/cities/xx-nowhere/profile/edit").status_code == 404


def test_saving_stores_a_declared_profile(client, signed_in, web_session):
    """End to end with the real service: provenance, replacement, data version."""
    from matcher.db import repository
    from matcher.services import cities as city_service

    if not hasattr(city_service, "update_declared_profile"):
        pytest.skip("services.cities.update_declared_profile is not available yet")
    version = repository.data_version(web_session)
    client.post(URL, data={"offer-smart-lighting": "0.9"})
    client.post(URL, data={"offer-open-data": "0.6"})
    web_session.expire_all()
    emmen = repository.get_city(web_session, "nl-emmen")
    declared = {
        (e.kind.value, e.theme_id): e.weight
        for e in emmen.profile
        if e.provenance == "declared by the city"
    }
    assert declared == {("offer", "open-data"): 0.6}
    assert repository.data_version(web_session) > version
    assert "declared by the city" in client.get("/cities/nl-emmen").get_data(as_text=True)
