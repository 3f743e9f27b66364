"""Matching a truth file's towns to cities: names as sources write them, one member per town."""

from __future__ import annotations

import csv

import pytest

from matcher.services.evaluation import _place_variants, load_truth


def _truth(tmp_path, rows) -> str:
    path = tmp_path / "truth.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["group_id", "city", "country", "theme", "year"])
        writer.writerows([[group, city, country, "", ""] for group, city, country in rows])
    return str(path)


@pytest.mark.parametrize(
    "town",
    ["Jelgava city", "Jelgava, Zemgale", "City of Jelgava", "Jelgava municipality (LV)",
     "Jelgava 2", "Jelgava / Mitau", "JELGAVA CEDEX 3", "Jelgava C"],
)  # fmt: skip
def test_a_town_written_with_what_sources_add_is_matched(session, tmp_path, town):
    groups, match = load_truth(session, _truth(tmp_path, [("g", town, "LV")]))
    assert match.matched_rows == 1, match.unmatched
    assert len(groups[0].city_ids) == 1


def test_two_members_in_one_town_are_matched_rows_and_one_member_city(session, tmp_path):
    rows = [("g", "Tallinn", "EE"), ("g", "Tallinn", "EE"), ("g", "Tartu", "EE")]
    groups, match = load_truth(session, _truth(tmp_path, rows))
    assert match.matched_rows == 3 and match.match_rate == 1.0
    assert len(groups[0].city_ids) == 2


def test_a_region_or_an_unknown_town_stays_unmatched(session, tmp_path):
    rows = [("g", "Zemgale region", "LV"), ("g", "Nowhere-on-Sea district", "LV")]
    _groups, match = load_truth(session, _truth(tmp_path, rows))
    assert match.matched_rows == 0


def test_the_variants_start_with_the_name_as_given_and_never_repeat():
    variants = _place_variants("Saldus city, Saldus county")
    assert variants[0] == "Saldus city, Saldus county"
    assert "Saldus" in variants
    assert len(variants) == len(set(variants))


def test_a_name_two_cities_bear_stays_unmatched(session, tmp_path, monkeypatch):
    """A homonym ("Frankfurt": am Main or (Oder)) is not guessed from a part of the text."""
    from matcher.scoring.names import Resolution, ResolutionStatus
    from matcher.services import evaluation

    index = evaluation.name_index(session)
    tallinn = index.resolve("Tallinn", country="EE")
    homonyms = Resolution(ResolutionStatus.AMBIGUOUS, None, (tallinn.match, tallinn.match))
    monkeypatch.setattr(type(index), "resolve", lambda self, name, country=None: homonyms)
    _groups, match = load_truth(session, _truth(tmp_path, [("g", "Tallinn, Harju", "EE")]))
    assert match.matched_rows == 0
