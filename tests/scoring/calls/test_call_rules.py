"""Call-rule parser: one test per pattern, each on the real sentence it was written for."""

from __future__ import annotations

from matcher.domain import RuleKind
from matcher.scoring.calls.patterns import (
    WIDENING,
    find_applicant_types,
    find_cofunding,
    find_country_restrictions,
    find_min_countries,
    find_min_partners,
    find_named_countries,
    find_population,
    find_required_members,
    to_int,
)
from matcher.scoring.calls.rules import parse_rules, rules_report
from matcher.scoring.calls.text import clean_text, repair_mojibake, split_sentences


def _params(rules):
    return [r.params for r in rules if r.parsed]


# --------------------------------------------------------------------------- text


def test_repair_mojibake_restores_curly_quotes():
    assert repair_mojibake("Commissionâ€™s") == "Commission\u2019s"


def test_repair_mojibake_leaves_genuine_accents_alone():
    assert repair_mojibake("Malmö and Århus") == "Malmö and Århus"


def test_clean_text_strips_tags_and_flattens_quotes():
    raw = "<p>the heading â€œAdmissibilityâ€\x9d</p><p>Next</p>"
    assert clean_text(raw) == 'the heading "Admissibility". Next'


def test_split_sentences_cuts_full_stop_glued_to_next_sentence():
    text = "described in Annex B of the Work Programme General Annexes.A number of non-EU countries"
    assert split_sentences(text) == [
        "described in Annex B of the Work Programme General Annexes",
        "A number of non-EU countries",
    ]


def test_split_sentences_drops_footnotes():
    text = (
        "at least 3 Police Authorities[[In the context of this Destination. Long.]] from 3 states"
    )
    assert split_sentences(text) == ["at least 3 Police Authorities from 3 states"]


def test_to_int_reads_words_digits_and_bracketed_digits():
    assert [to_int("three"), to_int("12"), to_int("seven (7)")] == [3, 12, 7]


# --------------------------------------------------------------------------- countries


def test_limited_to_member_states_norway_and_iceland():
    sentence = (
        "In order to achieve the expected outcomes, and safeguard the Union's strategic assets, "
        "interests, autonomy, or security, participation is limited to legal entities established "
        "in Member States, Norway and Iceland"
    )
    assert _params(find_country_restrictions([sentence])) == [
        {"sets": ["EU27"], "countries": ["IS", "NO"], "basis": "topic restriction"}
    ]


def test_limited_to_named_associated_countries_and_open_to_future_associates():
    sentences = [
        "For this reason, participation is limited to legal entities established in Member States, "
        "Iceland and Norway and the following additional associated countries: Canada, Israel, "
        "Republic of Korea, New Zealand, Switzerland, and the United Kingdom",
        "In addition, entities established in third countries which may become associated to "
        "Horizon Europe during 2026 and 2027 may be eligible to participate in this topic",
    ]
    (params,) = _params(find_country_restrictions(sentences))
    assert params["countries"] == ["CA", "CH", "GB", "IL", "IS", "KR", "NO", "NZ"]
    assert params["open_ended"] is True


def test_limited_to_oecd_and_mercosur_keeps_readable_part_open_ended():
    sentence = (
        "For this reason, participation is limited to legal entities established in Member "
        "States, Iceland and Norway, associated countries, OECD countries and MERCOSUR countries"
    )
    (params,) = _params(find_country_restrictions([sentence]))
    assert (params["sets"], params["countries"], params["open_ended"]) == (
        ["HORIZON"],
        ["IS", "NO"],
        True,
    )


def test_list_of_associated_countries_in_another_sentence_is_unknown():
    sentence = (
        "For this reason, participation is limited to legal entities established in Member "
        "States, Iceland and Norway and the following additional associated countries"
    )
    (rule,) = find_country_restrictions([sentence])
    assert rule.parsed is False


def test_widening_coordinator_restriction_binds_only_the_coordinator():
    sentence = (
        "To achieve the expected outcomes, participation as coordinators is limited to legal "
        "entities established in Widening countries, as defined in the Horizon Europe regulation"
    )
    (params,) = _params(find_country_restrictions([sentence]))
    assert params["role"] == "coordinator"
    assert set(params["countries"]) == WIDENING


def test_euratom_restriction_names_ukraine_and_switzerland():
    sentence = (
        "participation is limited to legal entities established in Member States and in countries "
        "associated to the Euratom Research and Training Programme (Ukraine and Switzerland)"
    )
    (params,) = _params(find_country_restrictions([sentence]))
    assert (params["sets"], params["countries"]) == (["EU27"], ["CH", "UA"])


def test_eic_sme_restriction_reads_union_ukraine_and_eea_associates():
    sentence = (
        "In accordance with Article 48(2) of the Horizon Europe Regulation ,participation is "
        "limited to SMEs, including start-ups, and small mid-caps 196 established in the Union, "
        "in Ukraine, or in an EEA member associated to Horizon Europe"
    )
    (params,) = _params(find_country_restrictions([sentence]))
    assert (params["sets"], params["countries"]) == (["EU27"], ["IS", "NO", "UA"])


def test_prize_contestants_located_in_member_associated_or_candidate_country():
    sentence = (
        "Eligibility criteria: Contestant must be private entities, public bodies, non-profit or "
        "for-profit organisations, including research organisations and higher education "
        "establishments, located in a Member State, an Associated Country, or a candidate country "
        "for the accession to the EU"
    )
    (params,) = _params(find_country_restrictions([sentence]))
    assert params["sets"] == ["HORIZON"]
    assert "UA" in params["countries"] and "RS" in params["countries"]


def test_horizon_annex_b_reference_gives_horizon_set():
    call = {
        "programme": "Horizon Europe",
        "conditions_text": "2. Eligible Countriesdescribed in Annex B of the Work Programme "
        "General Annexes.3. Other Eligible Conditions",
    }
    (rule,) = [r for r in parse_rules(call) if r.kind == RuleKind.COUNTRIES]
    assert rule.params["sets"] == ["HORIZON"] and rule.parsed


def test_programme_default_applies_when_topic_defers_to_call_document():
    call = {
        "programme": "European Defence Fund",
        "conditions_text": "2. Eligible Countriesdescribed in section 6 of the call document.",
    }
    (rule,) = [r for r in parse_rules(call) if r.kind == RuleKind.COUNTRIES]
    assert (rule.params["sets"], rule.params["countries"]) == (["EU27"], ["NO"])
    assert rule.params["basis"].startswith("programme default")


def test_call_document_reference_without_programme_default_is_unknown():
    call = {
        "programme": "Pilot Projects & Preparatory Actions",
        "conditions_text": "2. Eligible countriesdescribed in section 6 of the call document.",
    }
    (rule,) = [r for r in parse_rules(call) if r.kind == RuleKind.COUNTRIES]
    assert rule.parsed is False
    assert "section 6 of the call document" in rule.source_sentence


def test_topic_restriction_replaces_programme_default():
    call = {
        "programme": "Horizon Europe",
        "conditions_text": "2. Eligible Countriesdescribed in Annex B of the Work Programme "
        "General Annexes.3. Other Eligible ConditionsIn order to achieve the expected outcomes, "
        "participation is limited to legal entities established in Member States, Norway and "
        "Iceland.",
    }
    rules = [r for r in parse_rules(call) if r.kind == RuleKind.COUNTRIES]
    assert [r.params["sets"] for r in rules] == [["EU27"]]


def test_esf_list_of_countries_gives_open_ended_eea():
    call = {
        "programme": "ESF+",
        "conditions_text": "2. Eligible countriesSee details in the call Document.EU Member States "
        "(and their overseas countries and territories);EEA countries, in accordance with the EEA "
        "Agreement;EU acceding countries, candidate countries.3. Other eligibility conditions",
    }
    (rule,) = [r for r in parse_rules(call) if r.kind == RuleKind.COUNTRIES]
    assert (rule.params["sets"], rule.params["open_ended"]) == (["EEA"], True)


# --------------------------------------------------------------------------- applicant types


def test_erc_open_to_principal_investigators():
    sentence = (
        "The ERC Proof of Concept Grant 2026 call is open to Principal Investigators whose ERC "
        "main frontier research grant is ongoing"
    )
    assert _params(find_applicant_types([sentence])) == [{"types": ["principal_investigator"]}]


def test_participation_limited_to_smes():
    sentence = "participation is limited to SMEs, including start-ups, and small mid-caps"
    assert _params(find_applicant_types([sentence])) == [{"types": ["sme", "small_mid_cap"]}]


def test_beneficiaries_must_be_an_sme():
    sentence = (
        "Beneficiaries must be a small and medium enterprise (SME) established in a Horizon "
        "Europe Widening country"
    )
    assert _params(find_applicant_types([sentence])) == [{"types": ["sme"]}]


def test_fstp_limited_to_smes_is_not_an_applicant_rule():
    sentence = (
        "The support to third parties can only be provided in the form of grants and is limited "
        "to SMEs and start-up companies"
    )
    assert find_applicant_types([sentence]) == []


def test_pericles_competent_national_authorities():
    sentence = (
        "Entities eligible for funding shall be the competent national authorities as defined in "
        "point (b) of Article 2 of Regulation (EC) No 1338/2001"
    )
    assert _params(find_applicant_types([sentence])) == [{"types": ["national_authority"]}]


def test_efsa_article_36_list():
    sentence = (
        "o be eligible, applicants must be on the list of competent organisations designated by "
        "the Member States in accordance with Article 36 of Regulation (EC) 178/2002"
    )
    assert _params(find_applicant_types([sentence])) == [{"types": ["article_36_organisation"]}]


def test_prize_contestants_include_public_bodies():
    sentence = "Contestant must be private entities, public bodies, non-profit or for-profit"
    assert _params(find_applicant_types([sentence])) == [
        {"types": ["public_body", "private_entity"]}
    ]


def test_named_coordinator_restricts_the_coordinator_role():
    sentence = (
        "The proposal must be submitted by the coordinator of the consortium funded under topic "
        'HORIZON-HLTH-2023-DISEASE-07-01: "European Partnership on Rare Diseases"'
    )
    (params,) = _params(find_applicant_types([sentence]))
    assert params["role"] == "coordinator"


# --------------------------------------------------------------------------- population


def test_population_expectation_is_not_a_rule():
    sentence = (
        "Proposals should ensure that support activities are made available to the "
        "municipalities in the targeted territories, including those with fewer than 45,000 "
        "inhabitants"
    )
    assert find_population([sentence]) == []


def test_population_limit_with_binding_wording():
    # No topic of the 2026 extract limits population; this sentence is constructed.
    sentence = "Only municipalities with fewer than 50,000 inhabitants are eligible"
    assert _params(find_population([sentence])) == [{"min": None, "max": 49_999}]


# --------------------------------------------------------------------------- partners


def test_at_least_three_independent_legal_entities():
    sentence = (
        "Applications must be submitted by a consortium including participation, as "
        "beneficiaries, of at least three independent legal entities"
    )
    assert _params(find_min_partners([sentence])) == [{"min": 3}]


def test_at_least_three_applicants_from_three_countries():
    sentence = (
        "Proposals must be submitted by at least 3 applicants (beneficiaries; not affiliated "
        "entities) from 3 different eligible countries"
    )
    assert _params(find_min_partners([sentence])) == [{"min": 3}]
    assert _params(find_min_countries([sentence])) == [{"min": 3, "from_set": None}]


def test_minimum_to_maximum_partners():
    sentence = (
        "Consortia must include, as beneficiaries:- A minimum of three (3) to a maximum of seven "
        "(7) partners"
    )
    assert _params(find_min_partners([sentence])) == [{"min": 3, "max": 7}]


def test_mono_beneficiary_allows_exactly_one():
    sentence = "Applications may only be submitted by one legal entity (mono-beneficiary)"
    assert _params(find_min_partners([sentence])) == [{"min": 1, "max": 1}]


def test_single_applicant_allowed():
    sentence = (
        "Proposals may be submitted by a single applicant or by applicants from a single "
        "eligible country"
    )
    assert _params(find_min_partners([sentence])) == [{"min": 1}]


def test_exceptional_mono_beneficiary_for_smes_is_unknown():
    sentence = (
        "The consortium may exceptionally be composed of a single legal entity (mono-beneficiary "
        "grant) which is an SME"
    )
    (rule,) = find_min_partners([sentence])
    assert rule.parsed is False


def test_award_criterion_mentioning_mono_beneficiary_is_not_a_rule():
    sentence = (
        "Quality and efficiency of the implementation:credibility of the work plan, resources and "
        "risk management for a mono-beneficiary CSA"
    )
    assert find_min_partners([sentence]) == []


def test_size_conditional_consortium_clause_sets_no_minimum():
    sentence = (
        "Consortia of three or more entities must include as beneficiaries at least three legal "
        "entities, independent from each other and each established in a different country"
    )
    assert find_min_partners([sentence]) == []
    (rule,) = find_min_countries([sentence])
    assert rule.parsed is False


# --------------------------------------------------------------------------- countries count


def test_each_in_a_different_country_and_two_in_member_states():
    sentence = (
        "Applications must be submitted by a consortium including participation, as "
        "beneficiaries, of at least three independent legal entities: Each established in a "
        "different Member State or Associated Country; and two of which are established in a "
        "Member State"
    )
    assert _params(find_min_countries([sentence])) == [
        {"min": 3, "from_set": "HORIZON"},
        {"min": 2, "from_set": "EU27"},
    ]


def test_from_at_least_three_different_member_states_or_associated_countries():
    sentence = (
        "These beneficiaries must be from at least 3 different EU Member States or Associated "
        "Countries"
    )
    assert _params(find_min_countries([sentence])) == [{"min": 3, "from_set": "HORIZON"}]


def test_at_least_one_legal_entity_in_a_member_state():
    sentence = (
        "must include at least one legal entity established in a Member State and at least two "
        "other independent legal entities, each established in different Member States"
    )
    assert {"min": 1, "from_set": "EU27"} in _params(find_min_countries([sentence]))


def test_place_of_demonstration_is_not_a_country_count():
    sentence = (
        "the demonstration activities of the proposals:must take place in the territory of at "
        "least 3 different regional or local authorities, each established in a different Member "
        "State or Associated Country"
    )
    assert find_min_countries([sentence]) == []


# --------------------------------------------------------------------------- required members


def test_mission_city_required():
    sentence = (
        "At least one of the three lead cities must be one of the 112 cities selected for the EU "
        "Mission on Climate-Neutral and Smart Cities"
    )
    assert _params(find_required_members([sentence])) == [{"flag": "mission_city", "min": 1}]


def test_mission_city_expected_with_should_is_not_a_rule():
    sentence = (
        "Projects funded under this topic should include at least three cities of the 112 "
        "selected ones for the EU Mission on Climate-Neutral and Smart Cities"
    )
    assert find_required_members([sentence]) == []


def test_cities_represented_by_local_authority():
    sentence = (
        "At least two cities, represented by a local authority or by an entity with an explicit "
        "consent from the local authority, each from a different Member State or Associated "
        "Country, must participate as beneficiaries"
    )
    assert _params(find_required_members([sentence])) == [{"flag": "city", "min": 2}]
    assert _params(find_min_countries([sentence])) == [{"min": 2, "from_set": "HORIZON"}]


def test_police_authorities_and_civil_society_organisations():
    sentence = (
        "This topic requires the active involvement, as beneficiaries, of at least 3 Police "
        "Authorities and at least 2 Civil Society Organisations (or Non-Governmental "
        "Organisations) from at least 3 different EU Member States or Associated Countries"
    )
    assert _params(find_required_members([sentence])) == [
        {"flag": "police_authority", "min": 3},
        {"flag": "civil_society_organisation", "min": 2},
    ]


def test_second_member_kind_without_at_least():
    sentence = (
        "This topic requires the active involvement, as beneficiaries, of at least 2 authorities "
        "in charge of disaster risk or crisis communication and 2 representatives of local or "
        "regional authorities in charge of disaster response"
    )
    assert _params(find_required_members([sentence])) == [
        {"flag": "disaster_risk_authority", "min": 2},
        {"flag": "local_or_regional_authority", "min": 2},
    ]


def test_adaptation_charter_signatory_required_alongside_mission_city():
    sentence = (
        "At least one of the four cities must be one of the 112 cities selected for the EU "
        "Mission on Climate-neutral and Smart Cities and at least one must be a signatory to the "
        "Adaptation Mission Charter"
    )
    flags = [p["flag"] for p in _params(find_required_members([sentence]))]
    assert flags == ["mission_city", "adaptation_mission_signatory"]


def test_entities_from_third_countries_are_required_members_not_partner_count():
    sentence = (
        "At least two legal entities established in at least two different African Union member "
        "states must be part of the consortium as beneficiaries"
    )
    assert find_min_partners([sentence]) == []
    assert _params(find_required_members([sentence])) == [
        {"flag": "third_country_entity", "min": 2}
    ]


# --------------------------------------------------------------------------- co-funding


def test_funding_rate_with_non_profit_exception():
    sentence = (
        "The funding rate is 60% of the eligible costs, except for non-profit legal entities where "
        "the funding rate is up to 100% of the total eligible costs"
    )
    assert _params(find_cofunding([sentence])) == [{"rate": 0.6, "non_profit_rate": 1.0}]


def test_maximum_funding_rate():
    sentence = "Maximum funding rate: 90%Maximum EU contribution"
    assert _params(find_cofunding([sentence])) == [{"rate": 0.9, "up_to": True}]


def test_funding_rate_up_to():
    assert _params(find_cofunding(["The funding rate is up to 30% of the eligible costs"])) == [
        {"rate": 0.3, "up_to": True}
    ]


def test_funding_rate_heading_without_figure_is_unknown():
    (rule,) = find_cofunding(["Funding rate"])
    assert rule.parsed is False


# --------------------------------------------------------------------------- whole call


def test_deadline_rule_from_deadlines():
    rules = parse_rules({"programme": "LIFE", "deadlines": ["2026-09-17", "2026-04-01"]})
    (deadline,) = [r for r in rules if r.kind == RuleKind.DEADLINE]
    assert deadline.params == {"deadlines": ["2026-04-01", "2026-09-17"]}


def test_missing_deadline_is_unknown():
    (deadline,) = [r for r in parse_rules({"programme": "LIFE"}) if r.kind == RuleKind.DEADLINE]
    assert deadline.parsed is False


def test_raw_portal_field_with_mojibake_is_accepted():
    call = {
        "programme": "Horizon Europe",
        "topicConditions": '">2. Eligible Countriesdescribed in Annex B of the Work Programme '
        "General Annexes.3. Other Eligible ConditionsThe funding rate is 70 % of the eligible "
        "costs.â€ 4. Financial",
    }
    kinds = {r.kind for r in parse_rules(call) if r.parsed}
    assert {RuleKind.COUNTRIES, RuleKind.COFUNDING} <= kinds


def test_rules_report_counts_each_call_once_per_kind():
    calls = [
        {"programme": "LIFE", "description": "Funding rate", "deadlines": ["2026-09-17"]},
        {"programme": "LIFE", "description": "The funding rate is 60% of the eligible costs"},
        {"programme": "LIFE"},
    ]
    report = {row["kind"]: row for row in rules_report(calls)}
    assert report[RuleKind.COFUNDING] | {"kind": None} == {
        "kind": None,
        "parsed": 1,
        "unknown": 1,
        "absent": 1,
        "from_default": 0,
    }
    assert report[RuleKind.COUNTRIES]["from_default"] == 3


# --------------------------------------------------------------------------- Annex B default

_ANNEX_B_CONDITIONS = (
    "2. Eligible countries: As described in Annex B of the Work Programme General Annexes. "
    "A number of non-EU/non-Associated Countries that are not automatically eligible for "
    "funding have made specific provisions for making funding available."
)


def _horizon_call(types_of_action: str, extra: str = "") -> dict:
    return {
        "programme": "Horizon Europe",
        "types_of_action": types_of_action,
        "conditions_text": _ANNEX_B_CONDITIONS + extra,
        "description": "",
        "deadlines": ["2026-09-23"],
    }


def test_horizon_research_action_gets_the_annex_b_consortium():
    rules = parse_rules(_horizon_call("HORIZON Research and Innovation Actions"))
    partners = [r.params for r in rules if r.kind == RuleKind.MIN_PARTNERS]
    countries = sorted((r.params["min"], r.params["from_set"]) for r in rules
                       if r.kind == RuleKind.MIN_COUNTRIES)  # fmt: skip
    assert [p["min"] for p in partners] == [3]
    assert countries == [(1, "EU27"), (3, "HORIZON")]
    assert all("Annex B" in r.source_sentence for r in rules if r.kind == RuleKind.MIN_PARTNERS)


def test_coordination_and_support_action_has_no_consortium_minimum():
    rules = parse_rules(_horizon_call("HORIZON Coordination and Support Actions"))
    assert not [r for r in rules if r.kind in (RuleKind.MIN_PARTNERS, RuleKind.MIN_COUNTRIES)]


def test_topic_text_minimum_replaces_the_annex_b_default():
    # Real clause (HORIZON-CL3 security topics): practitioners from at least three countries.
    extra = (
        " This topic requires the involvement, as beneficiaries, of at least three security "
        "practitioner organisations or agencies established in at least three different EU "
        "Member States or Associated Countries."
    )
    rules = parse_rules(_horizon_call("HORIZON Innovation Actions", extra))
    bases = [r.params.get("basis", "") for r in rules if r.kind == RuleKind.MIN_COUNTRIES]
    assert bases and not any(b.startswith("programme default") for b in bases)


# --------------------------------------------------------------------------- named countries


def test_us_named_as_eligible_for_union_funding():
    sentence = (
        "In recognition of the opening of the US National Institutes of Health's programmes to "
        "European researchers, any legal entity established in the United States of America is "
        "eligible to receive Union funding"
    )
    assert find_named_countries([sentence]) == [(["US"], "", sentence)]


def test_third_countries_named_under_a_condition_keep_it():
    sentence = (
        "legal entities established in Australia, Brazil, Canada, Chile, India, Japan, Mexico, "
        "New Zealand, Republic of Korea, Singapore, and USA, which provide, under the grant, "
        "access to their state-of-the-art research infrastructures to researchers from Member "
        "States and Associated Countries, are exceptionally eligible for funding from the Union"
    )
    ((codes, condition, _),) = find_named_countries([sentence])
    assert codes == ["AU", "BR", "CA", "CL", "IN", "JP", "KR", "MX", "NZ", "SG", "US"]
    assert condition.startswith("provide, under the grant, access")


def test_entities_that_may_be_eligible_name_no_country():
    sentence = "legal entities established in the USA may be eligible for funding"
    assert find_named_countries([sentence]) == []


def test_research_group_counted_by_the_clause():
    sentence = (
        "This action requires the participation, as beneficiaries, of at least three (3) legal "
        "entities from at least three (3) different Member States or Associated Countries that "
        "are universities, research and higher education institutions or research technology "
        "organisations (RTOs)"
    )
    assert _params(find_required_members([sentence])) == [
        {"flag": "research_organisation", "min": 3}
    ]


def test_widening_member_and_tent_urban_node():
    widening = (
        'In addition, at least one (1) legal entity shall be established in a "widening country"'
    )
    node = (
        "At least one of the three cities must be one of the 112 cities selected for the EU "
        "Mission on Climate-Neutral and Smart Cities and one of them as urban node on the TEN-T "
        "network"
    )
    assert _params(find_required_members([widening])) == [
        {"flag": "widening_country_entity", "min": 1}
    ]
    flags = [p["flag"] for p in _params(find_required_members([node]))]
    assert flags == ["tent_urban_node", "mission_city"]


def test_including_a_group_outside_a_consortium_clause_is_no_rule():
    sentence = "Activities must reach students, including universities and schools"
    assert find_required_members([sentence]) == []
