"""Purpose models: exact per-feature contributions, purpose-aware ranking, preferences."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from matcher.domain import City, Collaboration, ProfileEntry, collaboration_purpose
from matcher.domain import ProfileKind as Kind
from matcher.scoring.partners import purpose_fit
from matcher.scoring.partners.features import region_mask
from matcher.scoring.partners.purposes import (
    ACTIVITY_CAP,
    BOOSTING_PARAMS,
    FEATURES,
    PREFERENCE_WEIGHTS,
    PurposeModel,
    fit_purpose_model,
    is_plausible,
    load_models,
)
from matcher.scoring.partners.ranker import PartnerRanker
from matcher.scoring.partners.vectorise import ProfileVectoriser

THEMES = ["energy", "mobility", "waste", "data"]


def city(cid, country, pop, lat, lon, profile=()):
    entries = tuple(ProfileEntry(k, t, w, "declared by the city") for k, t, w in profile)
    return City(id=cid, slug=f"c{cid}", name=f"City {cid}", country=country, population=pop,
                lat=lat, lon=lon, profile=entries)  # fmt: skip


def ranker_with(cities, models, collaborations=()):
    vectoriser = ProfileVectoriser(min_df=1, max_df=1.0)
    vectoriser.fit(cities, THEMES, collaborations=collaborations)
    ranker = PartnerRanker().fit(vectoriser)
    ranker.purpose_models_ = models
    return ranker


def linear(purpose="test", **coefficients):
    return PurposeModel(purpose, "linear", 0.0, coefficients)


def blank_query(group):
    """One evaluation query of four candidates with every feature 0."""
    return purpose_fit.QueryRows(group=group, row=0, relevant_rows=np.array([1]),
                                 parts={n: np.zeros(4, np.float32) for n in FEATURES},
                                 km=np.zeros(4), abroad=np.zeros(4, bool),
                                 located=np.ones(4, bool))  # fmt: skip


def fit_by_form(form):
    """A fit whose grouped-boosting form spans 160 logit units (never shipped) and whose
    other forms are plausible."""
    if form == "grouped-boosting":
        return PurposeModel("p", "additive-boosting", 0.0,
                            steps={"track_record": ((0.5,), (0.0, 160.0))})  # fmt: skip
    return linear("p", track_record=2.0)


@pytest.mark.parametrize(
    ("source", "programme", "purpose"),
    [
        ("keep.eu", "2014 - 2020 INTERREG V-A Germany - The Netherlands", "cross-border"),
        ("keep.eu", "2014 - 2020 Interreg IPA CBC Bulgaria - Turkey", "cross-border"),
        ("keep.eu", "2014 - 2020 INTERREG VB Danube", "transnational"),
        ("keep.eu", "2014 - 2020 URBACT III", "transnational"),
        ("CORDIS", "Horizon Europe", "research"),
    ],
)
def test_a_collaboration_purpose_comes_from_its_programme(source, programme, purpose):
    assert collaboration_purpose(source, programme) == purpose


def test_networks_are_no_partnership_purpose():
    assert collaboration_purpose("CoM", "Covenant of Mayors supporter network", "network") == ""


def test_boosting_step_tables_reproduce_the_fitted_model_exactly():
    rng = np.random.default_rng(0)
    X = rng.random((1500, len(FEATURES))).astype(np.float32)
    y = (X[:, 0] + 0.5 * X[:, 3] + 0.2 * rng.standard_normal(1500) > 0.9).astype(int)
    model = fit_purpose_model("test", X, y, FEATURES, form="additive-boosting")
    from sklearn.ensemble import HistGradientBoostingClassifier

    reference = HistGradientBoostingClassifier(**BOOSTING_PARAMS, random_state=0).fit(X, y)
    test = rng.random((500, len(FEATURES))).astype(np.float32)
    features = {name: test[:, j] for j, name in enumerate(FEATURES)}
    assert np.allclose(model.score(features), reference.decision_function(test), atol=1e-4)


def test_contributions_add_up_to_the_score():
    model = PurposeModel("t", "linear", 0.5, {"proximity": 2.0, "abroad": -1.0},
                         steps={"text": ((0.5,), (0.0, 1.5))})  # fmt: skip
    features = {"proximity": np.array([0.5, 1.0]), "abroad": np.array([1.0, 0.0]),
                "text": np.array([0.2, 0.9])}  # fmt: skip
    parts = model.contributions(features)
    assert parts["proximity"].tolist() == [1.0, 2.0]
    assert parts["text"].tolist() == [0.0, 1.5]
    total = 0.5 + sum(parts.values())
    assert np.allclose(model.score(features), total)


def test_a_model_round_trips_through_its_json_form():
    model = PurposeModel("t", "additive-boosting", -1.0, steps={"text": ((0.5,), (0.0, 1.5))},
                         info={"fitted": True})  # fmt: skip
    assert PurposeModel.from_dict(model.to_dict()) == model


def test_no_part_of_a_shipped_model_moves_a_score_beyond_the_plausible():
    assert all(is_plausible(model) for model in load_models().values())


def test_a_table_fitted_to_a_few_sparse_cells_is_not_plausible():
    steep = PurposeModel("t", "additive-boosting", -1.0,
                         steps={"track_record": ((0.5,), (0.0, 70.0))})  # fmt: skip
    assert not is_plausible(steep)
    assert is_plausible(replace(steep, steps={"track_record": ((0.5,), (0.0, 7.0))}))


CITIES = [
    city(1, "NL", 100_000, 52.78, 6.90),
    city(2, "DE", 50_000, 52.43, 7.07),  # 40 km, abroad
    city(3, "NL", 100_000, 53.22, 6.57),  # 55 km, same country
    city(4, "PT", 100_000, 38.72, -9.14),  # 1,900 km
    city(5, "IT", 400_000, 44.49, 11.34),  # 1,000 km
]


def test_the_purpose_model_decides_the_order():
    models = {"abroad": linear(abroad=5.0, proximity=1.0), "home": linear(abroad=-5.0)}
    ranker = ranker_with(CITIES, models)
    assert ranker.rank(1, 1, purpose="abroad").ids[0] == 2
    assert ranker.rank(1, 1, purpose="home").ids[0] == 3


def test_rank_result_contributions_are_exact():
    ranker = ranker_with(CITIES, {"p": linear(abroad=2.0)})
    result = ranker.rank(1, 4, purpose="p")
    logit = np.log(result.scores / (1 - result.scores))
    assert np.allclose(logit, sum(result.contributions.values()), atol=1e-4)


def test_an_unknown_purpose_is_refused():
    ranker = ranker_with(CITIES, {})
    with pytest.raises(ValueError, match="no fitted model"):
        ranker.rank(1, 3, purpose="nowhere")


def test_far_keeps_far_cities_on_top_under_a_model_led_by_place():
    # The model's place evidence (30 logit) dwarfs a flat preference: "far" must still win.
    ranker = ranker_with(CITIES, {"near": linear(proximity=30.0)})
    assert ranker.rank(1, 2, purpose="near").ids.tolist() == [2, 3]
    assert set(ranker.rank(1, 2, purpose="near", geography="far").ids.tolist()) == {4, 5}
    assert ranker.rank(1, 1, purpose="near", geography="different-country").ids.tolist() == [2]


def test_far_ranks_far_cities_by_the_purpose_not_by_distance_alone():
    projects = [Collaboration(id=i, source="CORDIS", source_ref=f"P{i}", title=f"P{i}",
                              member_city_ids=(5, 3)) for i in range(1, 4)]  # fmt: skip
    ranker = ranker_with(CITIES, {"active": linear(track_record=5.0)}, projects)
    result = ranker.rank(1, 2, purpose="active", geography="far")
    # Lisbon is farther, but Bologna (1,000 km, also "far") has the track record.
    assert result.ids.tolist() == [5, 4]


def test_a_partner_next_door_never_tops_a_far_list_on_its_shared_projects():
    # City 2 (40 km) shares three projects with the query: their words, partners and
    # themes weigh far more than a flat preference for far cities. "far" still puts the two
    # cities 1,000 km and more away first, ordered by the model (Lisbon has more history).
    projects = [Collaboration(id=i, source="keep.eu", source_ref=f"P{i}", title=f"Moor {i}",
                              description="moor park", member_city_ids=(1, 2))
                for i in range(1, 4)]  # fmt: skip
    projects.append(Collaboration(id=9, source="keep.eu", source_ref="P9", title="Harbour",
                                  description="port", member_city_ids=(1, 4)))  # fmt: skip
    ranker = ranker_with(CITIES, {"t": linear(text=20.0, history=10.0)}, projects)
    assert ranker.rank(1, 1, purpose="t").ids.tolist() == [2]
    assert ranker.rank(1, 2, purpose="t", geography="far").ids.tolist() == [4, 5]
    assert ranker.rank(1, 1, purpose="t", geography="different-country").ids.tolist() == [2]


def test_a_theme_focus_reorders_a_purpose_ranking():
    projects = [Collaboration(id=1, source="keep.eu", source_ref="P1", title="Bus",
                              themes=("mobility",), member_city_ids=(4, 5)),
                Collaboration(id=2, source="keep.eu", source_ref="P2", title="Grid",
                              themes=("energy",), member_city_ids=(2, 3))]  # fmt: skip
    ranker = ranker_with(CITIES, {"p": linear(proximity=1.0)}, projects)
    plain = ranker.rank(1, 2, purpose="p")
    focused = ranker.rank(1, 2, purpose="p", theme_focus=["mobility"])
    assert set(plain.ids) == {2, 3}
    assert set(focused.ids) == {4, 5}


def test_declared_needs_met_by_offers_count_more_than_shared_interests():
    assert PREFERENCE_WEIGHTS["complementarity"] > PREFERENCE_WEIGHTS["shared_interests"]
    cities = [
        city(1, "NL", 100_000, 52.78, 6.90, [(Kind.NEED, "data", 1.0),
                                             (Kind.INTEREST, "energy", 1.0)]),
        city(2, "DE", 50_000, 52.43, 7.07, [(Kind.INTEREST, "energy", 1.0)]),
        city(3, "BE", 50_000, 50.85, 4.35, [(Kind.OFFER, "data", 1.0)]),
    ]  # fmt: skip
    ranker = ranker_with(cities, {"p": linear()})
    assert ranker.rank(1, 2, purpose="p").ids.tolist() == [3, 2]


def test_grouped_cross_validation_never_trains_on_a_test_group(monkeypatch):
    rows = [row for g in range(10) for row in (blank_query(g), blank_query(g))]
    seen = []

    def fake_fit(purpose, train, form, **kwargs):
        seen.append({r.group for r in train})
        return linear()

    monkeypatch.setattr(purpose_fit, "fit", fake_fit)
    monkeypatch.setattr(
        purpose_fit, "scores_with", lambda model, r, geography="any", hub_penalty=None: r.group
    )
    scored = purpose_fit.cross_validated(rows, "p", form="linear", folds=5)
    assert len(seen) == 5 and len(scored) == len(rows)
    for train_groups, fold_groups in zip(seen, [set(range(10)) - s for s in seen], strict=True):
        assert train_groups.isdisjoint(fold_groups) and len(fold_groups) == 2


def test_a_held_out_fold_is_never_scored_by_an_implausible_model(monkeypatch):
    # A grouped-boosting fit whose activity table spans 160 logit units is never shipped, so a
    # fold falls back to the simpler form, as benchmarks/purposes.py --fit does.
    tried = []

    def fake_fit(purpose, train, form, **kwargs):
        tried.append(form)
        return fit_by_form(form)

    monkeypatch.setattr(purpose_fit, "fit", fake_fit)
    model = purpose_fit.fit_plausible("p", [], "grouped-boosting")
    assert not is_plausible(fit_by_form("grouped-boosting"))
    assert tried == ["grouped-boosting", "additive-boosting"]
    assert is_plausible(model) and model.coefficients == {"track_record": 2.0}


def test_cross_validation_refits_an_implausible_fold_model(monkeypatch):
    rows = [blank_query(g) for g in range(5)]
    monkeypatch.setattr(purpose_fit, "fit", lambda purpose, train, form, **kw: fit_by_form(form))
    monkeypatch.setattr(purpose_fit, "scores_with", lambda model, r, geography="any",
                        hub_penalty=None: model)  # fmt: skip
    scored = purpose_fit.cross_validated(rows, "p", form="grouped-boosting", folds=5)
    assert all(is_plausible(model) for model in scored)


def test_every_purpose_has_a_shipped_model():
    models = load_models()
    assert {"any", "cross-border", "transnational", "research", "peer-exchange"} <= set(models)
    assert models["peer-exchange"].info["fitted"] is False


def test_activity_is_capped_so_a_very_active_city_does_not_top_every_list():
    busy = [Collaboration(id=i, source="CORDIS", source_ref=f"P{i}", title=f"P{i}",
                          member_city_ids=(4, 5)) for i in range(1, 21)]  # fmt: skip
    some = [Collaboration(id=i, source="CORDIS", source_ref=f"Q{i}", title=f"Q{i}",
                          member_city_ids=(2, 3)) for i in range(21, 24)]  # fmt: skip
    ranker = ranker_with(CITIES, {"p": linear(track_record=30.0, proximity=2.0)}, busy + some)
    result = ranker.rank(1, 4, purpose="p")
    # Lisbon and Bologna took part in 20 projects, the neighbours in 3: past the cap,
    # closeness decides.
    assert set(result.ids[:2].tolist()) == {2, 3}
    assert result.contributions["track_record"].max() <= ACTIVITY_CAP + 1e-6


def test_a_focus_weighs_as_much_as_the_strongest_evidence_of_the_model():
    from matcher.scoring.partners.purposes import preference_weights, strongest_evidence

    steep = linear(proximity=24.0, text=2.0)
    assert strongest_evidence(steep) == pytest.approx(24.0)
    weights = preference_weights(steep)
    assert weights["focus_experience"] == pytest.approx(24.0)
    assert weights["complementarity"] > weights["shared_interests"]
    # A flat model keeps the base weights: the scale never lowers a preference.
    assert preference_weights(linear(text=0.5)) == PREFERENCE_WEIGHTS


def test_activity_counts_at_most_the_cap_as_evidence():
    from matcher.scoring.partners.purposes import strongest_evidence

    assert strongest_evidence(linear(track_record=40.0, text=1.0)) == pytest.approx(ACTIVITY_CAP)


def test_under_a_place_led_model_a_focus_fades_outside_the_neighbourhood():
    from matcher.scoring.partners.focus import FOCUS_NEIGHBOURS, neighbourhood
    from matcher.scoring.partners.purposes import place_led

    assert place_led(linear(proximity=20.0, text=1.0))
    assert not place_led(linear(proximity=1.0, text=3.0))
    km = np.arange(FOCUS_NEIGHBOURS * 4, dtype=np.float64) + 1.0
    located = np.ones(len(km), bool)
    located[-1] = False
    gate = neighbourhood(km, located)
    reach = km[FOCUS_NEIGHBOURS]
    assert np.all(gate[km <= reach] == 1.0)
    assert gate[-2] < 0.5 and np.all(np.diff(gate[:-1]) <= 0)
    assert gate[-1] == 0.0  # a place unknown gets no neighbourhood focus


def test_a_place_led_focus_stays_among_neighbours():
    # Far-away cities on the focus theme do not replace the neighbourhood under a model led
    # by proximity; nearby ones on the theme move up.
    near = [city(i, "DE", 50_000, 52.0 + 0.01 * i, 7.0) for i in range(2, 260)]
    themed_near = [city(300, "NL", 50_000, 52.0, 7.3, [(Kind.INTEREST, "mobility", 1.0)])]
    themed_far = [city(400 + i, "ES", 50_000, 40.0, -3.0 - 0.01 * i,
                       [(Kind.INTEREST, "mobility", 1.0)]) for i in range(10)]  # fmt: skip
    query = city(1, "DE", 60_000, 52.0, 7.0, [(Kind.INTEREST, "energy", 1.0)])
    ranker = ranker_with([query, *near, *themed_near, *themed_far],
                         {"p": linear(proximity=20.0)})  # fmt: skip
    focused = ranker.rank(1, 10, purpose="p", theme_focus=["mobility"])
    assert 300 in set(focused.ids)
    assert not set(focused.ids) & {c.id for c in themed_far}


def test_a_focus_reaches_as_far_as_the_nearest_cities_with_projects_on_the_theme():
    from matcher.scoring.partners.focus import FOCUS_NEIGHBOURS, FOCUS_THEMED, neighbourhood

    km = np.arange(FOCUS_NEIGHBOURS * 10, dtype=np.float64) + 1.0
    located = np.ones(len(km), bool)
    themed = np.zeros(len(km), bool)
    themed[FOCUS_NEIGHBOURS * 3 :: 50][:FOCUS_THEMED] = True  # all beyond the neighbourhood
    far = np.flatnonzero(themed)[FOCUS_THEMED - 1]
    widened = neighbourhood(km, located, themed=themed)
    assert np.all(widened[: far + 1] == 1.0)  # every themed city counts in full
    assert neighbourhood(km, located)[far] < 0.5  # without the themed cities it would fade
    capped = neighbourhood(km, located, themed=themed, widest_km=km[FOCUS_NEIGHBOURS * 2])
    assert capped[far] < 1.0 and np.all(capped[: FOCUS_NEIGHBOURS * 2] == 1.0)


def test_the_focus_reach_reads_projects_never_the_declared_profile():
    from matcher.scoring.partners.focus import focus_holders

    experience = np.array([[0.0, 1.0], [0.0, 0.0]], np.float32)
    assert focus_holders(experience, np.array([0.0, 1.0])).tolist() == [True, False]
    assert focus_holders(experience, np.array([1.0, 0.0])).tolist() == [False, False]


def mobility_holders_beyond(neighbours: int):
    """A query (id 1) with ``neighbours`` towns nearby, none with a project on mobility, and
    eight towns 150 km away that took part in one: (cities, the eight ids, the project)."""
    near = [city(i, "DE", 50_000, 52.0 + 0.005 * i, 7.0) for i in range(2, neighbours + 2)]
    themed = [city(500 + i, "NL", 50_000, 52.0, 9.2 + 0.01 * i) for i in range(8)]
    project = [Collaboration(id=1, source="keep.eu", source_ref="M1", title="Mobility",
                             member_city_ids=tuple(c.id for c in themed),
                             themes=("mobility",))]  # fmt: skip
    query = city(1, "DE", 60_000, 52.0, 7.0)
    return [query, *near, *themed], {c.id for c in themed}, project


def assert_the_focus_brings_them_up(ranker, purpose, themed_ids):
    plain = ranker.rank(1, 10, purpose=purpose)
    focused = ranker.rank(1, 10, purpose=purpose, theme_focus=["mobility"])
    assert not set(plain.ids) & themed_ids
    assert len(set(focused.ids) & themed_ids) >= 6


def test_a_place_led_focus_finds_themed_cities_beyond_a_neighbourhood_without_them():
    # No neighbour worked on mobility; cities 150 km away did: a focus brings them up, and
    # the reasons can name the theme.
    cities, themed_ids, project = mobility_holders_beyond(258)
    for purpose in ("transnational", "any"):
        models = {purpose: PurposeModel(purpose, "linear", 0.0, {"proximity": 20.0})}
        ranker = ranker_with(cities, models, project)
        assert_the_focus_brings_them_up(ranker, purpose, themed_ids)


def test_a_focus_not_led_by_place_finds_themed_cities_beyond_its_region(monkeypatch):
    # Under a model led by likeness, not place, the focus's region holds no city with a
    # project on mobility: the focus reaches the eight that have one.
    from matcher.scoring.partners import purposes

    monkeypatch.setattr(purposes, "FOCUS_REGION", 20)
    cities, themed_ids, project = mobility_holders_beyond(58)
    model = PurposeModel("transnational", "linear", 0.0, {"proximity": 1.0, "peer_size": 3.0})
    assert not purposes.place_led(model)
    ranker = ranker_with(cities, {"transnational": model}, project)
    assert_the_focus_brings_them_up(ranker, "transnational", themed_ids)


def test_a_focus_reaches_the_nearest_holders_of_the_theme_that_the_list_can_show(monkeypatch):
    # The ten nearest cities with a project on mobility are villages the list's size filter
    # hides: the focus's reach widens past them to the eight towns it can show, 150 km away.
    from matcher.scoring.partners import purposes

    monkeypatch.setattr(purposes, "FOCUS_REGION", 20)
    cities, themed_ids, project = mobility_holders_beyond(58)
    villages = [city(700 + i, "DE", 5_000, 52.0, 7.6 + 0.01 * i) for i in range(10)]
    project.append(Collaboration(id=2, source="keep.eu", source_ref="M2", title="Mobility",
                                 member_city_ids=tuple(c.id for c in villages),
                                 themes=("mobility",)))  # fmt: skip
    model = PurposeModel("transnational", "linear", 0.0, {"proximity": 1.0, "peer_size": 3.0})
    ranker = ranker_with([*cities, *villages], {"transnational": model}, project)
    focused = ranker.rank(1, 10, purpose="transnational", theme_focus=["mobility"],
                          size_bands=["s", "m"])  # fmt: skip
    assert len(set(focused.ids) & themed_ids) >= 6


def test_within_the_focus_reach_a_nearer_holder_of_the_theme_counts_more():
    from matcher.scoring.partners.focus import FOCUS_NEARER, neighbourhood

    km = np.arange(1, 1001, dtype=np.float64)
    located = np.ones(len(km), bool)
    weights = neighbourhood(km, located, size=999, nearer=FOCUS_NEARER)
    assert FOCUS_NEARER > 0
    assert np.all(np.diff(weights) < 0)  # strictly: distance decides between holders
    assert weights[0] == pytest.approx(1.0, abs=1e-3)
    assert weights[-1] == pytest.approx(1.0 - FOCUS_NEARER)


def test_of_two_holders_alike_the_focus_puts_the_nearer_first():
    # Under a model that reads no place, two towns alike with a project on mobility, 100 and
    # 400 km away, both within the focus's reach: the nearer comes first (the tie rule, lower
    # id first, would put the farther one first).
    near = [city(i, "DE", 50_000, 52.0 + 0.005 * i, 7.0) for i in range(2, 40)]
    far_holder = city(50, "NL", 50_000, 52.0, 7.0 + 400 / 68.5)
    near_holder = city(60, "NL", 50_000, 52.0, 7.0 + 100 / 68.5)
    project = [Collaboration(id=1, source="keep.eu", source_ref="M1", title="Mobility",
                             member_city_ids=(50, 60), themes=("mobility",))]  # fmt: skip
    model = PurposeModel("transnational", "linear", 0.0, {"peer_size": 3.0})
    ranker = ranker_with([city(1, "DE", 60_000, 52.0, 7.0), *near, far_holder, near_holder],
                         {"transnational": model}, project)  # fmt: skip
    focused = ranker.rank(1, 2, purpose="transnational", theme_focus=["mobility"])
    assert focused.ids.tolist() == [60, 50]


def test_under_a_purpose_the_place_decides_a_focus_keeps_its_base_weights():
    from matcher.scoring.partners.purposes import PLACE_BOUND_PURPOSES, preference_weights

    steep = {"proximity": 24.0, "text": 2.0}
    assert "cross-border" in PLACE_BOUND_PURPOSES
    bound = preference_weights(PurposeModel("cross-border", "linear", 0.0, steep))
    free = preference_weights(PurposeModel("any", "linear", 0.0, steep))
    assert bound == PREFERENCE_WEIGHTS
    assert free["focus_experience"] > bound["focus_experience"]


def test_without_a_focus_activity_counts_in_full_only_within_the_query_region(monkeypatch):
    from matcher.scoring.partners import purposes

    monkeypatch.setattr(purposes, "ACTIVITY_REGION", 5)
    # Ten quiet neighbours, an active city among them and an equally active one 2,000 km away.
    near = [city(i, "DE", 50_000, 52.0 + 0.05 * i, 7.0) for i in range(2, 12)]
    active_near = city(20, "NL", 50_000, 52.05, 7.05)
    active_far = city(30, "ES", 50_000, 37.5, -5.0)
    busy = [Collaboration(id=i, source="keep.eu", source_ref=f"B{i}", title=f"B{i}",
                          programme="2014 - 2020 URBACT III", member_city_ids=(20, 30))
            for i in range(1, 13)]  # fmt: skip
    query = city(1, "DE", 60_000, 52.0, 7.0)
    model = PurposeModel("transnational", "linear", 0.0, {"track_record": 30.0,
                                                           "proximity": 0.5})  # fmt: skip
    ranker = ranker_with([query, *near, active_near, active_far], {"transnational": model},
                         busy)  # fmt: skip
    plain = ranker.rank(1, 12, purpose="transnational")
    activity = dict(zip(plain.ids.tolist(), plain.contributions["track_record"], strict=True))
    assert activity[20] == pytest.approx(ACTIVITY_CAP)  # in the region: in full
    assert activity[30] < 0.5 * ACTIVITY_CAP  # far beyond it: faded
    assert plain.ids[0] == 20
    logit = np.log(plain.scores / (1 - plain.scores))
    assert np.allclose(logit, sum(plain.contributions.values()), atol=1e-3)
    # With a focus the user asked for a theme: activity counts in full wherever it is.
    focused = ranker.rank(1, 12, purpose="transnational", theme_focus=["energy"])
    far = focused.ids.tolist().index(30)
    assert focused.contributions["track_record"][far] == pytest.approx(ACTIVITY_CAP)


def test_plain_research_lists_count_activity_as_learned_and_leave_hubs_to_prices():
    from matcher.scoring.partners.purposes import PLAIN_ACTIVITY_IN_FULL

    busy = [Collaboration(id=i, source="CORDIS", source_ref=f"P{i}", title=f"P{i}",
                          member_city_ids=(4, 5)) for i in range(1, 21)]  # fmt: skip
    steep = {"track_record": 30.0, "proximity": 2.0}
    models = {p: PurposeModel(p, "linear", 0.0, dict(steep))
              for p in ("research", "transnational")}  # fmt: skip
    ranker = ranker_with(CITIES, models, busy)
    assert "research" in PLAIN_ACTIVITY_IN_FULL
    assert "transnational" not in PLAIN_ACTIVITY_IN_FULL
    plain = ranker.rank(1, 4, purpose="research")
    assert plain.contributions["track_record"].max() > ACTIVITY_CAP + 1.0
    assert set(plain.ids[:2].tolist()) == {4, 5}  # the very active cities, wherever they are
    capped = ranker.rank(1, 4, purpose="transnational")
    assert capped.contributions["track_record"].max() <= ACTIVITY_CAP + 1e-6
    focused = ranker.rank(1, 4, purpose="research", theme_focus=["energy"])
    assert focused.contributions["track_record"].max() <= ACTIVITY_CAP + 1e-6


@pytest.mark.parametrize("form", ["linear", "additive-boosting", "grouped-boosting"])
def test_a_fitted_score_estimates_the_real_chance_of_being_a_partner(form):
    # 60 queries over 1,500 candidates, 3 real partners each among the closest-texted ones:
    # the mean logistic of the score over every candidate is about the real rate, whatever
    # the share of sampled negatives the fit saw.
    rng = np.random.default_rng(0)
    n, rows = 1500, []
    for g in range(60):
        text = rng.random(n).astype(np.float32)
        parts = {name: rng.random(n).astype(np.float32) for name in FEATURES}
        parts["text"] = text
        relevant = rng.choice(np.flatnonzero(text > 0.9), size=3, replace=False)
        rows.append(purpose_fit.QueryRows(group=g, row=0, relevant_rows=relevant, parts=parts,
                                          km=rng.random(n) * 1000, abroad=rng.random(n) > 0.5,
                                          located=np.ones(n, bool)))  # fmt: skip
    model = purpose_fit.fit("p", rows, form)
    chance = np.mean([1 / (1 + np.exp(-model.score(r.features()))) for r in rows])
    real = 3 / (n - 1)
    assert real / 2 < chance < real * 2


def test_under_a_place_led_model_every_holder_of_the_focus_theme_gets_the_whole_weight(
    monkeypatch,
):
    # A specialist (most of its record on the theme) and a generalist that also worked on it
    # count alike for the focus, so distance decides between them; a city with no project on
    # the theme keeps what its record says of the query's other interests, proportionally.
    # Under a model not led by place the focus stays proportional for everyone.
    from matcher.scoring.partners import purposes
    from matcher.scoring.partners.purposes import (
        FOCUS_EXPERIENCE_FULL,
        preference_weights,
        purpose_contributions,
    )

    monkeypatch.setattr(purposes, "FOCUS_NEARER", 0.0)  # distance aside

    model = linear(proximity=5.0, text=1.0)
    n = 3
    parts = {name: np.zeros(n, np.float32) for name in
             ("proximity", "geography", "shared_interests", "complementarity", "text")}  # fmt: skip
    parts["experience"] = np.array([0.9, FOCUS_EXPERIENCE_FULL, 0.2], np.float32)
    km = np.array([500.0, 100.0, 50.0])  # all within the query's region: reach 1
    contributions = purpose_contributions(
        model, parts, km, np.zeros(n, bool), np.ones(n, bool), focus=True,
        themed=np.array([True, True, False]),
    )  # fmt: skip
    weight = preference_weights(model)["focus_experience"]
    assert contributions["experience"].tolist() == pytest.approx([weight, weight, 0.2 * weight])
    free = linear(text=5.0)
    contributions = purpose_contributions(
        free, parts, km, np.zeros(n, bool), np.ones(n, bool), focus=True,
        themed=np.array([True, True, False]),
    )  # fmt: skip
    weight = preference_weights(free)["focus_experience"]
    assert contributions["experience"].tolist() == pytest.approx(
        [0.9 * weight, FOCUS_EXPERIENCE_FULL * weight, 0.2 * weight]
    )
    # A rule not fitted on data (peer exchange) reads a focus as "who worked on the theme".
    rule = replace(free, info={"fitted": False})
    contributions = purpose_contributions(
        rule, parts, km, np.zeros(n, bool), np.ones(n, bool), focus=True,
        themed=np.array([True, True, False]),
    )  # fmt: skip
    assert contributions["experience"].tolist() == pytest.approx([weight, weight, 0.2 * weight])


def test_the_shipped_cross_border_model_prefers_a_town_across_the_border_at_one_distance():
    # Interreg A partners are neighbours across a border: of two towns alike but for the
    # border, 40 km east (Germany) and 40 km west (the Netherlands) of a Dutch town, the one
    # over the border comes first (the shipped model without ``across_border`` put the Dutch
    # one first: it learned ``abroad`` as a penalty, most foreign cities being far).
    towns = [city(1, "NL", 60_000, 52.0, 7.0), city(2, "DE", 60_000, 52.0, 7.585),
             city(3, "NL", 60_000, 52.0, 6.415)]  # fmt: skip
    ranker = ranker_with(towns, {"cross-border": load_models()["cross-border"]})
    result = ranker.rank(1, 2, purpose="cross-border")
    assert result.ids.tolist() == [2, 3]
    assert result.contributions["proximity"][0] > result.contributions["proximity"][1]


def test_the_shipped_cross_border_model_looks_across_the_border_from_an_inland_town():
    # A Dutch town 120 km from the border: its nearest town across it (120 km east) comes
    # before a Dutch town 30 km west. Counted from the query itself (``across_border``), the
    # shipped model put the town at home first.
    towns = [city(1, "NL", 60_000, 52.0, 5.0), city(2, "DE", 60_000, 52.0, 6.753),
             city(3, "NL", 60_000, 52.0, 4.562)]  # fmt: skip
    ranker = ranker_with(towns, {"cross-border": load_models()["cross-border"]})
    assert ranker.rank(1, 2, purpose="cross-border").ids.tolist() == [2, 3]


def test_the_ranker_knows_which_cities_share_the_querys_nuts_2_region():
    towns = [replace(city(1, "NL", 60_000, 52.0, 7.0), nuts="NL132"),
             replace(city(2, "NL", 60_000, 52.1, 7.0), nuts="NL133"),
             replace(city(3, "NL", 60_000, 52.2, 7.0), nuts="NL211"),
             city(4, "NL", 60_000, 52.3, 7.0)]  # fmt: skip
    regions = ranker_with(towns, {}).regions_
    assert region_mask(regions, "NL13").tolist() == [True, True, False, False]
    assert not region_mask(regions, "").any()


def test_the_shipped_cross_border_model_prefers_a_town_of_the_querys_region_at_one_distance():
    # Two Dutch towns 40 km from a Dutch query, north and south: the one in its NUTS 2 region
    # comes first, all else equal.
    towns = [replace(city(1, "NL", 60_000, 52.0, 6.0), nuts="NL221"),
             replace(city(2, "NL", 60_000, 52.36, 6.0), nuts="NL211"),
             replace(city(3, "NL", 60_000, 51.64, 6.0), nuts="NL224")]  # fmt: skip
    ranker = ranker_with(towns, {"cross-border": load_models()["cross-border"]})
    assert ranker.rank(1, 2, purpose="cross-border").ids.tolist() == [3, 2]


def test_a_linear_fit_never_weighs_having_worked_together_against_a_partner():
    # Rows where the history feature goes with non-partners: fitted freely it would weigh
    # negatively; the fit leaves it out instead and keeps what else it learned.
    rng = np.random.default_rng(1)
    names = ("proximity", "history", "abroad")
    X = rng.random((3000, 3)).astype(np.float32)
    y = X[:, 0] - 0.8 * X[:, 1] - 0.5 * X[:, 2] + 0.1 * rng.standard_normal(3000) > 0.1
    model = fit_purpose_model("test", X, y.astype(int), names, form="linear")
    assert "history" not in model.coefficients
    assert model.coefficients["proximity"] > 0 and model.coefficients["abroad"] < 0


def test_a_boosting_fit_runs_every_round_whatever_its_size():
    # Past 10,000 rows scikit-learn's default stopped on a random tenth of the rows, so the
    # same truth set fitted 13 rounds for one draw of negatives and 60 for the next.
    rng = np.random.default_rng(0)
    X = rng.random((12_000, 2))
    y = (rng.random(12_000) < 0.05 + 0.1 * X[:, 0]).astype(int)
    from sklearn.ensemble import HistGradientBoostingClassifier

    gb = HistGradientBoostingClassifier(**BOOSTING_PARAMS, random_state=0).fit(X, y)
    assert gb.n_iter_ == BOOSTING_PARAMS["max_iter"]


def test_a_querys_sampled_negatives_weigh_together_what_600_unweighted_did():
    rows = [replace(blank_query(g), parts={n: np.zeros(5000, np.float32) for n in FEATURES},
                    km=np.zeros(5000), abroad=np.zeros(5000, bool),
                    located=np.ones(5000, bool)) for g in range(2)]  # fmt: skip
    X, y, weight = purpose_fit.fit_rows(rows)
    assert len(X) == len(y) == len(weight)
    assert y.sum() == 2 and np.all(weight[y == 1] == 1.0)
    assert weight[y == 0].sum() / len(rows) == pytest.approx(600, rel=0.01)
    assert (y == 0).sum() / len(rows) >= 5 * 600 - 2  # five times the draws


def test_a_boosting_fit_reads_the_row_weights():
    # Negatives weighing a fifth each make a partner five times likelier to the fit.
    rng = np.random.default_rng(1)
    X = rng.random((3000, 2))
    y = (rng.random(3000) < 0.2).astype(int)
    names = ("text", "size")
    plain = fit_purpose_model("p", X, y, names, form="additive-boosting")
    weighted = fit_purpose_model("p", X, y, names, form="additive-boosting",
                                 sample_weight=np.where(y == 1, 1.0, 0.2))  # fmt: skip
    shift = weighted.intercept - plain.intercept
    assert shift == pytest.approx(np.log(5), abs=0.2)
