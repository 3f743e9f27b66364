"""Recognising municipal partners and matching them to seeded cities."""

import pytest

from scripts.data_build.municipal import CityMatcher, CityRef, is_variant, read_municipal_name


@pytest.mark.parametrize(
    ("organisation", "town", "place"),
    [
        ("Stadt Singen", "Singen", "singen"),
        ("Municipality of Velenje", "Velenje", "velenje"),
        ("COMUNE DI BASSANO DEL GRAPPA", "Bassano", "bassano del grappa"),
        ("Peterborough City Council", "Peterborough", "peterborough"),
        ("Aabenraa Kommune, Kultur, plan & fritid", "Aabenraa", "aabenraa"),
        ("Waterford City and County Council", "Waterford", "waterford"),
        ("Igualada", "Igualada", "igualada"),
        ("Town Council", "Sospel", ""),
    ],
)
def test_municipal_names_yield_the_place_they_name(organisation, town, place):
    municipal = read_municipal_name(organisation, town)
    assert municipal is not None
    assert municipal.place == place


@pytest.mark.parametrize(
    "organisation",
    [
        "University of Maribor",
        "Development Agency of the Municipality of Kavala",
        "Città Metropolitana di Bologna",
        "Union of Municipalities of Low Romagna Region",
        "CORK COUNTY COUNCIL",
        "Alytus city social service center",
        "Patras Municipal Enterprise for Planning & Development",
        "Chamber of Commerce and Industry of Slovenia",
    ],
)
def test_other_bodies_are_not_municipal(organisation):
    assert read_municipal_name(organisation, "Anywhere") is None


def test_a_partner_named_differently_from_its_town_is_not_the_town():
    assert read_municipal_name("Ecology Action Centre", "Halifax") is None


@pytest.fixture
def matcher():
    return CityMatcher(
        [
            CityRef("gr-patra", "GR", "Patra", ("Patras",)),
            CityRef("fi-kajaani", "FI", "Kajaani"),
            CityRef("it-firenze", "IT", "Firenze", ("Florence",)),
            CityRef("de-kalk", "DE", "Kalk"),
            CityRef("be-hoboken", "BE", "Hoboken", ("Antwerp",)),
            CityRef("be-antwerpen", "BE", "Antwerpen", ("Antwerp",)),
        ]
    )


def test_exact_name_in_the_organisation_matches(matcher):
    assert matcher.match_partner("IT", "Firenze", "Comune di Firenze") == "it-firenze"


def test_alternate_name_matches(matcher):
    assert matcher.match_partner("IT", "Florence", "City of Florence") == "it-firenze"


def test_inflected_name_matches_when_the_town_agrees(matcher):
    assert matcher.match_partner("FI", "Kajaani", "KAJAANIN KAUPUNKI") == "fi-kajaani"
    assert matcher.match_partner("GR", "Patras", "DIMOS PATREON") == "gr-patra"


def test_prefix_of_another_name_does_not_match(matcher):
    assert matcher.match_partner("DE", "Kalkar", "Stadt Kalkar") is None


def test_country_must_agree(matcher):
    assert matcher.match_partner("FR", "Firenze", "Comune di Firenze") is None


def test_ambiguous_alternate_name_matches_nothing(matcher):
    assert matcher.exact("BE", "Antwerp") is None


def test_non_municipal_partner_in_a_seeded_town_is_not_matched(matcher):
    assert matcher.match_partner("IT", "Firenze", "Università degli Studi di Firenze") is None


@pytest.mark.parametrize(
    ("place", "name", "expected"),
    [
        ("karlstads", "karlstad", True),
        ("mytilinis", "mytilene", True),
        ("environment department of tallinn", "tallinn", True),
        ("bohumin", "bologna", False),
        ("nestos", "kavala", False),
    ],
)
def test_is_variant(place, name, expected):
    assert is_variant(place, name) is expected


@pytest.fixture
def regional():
    return CityMatcher(
        [
            CityRef("de-weiden", "DE", "Weiden", nuts="DEB15", population=83),
            CityRef("de-weiden-i-d-opf", "DE", "Weiden i.d.OPf.", ("Weiden",), "DE233", 42_520),
            CityRef("ro-crucea", "RO", "Crucea", nuts="RO223", population=3_165),
            CityRef("ro-crucea-2", "RO", "Crucea", nuts="RO215", population=2_070),
            CityRef("es-las-palmas", "ES", "Las Palmas", nuts="ES705", population=379_925),
            CityRef("fr-moulis", "FR", "Moulis", nuts="FRJ21", population=None),
            CityRef("de-ried", "DE", "Ried", nuts="DE21A", population=3_000),
        ]
    )


def test_a_namesake_in_another_region_is_another_place(regional):
    # "Stadt Weiden" of the Upper Palatinate (DE23) is not the village in the Rhineland
    assert regional.match_partner("DE", "Weiden", "Stadt Weiden", "DE237") == "de-weiden-i-d-opf"
    assert regional.match_partner("DE", "Weiden", "Stadt Weiden") == "de-weiden"  # no code


def test_the_region_tells_namesakes_apart(regional):
    assert regional.exact("RO", "Crucea", "RO223") == "ro-crucea"
    assert regional.exact("RO", "Crucea") is None


def test_a_code_of_another_nuts_version_says_nothing(regional):
    # keep.eu writes France's NUTS 2013 codes (Ariège FR621, FRJ21 since 2016)
    assert regional.exact("FR", "Moulis", "FR621") == "fr-moulis"


def test_a_large_city_stands_when_the_source_puts_it_in_another_region(regional):
    # CORDIS files the council of Las Palmas de Gran Canaria under Murcia (ES620)
    assert regional.exact("ES", "Las Palmas", "ES620") == "es-las-palmas"
    assert regional.exact("DE", "Ried", "DE233") is None  # a village is not
