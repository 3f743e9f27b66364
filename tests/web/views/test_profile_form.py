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


def test_form_has_a_weight_box_per_theme_and_kind(client, web_session):
    from matcher.db import repository

    page = client.get(URL).get_data(as_text=True)
    for theme_id in repository.theme_ids(web_session):
        for kind in ("interest", "need", "offer"):
            assert f'name="{kind}-{theme_id}"' in page


def test_form_is_prefilled_with_declared_weights_only(client, web_session):
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


def test_invalid_weight_keeps_every_input_and_explains(client, token, saved_profiles):
    response = client.post(
        URL,
        data={"token": token, "interest-open-data": "1.5", "need-open-data": "abc",
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


def test_decimal_comma_is_accepted(client, token, saved_profiles):
    response = client.post(URL, data={"token": token, "interest-open-data": "0,25"})
    assert response.status_code == 303
    assert saved_profiles[0][1]["interest"] == {"open-data": 0.25}


def test_valid_form_saves_every_kind_and_redirects_to_the_city(client, token, saved_profiles):
    response = client.post(
        URL,
        data={"token": token, "interest-open-data": "0.8", "need-smart-lighting": "1",
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


def test_wrong_token_is_refused_and_input_kept(client, token, saved_profiles):
    response = client.post(URL, data={"token": "guess", "interest-open-data": "0.5"})
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "not valid" in page
    assert _value(page, "interest-open-data") == "0.5"
    assert _value(page, "token") in (None, "")  # a password is never echoed back
    assert saved_profiles == []


def test_missing_token_is_explained(client, token, saved_profiles):
    response = client.post(URL, data={"interest-open-data": "0.5"})
    assert response.status_code == 422
    assert "Enter the editor token" in response.get_data(as_text=True)
    assert saved_profiles == []


def test_weight_for_an_unknown_theme_is_rejected(client, token, saved_profiles):
    response = client.post(URL, data={"token": token, "need-teleportation": "0.5"})
    assert response.status_code == 422
    assert "themes we do not know" in response.get_data(as_text=True)
    assert saved_profiles == []


def test_post_without_csrf_token_is_rejected(client, token, web_app, saved_profiles):
    web_app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(URL, data={"token": token, "interest-open-data": "0.5"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert saved_profiles == []


def test_form_with_its_csrf_token_is_accepted(client, token, web_app, saved_profiles):
    web_app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(URL).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        URL, data={"csrf_token": csrf, "token": token, "interest-open-data": "0.5"}
    )
    assert response.status_code == 303
    assert len(saved_profiles) == 1


def test_unknown_city_has_no_form(client):
    assert client.get("/cities/xx-nowhere/profile/edit").status_code == 404


def test_saving_stores_a_declared_profile(client, token, web_session):
    """End to end with the real service: provenance, replacement, data version."""
    from matcher.db import repository
    from matcher.services import cities as city_service

    if not hasattr(city_service, "update_declared_profile"):
        pytest.skip("services.cities.update_declared_profile is not available yet")
    version = repository.data_version(web_session)
    client.post(URL, data={"token": token, "offer-smart-lighting": "0.9"})
    client.post(URL, data={"token": token, "offer-open-data": "0.6"})
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
