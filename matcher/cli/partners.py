"""``matcher partners`` and ``matcher evaluate``: ranked partners with reasons, and the
leave-group-out evaluation against baselines."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from matcher.cli.common import (
    country_option,
    emit_json,
    fail_on_problems,
    open_session,
    resolve_city,
)
from matcher.domain import PURPOSES
from matcher.importing.records import ImportFailed
from matcher.services.partners import GEOGRAPHY_CHOICES

#: ``--geography`` of ``matcher partners`` and ``matcher evaluate``.
geography_option = click.option(
    "--geography", default="any", show_default=True, type=click.Choice(GEOGRAPHY_CHOICES)
)


@click.command("partners")
@click.argument("city")
@click.option("--country", "city_country", default=None, help="Country of CITY if ambiguous.")
@click.option("--theme", "themes", multiple=True, help="Theme focus (id), repeatable.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 200))
@geography_option
@click.option(
    "--purpose",
    default="any",
    show_default=True,
    type=click.Choice(list(PURPOSES)),
    help="What the partnership is for: cross-border (Interreg A), transnational (URBACT, "
    "Interreg B/C), research (Horizon Europe), peer-exchange (twinning), any.",
)
@click.option("--only-country", "countries", multiple=True, help="Keep only these (ISO codes).")
@click.option("--exclude-country", "exclude_countries", multiple=True)
@click.option(
    "--country-set",
    "country_sets",
    multiple=True,
    help="EU27, EEA, HORIZON, LIFE: keep only candidates in the set.",
)
@click.option(
    "--size-band",
    "size_bands",
    multiple=True,
    type=click.Choice(["xs", "s", "m", "l", "xl", "xxl"]),
    help="Keep only these size bands, repeatable; none given: s, m, l, xl (20,000-500,000).",
)
@click.option(
    "--max-distance", type=click.FloatRange(min=0, min_open=True), default=None, help="Kilometres."
)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def partners_command(
    city,
    city_country,
    themes,
    top,
    geography,
    purpose,
    countries,
    exclude_countries,
    country_sets,
    size_bands,
    max_distance,
    as_json,
):
    """Ranked partner cities for CITY, with the reasons: `matcher partners "Emmen"`."""
    from matcher.domain import COUNTRY_NAMES
    from matcher.services.partners import (
        CHANCE_NOTE,
        PartnerQuery,
        PartnerQueryError,
        chance_text,
        city_named,
        find_partners,
        focus_notes,
    )

    query = PartnerQuery(
        top=top,
        theme_focus=themes,
        geography=geography,
        countries=countries,
        exclude_countries=exclude_countries,
        country_sets=country_sets,
        size_bands=size_bands,
        max_distance_km=max_distance,
        purpose=purpose,
    )
    with open_session() as session:
        found = city_named(session, city, country_option(city_country))
        found = found or resolve_city(session, city, city_country)
        try:
            matches = find_partners(session, found, query)
            notes = focus_notes(session, found, query)
        except PartnerQueryError as exc:
            raise click.UsageError(str(exc)) from None
    if as_json:
        emit_json(
            {
                "city": {
                    "id": found.id,
                    "slug": found.slug,
                    "name": found.name,
                    "country": found.country,
                },
                "query": {
                    "theme_focus": list(themes),
                    "geography": geography,
                    "purpose": purpose,
                    "top": top,
                },  # fmt: skip
                "partners": [
                    {
                        "rank": i,
                        "id": m.city.id,
                        "slug": m.city.slug,
                        "name": m.city.name,
                        "country": m.city.country,
                        "population": m.city.population,
                        "distance_km": None if m.distance_km is None else round(m.distance_km, 1),
                        "score": round(m.score, 4),
                        "chance": None if m.chance is None else round(m.chance, 4),
                        "parts": {k: round(v, 4) for k, v in m.parts.items()},
                        "weights": {k: round(v, 4) for k, v in m.weights.items()},
                        "reasons": m.reasons,
                    }
                    for i, m in enumerate(matches, start=1)
                ],
                "focus": [
                    {
                        "theme": n.theme,
                        "holders": n.holders,
                        "nearest": [
                            {"slug": c.slug, "name": c.name, "distance_km": round(km, 1)}
                            for c, km in n.nearest
                        ],  # fmt: skip
                        "text": n.text,
                    }
                    for n in notes
                ],
            }
        )
        return
    focus = f", focus: {', '.join(themes)}" if themes else ""
    click.echo(
        f"Partners for {found.name} ({COUNTRY_NAMES[found.country]}){focus}, "
        f"purpose: {purpose}, geography: {geography}"
    )
    click.echo(f"{'#':>2}  {'city':<24} {'country':<14} {'pop.':>7} {'km':>6} {'chance':>6}  why")
    for i, m in enumerate(matches, start=1):
        km = "" if m.distance_km is None else f"{m.distance_km:,.0f}"
        population = f"{round(m.city.population / 1000)}k" if m.city.population else "?"
        reasons = m.reasons or ["no strong single reason; overall fit"]
        chance = chance_text(m.chance)
        click.echo(
            f"{i:>2}  {m.city.name[:24]:<24} {COUNTRY_NAMES[m.city.country][:14]:<14} "
            f"{population:>7} {km:>6} {chance:>6}  {reasons[0]}"
        )
        for extra in reasons[1:3]:
            click.echo(f"{'':>2}  {'':<24} {'':<14} {'':>7} {'':>6} {'':>6}  {extra}")
    for note in notes:
        click.echo(f"Focus: {note.text}")
    click.echo(CHANCE_NOTE)


@click.command("evaluate")
@click.option(
    "--truth",
    "truth_files",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV with group_id,city,country,theme,year; repeatable.",
)
@geography_option
@click.option(
    "--purpose",
    default="any",
    show_default=True,
    type=click.Choice(list(PURPOSES)),
    help="The purpose whose model is evaluated (grouped cross-validation when the truth "
    "groups are known collaborations).",
)
@click.option("--bootstrap", "n_boot", default=1000, show_default=True, type=click.IntRange(10))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def evaluate_command(truth_files, geography, purpose, n_boot, seed, as_json):
    """Leave-group-out evaluation of partner ranking on real collaborations."""
    from matcher.services.evaluation import evaluate_truth_file

    reports = []
    with open_session() as session:
        for path in truth_files:
            try:
                reports.append(evaluate_truth_file(session, path, geography=geography,
                                                   purpose=purpose, n_boot=n_boot,
                                                   seed=seed))  # fmt: skip
            except ImportFailed as exc:
                fail_on_problems(exc)
    if as_json:
        emit_json(reports[0] if len(reports) == 1 else reports)
        return
    for report in reports:
        click.echo(
            f"\n{report['truth']}: {report['queries']} queries over {report['groups']} "
            f"groups, city match rate {report['match_rate']:.1%}"
        )
        width = max([20, *(len(m["method"]) for m in report["methods"])])
        click.echo(f"{'method':<{width}} {'Recall@10':>22} {'nDCG@10':>22} {'MRR':>22}")
        for method in report["methods"]:
            cells = []
            for metric in ("recall@10", "ndcg@10", "mrr"):
                m = method[metric]
                if m["value"] is None:
                    cells.append(f"{'n/a':>22}")
                else:
                    low, high = m["ci95"]
                    cells.append(f"{m['value']:.3f} [{low:.3f}, {high:.3f}]".rjust(22))
            click.echo(f"{method['method']:<{width}} " + " ".join(cells))
        if report.get("comparison"):
            click.echo(_comparison_line(report["comparison"]))


def _comparison_line(comparison: dict) -> str:
    """ "engine / best baseline (popularity) on nDCG@10: 1.52x, 95% intervals apart"."""
    ratio = comparison["ratio"]
    times = "no ratio (the baseline scores 0)" if ratio is None else f"{ratio:.2f}x"
    apart = "apart" if comparison["intervals_apart"] else "overlapping"
    metric = comparison["metric"].replace("ndcg", "nDCG")
    return (f"engine / best baseline ({comparison['best_baseline']}) on {metric}: {times}, "
            f"95% intervals {apart}")  # fmt: skip
