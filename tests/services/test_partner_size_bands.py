"""Partner lists keep the 20,000-500,000 band unless other sizes are asked for; a proposed
consortium never brings in a town under 20,000 unasked."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from matcher.db import repository
from matcher.db.models import CityRow
from matcher.domain import SIZE_BANDS
from matcher.services import indexes
from matcher.services.partners import PartnerQuery, find_partners

EVERY_SIZE = tuple(band for band, _label, _low, _high in SIZE_BANDS)


def _resize(session, city_id: int, population: int) -> None:
    session.execute(update(CityRow).where(CityRow.id == city_id).values(population=population))
    session.commit()
    indexes.clear()


def _partner_ids(session, query: PartnerQuery) -> list[int]:
    bologna = repository.get_city(session, "it-bologna")
    return [m.city.id for m in find_partners(session, bologna, query)]


@pytest.mark.parametrize(("population", "band"), [(5_000, "xs"), (900_000, "xxl")])
def test_a_city_outside_the_band_is_listed_only_when_its_band_is_asked_for(
    session, population, band
):
    best = _partner_ids(session, PartnerQuery(top=1))[0]
    _resize(session, best, population)
    assert best not in _partner_ids(session, PartnerQuery(top=50))
    assert best in _partner_ids(session, PartnerQuery(top=50, size_bands=EVERY_SIZE))
    assert best in _partner_ids(session, PartnerQuery(top=50, size_bands=(band,)))


def test_the_default_list_is_all_in_the_band(session):
    bologna = repository.get_city(session, "it-bologna")
    matches = find_partners(session, bologna, PartnerQuery(top=50))
    assert matches and all(m.city.size_band in ("s", "m", "l", "xl") for m in matches)


def test_a_proposed_consortium_leaves_out_towns_under_20000(session):
    from matcher.services.calls import build_consortium, call_service

    bologna = repository.get_city(session, "it-bologna")
    on = date(2026, 9, 1)
    for call_id in sorted(call_service(session).calls)[:40]:
        partners = _partners(build_consortium(session, call_id, bologna, on))
        if partners:
            break
    else:
        pytest.fail("no call of the fixture proposes a partner for Bologna")
    _resize(session, partners[0], 5_000)
    assert partners[0] not in _partners(build_consortium(session, call_id, bologna, on))


def _partners(proposal) -> list[int]:
    """Every city proposed, as a member or as an alternative, the lead left out."""
    found = [m.city.id for m in proposal.members if m.role != "lead"]
    return found + [a.city.id for m in proposal.members for a in m.alternatives]
