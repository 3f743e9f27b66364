"""Joint tables: the grouped boosting form is served exactly and told by part, truthfully."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.scoring.partners.joint import JointTable, tree_features
from matcher.scoring.partners.purposes import (
    BOOSTING_PARAMS,
    FEATURES,
    INTERACTION_GROUPS,
    PurposeModel,
    fit_purpose_model,
    interaction_constraints,
)


def interacting_rows(n=6000, seed=0):
    """Rows whose label depends on place times size and on two activity records together."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, len(FEATURES))).astype(np.float32)
    X[:, FEATURES.index("abroad")] = X[:, FEATURES.index("abroad")] > 0.5
    col = {name: X[:, j] for j, name in enumerate(FEATURES)}
    logit = (-2 + 4 * (1 - col["distance"]) * col["size"]
             + 3 * col["track_record"] * col["track_research"] + col["text"])  # fmt: skip
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


def features_of(X):
    return {name: X[:, j] for j, name in enumerate(FEATURES)}


@pytest.fixture(scope="module")
def grouped():
    X, y = interacting_rows()
    return fit_purpose_model("research", X, y, FEATURES, form="grouped-boosting"), X, y


def test_the_grouped_model_reproduces_the_fitted_boosting_model_exactly(grouped):
    model, X, y = grouped
    from sklearn.ensemble import HistGradientBoostingClassifier

    constraints = interaction_constraints(FEATURES)
    reference = HistGradientBoostingClassifier(
        **{**BOOSTING_PARAMS, "interaction_cst": constraints}, random_state=0
    ).fit(X, y)
    test, _ = interacting_rows(800, seed=1)
    assert model.form == "grouped-boosting"
    assert set(model.joint) == {"+".join(g) for g in INTERACTION_GROUPS}
    assert np.allclose(model.score(features_of(test)), reference.decision_function(test),
                       atol=1e-4)  # fmt: skip


def test_every_tree_of_the_grouped_form_splits_within_one_group():
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = interacting_rows()
    constraints = interaction_constraints(FEATURES)
    fitted = HistGradientBoostingClassifier(
        **{**BOOSTING_PARAMS, "interaction_cst": constraints}, random_state=0
    ).fit(X, y)
    groups = [set(c) for c in constraints]
    assert all(any(used <= g for g in groups) for used in tree_features(fitted) if used)


def test_a_joint_table_is_told_as_the_parts_of_its_features(grouped):
    model, X, _y = grouped
    parts = model.contributions(features_of(X[:50]))
    assert {"proximity", "size", "track_record", "text"} <= set(parts)
    assert not {"distance", "abroad", "track_research", "track_cross_border"} & set(parts)


def test_the_parts_of_a_joint_table_sum_to_its_value_and_to_the_score(grouped):
    model, X, _y = grouped
    features = features_of(X[:300])
    place = model.joint["+".join(INTERACTION_GROUPS[0])]
    parts = place.contributions(features)
    index = tuple(place.cells(features))
    assert np.allclose(parts["proximity"] + parts["size"], place.values[index], atol=1e-5)
    everything = model.contributions(features)
    assert np.allclose(model.intercept + sum(everything.values()), model.score(features),
                       atol=1e-4)  # fmt: skip


def table(values, thresholds=((0.5,), (0.5,)), parts=("proximity", "size")):
    values = np.asarray(values, np.float32)
    return JointTable(("distance", "size"), parts, thresholds, values, (1, 0))


def test_a_table_without_interaction_gives_each_part_its_own_effect():
    # distance: cell 1 (far) is the reference; near adds 2. size: large adds 1.
    additive = table([[2.0, 3.0], [0.0, 1.0]])
    near_small = additive.contributions({"distance": np.array([0.1]), "size": np.array([0.1])})
    near_large = additive.contributions({"distance": np.array([0.1]), "size": np.array([0.9])})
    assert near_small == {"proximity": pytest.approx([2.0]), "size": pytest.approx([0.0])}
    assert near_large == {"proximity": pytest.approx([2.0]), "size": pytest.approx([1.0])}


def test_an_interaction_is_shared_evenly_between_the_parts():
    # Only a large city nearby adds (4): neither part alone does, so each is told half.
    together = table([[0.0, 4.0], [0.0, 0.0]])
    parts = together.contributions({"distance": np.array([0.1]), "size": np.array([0.9])})
    assert parts == {"proximity": pytest.approx([2.0]), "size": pytest.approx([2.0])}


def test_a_joint_table_of_one_part_adds_its_whole_value_to_it():
    one = table([[2.0, 3.0], [0.0, 1.0]], parts=("track_record", "track_record"))
    parts = one.contributions({"distance": np.array([0.1]), "size": np.array([0.9])})
    assert parts == {"track_record": pytest.approx([3.0])}


def test_the_ranges_of_a_joint_table_are_per_part():
    together = table([[0.0, 4.0], [0.0, 0.0]])
    assert together.ranges == {"proximity": pytest.approx(2.0), "size": pytest.approx(2.0)}


def test_a_grouped_model_round_trips_through_its_json_form(grouped):
    model, X, _y = grouped
    again = PurposeModel.from_dict(model.to_dict())
    features = features_of(X[:200])
    assert again.form == model.form
    assert np.allclose(again.score(features), model.score(features), atol=1e-4)
    assert again.part_ranges() == pytest.approx(model.part_ranges(), abs=1e-4)


def test_float32_features_fall_in_the_same_cells_as_their_float64_values():
    threshold = 0.1  # not a float32: its nearest float32 is above it
    one = JointTable(("size",), ("size",), ((threshold,),), np.array([0.0, 1.0], np.float32), (0,))
    near = np.float32(threshold)
    x = np.array([np.nextafter(near, np.float32(0)), near, np.nextafter(near, np.float32(1))],
                 np.float32)  # fmt: skip
    assert [c.tolist() for c in one.cells({"size": x})] == [
        c.tolist() for c in one.cells({"size": x.astype(np.float64)})
    ]
    assert one.cells({"size": x})[0].tolist() == [0, 1, 1]  # float32(0.1) > 0.1
