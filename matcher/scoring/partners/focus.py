"""How far a theme focus reaches: which cities hold a focus theme, and how much a focus
counts at each distance from the query (:func:`neighbourhood`).

A focus reorders the query's surroundings, not Europe: else the few cities best on a theme
would top every list. Themes are sparse in the data, so the surroundings widen to the nearest
cities the list can show that have projects on the theme. It reads places and projects only,
never a profile, so a profile edit cannot move it. Used by
:func:`matcher.scoring.partners.purposes.purpose_contributions`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "FOCUS_NEARER",
    "FOCUS_NEIGHBOURS",
    "FOCUS_REGION",
    "FOCUS_THEMED",
    "FocusCoverage",
    "coverage",
    "focus_holders",
    "focus_vector",
    "neighbourhood",
]

#: A theme focus reorders the query's surroundings: in full within the distance of its
#: this-many nearest located cities (or farther, to its :data:`FOCUS_THEMED` nearest holders
#: of the theme), fading (e-fold per that distance) beyond. Under a purpose led by place
#: (:func:`~matcher.scoring.partners.purposes.place_led`) the surroundings are the
#: neighbourhood, so a focused cross-border list stays a list of neighbours; under the others
#: they are the wider region (several hundred kilometres), so a focus does not hand every
#: list in Europe the same few cities that are best on the theme (hubs) while distance still
#: decides little inside it.
FOCUS_NEIGHBOURS = 200
#: 600, not 1,500: with 1,500 a handful of cities best on one theme (Budapest, Weiz, Valjevo)
#: were in 6-9 of the 15 focused top-5 lists of ``benchmarks/purposes.py`` under transnational,
#: research and peer exchange; with 600 none is in more than 4, held-out nDCG@10 unchanged.
FOCUS_REGION = 600
#: A focus's surroundings (the neighbourhood, or the region) are never narrower than the
#: distance of the this-many nearest cities with past projects on a focus theme: themes are
#: sparse in the data (one city in a hundred has a project on mobility), and a focus whose
#: surroundings hold two such cities cannot steer a list of ten (``benchmarks/purposes.py``:
#: with 200 neighbours alone, 9 of 15 focused lists changed by 4 or more under ``any`` and
#: ``cross-border``). Under the purposes not led by place the region alone was kept until
#: 2026-12-06; widened so, over 15 draws of one city per country (``benchmarks/purposes.py
#: --draws 15``, 690 cities, sets of 15 for the hub bar) a transnational focus changes 4 or
#: more of the top 10 for 95.9% of the cities (was 72.2%) and 6 or more focused partners
#: name the theme for 91.4% (61.0%); peer exchange 88.8% (74.3%) and 59.3% (42.5%). The
#: cost: sets of 15 with a city in more than 4 focused top-5 lists, transnational 8 of 45
#: (was 0), peer exchange 4 (0): a holder of a theme where holders are few (Slovenska
#: Bistrica) is near many countries' queries. Held out (``matcher evaluate --purpose
#: transnational``, focused as the truth's themes): nDCG@10 0.038 [0.025, 0.054], was 0.036
#: [0.022, 0.052].
#: The holders counted are those the list can show (its size, country and distance filters
#: applied, never the query): until 2026-12-06 they were every holder, and where the nearest
#: were villages under 20,000 or cities over 500,000, hidden by the default view, the reach
#: stopped short of the towns the list could show (Tallinn, circular economy: 5 of its 10
#: nearest holders are villages; 5 of its focused ten named the theme).
#: 8, not 10 (2026-12-06): a wider reach lets the region's most active holders top the
#: focused lists of every query in it (focused hubs), a narrower one stops steering. Sets of
#: 15 meeting every focus and hub bar (``benchmarks/purposes.py --draws 30``, 90 sets),
#: ``any``, at 6, 7, 8, 9, 10, 15 and 20: 53, 54, 59, 59, 51, 46 and 18; over 60 draws (180
#: sets) 115 at 8, 103 at 10. At 8 against 10: research 36 (32), peer exchange 21 (9),
#: transnational 31 (33). Held out, focused (``matcher evaluate``): cross-border 0.233,
#: transnational 0.039, research 0.098, as at 10. (Measured before circular economy stopped
#: counting the natural-resource projects keep.eu files under a broad label: see
#: ``data/README.md``.)
FOCUS_THEMED = 8
#: Within a focus's surroundings a nearer holder of the theme counts a little more: the
#: focus's weight falls by this share from the query to the edge of its reach
#: (:func:`neighbourhood`), so that of the holders in reach each query gets its nearest, not
#: the region's most active. Measured with ``benchmarks/purposes.py --draws 30`` (1,380
#: cities, 90 sets of 15, the default view), with the reach counting shown holders only:
#: sets of 15 in which every city's focus changes 4 or more of the top 10 and names the
#: theme 6 or more times and no city is in more than 4 plain or focused top-5 lists, at 0,
#: 0.1 and 0.2: ``any`` 47, 50 and 54; transnational 19, 19 and 13; research 26, 34 and 26;
#: peer exchange 11, 9 and 5 (before both changes: 36, 7, 5 and 0). Held out (``matcher
#: evaluate --purpose P``, focused on the truth's themes, 1,000 resamples) cross-border
#: 0.233 [0.200, 0.270] and research 0.092 [0.066, 0.121] do not move, transnational 0.037
#: [0.025, 0.052] (was 0.038 [0.025, 0.054]).
FOCUS_NEARER = 0.1


def focus_vector(theme_ids: Sequence[str], theme_focus: Collection[str] | None) -> np.ndarray:
    """1 on the focus themes, 0 elsewhere, over ``theme_ids`` (unknown themes are ignored)."""
    wanted = set(theme_focus or ())
    return np.array([1.0 if t in wanted else 0.0 for t in theme_ids], np.float32)


@dataclass(frozen=True, slots=True)
class FocusCoverage:
    """How many cities a list can show hold a focus theme, and the nearest of them: what the
    user needs to read a focused list where the theme is rare in the data."""

    theme: str
    #: Cities the list's filters admit (never the query) with a past project on the theme.
    holders: int
    #: The nearest located holders, nearest first, with their distance from the query (km);
    #: empty when the query's place is unknown.
    nearest_ids: tuple[int, ...] = ()
    nearest_km: tuple[float, ...] = ()


def coverage(experience: np.ndarray, theme_ids: Sequence[str], theme_focus: Collection[str],
             shown: np.ndarray, km: np.ndarray | None, city_ids: np.ndarray,
             nearest: int = 3) -> tuple[FocusCoverage, ...]:  # fmt: skip
    """Per focus theme (in ``theme_ids`` order), the :class:`FocusCoverage` of a list that
    shows the rows ``shown``: holders counted from projects only (:func:`focus_holders`), and
    the ``nearest`` located ones by ``km`` (None or NaN: place unknown)."""
    wanted, out = set(theme_focus), []
    for theme in (t for t in theme_ids if t in wanted):
        holders = focus_holders(experience, focus_vector(theme_ids, [theme])) & shown
        ids: tuple[int, ...] = ()
        dists: tuple[float, ...] = ()
        if km is not None:
            rows = np.flatnonzero(holders & np.isfinite(km))
            rows = rows[np.argsort(km[rows], kind="stable")[:nearest]]
            ids = tuple(int(i) for i in city_ids[rows])
            dists = tuple(float(d) for d in km[rows])
        out.append(FocusCoverage(theme, int(holders.sum()), ids, dists))
    return tuple(out)


def focus_holders(experience: np.ndarray, focus: np.ndarray) -> np.ndarray:
    """Per city, whether it has past projects on a focus theme (``experience``: cities x
    themes, ``focus``: a vector over the themes, non-zero on the focus). Projects only, never
    the declared profile, so a profile edit cannot move the focus's surroundings."""
    columns = np.flatnonzero(np.asarray(focus) > 0)
    return (np.asarray(experience)[:, columns] > 0).any(axis=1)


def neighbourhood(km: np.ndarray, located: np.ndarray, size: int = FOCUS_NEIGHBOURS,
                  themed: np.ndarray | None = None, widest_km: float = np.inf,
                  nearer: float = 0.0) -> np.ndarray:  # fmt: skip
    """Per candidate, how much a focus counts: 1 within the reach, fading exponentially
    beyond (per that distance); 0 where either place is unknown. The reach is the distance of
    the query's ``size`` nearest located cities, widened to that of its
    :data:`FOCUS_THEMED` nearest located ``themed`` cities (:func:`focus_holders`) when
    those are farther, up to ``widest_km``. With ``nearer`` the weight also falls linearly
    within the reach, from 1 at the query to ``1 - nearer`` at its edge (and stays that share
    of the fade beyond). It depends on places and projects only, never on profiles, so a
    profile edit cannot move it."""
    km = np.asarray(km, np.float64)
    located = np.asarray(located, bool)
    out = np.zeros(len(km), np.float32)
    if not located.any():
        return out
    known = km[located]
    k = min(size, len(known) - 1)
    reach = max(float(np.partition(known, k)[k]), 1.0)
    if themed is not None:
        holders = km[located & np.asarray(themed, bool)]
        if len(holders):
            k = min(FOCUS_THEMED, len(holders)) - 1
            reach = max(reach, min(float(np.partition(holders, k)[k]), widest_km))
    out[located] = np.exp(-np.maximum(known - reach, 0.0) / reach)
    if nearer:
        out[located] *= 1.0 - nearer * np.minimum(known / reach, 1.0)
    return out
