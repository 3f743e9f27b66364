"""Field types of the JSON API's query parameters and bodies: countries, comma-separated or
repeated lists, whole numbers and weights that refuse ``true``/``false``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from matcher.domain import COUNTRY_NAMES, COUNTRY_SETS, PURPOSES, SIZE_BANDS, normalise_country
from matcher.services.calls import STATUS_CHOICES
from matcher.services.partners import GEOGRAPHY_CHOICES


def _country_or_none(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return normalise_country(value)


def _number_not_bool(value):
    """JSON ``true``/``false`` is not a number (pydantic would read it as 1 or 0)."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    return value


def whole_number(**constraints):
    """An integer field (``Field`` constraints) that refuses ``true``/``false``, as its
    JSON Schema ``integer`` type promises."""
    return Annotated[int, Field(**constraints), BeforeValidator(_number_not_bool)]


Weight = Annotated[
    float,
    Field(ge=0.0, le=1.0, description="0 (not at all) to 1 (central)"),
    BeforeValidator(_number_not_bool),
]
#: Every country code the API accepts, as the OpenAPI document lists them (either case).
COUNTRY_CODE_VALUES = sorted({*COUNTRY_NAMES, "EL", "UK"})
COUNTRY_CODE_VALUES += [code.lower() for code in COUNTRY_CODE_VALUES]
CountryCode = Annotated[
    str | None,
    AfterValidator(_country_or_none),
    Field(
        description="ISO 3166-1 alpha-2 code; the EU's EL (Greece) and UK are accepted too.",
        examples=["FI"],
    ),
]


def _split_commas(value: object) -> list[str]:
    """``a,b`` or a repeated parameter (``x=a&x=b``, both may mix): stripped, non-empty items."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [part.strip() for item in items for part in str(item).split(",") if part.strip()]


def _split_commas_strict(value: object) -> list[str]:
    """Like :func:`_split_commas` but an empty item stays, for the item check to refuse."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [part.strip() for item in items for part in str(item).split(",")]


def _repeated(value: object) -> list[str]:
    """A repeated parameter as a list, without splitting at commas (names may contain them)."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [str(item).strip() for item in items if str(item).strip()]


def _country_set_name(value: str) -> str:
    return value.strip().upper()


Geography = Literal[GEOGRAPHY_CHOICES]  # type: ignore[valid-type]
Purpose = Literal[PURPOSES]  # type: ignore[valid-type]
SizeBand = Literal[tuple(band[0] for band in SIZE_BANDS)]  # type: ignore[valid-type]
CountrySet = Annotated[
    Literal[tuple(COUNTRY_SETS)],  # type: ignore[valid-type]
    BeforeValidator(_country_set_name),
]
CallStatus = Literal[STATUS_CHOICES]  # type: ignore[valid-type]
CountryItem = Annotated[str, AfterValidator(normalise_country)]


def _country_or_set(value: str) -> str:
    key = value.strip().upper()
    return key if key in COUNTRY_SETS else normalise_country(key)


CountryOrSet = Annotated[str, AfterValidator(_country_or_set)]
#: Comma-separated or repeated: ``theme=a,b`` and ``theme=a&theme=b`` mean the same.
COMMAS = "Comma-separated, or the parameter repeated."


def _comma_list(item_type, description: str, **field_options):
    """A list query parameter given comma-separated or repeated, with ``description``."""
    return Annotated[
        list[item_type],
        BeforeValidator(_split_commas),
        Field(description=f"{description} {COMMAS}", **field_options),
    ]


def _repeated_list(description: str):
    """A list query parameter given by repeating it (its values may contain commas)."""
    return Annotated[
        list[str],
        BeforeValidator(_repeated),
        Field(description=f"{description} Repeat the parameter for more."),
    ]


ThemeFocus = _comma_list(str, "Theme focus: theme ids (see /themes).", max_length=30)
OnlyCountries = _comma_list(CountryItem, "Keep only candidates in these countries (ISO codes).")
ExcludeCountries = _comma_list(CountryItem, "Leave out candidates in these countries.")
CountrySets = _comma_list(
    CountrySet, "Keep only candidates in these named sets (EU27, EEA, HORIZON, ...)."
)
SizeBands = _comma_list(
    SizeBand,
    "Keep only candidates of these size bands; none given: s, m, l, xl (20,000-500,000). "
    "List all six for every size.",
)
Programmes = _repeated_list("Only these programmes (exact names, e.g. 'Horizon Europe').")
CitySlugs = Annotated[
    # Items are split at commas before they are checked, so an item never holds one.
    list[Annotated[str, Field(min_length=1, max_length=120, pattern=r"^[^,]+$")]],
    BeforeValidator(_split_commas_strict),
    Field(
        description=f"City slugs: one city, or the members of a consortium. {COMMAS}",
        min_length=1,
        max_length=20,
    ),
]
PartnerCountries = _comma_list(
    CountryOrSet, "Only partners from these countries or named sets (EU27, EEA, HORIZON)."
)
