"""Pair features of the purpose models: where the candidate is, told truthfully."""

from __future__ import annotations

import numpy as np

from matcher.scoring.partners.features import (
    ACROSS_BORDER_KM,
    FEATURES,
    beyond_the_border,
    features_for,
    pair_features,
)
from matcher.scoring.partners.vectorise import RECORD_COLUMNS


def features_of(km, abroad, located):
    n = len(km)
    parts = {name: np.zeros(n, np.float32) for name in ("proximity", "track_record")}
    return pair_features(parts, np.asarray(km, float), np.asarray(abroad, bool),
                         np.asarray(located, bool))  # fmt: skip


def test_across_the_border_fades_with_distance_for_a_candidate_abroad():
    features = features_of([0.0, ACROSS_BORDER_KM, 3 * ACROSS_BORDER_KM], [True] * 3, [True] * 3)
    assert np.allclose(features["across_border"], [1.0, np.exp(-1.0), np.exp(-3.0)], atol=1e-6)


def test_a_candidate_at_home_is_never_across_the_border():
    features = features_of([5.0, 50.0], [False, False], [True, True])
    assert not features["across_border"].any()
    assert not features["border_neighbour"].any()


def test_a_border_neighbour_counts_from_the_querys_nearest_foreign_city():
    # An inland query: its nearest foreign city is 120 km away, and 100 km beyond it a town
    # has fallen by e; counted from the query itself both would have fallen further.
    km, abroad = [120.0, 120.0 + ACROSS_BORDER_KM, 30.0], [True, True, False]
    features = features_of(km, abroad, [True] * 3)
    assert np.allclose(features["border_neighbour"], [1.0, np.exp(-1.0), 0.0], atol=1e-6)
    assert np.allclose(features["across_border"][:2], np.exp(-np.array(km[:2]) / 100.0))


def test_the_border_is_where_the_nearest_located_foreign_city_is():
    km = np.array([10.0, 50.0, 80.0])
    beyond = beyond_the_border(km, np.array([True, True, False]), np.array([False, True, True]))
    assert beyond.tolist() == [0.0, 0.0, 30.0]  # the unlocated one at 10 km does not count
    nowhere = beyond_the_border(km, np.zeros(3, bool), np.ones(3, bool))
    assert nowhere.tolist() == km.tolist()


def test_a_candidate_without_a_known_place_is_not_across_the_border():
    features = features_of([0.0], [True], [False])
    assert features["across_border"][0] == 0.0
    assert features["border_neighbour"][0] == 0.0
    assert features["distance"][0] == 1.0


def test_every_feature_is_computed_and_within_zero_and_one():
    rng = np.random.default_rng(3)
    n = 200
    parts = {name: rng.random(n).astype(np.float32) for name in FEATURES}
    features = pair_features(parts, rng.random(n) * 5000, rng.random(n) > 0.5,
                             rng.random(n) > 0.1,
                             rng.integers(0, 30, (n, len(RECORD_COLUMNS))))  # fmt: skip
    assert set(features) == set(FEATURES)
    for values in features.values():
        assert values.min() >= 0.0 and values.max() <= 1.0


def test_only_research_reads_every_research_project():
    assert "research_projects" in features_for("research")
    for purpose in ("cross-border", "transnational", "any"):
        assert "research_projects" not in features_for(purpose)


def test_research_is_fitted_without_the_border_and_cross_border_with_it():
    from matcher.scoring.partners.purposes import load_models

    models = load_models()
    for name in ("across_border", "border_neighbour"):
        assert name not in features_for("research")
        assert name not in models["research"].features
    assert "border_neighbour" in features_for("cross-border")
    assert "border_neighbour" in models["cross-border"].features


def test_each_purpose_reads_the_border_one_way_only():
    for purpose in ("any", "cross-border", "transnational"):
        names = set(features_for(purpose))
        assert len(names & {"across_border", "border_neighbour"}) == 1


def test_the_same_region_feature_is_what_the_caller_says_and_zero_when_unknown():
    parts = {"proximity": np.zeros(3, np.float32)}
    km, abroad, located = np.full(3, 20.0), np.zeros(3, bool), np.ones(3, bool)
    same = pair_features(parts, km, abroad, located, None, np.array([True, False, True]))
    assert same["same_region"].tolist() == [1.0, 0.0, 1.0]
    assert not pair_features(parts, km, abroad, located)["same_region"].any()


def test_only_the_cross_border_model_reads_the_region():
    from matcher.scoring.partners.purposes import load_models

    models = load_models()
    assert "same_region" in features_for("cross-border")
    assert "same_region" in models["cross-border"].features
    for purpose in ("any", "transnational", "research"):
        assert "same_region" not in features_for(purpose)
        assert "same_region" not in models[purpose].features


def test_near_size_weighs_a_neighbours_size_at_home_by_proximity():
    # Two towns as near, one large and one a hamlet, and a large town far away: only the
    # near large one is a large neighbour.
    parts = {"proximity": np.array([0.8, 0.8, 0.0], np.float32),
             "size": np.array([0.9, 0.1, 0.9], np.float32),
             "peer_size": np.array([1.0, 0.2, 1.0], np.float32)}  # fmt: skip
    features = pair_features(parts, np.array([5.0, 5.0, 900.0]), np.zeros(3, bool),
                             np.ones(3, bool))  # fmt: skip
    assert np.allclose(features["near_size"], [0.72, 0.08, 0.0], atol=1e-6)
    assert np.allclose(features["near_peer"], [0.8, 0.16, 0.0], atol=1e-6)


def test_near_size_abroad_counts_nearness_from_the_border():
    # An inland query (proximity 0 for both): abroad, nearness is the border neighbour's.
    parts = {"proximity": np.zeros(2, np.float32), "size": np.ones(2, np.float32)}
    km = np.array([120.0, 120.0 + ACROSS_BORDER_KM])
    features = pair_features(parts, km, np.ones(2, bool), np.ones(2, bool))
    assert np.allclose(features["near_size"], [1.0, np.exp(-1.0)], atol=1e-6)
    assert not features["near_peer"].any()  # no peer_size part given: nothing to weigh


def test_only_the_cross_border_model_reads_a_neighbours_size():
    from matcher.scoring.partners.purposes import load_models

    models = load_models()
    for name in ("near_size", "near_peer"):
        assert name in features_for("cross-border")
        assert name in models["cross-border"].features
        for purpose in ("any", "transnational", "research"):
            assert name not in features_for(purpose)
            assert name not in models[purpose].features
