"""Reading files: encodings named, oversize cells and deep JSON as problems, streaming."""

from __future__ import annotations

import pytest

from matcher.importing.records import ImportFailed, RecordSource, check_columns


def _failure(path) -> str:
    with pytest.raises(ImportFailed) as failure:
        list(RecordSource(path, "cities"))
    [problem] = failure.value.problems
    return str(problem)


def test_utf16_is_named(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_text("name,country\nGent,BE\n", encoding="utf-16")
    assert "UTF-16" in _failure(path)


def test_latin1_is_named_with_its_row(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("name,country\nGent,BE\nLi\u00e8ge,BE\n".encode("latin-1"))
    message = _failure(path)
    assert "row 3" in message and "Latin-1" in message


def test_a_200000_character_cell_is_a_field_problem_not_a_traceback(session, tmp_path):
    from matcher.importing import import_file

    path = tmp_path / "big.csv"
    path.write_text("slug,official_name\nbe-brugge," + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        import_file(session, "cities", path)
    [problem] = failure.value.problems
    assert (problem.row, problem.field) == (2, "official_name")


def test_a_cell_beyond_the_reader_limit_is_a_row_problem(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("name,country\n" + "x" * 1_100_000 + ",NL\n", encoding="utf-8")
    assert "row 2" in _failure(path)


def test_deeply_nested_json_is_refused(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    assert "nested" in _failure(path)


def test_csv_rows_are_read_again_on_each_pass(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("name,country\nA,NL\nB,NL\n", encoding="utf-8")
    source = RecordSource(path, "cities")
    assert [r.row for r in source] == [2, 3] == [r.row for r in source]
    assert source.count() == 2


def test_unknown_columns_are_named_once_each(tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("name,country,contry\nA,NL,NL\n", encoding="utf-8")
    [problem] = check_columns(RecordSource(path, "cities"), ["name", "country"])
    assert problem.field == "contry" and "'country'" in problem.message
