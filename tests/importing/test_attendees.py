"""The attendee list reader: resolution of names, rounds, requests, and what it reports."""

from __future__ import annotations

import pytest

from matcher.importing.attendees import AttendeeImportFailed, read_attendees
from matcher.importing.records import ImportFailed


@pytest.fixture
def read(session, tmp_path):
    from matcher.services.cities import name_index

    def run(text: str, rounds: int | None = 6):
        path = tmp_path / "people.csv"
        path.write_text(text, encoding="utf-8")
        return read_attendees(session, path, name_index(session), rounds=rounds)

    return run


def test_rounds_accept_pipes_and_quoted_commas(read):
    result = read('city,country,unavailable_rounds\nGent,BE,3|4\nTartu,EE,"5, 1"\nEmmen,NL,\n')
    assert result.ok
    assert [(r.name, r.unavailable_rounds) for r in result.rows] == [
        ("Gent", (3, 4)),
        ("Tartu", (1, 5)),
        ("Emmen", ()),
    ]


def test_bad_rounds_are_reported_with_row_and_field(read):
    result = read('city,country,unavailable_rounds\nGent,BE,"3,x"\nTartu,EE,9\n')
    assert [(p.row, p.field) for p in result.problems] == [
        (2, "unavailable_rounds"),
        (3, "unavailable_rounds"),
    ]
    assert "beyond the last round 6" in result.problems[1].message


def test_fuzzy_and_accentless_names_resolve(read):
    result = read("city,country\nJyvaskyla,FI\nGyor,HU\nBolgona,IT\n")
    assert result.ok
    assert [r.name for r in result.rows] == ["Jyväskylä", "Győr", "Bologna"]


def test_a_corrected_typo_is_said(read):
    result = read("city,country\nGent,BE\nBolgona,IT\n")
    assert result.corrected == ["row 3, city: 'Bolgona' read as Bologna (IT)"]


def test_unresolved_names_are_never_guessed(read):
    result = read("city,country,must_meet\nGent,BE,Tarto|Springfield\nBrugs,BE,\n")
    assert not result.ok
    by_place = {(u.row, u.field, u.name): u for u in result.unresolved}
    assert (2, "must_meet", "Springfield") in by_place
    assert (3, "city", "Brugs") in by_place
    assert by_place[(3, "city", "Brugs")].suggestions[0] == "Brugge (BE)"
    assert [r.name for r in result.rows] == ["Gent"]
    with pytest.raises(AttendeeImportFailed) as caught:
        result.raise_for_problems()
    assert any(
        p.row == 3 and p.field == "city" and "Brugge (BE)" in p.message
        for p in caught.value.problems
    )
    kept = result.without_unresolved()
    assert kept.ok and [r.name for r in kept.rows] == ["Gent"]


def test_requests_resolve_with_a_country_in_brackets(read):
    result = read(
        "city,country,must_meet,would_like,do_not_meet\n"
        "Gent,BE,Tartu (EE),Tallinn,Emmen\nTartu,EE,,,\nTallinn,EE,,,\nEmmen,NL,,,\n"
    )
    assert result.ok
    gent = result.rows[0]
    kinds = [kind for kind, _target in gent.requests]
    assert kinds == ["must-meet", "would-like", "do-not-meet"]
    assert [t for _k, t in gent.requests] == [r.city_id for r in result.rows[1:]]


def test_a_city_listed_twice_and_a_self_request_are_problems(read):
    result = read("city,country,must_meet\nGent,BE,Gent\nGent,BE,\n")
    messages = sorted((p.row, p.field, p.message) for p in result.problems)
    assert messages[0][:2] == (2, "must_meet") and "the attendee itself" in messages[0][2]
    assert messages[1][:2] == (3, "city") and "listed twice (also row 2)" in messages[1][2]


def test_missing_columns_stop_the_file(read):
    with pytest.raises(ImportFailed, match="missing column"):
        read("name,country\nGent,BE\n")


def test_a_bad_country_is_a_row_problem(read):
    result = read("city,country\nGent,XX\n")
    assert [(p.row, p.field) for p in result.problems] == [(2, "country")]
