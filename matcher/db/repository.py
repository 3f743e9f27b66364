"""Queries of the data (rows in, domain objects out); the data version is in `data_state`."""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterable, Sequence
from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, selectinload

# The data version lives in its own module; these names stay reachable from here.
from matcher.db.data_state import (  # noqa: F401
    CHANGES_KEPT,
    bump_data_version,
    data_changes,
    data_state,
    data_version,
    engine_data_state,
    keep_data_state,
)
from matcher.db.models import (
    CityRow,
    CollaborationMemberRow,
    CollaborationRow,
    EventRow,
    FundingCallRow,
    MeetingRow,
    ProfileWeightRow,
    ThemeMappingRow,
    ThemeRow,
)
from matcher.domain import (
    City,
    Collaboration,
    EligibilityRule,
    FundingCall,
    ProfileEntry,
    ProfileKind,
    Theme,
)

#: Ids are 64-bit integers in every backend; a larger number names no row (and would not
#: fit in a query parameter).
MAX_ID = 2**63 - 1

# --------------------------------------------------------------------------- conversions


def city_from_row(row: CityRow) -> City:
    """Domain city from a row (its profile must be loaded).

    Values many cities repeat (country, NUTS region, source line) are interned: each worker
    holds every city in its indexes, and at 100,000 cities the copies cost ~20 MB."""
    return City(
        id=row.id,
        slug=row.slug,
        name=row.name,
        country=sys.intern(row.country),
        population=row.population,
        lat=row.lat,
        lon=row.lon,
        official_name=row.official_name or "",
        alt_names=tuple(row.alt_names or ()),
        nuts=sys.intern(row.nuts) if row.nuts else row.nuts,
        mission_city=row.mission_city,
        commitments=tuple(row.commitments or ()),
        source=sys.intern(row.source or ""),
        profile=tuple(
            ProfileEntry(ProfileKind(w.kind), w.theme_id, w.weight, w.provenance)
            for w in row.profile
        ),
    )


def call_from_row(row: FundingCallRow) -> FundingCall:
    """Domain funding call from a row (its rules must be loaded)."""
    return FundingCall(
        id=row.id,
        title=row.title,
        programme=row.programme,
        call_identifier=row.call_identifier,
        action_type=row.action_type,
        description=row.description,
        keywords=tuple(row.keywords or ()),
        themes=tuple(row.themes or ()),
        opening_date=row.opening_date,
        deadlines=tuple(date.fromisoformat(d) for d in row.deadlines or ()),
        budget_min=row.budget_min,
        budget_max=row.budget_max,
        expected_grants=row.expected_grants,
        url=row.url,
        conditions_text=row.conditions_text,
        portal_status=row.portal_status,
        rules=tuple(
            EligibilityRule(r.kind, dict(r.params or {}), r.parsed, r.source_sentence)
            for r in row.rules
        ),
    )


def collaboration_from_row(row: CollaborationRow) -> Collaboration:
    """Domain collaboration from a row (its members must be loaded)."""
    return Collaboration(
        id=row.id,
        source=row.source,
        source_ref=row.ref,
        title=row.title,
        programme=row.programme,
        themes=tuple(row.themes or ()),
        description=row.description,
        start_year=row.start_year,
        end_year=row.end_year,
        member_city_ids=tuple(sorted(m.city_id for m in row.members)),
        kind=row.kind,
        member_roles=tuple(sorted((m.city_id, m.role) for m in row.members)),
    )


# --------------------------------------------------------------------------- themes


def list_themes(session: Session) -> list[Theme]:
    """The vocabulary in its fixed order."""
    rows = session.scalars(select(ThemeRow).order_by(ThemeRow.position, ThemeRow.id))
    return [Theme(r.id, r.label, r.description, tuple(r.synonyms or ())) for r in rows]


def theme_ids(session: Session) -> set[str]:
    return set(session.scalars(select(ThemeRow.id)))


def theme_mappings(session: Session) -> dict[str, dict[str, list[str]]]:
    """source -> label -> theme ids."""
    out: dict[str, dict[str, list[str]]] = {}
    for row in session.scalars(select(ThemeMappingRow)):
        out.setdefault(row.source, {})[row.label] = list(row.theme_ids or ())
    return out


# --------------------------------------------------------------------------- cities


def _cities_query():
    return select(CityRow).options(selectinload(CityRow.profile))


def get_city(session: Session, key: int | str) -> City | None:
    """A city by id or slug."""
    if isinstance(key, int) and not 0 < key <= MAX_ID:
        return None
    column = CityRow.id if isinstance(key, int) else CityRow.slug
    row = session.scalars(_cities_query().where(column == key)).first()
    return city_from_row(row) if row else None


def cities_named(session: Session, name: str, country: str | None = None) -> list[City]:
    """Cities whose display name is ``name`` (ignoring case), optionally in one country."""
    query = _cities_query().where(func.lower(CityRow.name) == name.strip().lower())
    if country:
        query = query.where(CityRow.country == country)
    return [city_from_row(row) for row in session.scalars(query.limit(2))]


def city_count_rows(session: Session) -> list[tuple[str, str, int, int]]:
    """(country, source, cities, cities of 20,000-499,999) for every country and source."""
    in_band = func.sum(
        case((and_(CityRow.population >= 20_000, CityRow.population < 500_000), 1), else_=0)
    )
    query = (
        select(CityRow.country, CityRow.source, func.count(CityRow.id), in_band)
        .group_by(CityRow.country, CityRow.source)
        .order_by(CityRow.country, CityRow.source)
    )
    return [(c, s, int(n), int(b or 0)) for c, s, n, b in session.execute(query)]


def get_cities(session: Session, ids: Iterable[int]) -> list[City]:
    """Cities by id, in the order given (unknown ids skipped)."""
    wanted = list(ids)
    rows = session.scalars(_cities_query().where(CityRow.id.in_(wanted))).all()
    by_id = {r.id: city_from_row(r) for r in rows}
    return [by_id[i] for i in wanted if i in by_id]


def all_cities(session: Session) -> list[City]:
    """Every city with its profile, ordered by id."""
    return [city_from_row(r) for r in session.scalars(_cities_query().order_by(CityRow.id))]


def page_cities(
    session: Session, *, country: str | None = None, offset: int = 0, limit: int = 50
) -> tuple[list[City], int]:
    """One page of cities ordered by name, and the total count."""
    query = _cities_query()
    count_query = select(func.count(CityRow.id))
    if country:
        query = query.where(CityRow.country == country)
        count_query = count_query.where(CityRow.country == country)
    rows = session.scalars(query.order_by(CityRow.name, CityRow.id).offset(offset).limit(limit))
    return [city_from_row(r) for r in rows], session.scalar(count_query) or 0


def all_city_rows(session: Session) -> list[CityRow]:
    """Every city row with its profile, ordered by slug (for exports)."""
    return list(session.scalars(_cities_query().order_by(CityRow.slug)))


def city_name_entries(session: Session) -> list[tuple[int, str, str, int | None]]:
    """(id, name, country, population) for every name of every city: display, official, alt."""
    rows = session.execute(
        select(
            CityRow.id, CityRow.name, CityRow.official_name, CityRow.alt_names, CityRow.country,
            CityRow.population,
        )
    )  # fmt: skip
    entries: list[tuple[int, str, str, int | None]] = []
    for city_id, name, official, alt_names, country, population in rows:
        seen: set[str] = set()
        for candidate in (name, official, *(alt_names or ())):
            if candidate and candidate not in seen:
                seen.add(candidate)
                entries.append((city_id, candidate, country, population))
    return entries


def replace_declared_weights(
    session: Session, city_id: int, kind: str, weights: dict[str, float], provenance: str
) -> None:
    """Make ``weights`` the city's declared ``kind`` profile: earlier declarations of that kind
    go, and a declared weight replaces a derived one for the same theme."""
    row = session.scalars(_cities_query().where(CityRow.id == city_id)).one()
    kept = [
        w for w in row.profile
        if w.kind != kind or (w.provenance != provenance and w.theme_id not in weights)
    ]  # fmt: skip
    row.profile = kept
    session.flush()  # the unique (city, kind, theme) key must be free before the new rows
    row.profile = kept + [
        ProfileWeightRow(kind=kind, theme_id=theme, weight=value, provenance=provenance)
        for theme, value in sorted(weights.items())
    ]


def city_rows_by_slug(session: Session, slugs: Sequence[str]) -> dict[str, CityRow]:
    """Rows (with profiles) for the given slugs, for upserts."""
    out: dict[str, CityRow] = {}
    for chunk_start in range(0, len(slugs), 500):
        chunk = list(slugs[chunk_start : chunk_start + 500])
        for row in session.scalars(_cities_query().where(CityRow.slug.in_(chunk))):
            out[row.slug] = row
    return out


def city_rows_by_id(session: Session, ids: Sequence[int]) -> dict[int, CityRow]:
    out: dict[int, CityRow] = {}
    for chunk_start in range(0, len(ids), 500):
        chunk = list(ids[chunk_start : chunk_start + 500])
        for row in session.scalars(_cities_query().where(CityRow.id.in_(chunk))):
            out[row.id] = row
    return out


def all_slugs(session: Session) -> set[str]:
    return set(session.scalars(select(CityRow.slug)))


def slug_to_id(session: Session) -> dict[str, int]:
    return {slug: cid for cid, slug in session.execute(select(CityRow.id, CityRow.slug))}


def count_cities(session: Session) -> int:
    return session.scalar(select(func.count(CityRow.id))) or 0


# --------------------------------------------------------------------------- collaborations


def all_collaborations(session: Session) -> list[Collaboration]:
    rows = session.scalars(
        select(CollaborationRow)
        .options(selectinload(CollaborationRow.members))
        .order_by(CollaborationRow.id)
    )
    return [collaboration_from_row(r) for r in rows]


def collaborations_of_city(session: Session, city_id: int) -> list[Collaboration]:
    """The city's past collaborations, newest first."""
    rows = session.scalars(
        select(CollaborationRow)
        .join(CollaborationMemberRow)
        .where(CollaborationMemberRow.city_id == city_id)
        .options(selectinload(CollaborationRow.members))
        .order_by(CollaborationRow.start_year.desc(), CollaborationRow.id)
    )
    return [collaboration_from_row(r) for r in rows]


def count_collaborations(session: Session) -> int:
    return session.scalar(select(func.count(CollaborationRow.id))) or 0


# --------------------------------------------------------------------------- calls


def _calls_query():
    return select(FundingCallRow).options(selectinload(FundingCallRow.rules))


def get_call(session: Session, call_id: str) -> FundingCall | None:
    row = session.scalars(_calls_query().where(FundingCallRow.id == call_id)).first()
    return call_from_row(row) if row else None


def call_sources(session: Session) -> list[str]:
    """The distinct sources of the stored calls (where and when their data was taken)."""
    return sorted(s or "" for s in session.scalars(select(FundingCallRow.source).distinct()))


def all_calls(session: Session) -> list[FundingCall]:
    return [call_from_row(r) for r in session.scalars(_calls_query().order_by(FundingCallRow.id))]


def call_rows_by_id(session: Session, ids: Sequence[str]) -> dict[str, FundingCallRow]:
    out: dict[str, FundingCallRow] = {}
    for chunk_start in range(0, len(ids), 500):
        chunk = list(ids[chunk_start : chunk_start + 500])
        for row in session.scalars(_calls_query().where(FundingCallRow.id.in_(chunk))):
            out[row.id] = row
    return out


def all_call_rows(session: Session) -> list[FundingCallRow]:
    """Every call row with its rules, ordered by id (for exports)."""
    return list(session.scalars(_calls_query().order_by(FundingCallRow.id)))


def count_calls(session: Session) -> int:
    return session.scalar(select(func.count(FundingCallRow.id))) or 0


# --------------------------------------------------------------------------- events


def _events_query():
    return select(EventRow).options(
        selectinload(EventRow.rounds),
        selectinload(EventRow.attendees),
        selectinload(EventRow.requests),
        selectinload(EventRow.meetings),
    )


def event_row(session: Session, event_id: int) -> EventRow | None:
    """The event row with its rounds, attendees, requests and meetings loaded (None if absent)."""
    if not 0 < event_id <= MAX_ID:
        return None
    return session.scalars(_events_query().where(EventRow.id == event_id)).first()


def event_rows(session: Session) -> list[EventRow]:
    """Every event row (rounds and attendees loaded), the most recent date first."""
    query = (
        select(EventRow)
        .options(selectinload(EventRow.rounds), selectinload(EventRow.attendees))
        .order_by(EventRow.event_date.desc(), EventRow.id.desc())
    )
    return list(session.scalars(query))


def event_meeting_counts(session: Session) -> dict[int, int]:
    """Event id -> number of scheduled meetings."""
    query = select(MeetingRow.event_id, func.count(MeetingRow.id)).group_by(MeetingRow.event_id)
    return {event_id: count for event_id, count in session.execute(query)}


def earlier_event_pairs(
    session: Session, event_id: int, event_date: date, city_ids: Collection[int]
) -> set[tuple[int, int]]:
    """Pairs of ``city_ids`` (as sorted id pairs) that met at an earlier event: one dated
    before ``event_date``, or on the same day but created before ``event_id``."""
    wanted = list(city_ids)
    if not wanted:
        return set()
    earlier = or_(
        EventRow.event_date < event_date,
        and_(EventRow.event_date == event_date, EventRow.id < event_id),
    )
    pairs: set[tuple[int, int]] = set()
    for chunk_start in range(0, len(wanted), 500):
        chunk = wanted[chunk_start : chunk_start + 500]
        query = (
            select(MeetingRow.city_a_id, MeetingRow.city_b_id)
            .join(EventRow, EventRow.id == MeetingRow.event_id)
            .where(earlier, MeetingRow.event_id != event_id, MeetingRow.city_a_id.in_(chunk))
        )
        for a, b in session.execute(query):
            pairs.add((a, b) if a <= b else (b, a))
    chosen = set(wanted)
    return {pair for pair in pairs if pair[0] in chosen and pair[1] in chosen}


def programme_names(session: Session) -> list[str]:
    """The distinct non-empty programmes of the stored calls, sorted."""
    query = select(FundingCallRow.programme).where(FundingCallRow.programme != "").distinct()
    return sorted(session.scalars(query))
