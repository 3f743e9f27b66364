"""Hub prices: only candidates over the cap pay, enough to bring them down to it."""

from __future__ import annotations

import numpy as np

from matcher.domain import City
from matcher.scoring.partners import hubs
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


def test_a_priced_ranking_tells_the_price_as_the_exposure_part(monkeypatch):
    monkeypatch.setattr(hubs, "HUB_CAP", 0.2)
    monkeypatch.setattr(hubs, "HUB_TOP", 1)
    # A ring of cities and one "hub" at the centre that is everyone's nearest.
    cities = [_city(1, 52.0, 6.0)] + [
        _city(i, 52.0 + 0.5 * np.cos(i), 6.0 + 0.5 * np.sin(i)) for i in range(2, 12)
    ]
    vectoriser = ProfileVectoriser(min_df=1, max_df=1.0).fit(cities, ["energy"])
    ranker = PartnerRanker().fit(vectoriser)
    ranker.purpose_models_ = {"p": PurposeModel("p", "linear", 0.0, {"proximity": 5.0})}
    prices = hubs.prices_of(ranker)["p"]
    assert prices[:, 0].max() > 0  # the centre was everyone's first choice
    result = ranker.rank(2, 3, purpose="p")
    exposure = result.contributions["exposure"]
    rows = ranker.rows_of(result.ids)
    band = ranker.size_band_codes_[ranker.rows_of([2])[0]]
    assert np.allclose(exposure, -prices[band][rows])
    logit = np.log(result.scores / (1 - result.scores))
    assert np.allclose(logit, sum(result.contributions.values()), atol=1e-4)
