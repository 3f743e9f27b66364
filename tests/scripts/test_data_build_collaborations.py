"""keep.eu references and dates in the collaborations builder."""

from pathlib import Path

import pytest

from scripts.data_build.collaborations import (
    _add_members,
    _keep_refs,
    _year,
    project_profile_inputs,
    project_themes,
)
from scripts.data_build.common import load_text_confirmed, load_theme_mappings
from scripts.data_build.partners import Member, PartnerRow

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def test_acronym_shared_by_programmes_gets_suffix_in_programme_order():
    details = {("Prog B", "GREEN"): (), ("Prog A", "GREEN"): (), ("Prog A", "SOLO"): ()}
    assert _keep_refs(details) == {
        ("Prog A", "GREEN"): "keep:GREEN",
        ("Prog B", "GREEN"): "keep:GREEN-2",
        ("Prog A", "SOLO"): "keep:SOLO",
    }


def test_year_is_read_from_keep_dates():
    assert _year("2016/09/04") == 2016
    assert _year(None) is None


def _member(role, organisation="Stadt Singen"):
    partner = PartnerRow("keep", ("P", "A"), organisation, "Singen", "DE", role, True, "")
    return Member("de-singen", partner)


def test_an_organisation_listed_twice_keeps_its_lead_role():
    members = {}
    _add_members(members, "keep:A", [_member("partner"), _member("lead")])
    assert members == {("keep:A", "de-singen"): ({"Stadt Singen"}, "lead")}


def test_a_city_taking_part_through_two_bodies_is_one_member():
    members = {}
    _add_members(members, "keep:A", [_member("partner"), _member("partner", "Stadtwerke Singen")])
    assert members == {("keep:A", "de-singen"): ({"Stadt Singen", "Stadtwerke Singen"}, "partner")}


def test_profiles_read_projects_only_without_the_kind_cell():
    collaborations = [
        (
            "com-supporter:net",
            "JRC GCoM MyCovenant 2024",
            "network",
            "Net",
            "P",
            ["x"],
            "",
            1,
            None,
        ),
        ("keep:A", "keep.eu Interreg 2014-2020", "project", "A", "Prog", ["y"], "d", 2016, 2019),
    ]
    members = [
        ("keep:A", "nl-emmen", "Gemeente Emmen", "lead"),
        ("com-supporter:net", "nl-emmen", "Gemeente Emmen", "member"),
    ]
    projects, project_members = project_profile_inputs(collaborations, members)
    assert projects == [
        ("keep:A", "keep.eu Interreg 2014-2020", "A", "Prog", ["y"], "d", 2016, 2019)
    ]
    assert project_members == [("keep:A", "nl-emmen", "Gemeente Emmen", "lead")]


def _vocabulary():
    from matcher.scoring.vocabulary import Vocabulary

    return Vocabulary.from_dict(
        {
            "themes": [
                {"id": "circular-economy", "label": "Circular economy",
                 "synonyms": ["waste prevention", "recycling"]},
                {"id": "nature-based-solutions", "label": "Nature-based solutions",
                 "synonyms": ["biodiversity"]},
            ],
            "mappings": {},
        }
    )  # fmt: skip


BROAD = "Sustainable management of natural resources"


def test_a_theme_a_broad_label_covers_in_part_needs_the_project_text_to_name_it():
    mapping = {BROAD: ["nature-based-solutions"]}
    if_text = {BROAD: ["circular-economy"]}
    moor = project_themes([BROAD, ""], "Grenzenlos Moor. A moor park across the border.",
                          mapping, if_text, _vocabulary())  # fmt: skip
    assert moor == ["nature-based-solutions"]
    recycling = project_themes([BROAD], "Less waste. Recycling in small towns.", mapping,
                               if_text, _vocabulary())  # fmt: skip
    assert recycling == ["nature-based-solutions", "circular-economy"]


def test_a_mapped_label_gives_its_themes_whatever_the_text():
    mapping = {"Waste and pollution": ["circular-economy"]}
    assert project_themes(["Waste and pollution"], "", mapping, {}, _vocabulary()) == [
        "circular-economy"
    ]


# Real keep.eu projects (title and the opening of the description) filed under broad labels.
# The shipped vocabulary must not tell them as projects on a theme their text does not name.
SHIPPED_LABEL_CASES = [
    ("Cooperation between emergency services",
     "Energy optimization and behaviour change into schools of Central Europe. The building "
     "sector has a high potential for energy optimisation.", set(), {"climate-adaptation"}),
    ("Cooperation between emergency services",
     "Joint actions for better quality of public fire and rescue services.",
     {"climate-adaptation"}, set()),
    ("Green technologies",
     "Public cross-border bicycle-sharing system in Esztergom and Štúrovo.",
     set(), {"green-economy"}),
    ("Climate change and biodiversity",
     "Towards Dynamic, Intelligent and Energy Efficient Urban Lighting. Reducing CO2 emissions "
     "in public lighting.", set(), {"climate-adaptation", "nature-based-solutions"}),
    ("Climate change and biodiversity",
     "Improvement of the Ecological Stability of the Border Area. Protect the biodiversity of "
     "the border regions.", {"nature-based-solutions"}, {"climate-adaptation"}),
    ("Construction and renovation", "Castle to castle. A route between the castles.",
     set(), {"deep-retrofitting"}),
    ("Community integration and common identity",
     "Even Music Unites Us. Choirs learn about the cultural heritage across the border.",
     {"culture-heritage"}, {"social-inclusion-health"}),
    ("Waterways, lakes and rivers",
     "Cross-border sandbag management for flood protection at the Lower Inn.",
     {"climate-adaptation"}, {"nature-based-solutions"}),
]  # fmt: skip


@pytest.mark.parametrize(("label", "text", "given", "withheld"), SHIPPED_LABEL_CASES)
def test_the_shipped_vocabulary_gives_a_broad_label_s_theme_only_where_the_text_names_it(
    label, text, given, withheld
):
    _, mapping = load_theme_mappings(DATA_DIR)
    if_text, vocabulary = load_text_confirmed(DATA_DIR)
    themes = set(project_themes([label], text, mapping, if_text, vocabulary))
    assert given <= themes
    assert not withheld & themes
