"""Hub prices: only candidates over the cap pay, enough to bring them down to it."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.domain import City, Collaboration
from matcher.scoring.partners import hubs
from matcher.scoring.partners.focus import focus_vector
from matcher.scoring.partners.purposes import PurposeModel
from matcher.scoring.partners.ranker import PartnerRanker
from matcher.scoring.partners.vectorise import ProfileVectoriser


def test_shares_count_each_candidate_in_the_top_of_each_query():
    scores = np.array([[3.0, 2.0, 1.0, -np.inf], [1.0, 3.0, 2.0, 0.0]], np.float32)
    assert hubs.shares(scores, top=2).tolist() == [0.5, 1.0, 0.5, 0.0]


def test_a_hub_pays_until_it_is_in_no_more_lists_than_the_cap():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(100, 50)).astype(np.float32)
    scores[:, 7] += 5.0  # candidate 7 tops every list
    assert hubs.shares(scores, top=5)[7] == 1.0
    price = hubs.capacity_prices(scores, cap=0.3, top=5, rounds=20)
    assert price[7] > 0
    assert hubs.shares(scores - price, top=5).max() <= 0.3 + 1e-9


def test_candidates_under_the_cap_pay_nothing():
    scores = np.eye(10, dtype=np.float32)  # each query's own favourite, no hub
    price = hubs.capacity_prices(scores, cap=0.2, top=1)
    assert not price.any()


def test_without_a_cap_there_are_no_prices(monkeypatch):
    monkeypatch.setattr(hubs, "HUB_CAP", None)
    scores = np.ones((4, 3), np.float32)
    assert not hubs.capacity_prices(scores).any()
    assert hubs.prices_of(object()) == {}


def _city(cid, lat, lon, pop=50_000):
    return City(id=cid, slug=f"c{cid}", name=f"City {cid}", country="NL" if cid % 2 else "DE",
                population=pop, lat=lat, lon=lon)  # fmt: skip


def _ring(n=24):
    """A ring of cities and one "hub" at the centre, in everyone's nearest ten."""
    ring = [_city(i, 0.5 * np.cos(2 * np.pi * i / n), 10 + 0.5 * np.sin(2 * np.pi * i / n))
            for i in range(2, n + 2)]  # fmt: skip
    return [_city(1, 0.0, 10.0), *ring]


def test_a_priced_ranking_tells_the_price_as_the_exposure_part(monkeypatch):
    monkeypatch.setattr(hubs, "HUB_CAP", 0.5)
    monkeypatch.setattr(hubs, "HUB_SAMPLE", 40)  # every city of each country is a query
    vectoriser = ProfileVectoriser(min_df=1, max_df=1.0).fit(_ring(), ["energy"])
    ranker = PartnerRanker().fit(vectoriser)
    ranker.purpose_models_ = {"p": PurposeModel("p", "linear", 0.0, {"proximity": 5.0})}
    prices = hubs.prices_of(ranker)["p"]
    assert prices[:, 0].max() > 0  # the centre was in every list
    result = ranker.rank(2, 3, purpose="p")
    exposure = result.contributions["exposure"]
    rows = ranker.rows_of(result.ids)
    band = ranker.size_band_codes_[ranker.rows_of([2])[0]]
    assert np.allclose(exposure, -prices[band][rows])
    logit = np.log(result.scores / (1 - result.scores))
    assert np.allclose(logit, sum(result.contributions.values()), atol=1e-4)


def test_plain_prices_are_measured_on_the_lists_the_default_view_shows(monkeypatch):
    # The centre of the ring is in every list, but it is a city of 600,000, which the default
    # 20,000-500,000 view hides: the lists people see never hold it, so it pays nothing, and
    # the shares are counted among the cities they do hold.
    monkeypatch.setattr(hubs, "HUB_CAP", 0.5)
    monkeypatch.setattr(hubs, "HUB_SAMPLE", 40)
    big_centre = [_city(1, 0.0, 10.0, pop=600_000), *_ring()[1:]]
    vectoriser = ProfileVectoriser(min_df=1, max_df=1.0).fit(big_centre, ["energy"])
    ranker = PartnerRanker().fit(vectoriser)
    ranker.purpose_models_ = {"p": PurposeModel("p", "linear", 0.0, {"proximity": 5.0})}
    centre = ranker.rows_of([1])[0]
    assert hubs.default_view(ranker.size_band_codes_).tolist() == [
        cid != 1 for cid in ranker.city_ids_
    ]
    assert not hubs.prices_of(ranker)["p"][:, centre].any()


def _ring_with_two_energy_holders():
    """The ring's ranker (a proximity model "p") with two far cities, 100 and 101, that share
    the only project on energy; and its vectoriser."""
    holders = [_city(100, 0.0, 30.0), _city(101, 0.1, 30.0)]
    project = Collaboration(id=1, source="keep.eu", source_ref="P1", title="Grid",
                            programme="Interreg", themes=("energy",),
                            member_city_ids=(100, 101))  # fmt: skip
    vectoriser = ProfileVectoriser(min_df=1, max_df=1.0)
    vectoriser.fit([*_ring(), *holders], ["energy", "water"], collaborations=[project])
    ranker = PartnerRanker().fit(vectoriser)
    ranker.purpose_models_ = {"p": PurposeModel("p", "linear", 0.0, {"proximity": 5.0})}
    return ranker, vectoriser


def test_a_focused_list_pays_the_prices_of_its_focus(monkeypatch):
    # Two far cities share the only project on energy: a focus on it puts them in every
    # focused list, where the plain prior never has them.
    monkeypatch.setattr(hubs, "HUB_CAP", 0.5)
    monkeypatch.setattr(hubs, "HUB_CAP_FOCUSED", 0.5)  # the ring has too few countries for less
    monkeypatch.setattr(hubs, "FOCUS_MAJORITY", 1)  # one place for two holders: the cap holds
    monkeypatch.setattr(hubs, "HUB_SAMPLE", 40)
    ranker, vectoriser = _ring_with_two_energy_holders()
    rows = ranker.rows_of([100, 101])
    assert not hubs.prices_of(ranker)["p"][:, rows].any()  # never in a plain list
    focus = focus_vector(ranker.theme_ids_, ["energy"])
    band = int(ranker.size_band_codes_[ranker.rows_of([2])[0]])
    focused_prices = hubs.prices_for(ranker, "p", band, focus)
    assert focused_prices[rows].max() > 0
    # Measured over the band's sampled queries only: what every band's prices would say.
    sampled, prior = hubs.prior_scores(ranker.purpose_models_, hubs.prior_inputs(ranker),
                                       len(ranker.city_ids_), focus=focus)  # fmt: skip
    shown = hubs.focus_holders_shown(ranker.vectors_.experience, focus, ranker.size_band_codes_)
    assert shown == 2
    cap = hubs.cap_for(ranker.purpose_models_["p"], focused=True, holders=shown)
    every_band = hubs.band_prices(sampled, prior["p"], ranker.size_band_codes_, cap=cap,
                                  countries=ranker.country_codes_)  # fmt: skip
    assert np.allclose(focused_prices, every_band[band])
    ranker.purpose_models_ = {}  # measured once and kept: no model is read again
    assert np.array_equal(hubs.prices_for(ranker, "p", band, focus), focused_prices)
    ranker.purpose_models_ = {"p": PurposeModel("p", "linear", 0.0, {"proximity": 5.0})}
    assert np.array_equal(hubs.prices_for(ranker, "p", band), hubs.prices_of(ranker)["p"][band])
    result = ranker.rank(2, 5, purpose="p", theme_focus=["energy"])
    expected = -focused_prices[ranker.rows_of(result.ids)]
    assert np.allclose(result.contributions["exposure"], expected)
    # Another focus is another prior: "water" has no holder, so nobody pays for it.
    water = focus_vector(ranker.theme_ids_, ["water"])
    assert not hubs.prices_for(ranker, "p", band, water)[rows].any()
    # A refit measures new plain prices, and the focused ones go with them.
    ranker.fit(vectoriser)
    ranker.purpose_models_ = {"p": PurposeModel("p", "linear", 0.0, {"proximity": 5.0})}
    assert ranker.focus_prices_[0] is not hubs.prices_of(ranker)
    hubs.prices_for(ranker, "p", band, focus)
    assert ranker.focus_prices_[0] is hubs.prices_of(ranker)


def test_a_far_list_pays_the_prices_of_its_own_prior(monkeypatch):
    # Two cities 2,000 km from the ring are never in a plain (proximity) list, but "far"
    # puts them first in every far list: that mode's own prior prices them, the plain one
    # does not, and a far list pays its mode's prices.
    monkeypatch.setattr(hubs, "HUB_CAP", 0.5)
    monkeypatch.setattr(hubs, "HUB_CAP_GEOGRAPHY", 0.5)  # the ring has too few countries
    monkeypatch.setattr(hubs, "HUB_SAMPLE", 40)
    ranker, _vectoriser = _ring_with_two_energy_holders()
    rows = ranker.rows_of([100, 101])
    band = int(ranker.size_band_codes_[ranker.rows_of([2])[0]])
    assert not hubs.prices_for(ranker, "p", band)[rows].any()
    far = hubs.prices_for(ranker, "p", band, geography="far")
    assert far[rows].min() > 0
    near = hubs.prices_for(ranker, "p", band, geography="near")
    assert not near[rows].any()  # another mode, another prior
    result = ranker.rank(2, 5, purpose="p", geography="far")
    assert np.allclose(result.contributions["exposure"], -far[ranker.rows_of(result.ids)])
    assert np.array_equal(hubs.prices_for(ranker, "p", band, geography="far"), far)  # kept
    # An evaluation fold prices the same world in the same mode alike (cap and rounds).
    inputs = list(hubs.prior_inputs(ranker, geography="far"))
    model, n = ranker.purpose_models_["p"], len(ranker.city_ids_)
    world = hubs.world_prices(model, inputs, n, ranker.size_band_codes_, ranker.country_codes_,
                              geography="far")  # fmt: skip
    assert np.allclose(world[band], far)


def test_a_geography_mode_is_priced_at_its_own_cap(monkeypatch):
    monkeypatch.setattr(hubs, "HUB_CAP", 0.175)
    monkeypatch.setattr(hubs, "HUB_CAP_GEOGRAPHY", 0.125)
    fitted = PurposeModel("p", "linear", 0.0, {"text": 1.0}, info={"fitted": True})
    assert hubs.cap_for(fitted, geography="far") == 0.125
    assert hubs.cap_for(fitted, geography="any") == 0.175
    monkeypatch.setattr(hubs, "HUB_CAP", 0.1)  # a stricter plain cap leaves the mode's own
    assert hubs.cap_for(fitted, geography="far") == 0.125
    assert hubs.cap_for(fitted, geography="any") == 0.1


def test_a_focused_list_in_a_geography_mode_holds_the_stricter_of_their_caps(monkeypatch):
    monkeypatch.setattr(hubs, "HUB_CAP", 0.1)
    monkeypatch.setattr(hubs, "HUB_CAP_GEOGRAPHY", 0.125)
    monkeypatch.setattr(hubs, "HUB_CAP_FOCUSED", 0.15)
    fitted = PurposeModel("p", "linear", 0.0, {"text": 1.0}, info={"fitted": True})
    assert hubs.cap_for(fitted, focused=True, geography="far") == 0.125
    monkeypatch.setattr(hubs, "HUB_CAP_FOCUSED", 0.11)
    assert hubs.cap_for(fitted, focused=True, geography="far") == 0.11


def test_a_model_not_fitted_on_data_holds_the_stricter_cap(monkeypatch):
    monkeypatch.setattr(hubs, "HUB_CAP", 0.15)
    fitted = PurposeModel("p", "linear", 0.0, {"text": 1.0}, info={"fitted": True})
    rule = PurposeModel("q", "linear", 0.0, {"text": 1.0}, info={"fitted": False})
    assert hubs.cap_for(fitted) == 0.15
    assert hubs.cap_for(rule) == hubs.HUB_CAP_UNFITTED < 0.15
    for kind in ({"focused": True}, {"geography": "far"}):  # whatever the list's own cap
        assert hubs.cap_for(rule, **kind) <= hubs.HUB_CAP_UNFITTED
    monkeypatch.setattr(hubs, "HUB_CAP", None)
    assert hubs.cap_for(rule) is None


def test_a_focus_is_priced_at_the_focused_cap(monkeypatch):
    monkeypatch.setattr(hubs, "HUB_CAP", 0.15)
    monkeypatch.setattr(hubs, "HUB_CAP_FOCUSED", 0.1)
    fitted = PurposeModel("p", "linear", 0.0, {"text": 1.0}, info={"fitted": True})
    assert hubs.cap_for(fitted, focused=True) == 0.1
    assert hubs.cap_for(fitted) == 0.15
    monkeypatch.setattr(hubs, "HUB_CAP_FOCUSED", 0.3)  # its own, looser than the plain one
    assert hubs.cap_for(fitted, focused=True) == 0.3


def test_a_focus_with_few_holders_is_capped_at_their_even_share_of_a_majority(monkeypatch):
    monkeypatch.setattr(hubs, "HUB_CAP", 0.15)
    monkeypatch.setattr(hubs, "HUB_CAP_FOCUSED", 0.1)
    monkeypatch.setattr(hubs, "FOCUS_MAJORITY", 6)
    fitted = PurposeModel("p", "linear", 0.0, {"text": 1.0}, info={"fitted": True})
    assert hubs.cap_for(fitted, focused=True, holders=10) == pytest.approx(0.6)
    assert hubs.cap_for(fitted, focused=True, holders=4) == 1.0  # never above every list
    assert hubs.cap_for(fitted, focused=True, holders=200) == 0.1  # many: the focused cap
    assert hubs.cap_for(fitted, focused=True) == 0.1
    assert hubs.cap_for(fitted, holders=10) == 0.15  # a plain list has no focus to hold


def test_a_focus_never_prices_its_few_holders_out_of_the_lists(monkeypatch):
    # Two cities hold the only project on energy, and a focused list's majority (two places
    # here) is theirs to fill: they pay no price, where the focused cap alone priced them.
    monkeypatch.setattr(hubs, "HUB_CAP", 0.5)
    monkeypatch.setattr(hubs, "HUB_CAP_FOCUSED", 0.5)
    monkeypatch.setattr(hubs, "FOCUS_MAJORITY", 2)
    monkeypatch.setattr(hubs, "HUB_SAMPLE", 40)
    ranker, _vectoriser = _ring_with_two_energy_holders()
    focus = focus_vector(ranker.theme_ids_, ["energy"])
    band = int(ranker.size_band_codes_[ranker.rows_of([2])[0]])
    assert not hubs.prices_for(ranker, "p", band, focus)[ranker.rows_of([100, 101])].any()
    result = ranker.rank(2, 5, purpose="p", theme_focus=["energy"])
    assert {100, 101} <= {int(i) for i in result.ids}


def test_no_prices_where_a_cap_cannot_hold_or_means_nothing():
    scores = np.zeros((6, 30), np.float32)
    scores[:, 0] = 1.0  # candidate 0 tops every list
    one_country = np.ones(6)  # six queries of six countries
    assert hubs.capacity_prices(scores, cap=0.2, top=5, weights=one_country)[0] > 0
    # Two countries only: a share of two says nothing.
    assert not hubs.capacity_prices(scores, cap=0.2, top=5, weights=np.full(6, 1 / 3)).any()
    # Too few candidates for the lists to stay under the cap.
    assert not hubs.capacity_prices(scores[:, :20], cap=0.2, top=5, weights=one_country).any()


def test_a_relaxed_cap_still_reads_its_shares_from_as_many_countries():
    scores = np.zeros((6, 30), np.float32)
    scores[:, 0] = 1.0
    two_countries = np.full(6, 1 / 3)
    assert hubs.capacity_prices(scores, cap=0.75, top=5, weights=two_countries)[0] > 0
    assert not hubs.capacity_prices(scores, cap=0.75, top=5, weights=two_countries,
                                    min_countries=8).any()  # fmt: skip
    model = PurposeModel("p", "linear", 0.0, {"text": 1.0}, info={"fitted": True})
    assert hubs.focus_min_countries(model) == pytest.approx(1 / hubs.cap_for(model, focused=True))


def test_each_country_weighs_as_one_in_the_shares():
    # Three queries from one country all list candidate 0, one query from another lists 1:
    # by query 0 tops 3/4 of the lists, by country half of them.
    scores = np.array([[2, 1, 0], [2, 1, 0], [2, 1, 0], [1, 2, 0]], np.float32)
    rows = np.array([0, 1, 2, 3])
    countries = np.array([7, 7, 7, 9])
    weights = hubs.country_weights(rows, countries)
    assert weights.tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 3, 1.0])
    assert hubs.shares(scores, top=1).tolist() == [0.75, 0.25, 0.0]
    assert hubs.shares(scores, top=1, weights=weights).tolist() == pytest.approx([0.5, 0.5, 0])


def test_the_sample_takes_up_to_n_cities_of_each_band_and_country():
    located = np.ones(12, bool)
    located[0] = False
    bands = np.array([1] * 6 + [2] * 6)
    countries = np.array([1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1])
    rows = hubs.sample_rows(located, bands, countries, size=2)
    picked = {(int(bands[r]), int(countries[r])) for r in rows}
    assert picked == {(1, 1), (1, 2), (2, 1)}
    for key in picked:
        of_key = [r for r in rows if (bands[r], countries[r]) == key]
        assert 1 <= len(of_key) <= 2
    assert 0 not in rows  # not located


def test_prices_from_kept_lists_equal_those_from_every_score():
    rng = np.random.default_rng(3)
    scores = rng.normal(size=(60, 400)).astype(np.float32)
    scores[:, :5] += 3.0  # five hubs
    weights = np.repeat([1 / 3, 1 / 3, 1 / 3], 20)  # 20 countries of three queries
    full = hubs.capacity_prices(scores, cap=0.2, top=10, weights=weights)
    kept = hubs.capacity_prices(hubs.Lists.of(scores, keep=60), cap=0.2, top=10,
                                weights=weights)  # fmt: skip
    assert full[:5].min() > 0
    assert np.array_equal(full, kept)
