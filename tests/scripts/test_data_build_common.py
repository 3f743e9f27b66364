"""Shared builder helpers: slugs, countries, CSV writing, theme mappings."""

import json

import pytest

from scripts.data_build.common import (
    assign_unique_slugs,
    country_code,
    is_latin_script,
    load_theme_mappings,
    slug_base,
    strip_diacritics,
    write_csv,
)


def test_slug_folds_name_and_prefixes_country():
    assert slug_base("Jyväskylä", "FI") == "fi-jyvaskyla"
    assert slug_base("'s-Hertogenbosch", "NL") == "nl-s-hertogenbosch"


def test_colliding_slugs_get_numbered_suffixes_in_order():
    assert assign_unique_slugs([("Emmen", "NL"), ("Emmen", "NL"), ("Emmen", "CH")]) == [
        "nl-emmen",
        "nl-emmen-2",
        "ch-emmen",
    ]


@pytest.mark.parametrize(
    ("label", "code"),
    [("EL", "GR"), ("uk", "GB"), ("Czech Republic", "CZ"), ("UNITED KINGDOM", "GB"), ("", None)],
)
def test_country_code_accepts_eu_codes_and_english_names(label, code):
    assert country_code(label) == code


def test_strip_diacritics_keeps_case():
    assert strip_diacritics("Łódź") == "Lodz"


def test_latin_script_detection():
    assert is_latin_script("Győr")
    assert not is_latin_script("Σέρρες")


def test_write_csv_formats_cells(tmp_path):
    path = tmp_path / "out.csv"
    count = write_csv(path, ["a", "b", "c", "d"], [(None, True, ["x", "y"], 1.5)])
    assert count == 1
    assert path.read_text(encoding="utf-8") == "a,b,c,d\n,true,x|y,1.5\n"


def test_theme_mappings_drop_unknown_ids(tmp_path):
    (tmp_path / "themes.json").write_text(
        json.dumps(
            {
                "themes": [{"id": "energy-transition"}],
                "mappings": {"keep.eu": {"Renewable energy": ["energy-transition", "gone"]}},
            }
        ),
        encoding="utf-8",
    )
    ids, mapping = load_theme_mappings(tmp_path)
    assert ids == {"energy-transition"}
    assert mapping == {"Renewable energy": ["energy-transition"]}


def test_missing_themes_file_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="themes builder"):
        load_theme_mappings(tmp_path)
