"""Derive the seed's interest profiles from real records; nothing here is declared by a city.

Two sources, each giving weights in [0, 1]:

- **Collaborations.** For a city c with T_c = its collaborations that carry at least one theme,
  ``weight(c, t) = |{p in T_c : t in themes(p)}| / |T_c|``: the share of its themed projects
  on theme t. Provenance ``derived from <collaboration source> projects`` (only keep.eu
  projects carry themes; CORDIS rows have none and add nothing). Only collaborations of kind
  ``project`` count: the caller leaves out the Covenant of Mayors networks and joint plans
  (:mod:`scripts.data_build.covenant_networks`), whose themes restate the commitments below.
- **Covenant of Mayors commitments.** A commitment is a formal, binary decision of the
  council, so it gives weight 1.0 to the themes it is about (:data:`COMMITMENT_THEMES`):
  the 2030 and 2050 targets are emission cuts towards climate neutrality delivered mostly by
  energy measures; the 2020 target is an energy action plan (SEAP); "Mayors Adapt" is
  climate adaptation. Provenance ``derived from Covenant of Mayors commitments``.

One row per (city, kind, theme): when both sources weigh a theme the larger weight is kept and
the provenance names both sources.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

INTEREST = "interest"
COVENANT_PROVENANCE_SOURCE = "Covenant of Mayors commitments"
COMMITMENT_THEMES: dict[str, tuple[str, ...]] = {
    "com2020": ("energy-transition",),
    "com2030": ("climate-neutrality", "energy-transition"),
    "com2050": ("climate-neutrality", "energy-transition"),
    "adaptation": ("climate-adaptation",),
}
WEIGHT_DECIMALS = 4


def collaboration_weights(theme_sets: Iterable[Sequence[str]]) -> dict[str, float]:
    """Share of a city's themed collaborations that carry each theme."""
    themed = [set(themes) for themes in theme_sets if themes]
    if not themed:
        return {}
    counts = Counter(theme for themes in themed for theme in themes)
    return {theme: n / len(themed) for theme, n in counts.items()}


def commitment_weights(commitments: Iterable[str], theme_ids: set[str]) -> dict[str, float]:
    """Weight 1.0 for every vocabulary theme a Covenant commitment is about."""
    return {
        theme: 1.0
        for commitment in commitments
        for theme in COMMITMENT_THEMES.get(commitment, ())
        if theme in theme_ids
    }


def derive_profiles(
    collaborations: Sequence[Sequence],
    members: Sequence[Sequence],
    cities: Sequence[Mapping[str, str]],
    theme_ids: set[str],
) -> list[tuple[str, str, str, float, str]]:
    """Profile rows ``(city_slug, kind, theme_id, weight, provenance)``, sorted.

    ``collaborations`` are projects only, rows starting ``(ref, source, title, programme,
    themes, ...)`` (no ``kind`` cell); ``members`` rows start ``(collaboration_ref, city_slug,
    ...)`` and name only those projects (another ref raises ``KeyError``); ``cities`` are
    ``cities.csv`` records.
    """
    by_ref = {row[0]: (row[1], row[4]) for row in collaborations}
    themes_by_city_source: dict[tuple[str, str], list[Sequence[str]]] = defaultdict(list)
    for ref, slug in sorted({(row[0], row[1]) for row in members}):
        source, themes = by_ref[ref]
        themes_by_city_source[(slug, source)].append([t for t in themes if t in theme_ids])

    weighed: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    for (slug, source), theme_sets in themes_by_city_source.items():
        for theme, weight in collaboration_weights(theme_sets).items():
            weighed[(slug, theme)].append((weight, f"{source} projects"))
    for city in cities:
        commitments = [c for c in city.get("commitments", "").split("|") if c]
        for theme, weight in commitment_weights(commitments, theme_ids).items():
            weighed[(city["slug"], theme)].append((weight, COVENANT_PROVENANCE_SOURCE))

    rows = []
    for (slug, theme), entries in weighed.items():
        weight = max(w for w, _ in entries)
        sources = sorted({source for _, source in entries})
        provenance = "derived from " + " and ".join(sources)
        rows.append((slug, INTEREST, theme, round(weight, WEIGHT_DECIMALS), provenance))
    return sorted(rows)
