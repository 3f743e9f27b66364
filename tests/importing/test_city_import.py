"""City import: validation with file/row/field, atomicity, fuzzy matching, round trips."""

from __future__ import annotations

import csv
import json

import pytest

from matcher.db import repository
from matcher.importing import ImportFailed, export, import_file

HEADER = ["name", "country", "population", "lat", "lon"]


def _write_csv(path, rows, header=HEADER):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _synthetic_rows(count):
    # Synthetic test rows (not real places): unique names that match no seeded city.
    return [[f"Testville {i:03d}", "NL", 20_000 + i, 52.0, 5.0] for i in range(count)]


def test_valid_file_creates_every_city(session, tmp_path):
    before = repository.count_cities(session)
    path = _write_csv(tmp_path / "new.csv", _synthetic_rows(5))
    report = import_file(session, "cities", path)
    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    assert repository.count_cities(session) == before + 5


def test_one_bad_row_in_a_hundred_writes_nothing_and_names_file_row_and_field(session, tmp_path):
    rows = _synthetic_rows(100)
    rows[41][2] = "twelve thousand"  # spreadsheet row 43 (header is row 1)
    path = _write_csv(tmp_path / "cities_upload.csv", rows)
    before = repository.count_cities(session)
    with pytest.raises(ImportFailed) as failure:
        import_file(session, "cities", path)
    [problem] = failure.value.problems
    assert (problem.file, problem.row, problem.field) == ("cities_upload.csv", 43, "population")
    assert "cities_upload.csv, row 43, field 'population'" in str(problem)
    assert repository.count_cities(session) == before


def test_every_problem_is_reported_not_only_the_first(session, tmp_path):
    rows = _synthetic_rows(4)
    rows[0][1] = "XX"
    rows[2][3] = "95"
    path = _write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(ImportFailed) as failure:
        import_file(session, "cities", path)
    assert [(p.row, p.field) for p in failure.value.problems] == [(2, "country"), (4, "lat")]


def test_greek_and_british_eu_codes_are_accepted(session, tmp_path):
    path = _write_csv(tmp_path / "eu.csv", [["Testopolis", "EL", 30000, 39.0, 22.0]])
    import_file(session, "cities", path)
    assert repository.get_city(session, "gr-testopolis").country == "GR"


def test_name_without_diacritics_updates_the_existing_city(session, tmp_path):
    jyvaskyla = repository.get_city(session, "fi-jyvaskyla")
    path = _write_csv(tmp_path / "fi.csv", [["Jyvaskyla", "FI", 145000, "", ""]])
    report = import_file(session, "cities", path)
    assert (report.created, report.updated) == (0, 1)
    updated = repository.get_city(session, jyvaskyla.id)
    assert updated.name == "Jyväskylä"  # a fuzzy match never renames the city
    assert updated.population == 145000
    assert "matched existing city 'Jyväskylä'" in report.notes[0]


def test_ambiguous_name_is_reported_not_guessed(session, tmp_path):
    two = _write_csv(
        tmp_path / "two.csv",
        [["de-frankfurt-am-main", "Frankfurt am Main", "DE", 750000],
         ["de-frankfurt-oder", "Frankfurt (Oder)", "DE", 57000]],
        header=["slug", "name", "country", "population"],
    )  # fmt: skip
    import_file(session, "cities", two)
    path = _write_csv(tmp_path / "which.csv", [["Frankfurt", "DE", 60000, "", ""]])
    with pytest.raises(ImportFailed) as failure:
        import_file(session, "cities", path)
    [problem] = failure.value.problems
    assert problem.field == "name" and "several cities" in problem.message


def test_reimporting_an_export_changes_nothing(session, tmp_path):
    for fmt in ("csv", "json"):
        path = tmp_path / f"all.{fmt}"
        path.write_text(export(session, "cities", fmt), encoding="utf-8")
        report = import_file(session, "cities", path)
        assert report.created == report.updated == 0
        assert report.unchanged == repository.count_cities(session)


def test_json_import_reports_item_number(session, tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"cities": [{"name": "A-town", "country": "NL"},
                                           {"name": "", "country": "NL"}]}))  # fmt: skip
    with pytest.raises(ImportFailed) as failure:
        import_file(session, "cities", path)
    assert [(p.row, p.field) for p in failure.value.problems] == [(2, "name")]


def test_declared_profile_is_stored_with_its_provenance(session, tmp_path):
    path = _write_csv(
        tmp_path / "declared.csv",
        [["fi-jyvaskyla", "Jyväskylä", "FI", "circular-economy:0.9", "mobility-transition:1"]],
        header=["slug", "name", "country", "needs", "offers"],
    )
    import_file(session, "cities", path)
    city = repository.get_city(session, "fi-jyvaskyla")
    assert city.weights("need") == {"circular-economy": 0.9}
    assert {e.provenance for e in city.profile if e.kind == "offer"} == {
        "imported from declared.csv"
    }


def test_unknown_theme_in_profile_is_a_problem(session, tmp_path):
    path = _write_csv(
        tmp_path / "t.csv", [["Testville", "NL", "no-such-theme:0.5"]],
        header=["name", "country", "needs"],
    )  # fmt: skip
    with pytest.raises(ImportFailed) as failure:
        import_file(session, "cities", path)
    assert failure.value.problems[0].field == "needs"


def test_dry_run_writes_nothing(session, tmp_path):
    before = repository.count_cities(session)
    report = import_file(session, "cities", _write_csv(tmp_path / "d.csv", _synthetic_rows(3)),
                         dry_run=True)  # fmt: skip
    assert report.created == 3 and report.dry_run
    assert repository.count_cities(session) == before


def test_import_bumps_the_data_version(session, tmp_path):
    before = repository.data_version(session)
    import_file(session, "cities", _write_csv(tmp_path / "v.csv", _synthetic_rows(1)))
    assert repository.data_version(session) == before + 1


def test_file_that_is_not_utf8_is_rejected_cleanly(session, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("name,country\nGy\xf5r,HU\n".encode("latin-1"))
    with pytest.raises(ImportFailed) as failure:
        import_file(session, "cities", path)
    assert "UTF-8" in failure.value.problems[0].message
