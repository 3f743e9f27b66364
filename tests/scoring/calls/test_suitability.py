"""Suitability of a call for a municipality: levels, evidence, and agreement with hand grades."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from matcher.domain import EligibilityRule, FundingCall
from matcher.scoring.calls import suitability
from matcher.scoring.calls.suitability import LEVEL_SCORES, SuitabilityIndex, assess

sys.path.insert(0, str(Path(__file__).parent))
from seeded import grades, seeded_calls  # noqa: E402

OFFER = 0.5  # matcher.services.calls.OFFER_MIN_SUITABILITY


def call(**fields) -> FundingCall:
    fields.setdefault("id", "X-1")
    fields.setdefault("title", "A topic")
    return FundingCall(**fields)


def test_defence_programme_is_never_for_municipalities():
    verdict = assess(call(programme="European Defence Fund", title="Smart energy systems"))
    assert verdict.level == "never" and verdict.score == 0.0
    assert "European Defence Fund" in verdict.evidence


def test_individual_researcher_grants_are_never_for_municipalities():
    assert assess(call(id="ERC-2027-STG", programme="Horizon Europe")).level == "never"
    assert assess(call(id="HORIZON-MSCA-2026-PF-01-01", action_type="MSCA")).level == "never"


def test_sme_only_applicant_rule_is_never_for_municipalities():
    rule = EligibilityRule("applicant_type", {"types": ["sme"]}, True, "Only SMEs may apply.")
    verdict = assess(call(rules=(rule,)))
    assert verdict.level == "never"
    assert verdict.evidence == "Only SMEs may apply."


def test_call_about_cities_is_written_for_cities_with_its_sentence():
    text = (
        "Scope: The topic supports local and regional authorities to develop local heating"
        " and cooling plans. Proposals should serve multiple municipalities in each region."
    )
    verdict = assess(call(title="Local heating and cooling plans", description=text))
    assert verdict.written_for_cities
    assert "local and regional authorities" in verdict.evidence


def test_named_role_of_a_local_authority_is_found_in_the_text():
    text = "Energy storage pilots. The consortium must include at least two municipalities."
    verdict = assess(call(title="Storage pilots", description=text))
    assert verdict.level == "municipal_role"
    assert "at least two municipalities" in verdict.evidence


def test_a_service_town_halls_deliver_gives_the_named_authorities_a_role():
    text = (
        "Support schemes for households. Local and regional authorities, energy agencies and"
        " social services should work together to identify households in need."
    )
    verdict = assess(call(title="Alleviating household energy poverty", description=text))
    assert verdict.level == "municipal_role"
    assert "energy poverty" in verdict.reason
    assert verdict.evidence.startswith("Local and regional authorities")
    # A service named only in a list of stakeholders does not make the call about it.
    listed = "Public authorities, schools, universities and businesses may take part."
    assert assess(call(title="Media literacy", description=listed)).level == "possible"


def test_offered_calls_recall_the_hand_graded_suitable_ones(graded_verdicts):
    suitable = [v for g, v in graded_verdicts if g["suitable_for_municipality"]]
    assert sum(v.score >= OFFER for v in suitable) / len(suitable) >= 0.85


def test_local_buyers_of_a_procurement_action_have_a_role_unless_only_an_afterthought():
    named = "The buyers group should include cities or their public transport operators."
    verdict = assess(
        call(title="Zero-emission buses", description=named, action_type="HORIZON-PCP")
    )
    assert verdict.level == "municipal_role" and "public buyer" in verdict.reason
    tail = (
        "Airport and port authorities, shipping companies, other state, regional or local"
        " authorities are some examples of expected public and private procurers."
    )
    verdict = assess(call(title="Renewable fuels", description=tail, action_type="HORIZON-PCP"))
    assert verdict.level != "municipal_role"


def test_typical_programme_counts_without_city_words():
    verdict = assess(call(id="LIFE-2026-SAP-NAT-NATURE", programme="LIFE", title="Nature"))
    assert verdict.level == "typical_beneficiary"
    assert verdict.score == LEVEL_SCORES["typical_beneficiary"]


def test_a_new_european_bauhaus_call_is_written_for_cities_only_when_its_text_is_about_places():
    places = assess(call(id="HORIZON-NEB-2027-01-X-01", title="Revitalising neighbourhoods"))
    assert places.level == "written_for_cities"
    materials = assess(call(
        id="HORIZON-NEB-2027-01-X-02", title="Bio-based construction materials",
        description="Manufacturers will test new insulation products in laboratories.",
    ))  # fmt: skip
    # Still a call municipalities join (offered), but not one about them.
    assert materials.level == "typical_beneficiary" and materials.score >= OFFER
    assert "not about cities" in materials.reason


def test_industrial_call_without_city_words_is_unlikely():
    text = "Develop battery cell production lines with industrial partners."
    assert assess(call(title="Battery cells", description=text)).level == "unlikely"


def test_a_stub_text_that_defers_to_the_call_document_says_so_instead_of_judging_it():
    stub = (
        "Scope: This topic is one of the 5 priorities of the call for proposals. For further "
        "information about the call and its conditions, please see the call document."
    )
    verdict = assess(call(title="Preventing gender-based violence", description=stub))
    assert verdict.level == "unlikely"
    assert "defers to the call document" in verdict.reason
    assert verdict.evidence.endswith("please see the call document.")
    # A full text that names no local authority is judged on what it says.
    full = "Develop battery cell production lines with industrial partners. " * 20
    assert "does not address" in assess(call(title="Battery cells", description=full)).reason


def test_index_aligns_scores_with_calls():
    calls = [call(id="a", programme="Euratom"), call(id="b", title="Urban mobility")]
    index = SuitabilityIndex().fit(calls)
    assert index.scores_.tolist() == [0.0, 1.0]
    assert index.never_.tolist() == [True, False]


def test_a_refit_reads_only_the_calls_whose_content_changed(monkeypatch):
    suitability.clear_cache()
    calls = [call(id="a", title="Urban mobility"), call(id="b", title="Battery cells")]
    read = []
    monkeypatch.setattr(suitability, "assess", lambda c: read.append(c.id) or assess(c))
    first = SuitabilityIndex().fit(calls)
    changed = [calls[0], call(id="b", title="Battery cells for city buses")]
    second = SuitabilityIndex().fit(changed)
    assert read == ["a", "b", "b"]
    assert first.assessments_[0] == second.assessments_[0]
    assert second.assessments_[1] == assess(changed[1]) != first.assessments_[1]
    # The id is part of the content: evidence that names the call stays its own.
    renamed = SuitabilityIndex().fit([call(id="c", title="Urban mobility")])
    assert read[-1] == "c" and renamed.assessments_[0].level == "written_for_cities"


@pytest.fixture(scope="module")
def graded_verdicts():
    graded = grades()
    return [(graded[c.id], assess(c)) for c in seeded_calls() if c.id in graded]


def test_graded_file_covers_a_broad_sample(graded_verdicts):
    assert len(graded_verdicts) >= 150
    programmes = {c.programme for c in seeded_calls() if c.id in grades()}
    assert len(programmes) >= 15


def test_offered_calls_agree_with_hand_grades(graded_verdicts):
    offered = [g["suitable_for_municipality"] for g, v in graded_verdicts if v.score >= OFFER]
    agree = sum(g["suitable_for_municipality"] == (v.score >= OFFER) for g, v in graded_verdicts)
    assert sum(offered) / len(offered) >= 0.8  # precision of what is offered
    assert agree / len(graded_verdicts) >= 0.85


def test_no_call_graded_unsuitable_for_a_clear_reason_is_offered(graded_verdicts):
    never = [v for g, v in graded_verdicts if g["why"] in {"defence", "fusion power plants"}]
    assert never and all(v.level == "never" for v in never)


def test_written_for_cities_agrees_with_hand_grades(graded_verdicts):
    agree = sum(g["written_for_cities"] == v.written_for_cities for g, v in graded_verdicts)
    assert agree / len(graded_verdicts) >= 0.9


def test_held_out_grades_are_rarely_offered(graded_verdicts):
    held_out = [(g, v) for g, v in graded_verdicts if g.get("held_out")]
    assert len(held_out) >= 40
    wrongly_offered = [
        g for g, v in held_out if v.score >= OFFER and not g["suitable_for_municipality"]
    ]
    assert len(wrongly_offered) <= len(held_out) // 10
