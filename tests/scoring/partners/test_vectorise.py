"""ProfileVectoriser: fixed-order theme matrices, TF-IDF text, history and leave-out."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.domain import City, Collaboration, ProfileEntry
from matcher.domain import ProfileKind as Kind
from matcher.scoring.partners.vectorise import ProfileVectoriser, collaboration_text

THEMES = ["energy", "mobility", "waste", "data"]


def city(cid, country="NL", pop=50_000, lat=52.0, lon=6.0, profile=()):
    entries = tuple(
        ProfileEntry(kind, theme, w, "declared by the city") for kind, theme, w in profile
    )
    return City(id=cid, slug=f"c{cid}", name=f"City {cid}", country=country, population=pop,
                lat=lat, lon=lon, profile=entries)  # fmt: skip


def collab(cid, members, themes, title, description=""):
    return Collaboration(id=cid, source="keep.eu", source_ref=f"P{cid}", title=title,
                         themes=tuple(themes), description=description,
                         member_city_ids=tuple(members))  # fmt: skip


CITIES = [
    city(3, profile=[(Kind.INTEREST, "energy", 2.0), (Kind.INTEREST, "waste", 1.0)]),
    city(1, profile=[(Kind.NEED, "data", 1.0), (Kind.OFFER, "mobility", 0.5)]),
    city(2, country="DE", pop=None, lat=None, lon=None),
    city(4, profile=[(Kind.INTEREST, "no-such-theme", 1.0)]),
]
COLLABS = [
    collab(10, [1, 2], ["energy"], "District heating", "district heating networks for towns"),
    collab(11, [1, 3], ["data", "energy"], "Open data for energy", "open data energy towns"),
    collab(12, [2, 3, 4], ["waste"], "Waste towns", "district waste sorting towns"),
]


@pytest.fixture()
def fitted():
    return ProfileVectoriser(min_df=1, max_df=1.0).fit(CITIES, THEMES, collaborations=COLLABS)


def test_fit_returns_self_and_sorts_rows_by_city_id():
    vectoriser = ProfileVectoriser(min_df=1)
    assert vectoriser.fit(CITIES, THEMES, collaborations=COLLABS) is vectoriser
    assert vectoriser.city_ids_.tolist() == [1, 2, 3, 4]


def test_theme_matrices_follow_vocabulary_order_with_unit_rows(fitted):
    row = fitted.rows_of([3])[0]
    np.testing.assert_allclose(
        fitted.interest_[row], np.array([2, 0, 1, 0]) / np.sqrt(5), rtol=1e-6
    )
    assert fitted.interest_.dtype == np.float32
    assert fitted.need_[fitted.rows_of([1])[0]].tolist() == [0, 0, 0, 1]


def test_cities_without_a_profile_and_unknown_themes_get_zero_rows(fitted):
    assert not fitted.interest_[fitted.rows_of([2, 4])].any()


def test_text_rows_equal_tfidf_vectorizer_on_the_city_documents(fitted):
    docs = {1: [0, 1], 2: [0, 2], 3: [1, 2], 4: [2]}
    texts = [" ".join(collaboration_text(COLLABS[i]) for i in docs[c]) for c in (1, 2, 3, 4)]
    reference = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=1, max_df=1.0)
    expected = reference.fit_transform(texts).toarray()
    np.testing.assert_allclose(fitted.text_.toarray(), expected, atol=1e-6)


def test_partner_counts_are_symmetric_shared_collaboration_counts(fitted):
    counts = fitted.partner_counts_.toarray()
    assert (counts == counts.T).all()
    assert counts.diagonal().sum() == 0
    r1, r2, r3 = fitted.rows_of([1, 2, 3])
    assert counts[r1, r2] == 1 and counts[r2, r3] == 1 and counts[r1, r3] == 1


def test_experience_counts_project_themes_per_city(fitted):
    r3 = fitted.rows_of([3])[0]
    expected = np.log1p(np.array([1, 0, 1, 1], np.float32))
    np.testing.assert_allclose(fitted.experience_[r3], expected / np.linalg.norm(expected))
    assert fitted.project_count_.tolist() == [2, 2, 2, 1]


def test_a_project_without_another_city_is_experience_but_no_partnership():
    alone = replace(
        collab(13, [4], ["mobility"], "Bus lanes", "bus lanes for towns"),
        source="CORDIS Horizon Europe",
    )  # a research project
    vectoriser = ProfileVectoriser(min_df=1, max_df=1.0)
    vectoriser.fit(CITIES, THEMES, collaborations=[*COLLABS, alone])
    r4 = vectoriser.rows_of([4])[0]
    assert vectoriser.experience_[r4][THEMES.index("mobility")] > 0
    assert "bus" in vectoriser.terms_ and vectoriser.text_[r4, vectoriser.vocabulary_["bus"]] > 0
    assert vectoriser.project_count_.tolist() == [2, 2, 2, 1]  # as without it
    # no partnership of any purpose, but a research project all the same (RECORD_COLUMNS)
    assert vectoriser.vectors_.purpose_counts[r4].tolist() == [0, 0, 0, 1]
    own = [c for c in (*COLLABS, alone) if 4 in c.member_city_ids]
    transformed = vectoriser.transform([CITIES[3]], collaborations=own)
    assert transformed.project_count.tolist() == [1]
    assert transformed.purpose_counts.tolist() == [[0, 0, 0, 1]]
    np.testing.assert_allclose(transformed.experience[0], vectoriser.experience_[r4])
    left = vectoriser.leave_out([len(COLLABS)])  # the research project, hidden
    assert left.city_ids.tolist() == [4]
    assert left.purpose_counts.tolist() == [[0, 0, 0, 0]]


NETWORK = Collaboration(id=20, source="CoM", source_ref="N20", title="Energy Cities",
                        themes=("energy",), description="network of energy cities",
                        member_city_ids=(1, 2, 3, 4), kind="network")  # fmt: skip
PLAN = Collaboration(id=21, source="CoM", source_ref="J21", title="Joint plan",
                     member_city_ids=(1, 4), kind="joint-plan")  # fmt: skip


def test_networks_are_not_projects_but_size_discounted_ties():
    vectoriser = ProfileVectoriser(min_df=1, max_df=1.0)
    vectoriser.fit(CITIES, THEMES, collaborations=[*COLLABS, NETWORK, PLAN])
    plain = ProfileVectoriser(min_df=1, max_df=1.0).fit(CITIES, THEMES, collaborations=COLLABS)
    assert vectoriser.project_count_.tolist() == plain.project_count_.tolist()
    np.testing.assert_allclose(vectoriser.experience_, plain.experience_)
    np.testing.assert_allclose(vectoriser.text_.toarray(), plain.text_.toarray(), atol=1e-6)
    r1, r2, r4 = vectoriser.rows_of([1, 2, 4])
    overlap = vectoriser.vectors_.network_overlap.toarray()
    assert overlap[r1, r2] == pytest.approx(1 / np.log2(4)) and overlap[r1, r1] == 0
    partners = vectoriser.partner_counts_.toarray()
    assert partners[r1, r4] == 1  # the joint plan is shared work, the network is not
    ties = vectoriser.vectors_.ties.toarray()
    assert ties[r1, r4] == pytest.approx(1 / 3 + 1)  # network of 4, plan of 2
    assert ties[r1, r2] == pytest.approx(1 / 3 + 1)  # network of 4, project of 2


def test_missing_population_and_coordinates_are_nan(fitted):
    r2 = fitted.rows_of([2])[0]
    assert np.isnan(fitted.population_[r2]) and np.isnan(fitted.lat_rad_[r2])
    assert np.isnan(fitted.log_population_[r2])


def test_transform_of_a_fitted_city_reproduces_its_row(fitted):
    own = [c for c in COLLABS if 3 in c.member_city_ids]
    vectors = fitted.transform([CITIES[0]], collaborations=own)
    r3 = fitted.rows_of([3])[0]
    np.testing.assert_allclose(vectors.text.toarray()[0], fitted.text_.toarray()[r3], atol=1e-6)
    np.testing.assert_allclose(vectors.experience[0], fitted.experience_[r3])
    assert (
        vectors.partner_counts.toarray()[0].tolist()
        == fitted.partner_counts_.toarray()[r3].tolist()
    )


def test_leave_out_equals_vectorising_without_the_collaboration(fitted):
    hidden = fitted.leave_out([2])  # "Waste towns", members 2, 3, 4
    assert hidden.city_ids.tolist() == [2, 3, 4]
    others = [c for c in COLLABS if c.id != 12]
    for pos, cid in enumerate(hidden.city_ids):
        source = next(c for c in CITIES if c.id == cid)
        own = [c for c in others if cid in c.member_city_ids]
        expected = fitted.transform([source], collaborations=own)
        np.testing.assert_allclose(hidden.text[pos].toarray(), expected.text.toarray(), atol=1e-6)
        np.testing.assert_allclose(hidden.experience[pos], expected.experience[0])
        assert (hidden.partner_counts[pos].toarray() == expected.partner_counts.toarray()).all()
        np.testing.assert_allclose(hidden.ties[pos].toarray(), expected.ties.toarray())
        assert hidden.project_count[pos] == len(own)


def test_leave_out_of_a_network_removes_its_ties_and_overlap_exactly():
    vectoriser = ProfileVectoriser(min_df=1, max_df=1.0)
    vectoriser.fit(CITIES, THEMES, collaborations=[*COLLABS, NETWORK])
    plain = ProfileVectoriser(min_df=1, max_df=1.0).fit(CITIES, THEMES, collaborations=COLLABS)
    hidden = vectoriser.leave_out([3])
    rows = plain.rows_of(hidden.city_ids)
    assert hidden.network_overlap.nnz == 0
    np.testing.assert_array_equal(hidden.ties.toarray(), plain.vectors_.ties[rows].toarray())


def test_duplicate_city_ids_are_rejected():
    with pytest.raises(ValueError, match="unique"):
        ProfileVectoriser().fit([city(1), city(1)], THEMES)


def test_no_text_at_all_gives_an_empty_text_space():
    vectoriser = ProfileVectoriser().fit(CITIES, THEMES)
    assert vectoriser.text_.shape == (4, 0)


def test_a_pickled_vectoriser_ranks_and_transforms_like_the_original():
    import pickle

    from matcher.domain import City, Collaboration

    cities = [
        City(id=i, slug=f"x-{i}", name=f"Town {i}", country="NL", population=30000 + i,
             lat=52.0 + i / 10, lon=5.0)
        for i in range(1, 5)
    ]  # fmt: skip
    collaborations = [
        Collaboration(id=1, source="test", source_ref="a", title="Cycling lanes and bikes",
                      description="Safe cycling lanes for commuters", member_city_ids=(1, 2)),
        Collaboration(id=2, source="test", source_ref="b", title="Cycling schools",
                      description="Teaching cycling in schools", member_city_ids=(3, 4)),
    ]  # fmt: skip
    fitted = ProfileVectoriser(min_df=1).fit(cities, ["mobility-transition"],
                                             collaborations=collaborations)  # fmt: skip
    loaded = pickle.loads(pickle.dumps(fitted))
    assert loaded.tfidf_ is None
    assert loaded.top_shared_terms(0, 2) == fitted.top_shared_terms(0, 2)
    new_city = City(id=9, slug="x-9", name="Town 9", country="NL")
    texts = {9: "cycling lanes"}
    original = fitted.transform([new_city], texts=texts).text.toarray()
    again = loaded.transform([new_city], texts=texts).text.toarray()
    assert (original == again).all() and original.any()
