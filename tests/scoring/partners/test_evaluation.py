"""Evaluation: metrics, paired cluster bootstrap, leave-group-out without leakage."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.domain import City, Collaboration, ProfileEntry, ProfileKind
from matcher.scoring.partners.evaluate import (
    BASELINES,
    TruthGroup,
    bootstrap_ci,
    compare_to_baselines,
    coordinate_ascent,
    evaluate,
    iter_queries,
    metrics_from_ranks,
    relevant_ranks,
    without_collaboration_derived,
)
from matcher.scoring.partners.ranker import PartnerRanker
from matcher.scoring.partners.vectorise import ProfileVectoriser

THEMES = ["energy", "waste"]


def cities(n=12):
    return [City(id=i, slug=f"c{i}", name=f"C{i}", country="DE" if i % 2 else "FR",
                 population=10_000 * i, lat=48.0 + i / 10, lon=7.0 + i / 10)
            for i in range(1, n + 1)]  # fmt: skip


def project(cid, members, title="Heat", themes=("energy",)):
    return Collaboration(id=cid, source="keep.eu", source_ref=f"P{cid}", title=title,
                         themes=themes, description=f"{title} towns network",
                         member_city_ids=tuple(members))  # fmt: skip


def test_metrics_of_known_ranks():
    values = metrics_from_ranks(np.array([1, 3, 20]), k=10)
    assert values["recall@10"] == pytest.approx(2 / 3)
    ideal = 1 + 1 / np.log2(3) + 1 / np.log2(4)
    assert values["ndcg@10"] == pytest.approx((1 + 1 / np.log2(4)) / ideal)
    assert values["mrr"] == 1.0


def test_ranks_skip_the_query_and_break_ties_by_key():
    scores = np.array([5.0, 1.0, 1.0, 9.0])  # row 3 is the query
    ranks = relevant_ranks(scores, np.array([2]), query_row=3, tie_key=np.array([0, 0.9, 0.1, 0]))
    assert ranks.tolist() == [2]


def test_bootstrap_is_deterministic_and_brackets_the_mean():
    values = np.random.default_rng(1).random(200)
    clusters = np.arange(200) // 4
    first = bootstrap_ci(values, clusters, n_boot=300, seed=7)
    assert first == bootstrap_ci(values, clusters, n_boot=300, seed=7)
    assert first[0] < values.mean() < first[1]


def test_hidden_group_leaves_no_trace_in_member_features():
    group = project(1, [1, 2, 3], title="Unique lighthouse alpha")
    vectoriser = ProfileVectoriser(min_df=1, max_df=1.0).fit(
        cities(), THEMES, collaborations=[group, project(2, [4, 5])]
    )
    ranker = PartnerRanker().fit(vectoriser)
    truth = [TruthGroup("P1", (1, 2, 3), ("energy",), 2017)]
    for query in iter_queries(vectoriser, [group], truth):
        parts, _active = ranker.score_parts(query.city_id, overrides=query.overrides)
        for name in ("history", "text", "experience", "track_record", "networks",
                     "common_partners"):  # fmt: skip
            assert not parts[name][query.relevant_rows].any(), name


def test_hidden_group_cannot_link_members_through_the_graph():
    # Members 1, 2, 3 are only connected by the hidden project and the hidden network twin;
    # 3 and 4 share another project, 1 and 5 a network.
    group = project(1, [1, 2, 3], title="Hidden")
    network = Collaboration(id=2, source="CoM", source_ref="N2", title="Hidden",
                            member_city_ids=(1, 2, 3), kind="network")  # fmt: skip
    others = [group, network, project(3, [3, 4], "Other"),
              Collaboration(id=4, source="CoM", source_ref="N4", title="Energy Cities",
                            member_city_ids=(1, 5, 6), kind="network")]  # fmt: skip
    vectoriser = ProfileVectoriser(min_df=1, max_df=1.0).fit(cities(), THEMES,
                                                              collaborations=others)  # fmt: skip
    ranker = PartnerRanker().fit(vectoriser)
    full, _ = ranker.score_parts(1)
    assert full["common_partners"][vectoriser.rows_of([4])[0]] > 0  # 1 - 3 - 4 before hiding
    truth = [TruthGroup("P1", (1, 2, 3), (), 2017)]
    queries = list(iter_queries(vectoriser, others, truth))
    assert len(queries) == 3
    for query in queries:
        parts, _active = ranker.score_parts(query.city_id, overrides=query.overrides)
        for name in ("history", "networks", "common_partners"):
            assert not parts[name][query.relevant_rows].any(), (query.city_id, name)
    first, _ = ranker.score_parts(1, overrides=queries[0].overrides)
    assert first["common_partners"][vectoriser.rows_of([4])[0]] == 0
    assert first["networks"][vectoriser.rows_of([5])[0]] > 0  # other networks still count


def test_the_stronger_popularity_counts_projects_without_another_city_but_not_the_hidden():
    group = project(1, [1, 2], title="Hidden")
    alone = [project(pid, [5], title=f"Own {pid}") for pid in (2, 3)]  # city 5: two of its own
    paired = project(4, [6, 7], title="Paired")  # cities 6 and 7: one partnership each
    collabs = [group, *alone, paired]
    vectoriser = ProfileVectoriser(min_df=1, max_df=1.0).fit(cities(), THEMES,
                                                             collaborations=collabs)  # fmt: skip
    ranker = PartnerRanker().fit(vectoriser)
    query = next(iter_queries(vectoriser, collabs, [TruthGroup("P1", (1, 2), (), 2017)]))
    rng = np.random.default_rng(0)
    plain = BASELINES["popularity"](query, ranker, rng)
    every = BASELINES["popularity-every-project"](query, ranker, rng)
    five, six, two = vectoriser.rows_of([5, 6, 2])
    assert plain[five] == 0 < plain[six]  # partnerships only
    assert every[five] > every[six] > 0  # every project
    assert every[two] == 0  # the hidden group counts for neither member


def test_profile_entries_derived_from_collaborations_are_dropped():
    derived = ProfileEntry(ProfileKind.INTEREST, "energy", 1.0, "derived from keep.eu projects")
    declared = ProfileEntry(ProfileKind.INTEREST, "waste", 1.0, "declared by the city")
    city = City(id=1, slug="a", name="A", country="DE", profile=(derived, declared))
    assert without_collaboration_derived([city])[0].profile == (declared,)


def test_evaluate_reports_every_method_with_intervals():
    collabs = [project(1, [1, 3, 5]), project(2, [2, 4]), project(3, [1, 3], "Waste")]
    truth = [TruthGroup("P1", (1, 3, 5), ("energy",), 2017, unmatched=1),
             TruthGroup("P2", (2, 4), (), 2018)]  # fmt: skip
    report = evaluate(cities(), collabs, truth, theme_ids=THEMES, truth="toy", n_boot=50)
    assert report["queries"] == 5 and report["match_rate"] == pytest.approx(5 / 6)
    names = [m["method"] for m in report["methods"]]
    assert names == ["engine", "random", "popularity", "popularity-every-project",
                     "same-country", "nearest-population", "nearest-distance",
                     "theme-only"]  # fmt: skip
    for method in report["methods"]:
        low, high = method["ndcg@10"]["ci95"]
        assert low <= method["ndcg@10"]["value"] <= high


def method(name, value, low, high):
    return {"method": name, "ndcg@10": {"value": value, "ci95": [low, high]}}


def test_the_comparison_is_against_the_best_baseline_with_its_ratio():
    methods = [
        method("engine", 0.3, 0.2, 0.4),
        method("random", 0.01, 0.0, 0.02),
        method("popularity", 0.1, 0.05, 0.15),
        method("same-country", 0.05, 0.0, 0.1),
    ]
    assert compare_to_baselines(methods) == {"metric": "ndcg@10", "best_baseline": "popularity",
                                             "ratio": pytest.approx(3.0),
                                             "intervals_apart": True}  # fmt: skip


def test_intervals_that_touch_are_not_apart():
    methods = [method("engine", 0.3, 0.15, 0.4), method("popularity", 0.1, 0.05, 0.15)]
    assert compare_to_baselines(methods)["intervals_apart"] is False


def test_a_baseline_at_zero_gives_no_ratio_and_no_engine_no_comparison():
    methods = [method("engine", 0.3, 0.0, 0.4), method("random", 0.0, 0.0, 0.0)]
    assert compare_to_baselines(methods)["ratio"] is None
    assert compare_to_baselines(methods[1:]) is None
    assert compare_to_baselines(methods[:1]) is None


def test_evaluate_reports_the_engine_against_its_best_baseline():
    collabs = [project(1, [1, 3, 5]), project(2, [2, 4]), project(3, [1, 3], "Waste")]
    truth = [TruthGroup("P1", (1, 3, 5), ("energy",), 2017), TruthGroup("P2", (2, 4), (), 2018)]
    report = evaluate(cities(), collabs, truth, theme_ids=THEMES, truth="toy", n_boot=50)
    baselines = [m for m in report["methods"] if m["method"] != "engine"]
    best = max(baselines, key=lambda m: m["ndcg@10"]["value"])
    assert report["comparison"]["best_baseline"] == best["method"]


def test_coordinate_ascent_is_deterministic_and_finds_the_grid_optimum():
    calls = []

    def objective(w):
        calls.append(tuple(w))
        return -((w[0] - 0.5) ** 2) - (w[1] - 1.0) ** 2 + 0.1 * w[0] * w[1]

    grid = (0.0, 0.25, 0.5, 1.0, 2.0)
    first, score = coordinate_ascent(objective, [0.0, 0.0], grid)
    trace = list(calls)
    calls.clear()
    second, again = coordinate_ascent(objective, [0.0, 0.0], grid)
    assert first.tolist() == second.tolist() and score == again and calls == trace
    best = max(((a, b) for a in grid for b in grid), key=lambda w: objective(np.array(w)))
    assert tuple(first) == best


def test_coordinate_ascent_keeps_the_earlier_value_on_ties():
    weights, score = coordinate_ascent(lambda w: 1.0, [0.3], (0.0, 1.0))
    assert weights.tolist() == [0.3] and score == 1.0


def test_a_purpose_is_evaluated_by_grouped_cross_validation_in_the_same_shape():
    collabs = [project(1, [1, 3, 5]), project(2, [2, 4]), project(3, [1, 3], "Waste")]
    truth = [TruthGroup("P1", (1, 3, 5), ("energy",), 2017), TruthGroup("P2", (2, 4), (), 2018)]
    report = evaluate(cities(), collabs, truth, theme_ids=THEMES, truth="toy", n_boot=50,
                      purpose="peer-exchange")  # fmt: skip
    assert report["settings"]["engine_scoring"] == "grouped 5-fold cross-validation"
    engine = report["methods"][0]
    assert engine["method"] == "engine" and set(engine) == {"method", "recall@10", "ndcg@10",
                                                            "mrr"}  # fmt: skip


def test_groups_the_data_does_not_hold_are_scored_with_the_shipped_model():
    collabs = [project(3, [1, 3], "Waste")]
    truth = [TruthGroup("elsewhere", (2, 4), (), 2018)]
    report = evaluate(cities(), collabs, truth, theme_ids=THEMES, truth="toy", n_boot=50,
                      purpose="peer-exchange")  # fmt: skip
    assert report["settings"]["engine_scoring"].startswith("shipped model")


def _five_projects(themed: bool = False):
    """Five toy projects of the cities of :func:`cities` and their truth groups; ``themed``:
    each project on one theme, which its truth group names (so queries are focused on it)."""
    collabs = [
        project(i, members, f"Project {i}", **({"themes": (THEMES[i % 2],)} if themed else {}))
        for i, members in enumerate([[1, 3, 5], [2, 4], [6, 8], [7, 9], [10, 12]], 1)
    ]
    truth = [TruthGroup(f"P{i}", c.member_city_ids, c.themes if themed else (), 2017)
             for i, c in enumerate(collabs, 1)]  # fmt: skip
    return collabs, truth


def test_each_fold_prices_hubs_in_a_world_without_its_own_groups(monkeypatch):
    # A hidden member's price must be that of the city it is without the hidden project:
    # priced with it, a member can escape (or pay) a price its features do not explain.
    from matcher.scoring.partners import hubs

    seen = []
    real = hubs.prior_inputs

    def recording(ranker, rows=None, overrides=None, geography="any"):
        seen.append(set() if overrides is None else set(overrides.city_ids.tolist()))
        return real(ranker, rows, overrides, geography)

    monkeypatch.setattr(hubs, "prior_inputs", recording)
    collabs, truth = _five_projects()
    evaluate(cities(), collabs, truth, theme_ids=THEMES, truth="toy", n_boot=20,
             purpose="research", folds=5)  # fmt: skip
    assert len(seen) == 5  # one world per fold
    hidden_members = sorted(sorted(s) for s in seen)
    assert hidden_members == sorted(sorted(c.member_city_ids) for c in collabs)


def test_a_geography_mode_is_priced_on_its_own_prior_in_each_fold(monkeypatch):
    # Served, a "far" list pays the prices of far lists; evaluated in that mode, each fold
    # must price the same prior, from inputs that carry the mode's part.
    from matcher.scoring.partners import hubs

    modes = []
    real_inputs, real_scores = hubs.prior_inputs, hubs.prior_scores

    def inputs(ranker, rows=None, overrides=None, geography="any"):
        modes.append(("inputs", geography))
        return real_inputs(ranker, rows, overrides, geography)

    def scores(models, inputs, n, keep=None, focus=None, view=None, geography="any"):
        modes.append(("prior", geography))
        return real_scores(models, inputs, n, keep, focus, view, geography)

    monkeypatch.setattr(hubs, "prior_inputs", inputs)
    monkeypatch.setattr(hubs, "prior_scores", scores)
    collabs, truth = _five_projects()
    evaluate(cities(), collabs, truth, theme_ids=THEMES, truth="toy", n_boot=20,
             purpose="research", folds=5, geography="far")  # fmt: skip
    assert modes and set(modes) == {("inputs", "far"), ("prior", "far")}


def test_a_focused_query_pays_the_prices_of_its_focus_in_each_fold(monkeypatch):
    # The engine is evaluated with each project's themes as its focus; served, a focused
    # list pays its focus's own prices, so each fold must price that focus too.
    from matcher.scoring.partners import hubs

    focuses = []
    real = hubs.prior_scores

    def recording(models, inputs, n, keep=None, focus=None, view=None, geography="any"):
        focuses.append(None if focus is None else tuple(np.flatnonzero(focus).tolist()))
        return real(models, inputs, n, keep, focus, view, geography)

    monkeypatch.setattr(hubs, "prior_scores", recording)
    collabs, truth = _five_projects(themed=True)
    evaluate(cities(), collabs, truth, theme_ids=THEMES, truth="toy", n_boot=20,
             purpose="research", folds=5)  # fmt: skip
    # One prior per fold and focus: each fold holds one group, focused on its one theme.
    assert sorted(focuses) == sorted((THEMES.index(c.themes[0]),) for c in collabs)
