"""An unknown city slug (a mistyped or old address) is offered the cities it may have meant."""

from __future__ import annotations

import pytest

from matcher.services.cities import cities_like_slug


@pytest.mark.parametrize(
    ("slug", "meant"),
    [
        ("de-haren", "de-haren-ems"),  # Haren's address before its display name was cleaned
        ("it-bolonia", "it-bologna"),  # a typo, or another language's name
        ("fi-jyvaskyla-2", "fi-jyvaskyla"),  # a second city of that name that is not there
        ("EL-trikala", "gr-trikala"),  # EU country codes, any case
    ],
)
def test_a_slug_close_to_a_city_s_offers_that_city(session, slug, meant):
    assert meant in [city.slug for city in cities_like_slug(session, slug)]


@pytest.mark.parametrize("slug", ["xx-nowhere", "nonsense", "de-", "--", "de-qwxzvbn"])
def test_a_slug_no_city_is_close_to_offers_none(session, slug):
    assert cities_like_slug(session, slug) == []
