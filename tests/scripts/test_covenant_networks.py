"""Covenant of Mayors supporters, coordinators and joint plans as collaborations."""

from datetime import datetime

from scripts.data_build.covenant_networks import (
    Signatory,
    network_collaborations,
    network_themes,
    seeded_signatories,
)

THEMES = {"climate-neutrality", "energy-transition", "climate-adaptation", "culture-heritage"}
SOURCE = "JRC GCoM MyCovenant 2024"

CITIES = [
    {"slug": "be-gent", "source_ref": "organisation_id 1", "commitments": "com2030|adaptation"},
    {"slug": "nl-emmen", "source_ref": "organisation_id 2", "commitments": "com2020"},
    {"slug": "it-bologna", "source_ref": "organisation_id 3", "commitments": "com2030|adaptation"},
    {"slug": "fi-kajaani", "source_ref": "geonameid 99", "commitments": ""},
]


def _row(org_id, name, supporter="-", coordinator="-", group_id="-", group_name="-", year=2010):
    return {
        "organisation_id": org_id,
        "organisation_name": name,
        "supporter_name": supporter,
        "coordinator_name": coordinator,
        "group_organisation_id": group_id,
        "group_name": group_name,
        "date_of_adhesion": datetime(year, 5, 1),
    }


ROWS = [
    _row(1, "Gent", "Energy Cities", "Province of  East-Flanders ", 17, "Gent region", 2009),
    _row(2, "Gemeente Emmen", "Energy Cities;Climate Alliance", year=2012),
    _row(3, "Comune di Bologna", "Energy  Cities", "Province of East-Flanders", 17, "Gent region"),
    _row(4, "Not seeded", "Energy Cities", "Province of East-Flanders", year=2001),
]


def _build():
    return network_collaborations(seeded_signatories(ROWS, CITIES), THEMES)


def test_only_seeded_signatories_are_read_and_placeholders_dropped():
    signatories = seeded_signatories(ROWS, CITIES)
    assert [s.city_slug for s in signatories] == ["be-gent", "nl-emmen", "it-bologna"]
    emmen = signatories[1]
    assert emmen.supporters == ("Energy Cities", "Climate Alliance")
    assert emmen.coordinators == () and emmen.group_id is None
    assert emmen.adhesion_year == 2012 and emmen.commitments == ("com2020",)
    assert signatories[0].coordinators == ("Province of East-Flanders",)


def test_groupings_with_two_seeded_members_become_collaborations():
    collaborations, _ = _build()
    assert collaborations == [
        ("com-coordinator:province-of-east-flanders", SOURCE, "network",
         "Province of East-Flanders", "Covenant of Mayors territorial coordinator",
         ["climate-neutrality", "energy-transition", "climate-adaptation"],
         "Covenant of Mayors signatories coordinated by Province of East-Flanders"
         " (2 seeded members)", 2009, None),
        ("com-group:17", SOURCE, "joint-plan", "Gent region",
         "Covenant of Mayors joint action plan",
         ["climate-neutrality", "energy-transition", "climate-adaptation"],
         "Covenant of Mayors signatories with a joint action plan: Gent region"
         " (2 seeded members)", 2009, None),
        ("com-supporter:energy-cities", SOURCE, "network", "Energy Cities",
         "Covenant of Mayors supporter network",
         ["climate-neutrality", "energy-transition", "climate-adaptation"],
         "Covenant of Mayors signatories supported by Energy Cities (3 seeded members)",
         2009, None),
    ]  # fmt: skip


def test_members_are_seeded_cities_with_the_role_of_their_grouping():
    _, members = _build()
    assert ("com-coordinator:province-of-east-flanders", "it-bologna", "Comune di Bologna",
            "coordinated") in members  # fmt: skip
    assert ("com-group:17", "be-gent", "Gent", "member") in members
    assert {m[1] for m in members} == {"be-gent", "nl-emmen", "it-bologna"}
    assert len({m[0] for m in members}) == 3  # Climate Alliance has one seeded member only
    assert members == sorted(members)


def _signatory(slug, supporter, commitments=("com2020",), year=None):
    return Signatory(slug, slug, commitments, year, supporters=(supporter,))


def test_spellings_that_fold_to_one_slug_are_one_network_titled_by_the_commonest():
    signatories = [
        _signatory("a", "ENERGY CITIES"),
        _signatory("b", "Energy Cities"),
        _signatory("c", "Energy Cities"),
    ]
    collaborations, members = network_collaborations(signatories, THEMES)
    assert [(c[0], c[3]) for c in collaborations] == [
        ("com-supporter:energy-cities", "Energy Cities")
    ]
    assert len(members) == 3


def test_start_year_is_the_earliest_known_adhesion_and_end_year_is_empty():
    signatories = [_signatory("a", "Net", year=2015), _signatory("b", "Net", year=None)]
    (row,), _ = network_collaborations(signatories, THEMES)
    assert row[7:] == (2015, None)


def test_a_theme_needs_half_of_the_members():
    assert network_themes([("com2020",), ("com2030",)], THEMES) == [
        "climate-neutrality",
        "energy-transition",
    ]
    assert network_themes([("com2020",), ("com2020",), ("com2030",)], THEMES) == [
        "energy-transition"
    ]
    assert network_themes([("com2020", "adaptation"), ("com2020",)], THEMES) == [
        "energy-transition",
        "climate-adaptation",
    ]


def test_themes_outside_the_vocabulary_are_dropped():
    assert network_themes([("com2030",)], {"energy-transition"}) == ["energy-transition"]
    assert network_themes([], THEMES) == []
