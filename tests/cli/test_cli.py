"""The `matcher` command line."""

from __future__ import annotations

import json
import re

import pytest

from matcher.__main__ import main


def test_cities_search_finds_a_city_from_a_typo(runner):
    result = runner.invoke(args=["cities", "search", "jyvaskyla"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "Jyväskylä (FI, fi-jyvaskyla)"
    assert result.output.splitlines()[2].startswith("Jyväskylä")
    assert "Finland" in result.output


def test_cities_search_says_when_no_city_has_the_name(runner):
    result = runner.invoke(args=["cities", "search", "Qwxzvbn"])
    assert result.exit_code == 1
    assert result.output.strip() == "No city called “Qwxzvbn”."


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
    assert (
        runner.invoke(args=["export", "calls", "--format", "json", "--out", str(out)]).exit_code
        == 0
    )
    result = runner.invoke(args=["import", "calls", str(out), "--json"])
    report = json.loads(result.stdout)
    assert report["created"] == report["updated"] == 0 and report["unchanged"] > 0


def test_stats_prints_counts(runner):
    result = runner.invoke(args=["stats"])
    assert "cities" in result.output and result.exit_code == 0


# --------------------------------------------------------------------------- calls

ANNEX_B_CALL = "HORIZON-CID-2026-01-01"  # a real Horizon Innovation Action in the mini seed


def test_calls_for_a_city_are_grouped_with_the_reasons(runner):
    result = runner.invoke(args=["calls", "Bologna", "--status", "all", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["today"] == "2026-09-01"
    assert (report["data_as_of"], report["data_stale"]) == ("2026-08-01", False)
    # An industrial call: listed apart from the offers, still with its consortium rules.
    needing = {c["id"]: c for c in report["unsuited"]}
    assert ANNEX_B_CALL in needing
    assert needing[ANNEX_B_CALL]["suitability"]["level"] in {"possible", "unlikely"}
    reasons = [r["reason"] for r in needing[ANNEX_B_CALL]["rules"] if r["status"] == "unknown"]
    assert any(reason.startswith("Needs partners") for reason in reasons)


def test_ineligible_calls_name_the_failing_rule(runner):
    report = json.loads(runner.invoke(args=["calls", "Peterborough", "--status", "all",
                                            "--top", "200", "--json"]).stdout)  # fmt: skip
    assert report["ineligible"]
    for call in report["ineligible"]:
        assert any(r["status"] == "failed" for r in call["rules"])


def test_closed_calls_are_not_listed_as_open(runner):
    report = json.loads(runner.invoke(args=["calls", "Bologna", "--top", "500", "--json"]).stdout)
    deadlines = [c["deadline"] for group in ("eligible", "needs_partners", "check_text",
                                              "unsuited", "ineligible")
                 for c in report[group]]  # fmt: skip
    assert deadlines and all(d >= "2026-09-01" for d in deadlines)


def test_a_citys_calls_are_open_and_forthcoming_by_default(runner):
    report = json.loads(runner.invoke(args=["calls", "Bologna", "--json"]).stdout)
    assert report["status"] == "all"
    assert (
        "Bologna (IT), open and forthcoming, today"
        in runner.invoke(args=["calls", "Bologna"]).output
    )


def test_unknown_programme_is_a_usage_error(runner):
    result = runner.invoke(args=["calls", "Bologna", "--programme", "Nope"])
    assert result.exit_code == 2 and "unknown programme" in result.output


def test_rules_report_counts_every_call_once_per_kind(runner):
    report = json.loads(runner.invoke(args=["calls", "rules-report", "--json"]).stdout)
    for row in report:
        assert row["parsed"] + row["unknown"] + row["absent"] == row["calls"]
    deadline = next(r for r in report if r["kind"] == "deadline")
    assert deadline["parsed"] == deadline["calls"]


def test_consortium_meets_every_rule_of_the_call(runner):
    result = runner.invoke(
        args=["consortium", "--call", ANNEX_B_CALL, "--lead", "Emmen", "--size", "4", "--json"]
    )
    assert result.exit_code == 0, result.output
    proposal = json.loads(result.stdout)
    assert proposal["valid"] and len(proposal["members"]) == 4
    assert proposal["members"][0]["slug"] == "nl-emmen"
    assert len({m["country"] for m in proposal["members"]}) >= 3
    assert all(r["status"] != "failed" for r in proposal["rules"])


def test_impossible_consortium_names_the_rule_and_the_fix(runner):
    result = runner.invoke(args=["consortium", "--call", ANNEX_B_CALL, "--lead", "Emmen",
                                 "--country", "NL", "--json"])  # fmt: skip
    assert result.exit_code == 0
    proposal = json.loads(result.stdout)
    assert not proposal["valid"] and proposal["unmet"]
    assert any(r["fixes"] for r in proposal["relaxations"])


def test_unknown_call_is_a_usage_error(runner):
    result = runner.invoke(args=["consortium", "--call", "NO-SUCH-CALL", "--lead", "Emmen"])
    assert result.exit_code == 2 and "no call" in result.output


def test_partners_json_has_parts_and_reasons(runner):
    result = runner.invoke(args=["partners", "Emmen", "--top", "3", "--json"])
    partners = json.loads(result.stdout)["partners"]
    assert len(partners) == 3
    assert all(0 <= p["score"] <= 1 and p["reasons"] for p in partners)
    assert set(partners[0]["parts"]) >= {"geography", "history", "shared_interests"}


def test_the_partner_table_shows_each_chance_and_says_what_it_means(runner):
    def ranked(output):
        return [line for line in output.splitlines() if re.match(r" ?\d+  \S", line)]

    result = runner.invoke(args=["partners", "Emmen", "--top", "3"])
    assert "chance" in result.output.splitlines()[1].split()
    rows = ranked(result.output)
    assert len(rows) == 3 and all(re.search(r"k +\d+ +(\d+(\.\d)?%|<0\.1%)  ", r) for r in rows)
    assert "Chance: how often a city with this evidence was a real partner" in result.output
    peers = runner.invoke(args=["partners", "Emmen", "--top", "2", "--purpose", "peer-exchange"])
    assert all(re.search(r"k +\d+ +-  ", row) for row in ranked(peers.output))


def test_a_focused_partner_list_says_how_many_cities_hold_the_theme(runner):
    result = runner.invoke(
        args=["partners", "Emmen", "--top", "3", "--theme", "urban-regeneration"]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"^Focus: [\d,]+ cities? this list can show ha(s|ve) a past project on urban "
                     r"regeneration and planning", result.output, re.M)  # fmt: skip
    as_json = runner.invoke(
        args=["partners", "Emmen", "--top", "3", "--theme", "urban-regeneration", "--json"]
    )
    (note,) = json.loads(as_json.stdout)["focus"]
    assert note["theme"] == "urban-regeneration" and note["holders"] >= len(note["nearest"]) > 0


def test_seed_replace_reloads_and_prepares_the_indexes(runner):
    from tests.conftest import MINI_SEED

    result = runner.invoke(args=["seed", "--replace", "--data-dir", str(MINI_SEED)])
    assert result.exit_code == 0, result.output
    assert "Seeded:" in result.output and "Preparing the search indexes" in result.output


def test_seed_if_empty_leaves_a_seeded_database_alone(runner):
    result = runner.invoke(args=["seed", "--if-empty"])
    assert result.exit_code == 0 and "nothing to do" in result.output


def test_a_command_on_a_database_without_tables_says_how_to_make_them(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("MATCHER_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    monkeypatch.setenv("MATCHER_INDEX_CACHE_DIR", "")
    with pytest.raises(SystemExit) as stopped:
        main(["cities", "search", "Frankfurt"])
    assert stopped.value.code == 1
    error = capsys.readouterr().err
    assert "no tables yet" in error and "matcher seed" in error
    assert "Traceback" not in error


def test_evaluate_prints_every_method_aligned_and_the_engine_against_the_best(runner, tmp_path):
    truth = tmp_path / "truth.csv"
    truth.write_text("group_id,city,country,theme,year\n"
                     "ext:1,Brugge,BE,,2010\next:1,Gent,BE,,2010\next:1,Leuven,BE,,2010\n"
                     "ext:2,Burgas,BG,,2011\next:2,Varna,BG,,2011\n", encoding="utf-8")  # fmt: skip
    result = runner.invoke(args=["evaluate", "--truth", str(truth), "--purpose",
                                 "peer-exchange", "--bootstrap", "20"])  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    table = lines[next(i for i, line in enumerate(lines) if line.startswith("method")) :]
    widths = {len(line) for line in table[:9]}
    assert len(widths) == 1, table  # popularity-every-project does not push its row out
    assert re.fullmatch(r"engine / best baseline \([a-z-]+\) on nDCG@10: (\d+\.\d\dx|no ratio "
                        r"\(the baseline scores 0\)), 95% intervals (apart|overlapping)",
                        table[9])  # fmt: skip
