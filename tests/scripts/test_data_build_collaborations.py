"""keep.eu references and dates in the collaborations builder."""

from scripts.data_build.collaborations import (
    _add_members,
    _keep_refs,
    _year,
    project_profile_inputs,
    project_themes,
)
from scripts.data_build.partners import Member, PartnerRow


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
