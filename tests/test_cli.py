"""The `matcher` command line."""

from __future__ import annotations

import json


def test_cities_search_finds_a_city_from_a_typo(runner):
    result = runner.invoke(args=["cities", "search", "jyvaskyla"])
    assert result.exit_code == 0
    assert result.output.splitlines()[1].startswith("Jyväskylä")
    assert "Finland" in result.output


def test_cities_search_json_lists_country_and_population(runner):
    result = runner.invoke(args=["cities", "search", "gyor", "--json"])
    first = json.loads(result.stdout)[0]
    assert (first["name"], first["country"]) == ("Győr", "HU")
    assert first["population"] > 100_000


def test_cities_search_with_unknown_country_fails_clearly(runner):
    result = runner.invoke(args=["cities", "search", "gyor", "--country", "QQ"])
    assert result.exit_code != 0
    assert "unknown country code" in result.output


def test_import_with_a_bad_row_exits_non_zero_and_names_the_row(runner, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("name,country,population\nTestville,NL,abc\n", encoding="utf-8")
    result = runner.invoke(args=["import", "cities", str(path)])
    assert result.exit_code == 1
    assert "bad.csv, row 2, field 'population'" in result.output


def test_import_reports_created_updated_unchanged(runner, tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text("name,country,population\nTestville,NL,25000\n", encoding="utf-8")
    result = runner.invoke(args=["import", "cities", str(path), "--json"])
    assert json.loads(result.stdout)["created"] == 1


def test_export_writes_a_file_that_import_reads_back(runner, tmp_path):
    out = tmp_path / "calls.json"
    assert runner.invoke(args=["export", "calls", "--format", "json", "--out", str(out)]).exit_code == 0
    result = runner.invoke(args=["import", "calls", str(out), "--json"])
    report = json.loads(result.stdout)
    assert report["created"] == report["updated"] == 0 and report["unchanged"] > 0


def test_stats_prints_counts(runner):
    result = runner.invoke(args=["stats"])
    assert "cities" in result.output and result.exit_code == 0
