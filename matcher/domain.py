"""Domain objects shared by every layer: frozen dataclasses and reference data (stdlib only).

Nothing here talks to a database, a web framework or numpy; the scoring core, the repository,
the services and the web layer all exchange these objects.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

# --------------------------------------------------------------------------- countries

#: ISO 3166-1 alpha-2 code -> English short name, for every European country the data
#: mentions plus the Horizon Europe associated countries outside Europe.
COUNTRY_NAMES: dict[str, str] = {
    "AD": "Andorra", "AL": "Albania", "AM": "Armenia", "AT": "Austria",
    "BA": "Bosnia and Herzegovina", "BE": "Belgium", "BG": "Bulgaria", "BY": "Belarus",
    "CA": "Canada", "CH": "Switzerland", "CY": "Cyprus", "CZ": "Czechia", "DE": "Germany",
    "DK": "Denmark", "EE": "Estonia", "ES": "Spain", "FI": "Finland", "FO": "Faroe Islands",
    "FR": "France", "GB": "United Kingdom", "GE": "Georgia", "GR": "Greece", "HR": "Croatia",
    "HU": "Hungary", "IE": "Ireland", "IL": "Israel", "IS": "Iceland", "IT": "Italy",
    "KR": "South Korea", "LI": "Liechtenstein", "LT": "Lithuania", "LU": "Luxembourg",
    "LV": "Latvia", "MA": "Morocco", "MC": "Monaco", "MD": "Moldova", "ME": "Montenegro",
    "MK": "North Macedonia", "MT": "Malta", "NL": "Netherlands", "NO": "Norway",
    "NZ": "New Zealand", "PL": "Poland", "PT": "Portugal", "RO": "Romania", "RS": "Serbia",
    "RU": "Russia", "SE": "Sweden", "SI": "Slovenia", "SK": "Slovakia", "SM": "San Marino",
    "TN": "Tunisia", "TR": "Türkiye", "UA": "Ukraine", "VA": "Vatican City", "XK": "Kosovo",
    "JP": "Japan", "EG": "Egypt", "JO": "Jordan", "LB": "Lebanon", "PS": "Palestine",
    "DZ": "Algeria", "AZ": "Azerbaijan",
    # Third countries that calls name as eligible for EU funding (health, infrastructures).
    "US": "United States", "AU": "Australia", "BR": "Brazil", "CL": "Chile", "IN": "India",
    "MX": "Mexico", "SG": "Singapore",
}  # fmt: skip

#: EU publications write Greece "EL" and the United Kingdom "UK"; we store ISO codes.
_EU_CODE_ALIASES = {"EL": "GR", "UK": "GB"}

EU27: frozenset[str] = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
})  # fmt: skip
EEA: frozenset[str] = EU27 | {"IS", "LI", "NO"}
#: Who takes part in a programme besides the member states (or, for a member state, that it
#: does not), as dated, sourced facts: (programme set, country, status, scope, since, source).
#: Restated one row per country from data/raw/programme_association_status.csv (which keeps
#: one row per programme with its sources), plus Denmark's opt-out from Justice and the ISF.
#: ``status`` is associated (takes part like a member state), partial (only for ``scope``),
#: negotiating (no agreement in force: check the call document) or not_participating.
_PARTICIPATION_ROWS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ('HORIZON', 'AL', 'associated', 'all pillars', '2021',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'AM', 'associated', 'all pillars', '2021',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'BA', 'associated', 'all pillars', '2021',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'FO', 'associated', 'all pillars', '2021',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'GE', 'associated', 'all pillars', '2021',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'IS', 'associated', 'all pillars', '2021',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'IL', 'associated', 'all pillars', '2021',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'XK', 'associated', 'all pillars', '2021',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'MD', 'associated', 'all pillars', '2021',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'ME', 'associated', 'all pillars', '2021',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'MK', 'associated', 'all pillars', '2021',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'NO', 'associated', 'all pillars', '2021',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'RS', 'associated', 'all pillars', '2021',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'TN', 'associated', 'all pillars', '2022',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'TR', 'associated', 'all pillars', '2021',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'UA', 'associated', 'all pillars', '2022',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'GB', 'associated', 'all parts except the EIC Fund', '2024-01-01',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'CH', 'associated', 'all pillars', '2025-01-01',
     'https://www.swissinfo.ch/eng/various/parmelin-signs-agreement-on-eu-programmes-in-bern/90308837'),
    ('HORIZON', 'NZ', 'partial', 'Pillar II only', '2023',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'CA', 'partial', 'Pillar II only', '2024',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'KR', 'partial', 'Pillar II only', '2025',
     'https://sciencebusiness.net/node/59397'),
    ('HORIZON', 'EG', 'partial',
     'Pillar II only (transitional from 2025-04-10; signed 2025-10-22)', '2025-04-10',
     'https://www.nks-kem.de/aktuelles/news/assoziierung-aegyptens-an-horizont-europa'),
    ('HORIZON', 'MA', 'negotiating', 'no agreement found', '',
     'https://sciencebusiness.net/node/59397'),
    ('LIFE', 'IS', 'associated', 'all sub-programmes', '2021',
     'https://apambiente.pt/index.php/programa-life/comunicacao/paises-terceiros-associados-ao-programa-life'),
    ('LIFE', 'UA', 'associated', 'all sub-programmes', '2022',
     'https://wbc-rti.info/glossary/166.html'),
    ('LIFE', 'AL', 'negotiating', 'negotiations opened 2022; ratification not found', '',
     'https://eoc.org.cy/commission-opens-negotiations-with-seven-non-eu-countries-to-join-life-programme'),
    ('LIFE', 'AD', 'negotiating', 'negotiations opened 2022; ratification not found', '',
     'https://eoc.org.cy/commission-opens-negotiations-with-seven-non-eu-countries-to-join-life-programme'),
    ('LIFE', 'FO', 'negotiating', 'negotiations opened 2022; ratification not found', '',
     'https://eoc.org.cy/commission-opens-negotiations-with-seven-non-eu-countries-to-join-life-programme'),
    ('LIFE', 'IL', 'negotiating', 'negotiations opened 2022; ratification not found', '',
     'https://eoc.org.cy/commission-opens-negotiations-with-seven-non-eu-countries-to-join-life-programme'),
    ('LIFE', 'MD', 'negotiating', 'negotiations opened 2022; ratification not found', '',
     'https://eoc.org.cy/commission-opens-negotiations-with-seven-non-eu-countries-to-join-life-programme'),
    ('LIFE', 'MK', 'negotiating', 'negotiations opened 2022; ratification not found', '',
     'https://eoc.org.cy/commission-opens-negotiations-with-seven-non-eu-countries-to-join-life-programme'),
    ('LIFE', 'TR', 'negotiating', 'negotiations opened 2022; ratification not found', '',
     'https://eoc.org.cy/commission-opens-negotiations-with-seven-non-eu-countries-to-join-life-programme'),
    ('CERV', 'RS', 'negotiating', 'procedures nearing completion (2023-12)', '',
     'https://ec.europa.eu/newsroom/just/redirection/item/812963/default/1148'),
    ('CERV', 'BA', 'negotiating', 'procedures nearing completion (2023-12)', '',
     'https://ec.europa.eu/newsroom/just/redirection/item/812963/default/1148'),
    ('CERV', 'AL', 'negotiating', 'procedures nearing completion (2023-12)', '',
     'https://ec.europa.eu/newsroom/just/redirection/item/812963/default/1148'),
    ('CERV', 'XK', 'negotiating', 'procedures nearing completion (2023-12)', '',
     'https://ec.europa.eu/newsroom/just/redirection/item/812963/default/1148'),
    ('CERV', 'UA', 'negotiating', 'procedures nearing completion (2023-12)', '',
     'https://ec.europa.eu/newsroom/just/redirection/item/812963/default/1148'),
    ('JUSTICE', 'DK', 'not_participating',
     'Denmark does not take part (Protocol No 22 to the Treaties: the Justice Programme'
     ' Regulation (EU) 2021/693 does not bind Denmark)', '2021',
     'https://eur-lex.europa.eu/eli/reg/2021/693/oj'),
    ('ISF', 'DK', 'not_participating',
     'Denmark does not take part (Protocol No 22 to the Treaties: the ISF Regulation (EU)'
     ' 2021/1149 does not bind Denmark)', '2021',
     'https://eur-lex.europa.eu/eli/reg/2021/1149/oj'),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Participation:
    """How one country takes part in one programme, with the date and the source."""

    programme: str  # the country-set name: HORIZON, LIFE, CERV, JUSTICE, ISF
    country: str
    status: str  # associated, partial, negotiating or not_participating
    scope: str
    since: str
    source: str


PARTICIPATION: dict[tuple[str, str], Participation] = {
    (row[0], row[1]): Participation(*row) for row in _PARTICIPATION_ROWS
}
#: Human names of the programme country sets, for reasons.
PROGRAMME_SET_NAMES = {
    "HORIZON": "Horizon Europe",
    "LIFE": "the LIFE programme",
    "CERV": "the CERV programme",
    "JUSTICE": "the Justice programme",
    "ISF": "the Internal Security Fund",
}


def _taking_part(programme: str, *statuses: str) -> frozenset[str]:
    return frozenset(
        p.country
        for p in PARTICIPATION.values()
        if p.programme == programme and p.status in statuses
    )


def participation(programme: str, country: str) -> Participation | None:
    """The recorded participation of ``country`` in the programme set ``programme``."""
    return PARTICIPATION.get((programme, country))


#: Countries associated to Horizon Europe, fully or for a part (Pillar II) of it.
HORIZON_ASSOCIATED: frozenset[str] = _taking_part("HORIZON", "associated", "partial")
#: Countries associated to the LIFE programme besides the EU member states.
LIFE_ASSOCIATED: frozenset[str] = _taking_part("LIFE", "associated")

#: Horizon Europe Widening countries: EU members with low R&I performance plus associated
#: countries with the same status (Horizon Europe Regulation 2021/695, art. 2(25); list of the
#: 2026-2027 General Annexes). Outermost regions also qualify but are below country level.
WIDENING: frozenset[str] = frozenset({
    "BG", "HR", "CY", "CZ", "EE", "GR", "HU", "LV", "LT", "MT", "PL", "PT", "RO", "SK", "SI",
    "AL", "AM", "BA", "FO", "GE", "XK", "MD", "ME", "MK", "RS", "TN", "TR", "UA",
})  # fmt: skip

#: Named country sets usable in filters and eligibility rules.
COUNTRY_SETS: dict[str, frozenset[str]] = {
    "EU27": EU27,
    "EEA": EEA,
    "HORIZON": EU27 | HORIZON_ASSOCIATED,
    "HORIZON_ASSOCIATED": HORIZON_ASSOCIATED,
    "LIFE": EU27 | LIFE_ASSOCIATED,
    "CERV": EU27 | _taking_part("CERV", "associated"),
    "JUSTICE": EU27 - _taking_part("JUSTICE", "not_participating"),
    "ISF": EU27 - _taking_part("ISF", "not_participating"),
    "WIDENING": WIDENING,
}


def normalise_country(code: str) -> str:
    """Return the ISO 3166-1 alpha-2 code for ``code`` (accepts EU-style ``EL``/``UK``).

    Raises ``ValueError`` when the code is not a known country.
    """
    cleaned = (code or "").strip().upper()
    cleaned = _EU_CODE_ALIASES.get(cleaned, cleaned)
    if cleaned not in COUNTRY_NAMES:
        raise ValueError(f"unknown country code {code!r}")
    return cleaned


def expand_countries(items: list[str] | tuple[str, ...] | set[str]) -> frozenset[str]:
    """Expand a mix of ISO codes and named sets (``EU27``, ``EEA``, ...) into ISO codes."""
    out: set[str] = set()
    for item in items:
        key = item.strip().upper()
        if key in COUNTRY_SETS:
            out |= COUNTRY_SETS[key]
        elif key:
            out.add(normalise_country(key))
    return frozenset(out)


# --------------------------------------------------------------------------- text helpers


#: Letters that NFKD does not decompose into a base letter plus a combining mark.
_UNDECOMPOSED = str.maketrans(
    {"ß": "ss", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "æ": "ae", "Æ": "ae",
     "œ": "oe", "ı": "i", "þ": "th"}
)  # fmt: skip


def fold(text: str) -> str:
    """Lower-case, strip diacritics and collapse whitespace: the key for name comparisons."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.translate(_UNDECOMPOSED)
    return " ".join(stripped.lower().split())


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


# --------------------------------------------------------------------------- size bands

#: (band id, label, lower bound inclusive, upper bound exclusive); the community's own
#: "small and medium-sized cities" are the 20k-250k bands.
SIZE_BANDS: tuple[tuple[str, str, int, int | None], ...] = (
    ("xs", "under 20,000", 0, 20_000),
    ("s", "20,000-50,000", 20_000, 50_000),
    ("m", "50,000-100,000", 50_000, 100_000),
    ("l", "100,000-250,000", 100_000, 250_000),
    ("xl", "250,000-500,000", 250_000, 500_000),
    ("xxl", "500,000 and more", 500_000, None),
)


#: The bands partner lists keep when the user picks none: the 20,000-500,000 cities the
#: product is for. Smaller municipalities and large cities are in the data (partners in real
#: projects, candidates when their band is asked for) but not in the default view.
DEFAULT_SIZE_BANDS: tuple[str, ...] = ("s", "m", "l", "xl")


def size_band(population: int | None) -> str | None:
    """Size band id for a population, ``None`` when the population is unknown."""
    if population is None:
        return None
    for band_id, _label, low, high in SIZE_BANDS:
        if population >= low and (high is None or population < high):
            return band_id
    return None


def size_band_label(band_id: str | None) -> str:
    """Human label of a size band id."""
    for bid, label, _low, _high in SIZE_BANDS:
        if bid == band_id:
            return label
    return "unknown size"


# --------------------------------------------------------------------------- themes and cities


class ProfileKind(StrEnum):
    """The three theme profiles of a city."""

    INTEREST = "interest"
    NEED = "need"
    OFFER = "offer"


@dataclass(frozen=True, slots=True)
class Theme:
    """One entry of the controlled theme vocabulary."""

    id: str
    label: str
    description: str
    synonyms: tuple[str, ...] = ()


#: Provenance of a weight the city set itself (web form, API); every other weight says
#: "derived from <source>" or "imported from <file>".
DECLARED_PROVENANCE = "declared by the city"


@dataclass(frozen=True, slots=True)
class ProfileEntry:
    """A weight in one of a city's theme profiles, with where it came from.

    ``provenance`` is "declared by the city" or "derived from <source>".
    """

    kind: ProfileKind
    theme_id: str
    weight: float
    provenance: str


@dataclass(frozen=True, slots=True)
class City:
    """A municipality with its reference data and theme profiles."""

    id: int
    slug: str
    name: str
    country: str
    population: int | None = None
    lat: float | None = None
    lon: float | None = None
    official_name: str = ""
    alt_names: tuple[str, ...] = ()
    nuts: str | None = None
    mission_city: bool | None = None
    commitments: tuple[str, ...] = ()
    source: str = ""
    profile: tuple[ProfileEntry, ...] = ()

    @property
    def size_band(self) -> str | None:
        return size_band(self.population)

    @property
    def nuts2(self) -> str:
        """The NUTS 2 region (the first four characters of the NUTS code), '' when unknown."""
        return (self.nuts or "")[:4]

    def weights(self, kind: ProfileKind) -> dict[str, float]:
        """Theme id -> weight for one profile kind."""
        return {e.theme_id: e.weight for e in self.profile if e.kind == kind}


@dataclass(frozen=True, slots=True)
class Collaboration:
    """A real past project or network with its member cities."""

    id: int
    source: str
    source_ref: str
    title: str
    programme: str = ""
    themes: tuple[str, ...] = ()
    description: str = ""
    start_year: int | None = None
    end_year: int | None = None
    member_city_ids: tuple[int, ...] = ()
    kind: str = "project"  # project / network / joint-plan
    #: (city id, role) per member, roles as in :data:`MEMBER_ROLES`; empty when not loaded.
    member_roles: tuple[tuple[int, str], ...] = ()

    def role_of(self, city_id: int) -> str:
        """The member's role ("" when unknown or not a member)."""
        return next((role for cid, role in self.member_roles if cid == city_id), "")

    @property
    def is_partnership(self) -> bool:
        """A project of two or more member cities (one a city ran alone is experience)."""
        return self.kind == "project" and len(set(self.member_city_ids)) >= 2

    @property
    def purpose(self) -> str:
        """The partnership purpose this collaboration is an example of (see
        :func:`collaboration_purpose`)."""
        return collaboration_purpose(self.source, self.programme, self.kind)


#: Member roles as the data records them: keep.eu ``lead`` / ``partner``; CORDIS
#: ``coordinator`` / ``participant`` / ``associated_partner`` / ``third_party``; networks
#: ``member`` / ``coordinated`` / ``supporter``.
MEMBER_ROLES: tuple[str, ...] = (
    "lead", "partner", "coordinator", "participant", "associated_partner", "third_party",
    "member", "coordinated", "supporter",
)  # fmt: skip
#: Roles that led the collaboration: only these may be told as "led".
LEAD_ROLES: frozenset[str] = frozenset({"lead", "coordinator"})
#: The purposes of a partnership a user can ask for; ``any`` expresses none.
PURPOSES: tuple[str, ...] = ("any", "cross-border", "transnational", "research", "peer-exchange")
#: Programme-name markers (upper case; whole words, or phrases) of each purpose.
_CROSS_BORDER_WORDS = frozenset({"V-A", "VA", "PEACE"})
_CROSS_BORDER_PHRASES = ("IPA CBC", "ENI CBC", "NEXT CBC", "CROSS-BORDER")
_TRANSNATIONAL_WORDS = frozenset({"V-B", "VB", "V-C", "VC", "URBACT", "ESPON", "INTERACT"})
_TRANSNATIONAL_PHRASES = ("INTERREG EUROPE", "TRANSNATIONAL", "INTERREGIONAL")


def collaboration_purpose(source: str, programme: str, kind: str = "project") -> str:
    """The purpose a collaboration exemplifies, from its programme: ``cross-border``
    (Interreg A, IPA/ENI CBC, PEACE), ``transnational`` (Interreg B and C / Europe, URBACT,
    ESPON, INTERACT), ``research`` (Horizon Europe and other CORDIS projects), ``""`` for
    anything else (networks and joint action plans are not partnership projects)."""
    if kind != "project":
        return ""
    name = (programme or "").upper()
    words = set(name.replace("(", " ").replace(")", " ").replace(",", " ").split())
    if words & _CROSS_BORDER_WORDS or any(p in name for p in _CROSS_BORDER_PHRASES):
        return "cross-border"
    if words & _TRANSNATIONAL_WORDS or any(p in name for p in _TRANSNATIONAL_PHRASES):
        return "transnational"
    if "cordis" in (source or "").lower() or "horizon" in (programme or "").lower():
        return "research"
    return ""


# --------------------------------------------------------------------------- calls and rules


class RuleStatus(StrEnum):
    """Outcome of one eligibility rule for a city or consortium."""

    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"


class RuleKind(StrEnum):
    """The eligibility rules a call can carry, as data."""

    COUNTRIES = "eligible_countries"  # params: {"countries": [...], "sets": [...]}
    APPLICANT_TYPE = "applicant_type"  # params: {"types": ["municipality", ...]}
    POPULATION = "population"  # params: {"min": int|None, "max": int|None}
    MIN_PARTNERS = "min_partners"  # params: {"min": int}
    MIN_COUNTRIES = "min_countries"  # params: {"min": int, "from_set": "EU27"|None}
    REQUIRED_MEMBER = "required_member"  # params: {"flag": "mission_city", "min": 1}
    COFUNDING = "cofunding_rate"  # params: {"rate": float}
    DEADLINE = "deadline"  # implicit: derived from the call's deadline


@dataclass(frozen=True, slots=True)
class EligibilityRule:
    """One rule of a call. ``parsed`` is False when the text could not be read reliably:
    such a rule evaluates to *unknown*, never to *passed*."""

    kind: str
    params: dict = field(default_factory=dict)
    parsed: bool = True
    source_sentence: str = ""


@dataclass(frozen=True, slots=True)
class FundingCall:
    """An EU funding topic with its eligibility rules."""

    id: str
    title: str
    programme: str = ""
    call_identifier: str = ""
    action_type: str = ""
    description: str = ""
    keywords: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    opening_date: date | None = None
    deadlines: tuple[date, ...] = ()
    budget_min: float | None = None
    budget_max: float | None = None
    expected_grants: int | None = None
    url: str = ""
    conditions_text: str = ""
    rules: tuple[EligibilityRule, ...] = ()
    portal_status: str = ""  # as listed by the portal when the data was taken

    @property
    def next_deadline(self) -> date | None:
        return max(self.deadlines) if self.deadlines else None

    def deadline_after(self, today: date) -> date | None:
        """The first deadline on or after ``today``, if any."""
        upcoming = sorted(d for d in self.deadlines if d >= today)
        return upcoming[0] if upcoming else None

    def status(self, today: date) -> str:
        """``closed`` once every deadline has passed; ``forthcoming`` before the opening date,
        or, when the opening date is not published, if the portal listed the call as
        forthcoming when the data was taken; otherwise ``open``."""
        if self.portal_status == "withdrawn":  # the portal no longer lists it
            return "closed"
        if self.deadlines and all(d < today for d in self.deadlines):
            return "closed"
        if self.opening_date:
            return "forthcoming" if today < self.opening_date else "open"
        return "forthcoming" if self.portal_status == "forthcoming" else "open"


@dataclass(frozen=True, slots=True)
class RuleResult:
    """How a city or consortium fares against one rule, in words."""

    kind: str
    status: RuleStatus
    reason: str
    source_sentence: str = ""


def city_slug(country: str, name: str) -> str:
    """Stable identity of a city across files: ``<country>-<folded name>`` (``fi-jyvaskyla``)."""
    folded = "".join(ch if ch.isalnum() else "-" for ch in fold(name))
    return f"{country.lower()}-{'-'.join(part for part in folded.split('-') if part)}"


# --------------------------------------------------------------------------- who may write


#: Scopes of write access: everything, one city's declared profile, or one event.
ADMIN_SCOPE, CITY_SCOPE, EVENT_SCOPE = "admin", "city", "event"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change: an editor, a configured administrator token or the command line.

    ``scope_ref`` is the city slug of a city editor and the event id (as text) of an event
    editor; ``editor_id`` is None for the configured tokens and the command line.
    """

    name: str
    scope: str
    scope_ref: str = ""
    editor_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.scope == ADMIN_SCOPE

    def may_edit_city(self, slug: str) -> bool:
        """Whether this actor may change the declared profile of the city ``slug``."""
        return self.is_admin or (self.scope == CITY_SCOPE and self.scope_ref == slug)

    def may_edit_event(self, event_id: int) -> bool:
        """Whether this actor may change the event ``event_id`` (its attendees, schedule...)."""
        return self.is_admin or (self.scope == EVENT_SCOPE and self.scope_ref == str(event_id))

    @property
    def scope_label(self) -> str:
        """The scope in words: "administrator", "editor of nl-emmen", "editor of event 3"."""
        if self.is_admin:
            return "administrator"
        if self.scope == EVENT_SCOPE:
            return f"editor of event {self.scope_ref}"
        return f"editor of {self.scope_ref}"


@dataclass(frozen=True, slots=True)
class Editor:
    """A stored editor as the command line lists it (never with a secret)."""

    id: int
    name: str
    scope: str
    scope_ref: str
    created_at: datetime
    revoked_at: datetime | None = None
    link_expires_at: datetime | None = None

    def actor(self) -> Actor:
        return Actor(self.name, self.scope, self.scope_ref, self.id)


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the history: who changed what, when (UTC), with before/after details."""

    id: int
    at: datetime
    editor_name: str
    action: str
    summary: str
    city_slug: str | None = None
    event_id: int | None = None
    editor_id: int | None = None
    details: dict = field(default_factory=dict)
