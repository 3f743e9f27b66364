"""The schedule report speaks of cities by name, never by internal id."""

from __future__ import annotations

from matcher.services.events.model import EventCity
from matcher.services.events.planning import _name_ids

CITIES = {
    106: EventCity(106, "hu-gyor", "Győr", "HU"),
    7: EventCity(7, "nl-emmen", "Emmen", "NL"),
}


def test_do_not_meet_requesters_are_named():
    text = _name_ids("do-not-meet request by 7 and 106", CITIES)
    assert text == "do-not-meet request by Emmen (NL) and Győr (HU)"


def test_blockers_are_named():
    text = _name_ids("no free slot (round 1: 106 has another must-meet)", CITIES)
    assert text == "no free slot (round 1: Győr (HU) has another must-meet)"
