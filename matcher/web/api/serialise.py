"""Domain objects -> API response models."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from flask import url_for

from matcher.domain import (
    COUNTRY_NAMES,
    City,
    Collaboration,
    FundingCall,
    ProfileKind,
    RuleResult,
    Theme,
)
from matcher.services.calls import CITY_CALL_GROUPS, rule_group
from matcher.web.api import schemas

#: Scores and fits are rounded for the wire: more digits are noise, not information.
DIGITS = 4


def focus_note(note) -> schemas.FocusNoteOut:
    """A :class:`~matcher.services.partners.FocusNote` for the API."""
    return schemas.FocusNoteOut(
        theme=note.theme,
        label=note.label,
        holders=note.holders,
        nearest=[
            schemas.NearestHolder(city=city_summary(c), distance_km=round(km, 1))
            for c, km in note.nearest
        ],  # fmt: skip
        text=note.text,
    )


def city_summary(city: City) -> schemas.CitySummary:
    """The short form of a city used in lists and search results."""
    return schemas.CitySummary(
        slug=city.slug,
        name=city.name,
        country=city.country,
        country_name=COUNTRY_NAMES.get(city.country, city.country),
        population=city.population,
        size_band=city.size_band,
        url=url_for("api.get_city", slug=city.slug),
        html_url=url_for("views.city", slug=city.slug),
    )


def _profile(city: City) -> schemas.Profile:
    by_kind: dict[str, list[schemas.ProfileWeight]] = {kind.value: [] for kind in ProfileKind}
    for entry in sorted(city.profile, key=lambda e: (-e.weight, e.theme_id)):
        by_kind[entry.kind.value].append(
            schemas.ProfileWeight(
                theme_id=entry.theme_id, weight=entry.weight, provenance=entry.provenance
            )
        )
    return schemas.Profile(**by_kind)


def collaboration(collaboration: Collaboration) -> schemas.CollaborationOut:
    return schemas.CollaborationOut(
        title=collaboration.title,
        source=collaboration.source,
        source_ref=collaboration.source_ref,
        programme=collaboration.programme,
        themes=list(collaboration.themes),
        start_year=collaboration.start_year,
        end_year=collaboration.end_year,
    )


def city_detail(city: City, collaborations: list[Collaboration]) -> schemas.CityDetail:
    """A city with its reference data, weighted profiles (with provenance) and collaborations."""
    return schemas.CityDetail(
        **city_summary(city).model_dump(),
        official_name=city.official_name,
        alt_names=list(city.alt_names),
        lat=city.lat,
        lon=city.lon,
        nuts=city.nuts,
        mission_city=city.mission_city,
        commitments=list(city.commitments),
        source=city.source,
        profile=_profile(city),
        collaborations=[collaboration(c) for c in collaborations],
    )


def theme(item: Theme) -> schemas.ThemeOut:
    return schemas.ThemeOut(
        id=item.id, label=item.label, description=item.description, synonyms=list(item.synonyms)
    )


def _rounded(values: Mapping[str, float]) -> dict[str, float]:
    return {name: round(float(value), DIGITS) for name, value in values.items()}


def theme_refs(theme_ids: Sequence[str], labels: Mapping[str, str]) -> list[schemas.ThemeRef]:
    return [schemas.ThemeRef(id=t, label=labels.get(t, t)) for t in theme_ids]


# --------------------------------------------------------------------------- partners


def partner_item(rank: int, match) -> schemas.PartnerItem:
    """One ranked partner (a :class:`matcher.services.partners.PartnerMatch`)."""
    return schemas.PartnerItem(
        rank=rank,
        city=city_summary(match.city),
        score=round(float(match.score), DIGITS),
        chance=None if match.chance is None else round(float(match.chance), DIGITS),
        parts=_rounded(match.parts),
        weights=_rounded(match.weights),
        reasons=list(match.reasons),
        distance_km=None if match.distance_km is None else round(match.distance_km, 1),
        shared_collaborations=[collaboration(c) for c in match.shared_collaborations],
    )


# --------------------------------------------------------------------------- calls


def call_deadline(call: FundingCall, today: date) -> tuple[date | None, int | None]:
    """The next deadline from ``today`` (the last one once all passed) and the days left."""
    upcoming = call.deadline_after(today)
    return upcoming or call.next_deadline, (upcoming - today).days if upcoming else None


def _summary(call: FundingCall, status: str, deadline: date | None, days_left: int | None):
    return schemas.CallSummary(
        id=call.id,
        title=call.title,
        programme=call.programme,
        status=status,
        deadline=deadline,
        days_left=days_left,
        budget_min=call.budget_min,
        budget_max=call.budget_max,
        url=url_for("api.get_call", call_id=call.id),
        html_url=url_for("views.call", call_id=call.id),
        portal_url=call.url,
    )


def call_summary(call: FundingCall, today: date) -> schemas.CallSummary:
    """The short form of a call, with its status and deadline on ``today``."""
    return _summary(call, call.status(today), *call_deadline(call, today))


def rule_result(result: RuleResult) -> schemas.RuleResultOut:
    return schemas.RuleResultOut(
        kind=str(result.kind),
        status=str(result.status),
        reason=result.reason,
        source_sentence=result.source_sentence,
    )


def call_match(
    match, today: date, labels: Mapping[str, str], eligibility: str | None = None
) -> schemas.CallMatchOut:
    """One ranked call (a :class:`matcher.scoring.calls.ranking.CallMatch`)."""
    return schemas.CallMatchOut(
        matching_needs=theme_refs(match.matching_needs, labels),
        eligibility=eligibility,
        call=call_summary(match.call, today),
        fit=round(float(match.fit), DIGITS),
        parts=_rounded(match.parts),
        matching_themes=theme_refs(match.matching_themes, labels),
        rules=[rule_result(r) for r in match.rules],
        suitability=None
        if match.suitability is None
        else schemas.SuitabilityOut(
            level=match.suitability.level,
            score=match.suitability.score,
            reason=match.suitability.reason,
            evidence=match.suitability.evidence,
        ),
    )


def city_calls(result, status: str, labels: Mapping[str, str]) -> schemas.CityCalls:
    """A :class:`matcher.services.calls.CallsForCity` with its groups."""
    groups = {
        name: [
            call_match(
                m, result.today, labels, rule_group(m.rules) if name == "other_offers" else None
            )
            for m in getattr(result, name)
        ]
        for name in CITY_CALL_GROUPS
    }
    return schemas.CityCalls(
        city=city_summary(result.city),
        today=result.today,
        status=status,
        considered=result.considered,
        needs=theme_refs(result.needs, labels),
        lead=result.lead,
        groups=schemas.CallGroups(**groups),
        data_as_of=result.data_as_of,
        data_stale=result.data_stale,
    )


def call_detail(detail) -> schemas.CallDetailOut:
    """A :class:`matcher.services.calls.CallDetail` with the call's stored rules."""
    call = detail.call
    summary = _summary(call, detail.status, detail.deadline, detail.days_left)
    return schemas.CallDetailOut(
        **summary.model_dump(),
        call_identifier=call.call_identifier,
        action_type=call.action_type,
        description=call.description,
        keywords=list(call.keywords),
        themes=theme_refs(call.themes, detail.theme_labels),
        opening_date=call.opening_date,
        deadlines=sorted(call.deadlines),
        expected_grants=call.expected_grants,
        conditions_text=call.conditions_text,
        rules=[
            schemas.RuleOut(
                kind=str(rule.kind),
                params=dict(rule.params),
                parsed=rule.parsed,
                source_sentence=rule.source_sentence,
            )
            for rule in call.rules
        ],
    )


def eligibility(detail, cities: Sequence[City], today: date) -> schemas.EligibilityOut:
    return schemas.EligibilityOut(
        call=call_summary(detail.call, today),
        cities=[city_summary(c) for c in cities],
        today=today,
        group=detail.group,
        results=[rule_result(r) for r in detail.results],
    )


def consortium(proposal, call: FundingCall, lead: City, today: date) -> schemas.ConsortiumOut:
    """A :class:`matcher.scoring.calls.consortium.builder.ConsortiumProposal`."""
    return schemas.ConsortiumOut(
        call=call_summary(call, today),
        lead=city_summary(lead),
        size=proposal.size,
        valid=proposal.valid,
        score=None if proposal.score is None else round(float(proposal.score), DIGITS),
        parts=_rounded(proposal.parts),
        members=[
            schemas.MemberOut(
                city=city_summary(m.city),
                role=m.role,
                call_fit=round(float(m.call_fit), DIGITS),
                reasons=list(m.reasons),
                alternatives=[
                    schemas.AlternativeOut(
                        city=city_summary(a.city),
                        score=round(float(a.score), DIGITS),
                        reasons=list(a.reasons),
                    )
                    for a in m.alternatives
                ],
            )
            for m in proposal.members
        ],
        unmet=[
            schemas.UnmetRuleOut(kind=u.kind, reason=u.reason, source_sentence=u.source_sentence)
            for u in proposal.unmet
        ],
        relaxations=[
            schemas.RelaxationOut(
                kind=r.kind,
                description=r.description,
                fixes=r.fixes,
                score=None if r.score is None else round(float(r.score), DIGITS),
                partners=[city_summary(c) for c in r.partners],
            )
            for r in proposal.relaxations
        ],
        other_members_needed=list(proposal.other_members_needed),
        rule_results=[rule_result(r) for r in proposal.rule_results],
        candidates_considered=proposal.candidates_considered,
    )


def page_links(page: int, per_page: int, total: int, link) -> schemas.PageLinks:
    """The self / first / last / next / prev links of a paged list; ``link(page)`` builds the
    URL of one page."""
    last = max(1, -(-total // per_page))
    return schemas.PageLinks(
        self=link(page),
        first=link(1),
        last=link(last),
        next=link(page + 1) if page < last else None,
        prev=link(min(page - 1, last)) if page > 1 else None,
    )
