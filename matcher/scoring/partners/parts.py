"""The per-candidate score parts as vectorised numpy functions, and the top-k selection.

Pure functions of arrays, shared by the ranker (all candidates at once) and the explanation of
the top rows.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from matcher.domain import SIZE_BANDS
from matcher.scoring.partners.vectorise import ProfileVectors
from matcher.scoring.partners.weights import (
    EARTH_RADIUS_KM,
    GEOGRAPHY_MODES,
    PEER_SIZE_HALF_RATIO,
    PEER_SIZE_UNKNOWN,
    PROXIMITY_SCALE_KM,
    SIZE_FULL,
    SIZE_SMALLEST,
    SIZE_UNKNOWN_POPULATION,
    TRACK_RECORD_FULL,
)

__all__ = ["band_mask", "combine", "near_misses", "top_k"]


def combine(parts: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """Weighted sum of the parts (a new float32 array)."""
    total = None
    for name, weight in weights.items():
        if weight:
            term = parts[name] * np.float32(weight)
            total = term if total is None else total + term
    if total is None:
        return np.zeros(len(next(iter(parts.values()))), np.float32)
    return total.astype(np.float32, copy=False)


def near_misses(scores: np.ndarray, top: np.ndarray, k: int, margin: float) -> np.ndarray:
    """Positions of the candidates left out of the top ``k`` (``top``) whose score is within
    ``margin`` of the last one listed (a hair wider for float32 rounding): with ``margin``
    what an edit of a candidate's own profile can add to its score (:data:`PROFILE_PARTS`),
    the only candidates such an edit can bring into the list. Empty when the list is not full
    (it then holds every admissible candidate)."""
    if len(top) < k:
        return np.zeros(0, np.int64)
    last = float(scores[top[-1]])
    floor = last - margin * 1.001 - 1e-5 * max(abs(last), 1.0)
    return np.setdiff1d(np.flatnonzero(scores >= floor), top, assume_unique=True)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` best finite scores: score descending, then position ascending
    (the index is sorted by city id, so ties go to the lower id)."""
    n = len(scores)
    k = min(k, n)
    if k <= 0:
        return np.zeros(0, np.int64)
    if k < n:
        candidates = np.argpartition(scores, n - k)[n - k :]
        kth = scores[candidates].min()
        above = candidates[scores[candidates] > kth]
        tied = np.flatnonzero(scores == kth)[: k - len(above)]
        candidates = np.concatenate([above, tied])
    else:
        candidates = np.arange(n)
    candidates = candidates[np.isfinite(scores[candidates])]
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order]


def check_geography(geography: str) -> None:
    if geography not in GEOGRAPHY_MODES:
        raise ValueError(f"geography must be one of {GEOGRAPHY_MODES}, not {geography!r}")


def spread(rows: np.ndarray, values: np.ndarray, at: np.ndarray | None, n: int) -> np.ndarray:
    """Dense values of a sparse (sorted ``rows``, ``values``) vector at index rows ``at``
    (all ``n`` rows when None)."""
    out = np.zeros(n, np.float32)
    if rows.size == 0:
        return out
    if at is None:
        out[rows] = values
        return out
    pos = np.minimum(np.searchsorted(rows, at), rows.size - 1)
    hit = rows[pos] == at
    out[hit] = values[pos[hit]]
    return out


def km(cosine: np.ndarray) -> np.ndarray:
    return np.arccos(np.clip(cosine, -1.0, 1.0)) * np.float32(EARTH_RADIUS_KM)


def proximity(cosine: np.ndarray, has_coords: np.ndarray) -> np.ndarray:
    value = np.exp(km(cosine) * np.float32(-1.0 / PROXIMITY_SCALE_KM))
    value *= has_coords
    return value


def peer_size(log_population: np.ndarray, query_log_population: float) -> np.ndarray:
    if np.isnan(query_log_population):
        return np.zeros(len(log_population), np.float32)
    gap = np.abs(log_population - np.float32(query_log_population))
    peer = np.exp(gap * np.float32(-np.log(2.0) / np.log(PEER_SIZE_HALF_RATIO)))
    return np.nan_to_num(peer, copy=False, nan=PEER_SIZE_UNKNOWN)


def size(log_population: np.ndarray) -> np.ndarray:
    """The candidate's own size in [0, 1] (log population, :data:`SIZE_SMALLEST` to
    :data:`SIZE_FULL`); that of :data:`SIZE_UNKNOWN_POPULATION` when unknown."""
    low, high = np.log(SIZE_SMALLEST), np.log(SIZE_FULL)
    unknown = np.log(SIZE_UNKNOWN_POPULATION)
    scaled = (np.nan_to_num(log_population, nan=unknown) - np.float32(low)) / np.float32(high - low)
    return np.clip(scaled, 0.0, 1.0).astype(np.float32)


def feature_block(vectors: ProfileVectors) -> np.ndarray:
    """[interest | need | offer | experience | unit xyz]: one C-contiguous float32 matrix, so
    the probe product reads each city's features once."""
    return np.ascontiguousarray(
        np.hstack(
            [
                vectors.interest,
                vectors.need,
                vectors.offer,
                vectors.experience,
                unit_xyz(vectors.lat_rad, vectors.lon_rad),
            ]
        ),
        dtype=np.float32,
    )


def unit_xyz(lat_rad: np.ndarray, lon_rad: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (zeros when unknown): the dot product of two is the cosine
    of their central angle, so distances to every city come out of one product."""
    cos_lat = np.cos(lat_rad)
    xyz = np.stack([cos_lat * np.cos(lon_rad), cos_lat * np.sin(lon_rad), np.sin(lat_rad)], 1)
    return np.nan_to_num(xyz, nan=0.0).astype(np.float32)


def pull(profile: np.ndarray, focus: np.ndarray, boost: float) -> np.ndarray:
    """Unit profile pulled towards the focus themes (unchanged without a focus)."""
    if not focus.any() or boost == 0:
        return profile
    pulled = profile + np.float32(boost) * focus / np.float32(np.linalg.norm(focus))
    return (pulled / np.linalg.norm(pulled)).astype(np.float32)


def track_record(project_count: np.ndarray) -> np.ndarray:
    scaled = np.log1p(project_count.astype(np.float32)) / np.log1p(TRACK_RECORD_FULL)
    return np.minimum(scaled, 1.0).astype(np.float32)


def size_band_codes(population: np.ndarray) -> np.ndarray:
    """Index into SIZE_BANDS per city; len(SIZE_BANDS) for an unknown population."""
    lower = np.array([low for _band, _label, low, _high in SIZE_BANDS], float)
    codes = np.searchsorted(lower, np.nan_to_num(population, nan=-1.0), side="right") - 1
    codes[np.isnan(population) | (codes < 0)] = len(SIZE_BANDS)
    return codes.astype(np.int8)


def band_mask(size_bands) -> np.ndarray:
    """Per size band code (:func:`size_band_codes`, the last slot an unknown population),
    whether it is one of ``size_bands`` (:data:`~matcher.domain.SIZE_BANDS` ids)."""
    ids = [band for band, *_ in SIZE_BANDS]
    if unknown := [b for b in size_bands if b not in ids]:
        raise ValueError(f"unknown size band(s): {unknown}")
    mask = np.zeros(len(SIZE_BANDS) + 1, bool)
    mask[[ids.index(b) for b in size_bands]] = True
    return mask
