"""How a call's parts add up to its rank for a city: theme specificity, declared needs, text,
and suitability for a municipality.

The parts, each in [0, 1]:

``suitability``
    :mod:`matcher.scoring.calls.suitability`: would a municipality go for this call at all?
``needs``
    the city's declared needs met by the call: the share of the needs among the call's themes
    (each weighed by the city's weight and the theme's specificity, and by its prominence in
    the call: its first theme fully, its second half, its third a third; the data build lists
    themes strongest evidence first), times one half plus half how central the needs are to
    the call (cosine of the needs with the call's specificity-weighted themes, or the TF-IDF
    match of the needs' words with the call's text, whichever says more); a call whose themes
    miss the needs, or say less than the text, scores the text match;
``themes``
    cosine of the city's interests and needs with the call's themes, both weighed by theme
    specificity (an inverse document frequency over the calls: "local economy", on 95 of 629
    calls, says less than "sustainable tourism", on 3);
``text``
    TF-IDF cosine of the city's own words (its project descriptions and the descriptions of
    its themes) with the call's title, keywords and description.

``relevance`` is the weighted mean of the last three (needs only when the city declared some,
text only when there is text), and the rank score blends relevance with suitability. A call
a municipality cannot take part in (suitability ``never``) scores 0 whatever its relevance:
it may be listed, never offered at the top.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

__all__ = [
    "PartWeights",
    "blend",
    "needs_part",
    "normalise",
    "normalise_rows",
    "theme_idf",
    "theme_prominence",
]


class PartWeights(Protocol):
    """The weights :func:`blend` reads (``CallFitWeights`` of the ranking has them)."""

    suitability: float
    suitability_with_needs: float
    needs: float
    themes: float
    text: float


def theme_idf(binary: np.ndarray) -> np.ndarray:
    """Smoothed inverse document frequency of each theme column over the calls (rows), as in
    scikit-learn's ``TfidfTransformer``: ``ln((1 + n) / (1 + df)) + 1``."""
    n = binary.shape[0]
    df = (binary > 0).sum(axis=0)
    return (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)


def theme_prominence(
    call_themes: Sequence[Sequence[str]], column_of: Mapping[str, int]
) -> np.ndarray:
    """(calls, themes) prominence of each theme in its call: themes are listed strongest
    evidence first (the data build sorts them so), 1 for the first, 1/2 for the second, and
    so on; 0 where the call lacks the theme. Themes outside ``column_of`` are skipped."""
    matrix = np.zeros((len(call_themes), len(column_of)), dtype=np.float32)
    for row, themes in enumerate(call_themes):
        known = dict.fromkeys(t for t in themes if t in column_of)
        for position, theme in enumerate(known):
            matrix[row, column_of[theme]] = 1.0 / (1 + position)
    return matrix


def needs_part(
    prominence: np.ndarray,
    themes: np.ndarray,
    need_weights: np.ndarray,
    in_text: np.ndarray | None,
) -> np.ndarray:
    """The ``needs`` part of every call (see the module docstring).

    ``prominence`` is :func:`theme_prominence`, ``themes`` the calls' L2-normalised,
    specificity-weighted theme rows, ``need_weights`` the declared need weights times their
    specificity (not all zero), ``in_text`` the scaled TF-IDF match of the needs' words with
    each call's text (None without text)."""
    # Share of the declared needs among the call's themes, each counted by its prominence.
    on_theme = (prominence @ need_weights) / float(need_weights.sum())
    # How central the needs are: cosine with the call's specific themes (a need that is one
    # of six themes counts less than the call's only theme), or the needs' words in its text.
    focus = themes @ normalise(need_weights)
    if in_text is not None:
        focus = np.maximum(focus, in_text)
    needs = on_theme * (0.5 + 0.5 * focus)
    if in_text is not None:
        needs = np.maximum(needs, in_text)
    return needs.astype(np.float32)


def blend(
    suitability: np.ndarray,
    never: np.ndarray,
    needs: np.ndarray | None,
    themes: np.ndarray,
    text: np.ndarray | None,
    weights: PartWeights,
) -> tuple[np.ndarray, np.ndarray]:
    """(score, relevance) for every call from its parts; ``None`` parts are not in play and
    the relevance weights are renormalised over the rest."""
    active = [(weights.themes, themes)]
    if needs is not None:
        active.append((weights.needs, needs))
    if text is not None:
        active.append((weights.text, text))
    total = sum(w for w, _ in active)
    if total <= 0:  # only a zero-weight themes part left: themes alone
        active, total = [(1.0, themes)], 1.0
    relevance = sum(w * part for w, part in active) / total
    relevance = np.clip(relevance, 0.0, 1.0).astype(np.float32)
    share = weights.suitability if needs is None else weights.suitability_with_needs
    score = share * suitability + (1.0 - share) * relevance
    return np.where(never, 0.0, score).astype(np.float32), relevance


def normalise(vector: np.ndarray) -> np.ndarray:
    """``vector`` scaled to unit length (a zero vector stays zero)."""
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Every row of ``matrix`` scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
