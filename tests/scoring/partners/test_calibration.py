"""What a partner's score says as a chance: Platt scaling on held-out scores."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.scoring.partners.calibration import (
    Calibration,
    cross_fitted,
    evidence_logits,
    fit_calibration,
    list_chances,
)
from matcher.scoring.partners.purposes import PurposeModel, load_models


def queries(slope, offset, n_queries=40, n=2000, seed=0):
    """Queries whose candidates are real partners with chance logistic(slope * z + offset)."""
    rng = np.random.default_rng(seed)
    logits, partners, own = [], [], []
    for _ in range(n_queries):
        z = rng.normal(0.0, 4.0, n)
        real = rng.random(n) < 1.0 / (1.0 + np.exp(-(slope * z + offset)))
        real[0] = False
        logits.append(z)
        partners.append(np.flatnonzero(real))
        own.append(0)
    return logits, partners, own


def logistic(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, np.float64)))


def test_the_calibration_recovers_the_real_chance_of_an_overconfident_score():
    # The score claims logistic(z); the real chance is logistic(0.3 z - 4).
    logits, partners, own = queries(0.3, -4.0)
    calibration = fit_calibration(logits, partners, own)
    for z in (-4.0, 0.0, 4.0, 8.0):
        assert calibration.chance(np.array([z]))[0] == pytest.approx(logistic(0.3 * z - 4),
                                                                     abs=0.03)  # fmt: skip
    claimed = np.mean([calibration.chance(z[1:]).sum() for z in logits])
    real = np.mean([len(p) for p in partners])
    assert claimed == pytest.approx(real, rel=0.05)


def test_the_chance_never_falls_as_the_score_rises():
    logits, partners, own = queries(0.3, -4.0, n_queries=10, seed=3)
    calibration = fit_calibration(logits, partners, own)
    assert np.all(np.diff(calibration.chances) >= 0) and np.all(np.diff(calibration.logits) > 0)
    grid = np.linspace(-20, 20, 401)
    assert np.all(np.diff(calibration.chance(grid)) >= 0)


def test_each_step_pools_enough_candidates_that_one_partner_does_not_set_the_top():
    # One real partner among the three highest scores of 20,000 candidates: unpooled, the
    # top step would claim a third.
    z = np.arange(20_001, dtype=np.float64)
    calibration = fit_calibration([z], [np.array([19_999])], [0], min_pool=500)
    assert calibration.chance(np.array([20_000.0]))[0] <= 1 / 500


def test_the_query_itself_is_never_a_calibration_row():
    logits, partners, own = queries(0.3, -4.0, n_queries=10)
    plain = fit_calibration(logits, partners, own)
    for z in logits:
        z[0] = 1e6  # the query's own row, scored sky-high and a "partner", is no candidate
    partners = [np.r_[p, 0] for p in partners]
    assert fit_calibration(logits, partners, own) == plain


def test_a_score_that_ranks_worse_than_chance_gives_the_base_rate():
    logits, partners, own = queries(-0.5, -3.0, n_queries=10)
    calibration = fit_calibration(logits, partners, own)
    rate = sum(len(p) for p in partners) / sum(len(z) - 1 for z in logits)
    assert calibration.chance(np.array([-50.0, 0.0, 50.0])) == pytest.approx([rate] * 3)


def test_a_calibration_needs_real_partners():
    logits, _partners, own = queries(0.3, -4.0, n_queries=3)
    with pytest.raises(ValueError, match="real partners"):
        fit_calibration(logits, [np.array([], int)] * 3, own)


def test_a_city_the_list_cannot_show_has_no_chance():
    chances = Calibration((-2.0, 2.0), (0.1, 0.3)).chance(np.array([-np.inf, -5, 0, 2, np.inf]))
    assert chances == pytest.approx([0.0, 0.1, 0.1, 0.3, 0.3])


def test_a_cross_fitted_chance_never_reads_its_own_groups_partners():
    # Groups 0-4 have scores that say nothing; group 5's partners are all above 0. Fitted on
    # every group, group 5 would lift the slope; cross-fitted, its chances come from the
    # other groups' flat calibration.
    logits, partners, own = queries(0.0, -3.0, n_queries=50, seed=1)
    groups = [i % 5 for i in range(50)]
    for i in range(0, 50, 5):
        partners[i] = np.flatnonzero(logits[i] > 6)
    checked = cross_fitted(logits, partners, own, groups, folds=5)
    others = fit_calibration([logits[i] for i in range(50) if groups[i] != 0],
                             [partners[i] for i in range(50) if groups[i] != 0],
                             [own[i] for i in range(50) if groups[i] != 0])  # fmt: skip
    assert np.allclose(checked[0], others.chance(logits[0]))


def test_the_chance_leaves_out_the_geography_mode_and_the_hub_price():
    contributions = {"proximity": np.array([2.0, 1.0]), "geography": np.array([6.0, -9.0]),
                     "exposure": np.array([-3.0, 0.0]), "text": np.array([0.5, 0.5])}  # fmt: skip
    assert evidence_logits(-4.0, contributions) == pytest.approx([-1.5, -2.5])


def test_a_list_reads_the_calibration_of_its_kind_and_none_without_one():
    model = PurposeModel("p", "linear", -4.0, {"text": 1.0},
                         calibration={"plain": Calibration((-4.0, 0.0), (0.0, 0.4))})  # fmt: skip
    listed = {"text": np.array([4.0, 2.0])}
    assert list_chances(model, listed, focused=False) == pytest.approx([0.4, 0.0])
    assert list_chances(model, listed, focused=True) is None


def test_a_calibration_round_trips_with_its_model():
    info = {"truth": ["keep_cross_border.csv"], "queries": 3}
    plain = Calibration((-3.5, 0.25), (0.001, 0.05), info)
    model = PurposeModel("p", "linear", -1.0, {"text": 2.0}, calibration={"plain": plain})
    again = PurposeModel.from_dict(model.to_dict())
    assert again.calibration["plain"] == model.calibration["plain"]


def test_every_purpose_fitted_on_real_partnerships_ships_a_calibration():
    models = load_models()
    for purpose, model in models.items():
        if model.info.get("fitted") is False:
            assert not model.calibration, purpose  # no partnerships: no chance to give
            continue
        plain = model.calibration["plain"]
        assert plain.info["truth"] == model.info["truth"]
        assert np.all(np.diff(plain.chances) >= 0)
        assert 0 <= min(plain.chances) < max(plain.chances) < 1
