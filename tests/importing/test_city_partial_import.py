"""City import changes only what it names: absent columns, empty cells, clearing, profiles."""

from __future__ import annotations

import pytest

from matcher.db import repository
from matcher.domain import DECLARED_PROVENANCE
from matcher.importing import ImportFailed, import_file
from matcher.services.cities import update_declared_profile


def _city(session, slug="be-brugge"):
    return repository.get_city(session, slug)


def _import(session, tmp_path, text, name="upload.csv", **options):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return import_file(session, "cities", path, **options)


def test_a_file_without_a_column_keeps_that_value(session, tmp_path):
    before = _city(session)
    _import(session, tmp_path, f"slug,name,country\n{before.slug},{before.name},BE\n")
    after = _city(session)
    assert (after.population, after.lat, after.lon, after.nuts, after.mission_city) == (
        before.population, before.lat, before.lon, before.nuts, before.mission_city,
    )  # fmt: skip


def test_an_empty_cell_keeps_the_value_and_clear_empties_it(session, tmp_path):
    before = _city(session)
    _import(session, tmp_path, f"slug,population,nuts\n{before.slug},,<clear>\n")
    after = _city(session)
    assert after.population == before.population and before.nuts
    assert after.nuts is None


def test_a_name_cannot_be_cleared(session, tmp_path):
    with pytest.raises(ImportFailed) as failure:
        _import(session, tmp_path, "slug,name\nbe-brugge,<clear>\n")
    assert failure.value.problems[0].field == "name"


def test_a_misspelled_column_is_refused_with_the_close_name(session, tmp_path):
    before = _city(session)
    with pytest.raises(ImportFailed) as failure:
        _import(session, tmp_path, "slug,populaton\nbe-brugge,1\n")
    [problem] = failure.value.problems
    assert problem.field == "populaton" and "did you mean 'population'" in problem.message
    assert _city(session).population == before.population


def test_a_missing_required_column_is_one_problem(session, tmp_path):
    rows = "".join(f"NL,{i}\n" for i in range(50))
    with pytest.raises(ImportFailed) as failure:
        _import(session, tmp_path, "country,population\n" + rows)
    [problem] = failure.value.problems
    assert "missing column" in problem.message


def test_a_profile_update_sharing_themes_upserts(session, tmp_path):
    city = _city(session)
    themes = sorted({e.theme_id for e in city.profile if e.kind == "interest"})
    assert themes
    weights = "|".join(f"{t}:0.3" for t in themes[:1]) + "|circular-economy:0.7"
    _import(session, tmp_path, f"slug,interests\n{city.slug},{weights}\n")
    interests = {e.theme_id: e for e in _city(session).profile if e.kind == "interest"}
    assert interests[themes[0]].weight == pytest.approx(0.3)
    assert interests[themes[0]].provenance == "imported from upload.csv"
    assert set(interests) == {themes[0], "circular-economy"}


def test_declared_weights_stay_unless_replace_declared(session, tmp_path):
    city = _city(session)
    update_declared_profile(session, city.id, {"interest": {"circular-economy": 0.9}})
    report = _import(session, tmp_path, f"slug,interests\n{city.slug},circular-economy:0.1\n")
    kept = {e.theme_id: e for e in _city(session).profile if e.kind == "interest"}
    assert kept["circular-economy"].provenance == DECLARED_PROVENANCE
    assert any("declared" in note for note in report.notes)
    _import(session, tmp_path, f"slug,interests\n{city.slug},circular-economy:0.1\n",
            replace_declared=True)  # fmt: skip
    replaced = {e.theme_id: e for e in _city(session).profile if e.kind == "interest"}
    assert replaced["circular-economy"].weight == pytest.approx(0.1)


def test_identical_rows_without_a_slug_create_one_city(session, tmp_path):
    before = repository.count_cities(session)
    row = "Testville Zero,NL,1000\n"  # a synthetic name that matches no real city
    report = _import(session, tmp_path, "name,country,population\n" + row + row)
    assert report.created == 1 and repository.count_cities(session) == before + 1


def test_bad_slugs_are_refused(session, tmp_path):
    with pytest.raises(ImportFailed) as failure:
        _import(session, tmp_path, "slug,name,country\n../../etc/passwd,X,NL\n")
    assert failure.value.problems[0].field == "slug"


def test_a_json_boolean_is_not_a_name(session, tmp_path):
    with pytest.raises(ImportFailed) as failure:
        _import(session, tmp_path, '[{"name": true, "country": "NL"}]', name="c.json")
    assert failure.value.problems[0].field == "name"
    assert "must be text" in failure.value.problems[0].message


def test_an_object_in_a_number_field_is_a_problem(session, tmp_path):
    text = '[{"slug": "be-brugge", "population": {"a": 1}}]'
    with pytest.raises(ImportFailed) as failure:
        _import(session, tmp_path, text, name="c.json")
    assert failure.value.problems[0].field == "population"


def test_a_nul_byte_is_a_problem_not_a_crash(session, tmp_path):
    with pytest.raises(ImportFailed) as failure:
        _import(session, tmp_path, "slug,official_name\nbe-brugge,Brug\x00ge\n")
    assert "NUL" in failure.value.problems[0].message


def test_a_dry_run_writes_nothing(session, tmp_path):
    before = _city(session)
    report = _import(session, tmp_path, "slug,population\nbe-brugge,5\n", dry_run=True)
    assert report.updated == 1
    assert _city(session).population == before.population


def test_a_formula_name_exported_as_csv_reads_back_unchanged(session, tmp_path):
    from matcher.services.data import export

    _import(session, tmp_path, "slug,official_name\nbe-brugge,=HYPERLINK(1)\n")
    text = export(session, "cities", "csv")
    assert "'=HYPERLINK(1)" in text
    _import(session, tmp_path, text, name="back.csv")
    assert _city(session).official_name == "=HYPERLINK(1)"
