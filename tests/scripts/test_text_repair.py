"""Tests for the repair of portal text: mojibake, HTML leftovers and lost block boundaries."""

from __future__ import annotations

from scripts.data_build.text_repair import (
    clean_text,
    remaining_mojibake,
    repair_mojibake,
    restore_boundaries,
    strip_html,
)


def test_repairs_cp1252_mojibake_of_punctuation():
    assert (
        repair_mojibake("the patientâ€™s â€œjourneyâ€\x9d â€“ end")
        == "the patient’s “journey” – end"
    )


def test_repairs_mojibake_of_accented_letters():
    assert repair_mojibake("CafÃ© in Å\x81Ã³dÅº") == "Café in Łódź"


def test_leaves_genuine_accents_alone():
    text = "Peterborough, Emmen, Bologna, Zürich, São Paulo, «été»"
    assert repair_mojibake(text) == text


def test_repairs_mojibake_next_to_a_genuine_accent():
    assert repair_mojibake("été’â€™") == "été’’"


def test_drops_invisible_characters_from_repaired_text():
    assert clean_text("Deliverables:â€‹â€‹Three calls", blocks=False) == "Deliverables:Three calls"


def test_strips_leading_artefact_tags_and_entities():
    assert strip_html('">General <b>conditions</b> R&amp;D') == "General conditions R&D"


def test_block_tags_become_line_breaks():
    assert strip_html("<p>One</p><p>Two</p>").split() == ["One", "Two"]


def test_heading_glued_to_sentence_is_split():
    assert restore_boundaries("Objective:The aim") == "Objective:\nThe aim"


def test_glued_words_are_split_but_protected_names_are_not():
    text = "Eligibility ConditionsThe rules of SoilWise"
    assert restore_boundaries(text, {"SoilWise"}) == "Eligibility Conditions\nThe rules of SoilWise"


def test_numbered_heading_gets_its_own_line():
    assert restore_boundaries("General conditions1. Admissibility") == (
        "General conditions\n1. Admissibility"
    )


def test_decimal_numbers_and_abbreviations_stay_intact():
    assert restore_boundaries("about 1.5 million, e.g. cities") == "about 1.5 million, e.g. cities"


def test_clean_text_collapses_whitespace_and_blank_lines():
    assert clean_text("a  b\n\n\n\nc ") == "a b\n\nc"


def test_remaining_mojibake_flags_unrepaired_pairs_only():
    assert remaining_mojibake("São Paulo") == []
    assert remaining_mojibake("broken Ã© here") == ["Ã©"]
