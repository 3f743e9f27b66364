"""A SYNTHETIC scale-up of the seeded cities, for load tests at the full-Europe size.

Until the real ~99,000-municipality set exists (``make data-europe``), ``load_api.py
--europe`` copies the seeded cities (profiles included) into made-up ones: names
"Synthetic 12345 (copy of Emmen)", coordinates moved up to half a degree, the same country
and population. They are labelled synthetic wherever the benchmark prints a figure; they never
reach the shipped data. Only the database the benchmark creates for itself is written.
"""

from __future__ import annotations

import random

from sqlalchemy import func, insert, select

from matcher.db.models import CityRow, ProfileWeightRow
from matcher.domain import City

SYNTHETIC_SOURCE = "SYNTHETIC benchmark scale-up"


def scale_up(session, cities: list[City], total: int, rng: random.Random) -> int:
    """Insert synthetic copies until the database holds ``total`` cities; return how many
    were added. Bulk inserts in chunks, so 99,000 rows take seconds, not minutes."""
    existing = session.scalar(select(func.count(CityRow.id))) or 0
    wanted = max(0, total - existing)
    next_id = (session.scalar(select(func.max(CityRow.id))) or 0) + 1
    chunk_cities, chunk_weights = [], []
    for n in range(wanted):
        model = cities[n % len(cities)]
        city_id = next_id + n
        chunk_cities.append(
            {
                "id": city_id,
                "slug": f"zz-synthetic-{city_id}",
                "name": f"Synthetic {city_id} (copy of {model.name})",
                "official_name": "",
                "country": model.country,
                "population": model.population,
                "lat": None if model.lat is None else model.lat + rng.uniform(-0.5, 0.5),
                "lon": None if model.lon is None else model.lon + rng.uniform(-0.5, 0.5),
                "commitments": [],
                "alt_names": [],
                "source": SYNTHETIC_SOURCE,
                "source_ref": "",
            }
        )
        chunk_weights.extend(
            {"city_id": city_id, "kind": str(e.kind), "theme_id": e.theme_id,
             "weight": e.weight, "provenance": f"{SYNTHETIC_SOURCE}: copy of {model.name}"}
            for e in model.profile
        )  # fmt: skip
        if len(chunk_cities) >= 5000 or n == wanted - 1:
            session.execute(insert(CityRow), chunk_cities)
            if chunk_weights:
                session.execute(insert(ProfileWeightRow), chunk_weights)
            chunk_cities, chunk_weights = [], []
    session.commit()
    return wanted
