"""A focus note says how many cities a list can show hold a focus theme, and the nearest."""

from __future__ import annotations

import pytest

from matcher.db import repository
from matcher.domain import DEFAULT_SIZE_BANDS, City
from matcher.services.partners import (
    FocusNote,
    PartnerQuery,
    PartnerQueryError,
    focus_notes,
    partner_index,
)


def _holders(index, theme: str, admit) -> set[int]:
    """Brute force: the cities the filter admits with a past project on ``theme``."""
    collaborations = index.collaborations_of
    return {
        cid for cid, city in index.cities.items()
        if admit(city)
        and any(c.kind == "project" and theme in c.themes for c in collaborations.get(cid, []))
    }  # fmt: skip


def _busiest_theme(index, city_id: int) -> str:
    admit = lambda c: c.id != city_id and c.size_band in DEFAULT_SIZE_BANDS  # noqa: E731
    return max(sorted(index.theme_labels), key=lambda t: len(_holders(index, t, admit)))


def test_the_note_counts_every_holder_the_list_can_show_and_names_the_nearest(session):
    emmen = repository.get_city(session, "nl-emmen")
    index = partner_index(session)
    theme = _busiest_theme(index, emmen.id)
    (note,) = focus_notes(session, emmen, PartnerQuery(theme_focus=(theme,)))
    expected = _holders(
        index, theme, lambda c: c.id != emmen.id and c.size_band in DEFAULT_SIZE_BANDS
    )
    assert note.theme == theme and note.holders == len(expected) > 1
    assert [c.id for c, _km in note.nearest] and {c.id for c, _km in note.nearest} <= expected
    distances = [km for _c, km in note.nearest]
    assert distances == sorted(distances)
    assert note.label.lower() in note.text and note.nearest[0][0].name in note.text


def test_a_country_filter_counts_only_the_holders_in_that_country(session):
    emmen = repository.get_city(session, "nl-emmen")
    index = partner_index(session)
    theme = _busiest_theme(index, emmen.id)
    (note,) = focus_notes(session, emmen, PartnerQuery(theme_focus=(theme,), countries=("DE",)))
    expected = _holders(
        index, theme, lambda c: c.country == "DE" and c.size_band in DEFAULT_SIZE_BANDS
    )
    assert note.holders == len(expected)
    assert all(city.country == "DE" for city, _km in note.nearest)


def test_without_a_focus_there_is_no_note(session):
    emmen = repository.get_city(session, "nl-emmen")
    assert focus_notes(session, emmen, PartnerQuery()) == []


def test_an_unknown_theme_is_refused_as_the_list_refuses_it(session):
    emmen = repository.get_city(session, "nl-emmen")
    with pytest.raises(PartnerQueryError, match="unknown theme"):
        focus_notes(session, emmen, PartnerQuery(theme_focus=("no-such-theme",)))


def _city(name: str) -> City:
    return City(id=1, slug=name.lower(), name=name, country="IT")


@pytest.mark.parametrize(
    ("holders", "nearest", "text"),
    [
        (0, (), "No city this list can show has a past project on circular economy and waste in "
                "the data: the focus counts shared interests and declared needs and offers only."),
        (1, ((_city("Padova"), 110.4),),
         "1 city this list can show has a past project on circular economy and waste: "
         "Padova (110 km)."),
        (1200, ((_city("Padova"), 110.4), (_city("Maribor"), 1406.0)),
         "1,200 cities this list can show have a past project on circular economy and waste; "
         "the nearest: Padova (110 km), Maribor (1,406 km)."),
    ],
)  # fmt: skip
def test_the_note_in_words(holders, nearest, text):
    note = FocusNote("circular-economy", "Circular economy and waste", holders, nearest)
    assert note.text == text


def test_the_note_keeps_an_acronym_that_opens_a_label():
    note = FocusNote("x", "EU calls and projects", 2, ())
    assert note.text == "2 cities this list can show have a past project on EU calls and projects."
