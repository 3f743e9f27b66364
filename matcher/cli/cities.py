"""``matcher cities search``: typo-tolerant name search."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from matcher.cli.common import emit_json, open_session

# --------------------------------------------------------------------------- cities

cities_group = AppGroup("cities", help="Look up cities.")


@cities_group.command("search")
@click.argument("query")
@click.option("--country", default=None, help="ISO code, e.g. NL.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True)
def cities_search_command(query, country, limit, as_json):
    """Fuzzy, typo-tolerant search: `matcher cities search "emen"`.

    The first line says what was found: the city, the cities a name is ambiguous between, or
    that no city has the name (with close typos and other names as suggestions only).
    """
    from matcher.domain import COUNTRY_NAMES, normalise_country
    from matcher.services.cities import lookup_city, search_cities

    if country:
        try:
            country = normalise_country(country)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--country") from None
    with open_session() as session:
        hits = search_cities(session, query, country=country, limit=limit)
        lookup = lookup_city(session, query, country=country) if not as_json else None
    if as_json:
        emit_json([
            {"id": h.city.id, "slug": h.city.slug, "name": h.city.name, "country": h.city.country,
             "population": h.city.population, "matched_name": h.matched_name,
             "score": round(h.score, 1)} for h in hits
        ])  # fmt: skip
        return
    click.echo(lookup.message)
    if lookup.status == "found":
        hits = [h for h in hits if h.city.id == lookup.city.id] or hits[:1]
    else:
        hits = list(lookup.candidates)
    if not hits:
        sys.exit(1)
    click.echo(f"{'city':<28} {'country':<16} {'population':>10}  {'matched name':<28} score")
    for h in hits:
        population = f"{h.city.population:,}" if h.city.population else "unknown"
        click.echo(f"{h.city.name[:28]:<28} {COUNTRY_NAMES[h.city.country][:16]:<16} "
                   f"{population:>10}  {h.matched_name[:28]:<28} {h.score:5.1f}")  # fmt: skip
