"""Plain-language reasons built from the score parts."""

from __future__ import annotations

from dataclasses import replace

from matcher.domain import City, Collaboration, ProfileEntry
from matcher.domain import ProfileKind as Kind
from matcher.scoring.partners.explain import explain_match, format_population

LABELS = {
    "circular-economy": "Circular economy and waste",
    "mobility-transition": "Mobility transition",
    "open-data": "Open data platforms",
    "energy-transition": "Energy transition",
}
PARTS = ["shared_interests", "complementarity", "experience", "track_record", "text",
         "peer_size", "proximity", "geography", "history", "networks",
         "common_partners"]  # fmt: skip
ALL_ON = dict.fromkeys(PARTS, 1 / len(PARTS))


def city(name, country, pop, lat, lon, profile=()):
    entries = tuple(ProfileEntry(k, t, w, "declared by the city") for k, t, w in profile)
    return City(id=len(name), slug=name.lower(), name=name, country=country,
                population=pop, lat=lat, lon=lon, profile=entries)  # fmt: skip


EMMEN = city("Emmen", "NL", 107_000, 52.78, 6.90, [
    (Kind.INTEREST, "circular-economy", 1.0), (Kind.INTEREST, "mobility-transition", 0.8),
    (Kind.NEED, "open-data", 1.0)])  # fmt: skip
TARTU = city("Tartu", "EE", 98_000, 58.38, 26.72, [
    (Kind.INTEREST, "circular-economy", 0.9), (Kind.INTEREST, "mobility-transition", 1.0),
    (Kind.OFFER, "open-data", 1.0)])  # fmt: skip
NORDHORN = city("Nordhorn", "DE", 54_000, 52.43, 7.07)


def texts(reasons):
    return [r.text for r in reasons]


def test_shared_themes_are_named_by_their_labels():
    reasons = explain_match(EMMEN, TARTU, {"shared_interests": 0.9}, weights=ALL_ON,
                            theme_labels=LABELS)  # fmt: skip
    assert texts(reasons) == ["Both work on circular economy and waste; mobility transition"]


def test_plain_theme_labels_read_as_a_list():
    labels = {"a": "Energy", "b": "Mobility", "c": "Open data"}
    query = city("Q", "NL", 1, 52.0, 6.0, [(Kind.INTEREST, t, 1.0) for t in labels])
    reasons = explain_match(query, query, {"shared_interests": 0.9}, weights=ALL_ON,
                            theme_labels=labels)  # fmt: skip
    assert texts(reasons) == ["Both work on energy, mobility and open data"]


def test_an_offer_meeting_a_need_is_spelled_out():
    reasons = explain_match(EMMEN, TARTU, {"complementarity": 1.0}, weights=ALL_ON,
                            theme_labels=LABELS)  # fmt: skip
    assert texts(reasons) == ["Tartu offers open data platforms experience you are looking for"]


def test_similar_size_shows_both_populations():
    reasons = explain_match(EMMEN, TARTU, {"peer_size": 0.95}, weights=ALL_ON, theme_labels={})
    assert texts(reasons) == ["Similar size (107k vs 98k)"]


def test_a_size_more_than_half_again_as_large_is_not_called_similar():
    reasons = explain_match(EMMEN, NORDHORN, {"peer_size": 0.6}, weights=ALL_ON, theme_labels={})
    assert reasons == []


def test_cross_border_geography_gives_distance_and_country():
    reasons = explain_match(EMMEN, NORDHORN, {"geography": 1.0}, weights=ALL_ON,
                            theme_labels={}, geography="cross-border")  # fmt: skip
    assert texts(reasons) == ["41 km away, across the border in Germany"]


def test_a_near_city_abroad_without_a_land_border_is_not_across_the_border():
    # Differdange (Luxembourg) and Maastricht (the Netherlands): 145 km apart, but Belgium
    # lies between them.
    differdange = city("Differdange", "LU", 28_000, 49.52, 5.89)
    maastricht = city("Maastricht", "NL", 121_000, 50.85, 5.69)
    for mode in ("near", "cross-border"):
        reasons = explain_match(differdange, maastricht, {"geography": 1.0}, weights=ALL_ON,
                                theme_labels={}, geography=mode)  # fmt: skip
        assert texts(reasons) == ["149 km away, in Netherlands"]


def test_history_names_the_project_programme_and_year():
    project = Collaboration(id=1, source="keep.eu", source_ref="P1", title="WOOD-CIRCLE",
                            programme="Interreg North Sea", start_year=2017)  # fmt: skip
    other = Collaboration(id=2, source="keep.eu", source_ref="P2", title="Other")
    reasons = explain_match(EMMEN, NORDHORN, {"history": 0.75}, weights=ALL_ON, theme_labels={},
                            shared_collaborations=[project, other])  # fmt: skip
    assert texts(reasons) == [
        "Worked together in WOOD-CIRCLE (Interreg North Sea, 2017) and 1 other project"
    ]


ENERGY_CITIES = Collaboration(id=3, source="CoM", source_ref="N1", title="Energy Cities",
                              programme="Covenant of Mayors supporter network",
                              kind="network")  # fmt: skip
WOOD = Collaboration(id=1, source="keep.eu", source_ref="P1", title="WOOD-CIRCLE",
                     programme="2014 - 2020 INTERREG V-A Germany - The Netherlands",
                     start_year=2017)  # fmt: skip


def test_similar_descriptions_say_when_the_words_are_those_of_a_joint_project():
    moor = Collaboration(id=4, source="keep.eu", source_ref="P4", title="Grenzenlos Moor",
                         description="A moor park across the border.")  # fmt: skip
    reasons = explain_match(EMMEN, NORDHORN, {"text": 0.8}, weights=ALL_ON, theme_labels={},
                            shared_collaborations=[ENERGY_CITIES, WOOD, moor],
                            shared_terms=["moor", "park"])  # fmt: skip
    assert texts(reasons) == [
        "Similar project descriptions ('moor', 'park', words of your joint project Grenzenlos Moor)"
    ]
    apart = explain_match(EMMEN, NORDHORN, {"text": 0.8}, weights=ALL_ON, theme_labels={},
                          shared_collaborations=[WOOD], shared_terms=["moor", "park"])  # fmt: skip
    assert texts(apart) == ["Similar project descriptions ('moor', 'park')"]


def test_history_comes_first_and_networks_are_named_apart_from_projects():
    parts = {"history": 0.5, "networks": 0.5, "proximity": 0.9, "track_record": 0.9}
    weights = {**ALL_ON, "proximity": 0.5, "track_record": 0.3}
    reasons = explain_match(EMMEN, NORDHORN, parts, weights=weights, theme_labels={},
                            shared_collaborations=[ENERGY_CITIES, WOOD],
                            candidate_projects=4)  # fmt: skip
    assert texts(reasons) == [
        "Worked together in WOOD-CIRCLE (INTERREG V-A Germany - The Netherlands, 2017)",
        "41 km away, across the border in Germany",
        "Nordhorn has taken part in 4 EU-funded projects with other municipalities",
        "In the same network: both are supported by Energy Cities in the Covenant of Mayors",
    ]


def test_proximity_and_a_geography_preference_give_one_place_reason():
    parts = {"proximity": 0.9, "geography": 0.9}
    reasons = explain_match(EMMEN, NORDHORN, parts, weights=ALL_ON, theme_labels={},
                            geography="near")  # fmt: skip
    assert texts(reasons) == ["41 km away, across the border in Germany"]
    assert reasons[0].contribution == 2 * 0.9 * ALL_ON["geography"]


def test_common_partners_are_named_when_known():
    names = ["Riga", "Kaunas", "Turku"]
    reasons = explain_match(EMMEN, TARTU, {"common_partners": 0.6}, weights=ALL_ON,
                            theme_labels={}, common_partners=names)  # fmt: skip
    assert texts(reasons) == ["Both worked with Riga, Kaunas and 1 other"]


def test_experience_from_theme_counts_names_themes_without_adding_counts_up():
    experience = {"open-data": 3, "energy-transition": 5}
    reasons = explain_match(EMMEN, TARTU, {"experience": 0.8}, weights=ALL_ON,
                            theme_labels=LABELS, candidate_experience=experience)  # fmt: skip
    assert texts(reasons) == ["Tartu has taken part in projects on open data platforms"]


def test_reasons_are_ordered_by_weighted_contribution_and_weak_parts_dropped():
    weights = {**ALL_ON, "peer_size": 0.5, "shared_interests": 0.1}
    parts = {"shared_interests": 0.9, "peer_size": 0.9, "text": 0.05}
    reasons = explain_match(EMMEN, TARTU, parts, weights=weights, theme_labels=LABELS)
    assert [r.part for r in reasons] == ["peer_size", "shared_interests"]


def test_parts_with_zero_weight_give_no_reason():
    weights = {**ALL_ON, "geography": 0.0}
    reasons = explain_match(EMMEN, NORDHORN, {"geography": 1.0}, weights=weights,
                            theme_labels={}, geography="near")  # fmt: skip
    assert reasons == []


def test_population_formatting():
    assert [format_population(p) for p in (980, 98_400, 1_240_000, None)] == [
        "980", "98k", "1.2M", "unknown"]  # fmt: skip


def test_track_record_counts_partnerships_and_says_so():
    reasons = explain_match(EMMEN, TARTU, {"track_record": 0.7}, weights=ALL_ON,
                            theme_labels={}, candidate_projects=12)  # fmt: skip
    assert texts(reasons) == [
        "Tartu has taken part in 12 EU-funded projects with other municipalities"
    ]


# ---------------------------------------------------------------------- wrong-reason cases


#: A municipality in none of the tests' reasons: a project with it is a partnership.
OTHER_CITY = 9_999


def project(pid, themes=(), roles=(), kind="project", programme="", title=None):
    members = tuple(cid for cid, _role in roles)
    return Collaboration(id=pid, source="keep.eu", source_ref=f"P{pid}", title=title or f"P{pid}",
                         programme=programme, themes=tuple(themes), kind=kind,
                         member_city_ids=members, member_roles=tuple(roles))  # fmt: skip


def test_one_project_with_two_themes_counts_once():
    both = project(1, ["open-data", "circular-economy"], [(TARTU.id, "partner")])
    reasons = explain_match(EMMEN, TARTU, {"experience": 0.8}, weights=ALL_ON,
                            theme_labels=LABELS, candidate_collaborations=[both])  # fmt: skip
    assert texts(reasons) == ["Tartu took part in 1 project on open data platforms"]


def test_themes_on_different_projects_are_counted_each():
    # One project on circular economy, two on open data: "2 projects on circular economy and
    # waste; open data platforms" would read as two on each.
    projects = [project(1, ["circular-economy", "open-data"], [(TARTU.id, "partner")]),
                project(2, ["open-data"], [(TARTU.id, "partner")])]  # fmt: skip
    reasons = explain_match(EMMEN, TARTU, {"experience": 0.8}, weights=ALL_ON,
                            theme_labels=LABELS, theme_focus=["circular-economy"],
                            candidate_collaborations=projects)  # fmt: skip
    assert texts(reasons) == [
        "Tartu took part in 2 projects: 1 on circular economy and waste; 2 on open data platforms"
    ]


def test_projects_on_a_theme_not_named_are_not_counted():
    # Four wanted themes, three named: the fourth's project is not among those counted.
    projects = [
        project(i, [theme], [(TARTU.id, "partner")])
        for i, theme in enumerate(
            [
                "open-data",
                "open-data",
                "mobility-transition",
                "energy-transition",
                "circular-economy",
            ]
        )
    ]
    focus = ["mobility-transition", "energy-transition", "circular-economy"]
    reasons = explain_match(EMMEN, TARTU, {"experience": 0.8}, weights=ALL_ON,
                            theme_labels=LABELS, theme_focus=focus,
                            candidate_collaborations=projects)  # fmt: skip
    assert texts(reasons)[0].startswith("Tartu took part in 3 projects: 1 on ")


def test_a_partner_that_never_led_is_not_said_to_have_run_or_led():
    projects = [project(i, ["open-data"], [(TARTU.id, "partner"), (OTHER_CITY, "lead")])
                for i in (1, 2)]  # fmt: skip
    reasons = explain_match(EMMEN, TARTU, {"experience": 0.8, "track_record": 0.5},
                            weights=ALL_ON, theme_labels=LABELS,
                            candidate_collaborations=projects)  # fmt: skip
    assert texts(reasons) == [
        "Tartu took part in 2 projects on open data platforms",
        "Tartu took part in 2 EU-funded projects with other municipalities",
    ]
    assert not any("led" in t or "run" in t for t in texts(reasons))


def test_led_only_for_a_lead_partner_or_coordinator():
    projects = [project(1, ["open-data"], [(TARTU.id, "lead")]),
                project(2, ["open-data"], [(TARTU.id, "coordinator")]),
                project(3, ["open-data"], [(TARTU.id, "participant")])]  # fmt: skip
    reasons = explain_match(EMMEN, TARTU, {"experience": 0.8}, weights=ALL_ON,
                            theme_labels=LABELS, candidate_collaborations=projects)  # fmt: skip
    assert texts(reasons) == ["Tartu took part in 3 projects (led 2) on open data platforms"]


def test_associated_partners_and_third_parties_are_named_as_such():
    projects = [project(pid, [], [(TARTU.id, role), (OTHER_CITY, "coordinator")])
                for pid, role in ((1, "associated_partner"), (2, "third_party"),
                                  (3, "participant"))]  # fmt: skip
    reasons = explain_match(EMMEN, TARTU, {"track_record": 0.5}, weights=ALL_ON,
                            theme_labels={}, candidate_collaborations=projects)  # fmt: skip
    assert texts(reasons) == [
        "Tartu took part in 3 EU-funded projects with other municipalities "
        "(associated partner in 1; third party in 1)"
    ]


def test_a_track_record_says_how_many_projects_were_with_other_municipalities():
    alone = project(1, ["open-data"], [(TARTU.id, "lead")])
    together = project(2, ["open-data"], [(TARTU.id, "partner"), (OTHER_CITY, "lead")])
    reasons = explain_match(EMMEN, TARTU, {"experience": 0.8, "track_record": 0.5},
                            weights=ALL_ON, theme_labels=LABELS,
                            candidate_collaborations=[alone, together])  # fmt: skip
    assert texts(reasons) == [
        "Tartu took part in 2 projects (led 1) on open data platforms",
        "Tartu took part in 2 EU-funded projects (led 1), 1 of them with other municipalities",
    ]


def test_a_track_record_of_projects_without_another_municipality_says_so():
    # The research model counts every research project, with another municipality or not.
    alone = project(1, ["open-data"], [(TARTU.id, "lead")])
    reasons = explain_match(EMMEN, TARTU, {"track_record": 0.5}, weights=ALL_ON,
                            theme_labels=LABELS, candidate_collaborations=[alone])  # fmt: skip
    assert texts(reasons) == ["Tartu led 1 EU-funded project, none with other municipalities"]


def test_a_shared_project_names_an_associated_partner_role():
    shared = project(1, [], [(EMMEN.id, "participant"), (NORDHORN.id, "associated_partner")],
                     title="CITYLAB")  # fmt: skip
    reasons = explain_match(EMMEN, NORDHORN, {"history": 0.5}, weights=ALL_ON, theme_labels={},
                            shared_collaborations=[shared])  # fmt: skip
    assert texts(reasons) == ["In CITYLAB together (Nordhorn as associated partner)"]


def test_a_network_partner_is_not_someone_both_worked_with():
    reasons = explain_match(EMMEN, TARTU, {"common_partners": 0.6}, weights=ALL_ON,
                            theme_labels={}, network_partners=["Riga"])  # fmt: skip
    assert texts(reasons) == ["Both are in a network with Riga"]


def test_a_partner_one_worked_with_and_the_other_only_networks_with_is_told_so():
    # Tartu worked with Riga in a project; Emmen is only in a network with Riga: neither
    # "both worked with" nor "both are in a network with" would be true.
    reasons = explain_match(EMMEN, TARTU, {"common_partners": 0.6}, weights=ALL_ON,
                            theme_labels={}, mixed_partners=[("Riga", "candidate")])  # fmt: skip
    assert texts(reasons) == ["Tartu worked with Riga, and you are in a network with it"]


def test_a_partner_the_query_worked_with_is_told_from_its_side():
    reasons = explain_match(EMMEN, TARTU, {"common_partners": 0.6}, weights=ALL_ON,
                            theme_labels={}, common_partners=["Narva"],
                            mixed_partners=[("Riga", "query"), ("Pärnu", "query")])  # fmt: skip
    assert texts(reasons) == [
        "Both worked with Narva; You worked with Riga and Pärnu, and Tartu is in a network "
        "with them"
    ]


def test_a_supporter_network_does_not_make_members():
    network = project(5, [], [(EMMEN.id, "supporter"), (TARTU.id, "supporter")],
                      kind="network", programme="Covenant of Mayors supporter network",
                      title="EUROCITIES")  # fmt: skip
    reasons = explain_match(EMMEN, TARTU, {"networks": 0.5}, weights=ALL_ON, theme_labels={},
                            shared_collaborations=[network])  # fmt: skip
    assert texts(reasons) == [
        "In the same network: both are supported by EUROCITIES in the Covenant of Mayors"
    ]


def test_members_of_a_membership_network_are_members():
    network = project(6, [], [(EMMEN.id, "member"), (TARTU.id, "member")], kind="network",
                      programme="city network", title="Energy Cities")  # fmt: skip
    reasons = explain_match(EMMEN, TARTU, {"networks": 0.5}, weights=ALL_ON, theme_labels={},
                            shared_collaborations=[network])  # fmt: skip
    assert texts(reasons) == ["Both are members of Energy Cities"]


def test_a_focus_theme_the_query_does_not_work_on_is_not_both():
    reasons = explain_match(NORDHORN, TARTU, {"shared_interests": 0.9}, weights=ALL_ON,
                            theme_labels=LABELS, theme_focus=["mobility-transition"])  # fmt: skip
    assert texts(reasons) == ["Tartu works on mobility transition, your focus"]


def test_a_hub_price_is_told_last_and_only_when_it_lowered_the_score():
    from matcher.scoring.partners.explain import EXPOSURE_TEXT

    parts = {"peer_size": 0.9}
    priced = explain_match(EMMEN, NORDHORN, parts, weights={}, theme_labels=LABELS,
                           contributions={"peer_size": 2.0, "exposure": -1.5})  # fmt: skip
    assert priced[-1].part == "exposure" and priced[-1].text == EXPOSURE_TEXT
    assert priced[-1].contribution == -1.5
    unpriced = explain_match(EMMEN, NORDHORN, parts, weights={}, theme_labels=LABELS,
                             contributions={"peer_size": 2.0, "exposure": 0.0})  # fmt: skip
    assert all(r.part != "exposure" for r in unpriced)


def test_a_focused_hub_price_says_it_is_the_focus_price_without_naming_the_theme():
    # Naming the theme would read as a reason on it (and count as one where reasons are).
    from matcher.scoring.partners.explain import FOCUSED_EXPOSURE_TEXT

    parts = {"peer_size": 0.9}
    priced = explain_match(EMMEN, NORDHORN, parts, weights={}, theme_labels=LABELS,
                           theme_focus=["mobility-transition"],
                           contributions={"peer_size": 2.0, "exposure": -1.5})  # fmt: skip
    assert priced[-1].part == "exposure" and priced[-1].text == FOCUSED_EXPOSURE_TEXT
    assert "mobility" not in priced[-1].text.lower()


def test_size_is_told_with_the_population_only_when_the_model_added_for_it():
    told = explain_match(EMMEN, NORDHORN, {"size": 0.3}, weights={}, theme_labels=LABELS,
                         contributions={"size": 1.2})  # fmt: skip
    assert texts(told) == [
        f"A city of {format_population(NORDHORN.population)} inhabitants: "
        "cities of this size take part in such partnerships more often"
    ]
    assert not explain_match(EMMEN, NORDHORN, {"size": 0.3}, weights={}, theme_labels=LABELS,
                             contributions={"size": 0.1})  # fmt: skip
    unknown = replace(NORDHORN, population=None)
    assert not explain_match(EMMEN, unknown, {"size": 0.3}, weights={}, theme_labels=LABELS,
                             contributions={"size": 1.2})  # fmt: skip


def test_a_neighbour_of_the_same_nuts_2_region_is_told_so():
    emmen = replace(EMMEN, nuts="NL132")
    coevorden = city("Coevorden", "NL", 35_000, 52.66, 6.74)
    reasons = explain_match(emmen, replace(coevorden, nuts="NL132"), {"proximity": 1.0},
                            weights=ALL_ON, theme_labels={})  # fmt: skip
    assert texts(reasons) == ["17 km away, in your NUTS 2 region (NL13)"]


def test_a_neighbour_of_another_region_or_an_unknown_one_is_only_in_your_country():
    emmen = replace(EMMEN, nuts="NL132")
    coevorden = city("Coevorden", "NL", 35_000, 52.66, 6.74)
    for nuts in ("NL211", None):
        reasons = explain_match(emmen, replace(coevorden, nuts=nuts), {"proximity": 1.0},
                                weights=ALL_ON, theme_labels={})  # fmt: skip
        assert texts(reasons) == ["17 km away, in your country"]
