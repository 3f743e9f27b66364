"""Words shown to people for codes stored in the data."""

from __future__ import annotations

from matcher.domain import ProfileKind

#: What each profile kind means, phrased from the city's side.
KIND_LABELS: dict[str, str] = {
    ProfileKind.INTEREST: "Works on",
    ProfileKind.NEED: "Looking for help on",
    ProfileKind.OFFER: "Can share experience on",
}

#: Covenant of Mayors commitment codes of the JRC dataset.
COMMITMENT_LABELS: dict[str, str] = {
    "com2020": "Covenant of Mayors 2020 target (at least -20% CO2)",
    "com2030": "Covenant of Mayors 2030 target (at least -40% CO2)",
    "com2050": "Climate neutrality by 2050",
    "adaptation": "Climate adaptation commitment",
}

#: Provenance of a weight the city set itself (as opposed to "derived from <source>").


def commitment_label(code: str) -> str:
    """The readable name of a commitment code; unknown codes are shown as they are."""
    return COMMITMENT_LABELS.get(code, code)
