"""Derived interest profiles."""

import pytest

from scripts.data_build.profiles import collaboration_weights, commitment_weights, derive_profiles

THEMES = {"energy-transition", "climate-neutrality", "climate-adaptation", "culture-heritage"}


def test_collaboration_weight_is_share_of_themed_projects():
    weights = collaboration_weights(
        [["culture-heritage"], ["culture-heritage", "energy-transition"]]
    )
    assert weights == {"culture-heritage": 1.0, "energy-transition": 0.5}


def test_projects_without_themes_do_not_dilute_weights():
    assert collaboration_weights([["culture-heritage"], []]) == {"culture-heritage": 1.0}


def test_commitments_map_to_vocabulary_themes_only():
    assert commitment_weights(["adaptation"], THEMES) == {"climate-adaptation": 1.0}
    assert commitment_weights(["adaptation"], {"energy-transition"}) == {}


COLLABORATIONS = [
    ("keep:A", "keep.eu Interreg 2014-2020", "A", "", ["energy-transition"]),
    ("keep:B", "keep.eu Interreg 2014-2020", "B", "", ["culture-heritage"]),
]
MEMBERS = [("keep:A", "nl-emmen"), ("keep:B", "nl-emmen")]
CITIES = [{"slug": "nl-emmen", "commitments": "com2020"}]


def test_both_sources_keep_the_larger_weight_and_name_both():
    rows = derive_profiles(COLLABORATIONS, MEMBERS, CITIES, THEMES)
    assert ("nl-emmen", "interest", "energy-transition", 1.0,
            "derived from Covenant of Mayors commitments and keep.eu Interreg 2014-2020 projects"
            ) in rows  # fmt: skip


def test_collaboration_only_theme_has_its_share_and_provenance():
    rows = derive_profiles(COLLABORATIONS, MEMBERS, CITIES, THEMES)
    assert ("nl-emmen", "interest", "culture-heritage", 0.5,
            "derived from keep.eu Interreg 2014-2020 projects") in rows  # fmt: skip


@pytest.mark.parametrize("commitment", ["com2030", "com2050"])
def test_climate_targets_give_climate_neutrality(commitment):
    assert commitment_weights([commitment], THEMES)["climate-neutrality"] == 1.0
