"""Tests for the theme vocabulary: ordering, synonym matching and label mapping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.scoring.vocabulary import Vocabulary, normalise

THEMES_JSON = Path(__file__).resolve().parents[2] / "data" / "themes.json"

SMALL = {
    "themes": [
        {
            "id": "mobility-transition",
            "label": "Mobility transition",
            "description": "d",
            "synonyms": ["cycling", "public transport", "living lab"],
        },
        {
            "id": "nature-based-solutions",
            "label": "Water, nature and biodiversity",
            "description": "d",
            "synonyms": ["nature-based solutions", "biodiversity"],
        },
        {
            "id": "urban-regeneration",
            "label": "Urban regeneration and planning",
            "description": "d",
            "synonyms": ["abandoned spaces"],
        },
        {
            "id": "culture-heritage",
            "label": "Culture and cultural heritage",
            "description": "d",
            "synonyms": ["heritage"],
        },
        {
            "id": "multilevel-governance",
            "label": "Multi-level governance and working with regions",
            "description": "d",
            "synonyms": ["multi-level governance"],
        },
    ],
    "mappings": {
        "keep.eu": {
            "Transport and mobility": ["mobility-transition"],
            "Scientific cooperation": [],
        }
    },
}


@pytest.fixture
def vocabulary() -> Vocabulary:
    return Vocabulary.from_dict(SMALL)


def test_ids_keep_the_curated_order(vocabulary):
    assert vocabulary.ids[:2] == ("mobility-transition", "nature-based-solutions")
    assert vocabulary.index("urban-regeneration") == 2


def test_normalise_folds_diacritics_and_punctuation():
    assert normalise("Nature-Based  Solutions, Ústí") == "nature based solutions usti"


def test_synonym_matches_across_hyphen_and_case(vocabulary):
    assert vocabulary.themes_in_text("Nature Based Solutions in parks") == {
        "nature-based-solutions": 1
    }


def test_synonym_does_not_match_inside_a_word(vocabulary):
    assert vocabulary.themes_in_text("recycling of plastics") == {}


def test_synonym_matches_plural_of_last_word(vocabulary):
    assert vocabulary.themes_in_text("two living labs") == {"mobility-transition": 1}


def test_hits_are_counted_and_strongest_theme_comes_first(vocabulary):
    hits = vocabulary.themes_in_text("Biodiversity; cycling, public transport and cycling.")
    assert list(hits.items()) == [("mobility-transition", 3), ("nature-based-solutions", 1)]


def test_curated_mapping_wins_over_inference(vocabulary):
    assert vocabulary.map_label("keep.eu", "transport AND mobility") == ["mobility-transition"]


def test_explicit_empty_mapping_means_no_theme(vocabulary):
    assert vocabulary.map_label("keep.eu", "Scientific cooperation") == []


def test_mapped_returns_none_for_labels_without_an_entry(vocabulary):
    assert vocabulary.mapped("keep.eu", "Tourism") is None


def test_free_text_label_is_split_and_inferred(vocabulary):
    label = "Governance / Abandoned Spaces / Culture & Heritage"
    assert vocabulary.map_label("city survey", label) == [
        "multilevel-governance",
        "urban-regeneration",
        "culture-heritage",
    ]


def test_theme_id_as_label_maps_to_itself(vocabulary):
    assert vocabulary.map_label("any", "urban-regeneration") == ["urban-regeneration"]


def test_mapping_to_unknown_theme_is_rejected():
    broken = {**SMALL, "mappings": {"keep.eu": {"Tourism": ["no-such-theme"]}}}
    with pytest.raises(ValueError, match="no-such-theme"):
        Vocabulary.from_dict(broken)


def test_shipped_vocabulary_covers_the_community_themes():
    vocabulary = Vocabulary.from_dict(json.loads(THEMES_JSON.read_text(encoding="utf-8")))
    for theme_id in ("smart-lighting", "deep-retrofitting", "innovative-procurement"):
        assert theme_id in vocabulary
    assert vocabulary.themes_in_text("Replacing the humble lamppost") == {"smart-lighting": 1}
