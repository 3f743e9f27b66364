"""``matcher calls CITY``, ``calls rules-report`` and ``matcher consortium``."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from matcher.cli.common import emit_json, open_session, resolve_city, today

#: How a status filter reads in the header of a city's calls.
_STATUS_WORDS = {"open": "open now", "forthcoming": "forthcoming", "all": "open and forthcoming"}


class _DefaultGroup(AppGroup):
    """A group whose first argument, when it is not a subcommand, goes to a default command:
    `matcher calls Peterborough` and `matcher calls rules-report` both work."""

    default_command = "for-city"

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [self.default_command, *args]
        return super().resolve_command(ctx, args)


calls_group = _DefaultGroup(
    "calls",
    help="Funding calls: `matcher calls CITY`, rules-report, fetch (refresh from the portal).",
)


@calls_group.command("for-city")
@click.argument("city")
@click.option("--country", "city_country", default=None, help="Country of CITY if ambiguous.")
@click.option(
    "--status", default="all", show_default=True, type=click.Choice(["open", "forthcoming", "all"])
)
@click.option("--programme", "programmes", multiple=True, help="e.g. 'Horizon Europe', 'LIFE'.")
@click.option(
    "--within-days",
    type=click.IntRange(0),
    default=None,
    help="Only calls whose next deadline is this many days away or fewer.",
)
@click.option("--min-budget", type=click.FloatRange(0), default=None, help="EUR.")
@click.option(
    "--top",
    default=10,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Calls shown per group.",
)
@click.option("--json", "as_json", is_flag=True)
def calls_for_city_command(
    city, city_country, status, programmes, within_days, min_budget, top, as_json
):
    """Calls CITY can apply to, ranked by fit, and why not the others."""
    from matcher.services.calls import CallFilters, CallQueryError, calls_for_city, rule_group

    filters = CallFilters(
        status=status,
        programmes=programmes,
        deadline_within_days=within_days,
        min_budget=min_budget,
        limit=top,
    )
    with open_session() as session:
        found = resolve_city(session, city, city_country)
        try:
            result = calls_for_city(session, found, today(), filters)
        except CallQueryError as exc:
            raise click.UsageError(str(exc)) from None
    lead = "on your declared needs" if result.needs else "written for cities"
    groups = (
        ("eligible", f"Eligible now, {lead}"),
        ("needs_partners", f"Eligible once partners join (consortium rules), {lead}"),
        ("other_offers", f"More calls you could go for (not {lead})"),
        ("check_text", "Check the call text (a rule could not be read)"),
        ("unsuited", "Not aimed at municipalities (listed, not offered)"),
        ("ineligible", "Not eligible"),
    )
    if as_json:
        emit_json(
            {
                "city": {
                    "id": found.id,
                    "slug": found.slug,
                    "name": found.name,
                    "country": found.country,
                },
                "today": result.today.isoformat(),
                "status": status,
                "considered": result.considered,
                "data_as_of": result.data_as_of.isoformat() if result.data_as_of else None,
                "data_stale": result.data_stale,
                "needs": list(result.needs),
                "lead": result.lead,
                **{name: [_call_json(m) for m in getattr(result, name)] for name, _ in groups},
            }
        )
        return
    click.echo(
        f"Calls for {found.name} ({found.country}), {_STATUS_WORDS[status]}, today "
        f"{result.today.isoformat()}: {result.considered} calls considered"
    )
    if result.data_label:
        stale = " (old: refresh with `matcher calls fetch`)" if result.data_stale else ""
        click.echo(f"Call data as of {result.data_label}{stale}")
    if result.needs:
        click.echo(
            f"Declared needs: {', '.join(result.needs)}: the calls on them are offered first"
        )
    for name, title in groups:
        matches = getattr(result, name)
        click.echo(f"\n{title}: {len(matches)} shown")
        for m in matches:
            left = f"{m.days_left} days left" if m.days_left is not None else "no deadline"
            deadline = m.deadline.isoformat() if m.deadline else "-"
            click.echo(f"  {m.fit:4.2f}  {m.call_id:<42} {deadline} ({left})")
            click.echo(f"        {m.call.title[:90]}")
            if m.matching_needs:
                click.echo(f"        on your needs: {', '.join(m.matching_needs)}")
            if m.matching_themes:
                click.echo(f"        themes: {', '.join(m.matching_themes)}")
            if name == "other_offers":
                click.echo(f"        {_OFFER_LABELS[rule_group(m.rules)]}")
            if m.suitability is not None:
                click.echo(f"        for a municipality: {m.suitability.reason}")
                if m.suitability.written_for_cities:
                    click.echo(f'          "{m.suitability.evidence}"')
            for rule in _notable_rules(m, name):
                click.echo(f"        {rule.status.value}: {rule.reason}")


_OFFER_LABELS = {
    "eligible": "eligible now",
    "needs_partners": "eligible once partners join",
}


def _notable_rules(match, group):
    from matcher.domain import RuleStatus
    from matcher.services.calls import rule_group

    wanted = {"ineligible": RuleStatus.FAILED}.get(group, RuleStatus.UNKNOWN)
    if group == "other_offers" and rule_group(match.rules) == "eligible":
        return []
    return [r for r in match.rules if r.status == wanted][:3]


def _call_json(match) -> dict:
    from matcher.services.calls import rule_group

    return {
        "id": match.call_id,
        "title": match.call.title,
        "programme": match.call.programme,
        "fit": round(match.fit, 4),
        "parts": {k: round(v, 4) for k, v in match.parts.items()},
        "matching_themes": list(match.matching_themes),
        "matching_needs": list(match.matching_needs),
        "eligibility": rule_group(match.rules),
        "suitability": _suitability_json(match.suitability),
        "deadline": match.deadline.isoformat() if match.deadline else None,
        "days_left": match.days_left,
        "status": match.status,
        "rules": [_rule_json(r) for r in match.rules],
    }


def _suitability_json(suitability) -> dict | None:
    if suitability is None:
        return None
    return {
        "level": suitability.level,
        "score": suitability.score,
        "reason": suitability.reason,
        "evidence": suitability.evidence,
    }


def _rule_json(result) -> dict:
    return {
        "kind": result.kind,
        "status": result.status.value,
        "reason": result.reason,
        "source_sentence": result.source_sentence,
    }


@calls_group.command("rules-report")
@click.option("--json", "as_json", is_flag=True)
def rules_report_command(as_json):
    """How many calls have each eligibility rule parsed, unknown or absent."""
    from matcher.services.calls import rules_report

    with open_session() as session:
        report = rules_report(session)
    if as_json:
        emit_json(report)
        return
    total = report[0]["calls"] if report else 0
    click.echo(f"Eligibility rules over {total} calls (unknown = shown as 'check the call text')")
    click.echo(f"{'rule':<20} {'parsed':>7} {'of which default':>17} {'unknown':>8} {'absent':>7}")
    for row in report:
        click.echo(
            f"{row['kind']:<20} {row['parsed']:>7} {row['from_default']:>17} "
            f"{row['unknown']:>8} {row['absent']:>7}"
        )


@click.command("consortium")
@click.option("--call", "call_id", required=True, help="Call (topic) identifier.")
@click.option("--lead", required=True, help="Lead city name or slug.")
@click.option("--lead-country", default=None, help="Country of the lead if ambiguous.")
@click.option(
    "--size",
    type=click.IntRange(1, 20),
    default=None,
    help="Members including the lead (default: the smallest the call allows).",
)
@click.option(
    "--country",
    "countries",
    multiple=True,
    help="Only partners from these countries or sets (EU27, EEA, HORIZON).",
)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def consortium_command(call_id, lead, lead_country, size, countries, as_json):
    """Propose a valid consortium for a call and a lead city, with alternatives per slot."""
    from matcher.services.calls import CallQueryError, build_consortium

    with open_session() as session:
        lead_city = resolve_city(session, lead, lead_country)
        try:
            proposal = build_consortium(
                session, call_id, lead_city, today(), size=size, countries=countries
            )
        except LookupError as exc:
            raise click.UsageError(str(exc).strip("'\"")) from None
        except CallQueryError as exc:
            raise click.UsageError(str(exc)) from None
    if as_json:
        emit_json(_proposal_json(proposal))
        return
    _print_proposal(proposal, lead_city)


def _proposal_json(proposal) -> dict:
    return {
        "call_id": proposal.call_id,
        "size": proposal.size,
        "valid": proposal.valid,
        "score": None if proposal.score is None else round(proposal.score, 4),
        "parts": proposal.parts,
        "members": [
            {
                "slug": m.city.slug,
                "name": m.city.name,
                "country": m.city.country,
                "role": m.role,
                "call_fit": round(m.call_fit, 4),
                "reasons": list(m.reasons),
                "alternatives": [
                    {
                        "slug": a.city.slug,
                        "name": a.city.name,
                        "country": a.city.country,
                        "reasons": list(a.reasons),
                    }
                    for a in m.alternatives
                ],
            }
            for m in proposal.members
        ],
        "unmet": [{"rule": u.kind, "reason": u.reason} for u in proposal.unmet],
        "relaxations": [_relaxation_json(r) for r in proposal.relaxations],
        "rules": [_rule_json(r) for r in proposal.rule_results],
        "other_members_needed": list(proposal.other_members_needed),
    }


def _relaxation_json(relaxation) -> dict:
    return {
        "kind": relaxation.kind, "description": relaxation.description,
        "fixes": relaxation.fixes,
        "score": None if relaxation.score is None else round(relaxation.score, 4),
        "partners": [c.slug for c in relaxation.partners],
    }  # fmt: skip


def _print_proposal(proposal, lead):
    verdict = "valid" if proposal.valid else "no valid consortium among the candidates"
    click.echo(
        f"Consortium for {proposal.call_id}, lead {lead.name}: {proposal.size} members, {verdict}"
    )
    for m in proposal.members:
        click.echo(f"  {m.role:<8} {m.city.name} ({m.city.country})  call fit {m.call_fit:.2f}")
        for reason in m.reasons[:3]:
            click.echo(f"           - {reason}")
        if m.alternatives:
            names = ", ".join(f"{a.city.name} ({a.city.country})" for a in m.alternatives)
            click.echo(f"           alternatives: {names}")
    for unmet in proposal.unmet:
        click.echo(f"  unmet: {unmet.reason}")
    for relaxation in proposal.relaxations:
        verdict = "would fix it" if relaxation.fixes else "tried, does not help"
        click.echo(f"  {verdict}: {relaxation.description}")
    for needed in proposal.other_members_needed:
        click.echo(f"  also needed (add it yourself: not chosen among the cities): {needed}")
    for result in proposal.rule_results:
        click.echo(f"  {result.status.value:<8} {result.reason}")
