"""`matcher event ...` and the one-shot `matcher schedule` on the real mini seed."""

from __future__ import annotations

import csv
import io
import json

from icalendar import Calendar

ATTENDEES = (
    "city,country,unavailable_rounds,must_meet,would_like,do_not_meet\n"
    'Bologna,IT,,Tartu,,\nJyväskylä,FI,"3,4",,Győr,\nGyor,HU,,,,Emmen\nEmmen,NL,2,,,\n'
    "Tartu,EE,,,,\nTallinn,EE,,,,\nMaribor,SI,,,,\nGent,BE,,,,\n"
)


def test_one_shot_schedule_writes_csv_and_reports_quality(runner, tmp_path):
    source, out = tmp_path / "attendees.csv", tmp_path / "schedule.csv"
    source.write_text(ATTENDEES, encoding="utf-8")
    result = runner.invoke(
        args=[
            "schedule",
            str(source),
            "--rounds",
            "4",
            "--tables",
            "3",
            "--out",
            str(out),
            "--date",
            "2026-10-01",
            "--start",
            "14:00",
            "--minutes",
            "15",
            "--timezone",
            "Europe/Rome",
        ]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows and rows[0]["start_time"] == "14:00" and rows[0]["end_time"] == "14:15"
    assert any({r["city_a"], r["city_b"]} == {"Bologna", "Tartu"} for r in rows)
    assert not any({r["city_a"], r["city_b"]} == {"Győr", "Emmen"} for r in rows)
    assert not any("Emmen" in (r["city_a"], r["city_b"]) and r["round"] == "2" for r in rows)
    assert "of the upper bound" in result.stderr and "Must-meet honoured 1/1" in result.stderr


def test_one_shot_schedule_names_unresolved_rows_and_suggestions(runner, tmp_path):
    source, out = tmp_path / "attendees.csv", tmp_path / "schedule.csv"
    source.write_text("city,country\nGent,BE\nBrugs,BE\nTartu,EE\n", encoding="utf-8")
    result = runner.invoke(
        args=["schedule", str(source), "--rounds", "3", "--tables", "2", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "row 3, field 'city'" in result.stderr and "Brugge (BE)" in result.stderr
    assert not out.exists()


def test_event_workflow_create_import_schedule_export_list(runner, tmp_path):
    created = runner.invoke(
        args=[
            "event",
            "create",
            "--name",
            "Matchmaking",
            "--date",
            "2026-10-01",
            "--timezone",
            "Europe/Rome",
            "--rounds",
            "4",
            "--start",
            "09:00",
            "--minutes",
            "20",
            "--tables",
            "3",
            "--json",
        ]
    )
    assert created.exit_code == 0, created.output
    event = json.loads(created.output)
    assert [r["start"] for r in event["rounds"]] == ["09:00", "09:20", "09:40", "10:00"]
    source = tmp_path / "attendees.csv"
    source.write_text(ATTENDEES, encoding="utf-8")
    imported = runner.invoke(args=["event", "import-attendees", str(event["id"]), str(source)])
    assert imported.exit_code == 0, imported.output
    assert "8 attendees" in imported.output

    scheduled = runner.invoke(args=["event", "schedule", str(event["id"]), "--json"])
    assert scheduled.exit_code == 0, scheduled.output
    report = json.loads(scheduled.output)
    assert report["must_met"] == report["must_total"] == 1 and report["meetings"] > 0

    ics = tmp_path / "gent.ics"
    exported = runner.invoke(
        args=[
            "event",
            "export",
            str(event["id"]),
            "--format",
            "ics",
            "--city",
            "Gent",
            "--out",
            str(ics),
        ]
    )
    assert exported.exit_code == 0, exported.output
    assert Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    html = tmp_path / "agendas.html"
    assert (
        runner.invoke(
            args=["event", "export", str(event["id"]), "--format", "html", "--out", str(html)]
        ).exit_code
        == 0
    )
    assert html.read_text(encoding="utf-8").count('class="agenda"') == 8
    outsider = runner.invoke(
        args=[
            "event",
            "export",
            str(event["id"]),
            "--format",
            "csv",
            "--city",
            "Lund",
            "--out",
            str(tmp_path / "x.csv"),
        ]
    )
    assert outsider.exit_code != 0 and "does not attend" in outsider.output

    listed = runner.invoke(args=["event", "list", "--json"])
    assert [e["name"] for e in json.loads(listed.output)] == ["Matchmaking"]


def test_event_errors_exit_non_zero_with_the_reason(runner, tmp_path):
    bad = runner.invoke(
        args=[
            "event",
            "create",
            "--name",
            "X",
            "--date",
            "2026-10-01",
            "--timezone",
            "Nowhere/City",
            "--rounds",
            "2",
            "--tables",
            "2",
        ]
    )
    assert bad.exit_code == 1 and "time zone" in bad.stderr
    missing = runner.invoke(args=["event", "schedule", "42"])
    assert missing.exit_code == 1 and "no event with id 42" in missing.stderr


def test_import_problems_name_the_row(runner, tmp_path):
    created = runner.invoke(
        args=[
            "event",
            "create",
            "--name",
            "X",
            "--date",
            "2026-10-01",
            "--rounds",
            "2",
            "--tables",
            "2",
            "--json",
        ]
    )
    event_id = json.loads(created.output)["id"]
    source = tmp_path / "a.csv"
    source.write_text("city,country\nGent,BE\nAtlantis,IT\n", encoding="utf-8")
    result = runner.invoke(args=["event", "import-attendees", str(event_id), str(source), "--json"])
    assert result.exit_code == 1
    problems = json.loads(result.output)["problems"]
    assert [(p["row"], p["field"]) for p in problems] == [(3, "city")]
