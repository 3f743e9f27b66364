"""Would a municipality go for this call? A named, explained part of every call's ranking.

A call's fit to a city's themes says nothing about whether a town hall can take part: a
European Defence Fund call on fighter jets may share "energy" with a city's profile. This
module reads, from the call itself, what role a local or regional authority has in it:

``written_for_cities`` (1.0)
    the call is about cities, towns, municipalities or neighbourhoods: it belongs to the Cities
    Mission, its title says so, or its text keeps coming back to them (the sentence that says
    so is kept); a New European Bauhaus call too, when its title or text is about places;
``municipal_role`` (0.75)
    a local or regional authority is named as an applicant, a required member, a
    demonstrator or replicator, or the call is a public buyers' action (PCP/PPI) whose text
    names public authorities;
``typical_beneficiary`` (0.55)
    the programme or action is one municipalities typically win (LIFE standard and strategic
    projects, CERV citizens' strand, Interregional Innovation Investments, New European
    Bauhaus calls whose text is not about places);
``possible`` (0.35)
    the text names public or local authorities among the stakeholders, nothing more;
``unlikely`` (0.1)
    nothing in the call speaks to a local authority (industrial, laboratory or scientific
    research, operating grants for NGOs, external action in third countries);
``never`` (0.0)
    a local authority cannot realistically take part: defence, nuclear fission and fusion,
    individual researchers (ERC, MSCA fellowships and doctoral networks), SME- or start-up-
    only instruments, calls whose applicant-type rule excludes municipalities.

The verdict is a pure function of the call (:func:`assess`), so :class:`SuitabilityIndex`
computes it once per call. Every verdict keeps its evidence: the sentence read, or the
programme or action type it rests on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matcher.domain import FundingCall, RuleKind

__all__ = [
    "CACHE_LIMIT",
    "LEVEL_SCORES",
    "Suitability",
    "SuitabilityIndex",
    "assess",
    "cached_assess",
    "clear_cache",
]

#: Score of each level, in [0, 1]; the order of this mapping is the order of preference.
LEVEL_SCORES: dict[str, float] = {
    "written_for_cities": 1.0,
    "municipal_role": 0.75,
    "typical_beneficiary": 0.55,
    "possible": 0.35,
    "unlikely": 0.1,
    "never": 0.0,
}

LEVEL_LABELS: dict[str, str] = {
    "written_for_cities": "written for cities",
    "municipal_role": "a local authority has a named role",
    "typical_beneficiary": "municipalities are typical beneficiaries",
    "possible": "local or public authorities are among the stakeholders",
    "unlikely": "nothing in the call speaks to a local authority",
    "never": "not for municipalities",
}


@dataclass(frozen=True, slots=True)
class Suitability:
    """How suitable a call is for a municipality, and why."""

    level: str
    score: float
    reason: str  # one line, for the list
    evidence: str  # the sentence, programme or action type the verdict rests on

    @property
    def written_for_cities(self) -> bool:
        """True when the call is about cities themselves."""
        return self.level == "written_for_cities"


# --------------------------------------------------------------------------- vocabulary

#: A local authority or the places it governs, as call texts name them.
_CITY_WORDS = re.compile(
    r"\b(?:cit(?:y|ies)|towns?|municipalit(?:y|ies)|municipal|mayors?|neighbourhoods?"
    r"|neighborhoods?|urban|local (?:and regional |or regional )?(?:authorit(?:y|ies)"
    r"|governments?|administrations?|public authorit(?:y|ies))|inter-municipal)\b",
    re.I,
)
#: Words in a title that make a call about cities.
_CITY_TITLE = re.compile(
    r"\b(?:cit(?:y|ies)|towns?|municipal\w*|urban|neighbourhoods?|local authorit\w*"
    r"|local heating and cooling plans?|local adaptation|town twinning|homelessness)\b",
    re.I,
)
#: Phrases that name a municipality's role in the action.
_ROLE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "applicant",
        re.compile(
            r"\b(?:local (?:and|or) regional authorities|local authorities|municipalities"
            r"|public authorities|cities)\b[^.]{0,60}\b(?:are eligible|may apply|can apply"
            r"|may submit|can submit|may be coordinators?|should lead|must lead)\b"
            r"|\b(?:applicants?|coordinators?|lead partners?)\b[^.]{0,60}\b(?:must|should|can"
            r"|may) be\b[^.]{0,40}\b(?:local|municipal|public) (?:authorit|bod|entit)",
            re.I,
        ),
    ),
    (
        "required member",
        re.compile(
            r"\b(?:consortia|consortium|proposals?|partnerships?)\b[^.]{0,80}\b(?:must|should|"
            r"are expected to|is expected to|are required to|are encouraged to) (?:include|involve"
            r"|comprise|have)\b[^.]{0,120}\b(?:cit(?:y|ies)|municipalit(?:y|ies)|local"
            r"(?: and regional)? authorit(?:y|ies)|local governments?|public authorit(?:y|ies)"
            r"|regional authorit(?:y|ies))\b"
            r"|\bat least (?:\w+|\d+) (?:\w+ )?(?:cit(?:y|ies)|municipalit(?:y|ies)"
            r"|local authorit(?:y|ies))\b"
            # "the active involvement, as beneficiaries, of at least 3 authorities in charge of
            # disaster risk": civil-protection and police authorities, often municipal ones.
            r"|\binvolvement, as beneficiaries, of at least \w+ (?:\w+ ){0,3}authorities\b",
            re.I,
        ),
    ),
    (
        "demonstrator or replicator",
        re.compile(
            r"\b(?:demonstrat\w*|pilot(?:s|ed|ing)?|replicat\w*|follower|lighthouse|living labs?"
            r"|testbeds?|twinning)\b[^.]{0,100}\b(?:cit(?:y|ies)|municipalit(?:y|ies)|towns?"
            r"|local authorit(?:y|ies))\b"
            r"|\b(?:cit(?:y|ies)|municipalit(?:y|ies)|towns?)\b[^.]{0,60}\b(?:demonstrat\w*"
            r"|pilot\w*|replicat\w*|follower|lighthouse|living labs?|testbeds?)\b",
            re.I,
        ),
    ),
    (
        "public buyer",
        re.compile(
            r"\b(?:public (?:buyers|procurers|purchasers)|buyers group|procurers)\b",
            re.I,
        ),
    ),
)
_PUBLIC_AUTHORITY = re.compile(
    r"\b(?:local|regional|municipal|public) (?:and regional )?(?:authorit(?:y|ies)"
    r"|administrations?|governments?|bodies)\b",
    re.I,
)
#: A buyers' sentence that names local or regional buyers, not just "procurers"; and not only
#: at the tail of a list of other buyers ("airport and port authorities ..., other state,
#: regional or local authorities ... are some examples of expected procurers").
_LOCAL_BUYER = re.compile(
    r"(?<!other )(?<!other state, )(?<!other state, regional or )"
    r"\b(?:local|municipal\w*|cit(?:y|ies)|towns?)\b",
    re.I,
)
#: Stems every role pattern (or city word) needs: plain substring tests that spare the
#: costly patterns most sentences (Python's case-insensitive alternations are slow).
_ACTOR_STEMS = ("cit", "town", "municipal", "authorit", "procurer", "buyer", "purchaser")
_CITY_STEMS = ("cit", "town", "municipal", "mayor", "neighbo", "urban", "local")
_SENTENCE_END = re.compile(r"[.!?;:]\s+|\n+")


def _has_any(sentence: str, stems: tuple[str, ...]) -> bool:
    lowered = sentence.lower()
    return any(stem in lowered for stem in stems)


# --------------------------------------------------------------------------- programmes

#: Programmes no municipality takes part in, and why.
_NEVER_PROGRAMMES = {
    "european defence fund": "defence research and industry (European Defence Fund)",
    "euratom": "nuclear research (Euratom)",
    "pericles iv": "protection of the euro against counterfeiting (law enforcement)",
}
#: Types of action that fund individuals, start-ups or SMEs, never a town hall.
_NEVER_ACTIONS = re.compile(r"^(?:MSCA|MSCA-SE|HORIZON-EIC-EQU|ERC\w*)$", re.I)
#: Call identifiers of the same instruments: ERC, EIC, MSCA (bar its citizens' strand).
_NEVER_IDS = re.compile(r"^(?:ERC-|HORIZON-ERC-|HORIZON-EIC-|HORIZON-MSCA-\d{4}-(?!CITIZENS))")
_NEVER_TITLE = re.compile(
    r"\b(?:fusion|nuclear|defence|military|weapons?|ammunition|missiles?)\b", re.I
)
#: Applicant types that exclude a municipality when they are the only ones allowed.
_EXCLUDING_TYPES = frozenset(
    {"sme", "small_mid_cap", "principal_investigator", "postdoctoral_researcher",
     "national_authority",
     "article_36_organisation", "existing_consortium_coordinator"}
)  # fmt: skip
#: New European Bauhaus calls: written for cities when their text is about places (title or
#: sentences, as for any call); the others (building products, construction sites, capital
#: markets) are calls municipalities typically join as partners, not calls about them.
_NEB = re.compile(r"^HORIZON-NEB-|-NEB-")
#: Call identifiers (or programme, action) whose instruments municipalities typically win.
_TYPICAL = (
    (re.compile(r"^LIFE-\d{4}-(?:SAP|STRAT|TA-PP)-"), "LIFE standard and strategic projects: "
     "municipalities are frequent beneficiaries"),
    (re.compile(r"^CERV-\d{4}-CITIZENS-"), "CERV citizens' engagement strand (town twinning, "
     "networks of towns): written for municipalities"),
    (re.compile(r"^I3-"), "Interregional Innovation Investments: regional and local authorities "
     "lead innovation ecosystems"),
    (_NEB, "a New European Bauhaus call (an initiative on neighbourhoods and public spaces),"
     " though this topic's text is not about cities"),
)  # fmt: skip
#: Instruments whose calls are about cities by design, whatever a topic's wording.
_CITY_INSTRUMENTS = (
    (re.compile(r"^HORIZON-MISS-\d{4}-\d+-(?:[A-Z-]*-)?CIT-|-CIT-"), "a call of the EU Mission "
     "on Climate-Neutral and Smart Cities"),
)  # fmt: skip
#: Services town halls deliver themselves: a call about one of them, whose text names public
#: or local authorities, gives them a role (provider, planner or client), not a mere mention.
_MUNICIPAL_SERVICES = re.compile(
    r"\b(?:(?:building|energy) renovation|renovation (?:of|programmes)|one-stop-shops?"
    r"|energy poverty|energy communit(?:y|ies)|heating and cooling plan\w*"
    r"|social services|child protection|victims? support|support(?:ing)? victims"
    r"|disaster (?:preparedness|risk (?:management|reduction)|resilience)|civil protection"
    r"|air quality (?:plan\w*|management)|drinking water|water (?:supply|services|utilit\w*)"
    r"|wastewater|waste (?:collection|management)|public transport|road safety|social housing"
    r"|affordable housing|street lighting|public buildings|schools?|libraries|long-term care)\b",
    re.I,
)
_UNLIKELY_PROGRAMMES = {
    "eu external action - prospect (relex-prospect)": "external action grants for actors in "
    "the partner country",
    "eu agencies": "studies and services for an EU agency",
    "rfcs": "coal and steel research (RFCS)",
}
#: Action types for groups of public buyers: pre-commercial procurement and PPI.
_PUBLIC_BUYER_ACTIONS = frozenset({"HORIZON-PCP", "PPI"})
#: Prizes, co-funds of national funders and NGO operating grants.
_UNLIKELY_ACTIONS = {"Prize": "a prize", "CoFund": "a co-fund of national research funders"}
_UNLIKELY_IDS = re.compile(r"-NGO-OG-|-OG-")
#: Sentences of the text, at most this many, are read; the rest is boilerplate annexes.
_MAX_SENTENCES = 400
#: A call whose text keeps coming back to cities is written for them: at least this many
#: sentences naming a city, and at least this share of all its sentences.
_CITY_SENTENCES_MIN = 5
_CITY_SHARE_MIN = 0.12


def _sentences(call: FundingCall) -> list[str]:
    text = f"{call.description}\n{call.conditions_text}"
    parts = (s.strip() for s in _SENTENCE_END.split(text))
    return [s for s in parts if len(s) > 20][:_MAX_SENTENCES]


def _short(sentence: str, limit: int = 240) -> str:
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def _make(level: str, reason: str, evidence: str) -> Suitability:
    return Suitability(level, LEVEL_SCORES[level], reason, _short(evidence))


def _never(call: FundingCall) -> Suitability | None:
    programme = call.programme.casefold()
    if programme in _NEVER_PROGRAMMES:
        why = _NEVER_PROGRAMMES[programme]
        return _make("never", f"Not for municipalities: {why}", f"Programme: {call.programme}")
    if _NEVER_ACTIONS.search(call.action_type) or _NEVER_IDS.search(call.id):
        return _make(
            "never",
            "Not for municipalities: funds individual researchers, start-ups or SMEs",
            f"Call {call.id} (type of action {call.action_type or 'not stated'})",
        )
    for rule in call.rules:
        types = set(rule.params.get("types", ())) if rule.kind == RuleKind.APPLICANT_TYPE else set()
        if rule.parsed and types and types <= _EXCLUDING_TYPES:
            return _make(
                "never",
                "Not for municipalities: only "
                + ", ".join(sorted(types)).replace("_", " ")
                + " may apply",
                rule.source_sentence or "applicant type rule",
            )
    if _NEVER_TITLE.search(call.title):
        word = _NEVER_TITLE.search(call.title).group(0).lower()
        return _make("never", f"Not for municipalities: a {word} topic", f"Title: {call.title}")
    return None


def assess(call: FundingCall) -> Suitability:
    """The municipal suitability of one call, with the sentence or fact it rests on."""
    never = _never(call)
    if never is not None:
        return never
    sentences = _sentences(call)
    city_sentences = [s for s in sentences if _has_any(s, _CITY_STEMS) and _CITY_WORDS.search(s)]
    title_hit = _CITY_TITLE.search(call.title)
    share = len(city_sentences) / max(len(sentences), 1)
    instrument = next((why for pattern, why in _CITY_INSTRUMENTS if pattern.search(call.id)), None)
    if instrument:
        evidence = _best_city_sentence(city_sentences) or f"Call: {call.id}"
        return _make("written_for_cities", f"Written for cities ({instrument})", evidence)
    if title_hit or (len(city_sentences) >= _CITY_SENTENCES_MIN and share >= _CITY_SHARE_MIN):
        evidence = _best_city_sentence(city_sentences) or f"Title: {call.title}"
        why = (
            f"title names {title_hit.group(0).lower()}"
            if title_hit
            else (f"{len(city_sentences)} of its {len(sentences)} sentences are about cities")
        )
        return _make("written_for_cities", f"Written for cities ({why})", evidence)
    # The role patterns are costly; only sentences naming an actor can match them.
    actors = [s for s in sentences if _has_any(s, _ACTOR_STEMS)]
    for role, pattern in _ROLE_PATTERNS:
        if role == "public buyer" and call.action_type not in _PUBLIC_BUYER_ACTIONS:
            continue
        hit = next((s for s in actors if pattern.search(s)
                    and (role != "public buyer" or _LOCAL_BUYER.search(s))), None)  # fmt: skip
        if hit:
            return _make("municipal_role", f"A local authority as {role}", hit)
    for pattern, why in _TYPICAL:
        if pattern.search(call.id):
            return _make("typical_beneficiary", f"Typical for municipalities: {why}",
                         city_sentences[0] if city_sentences else f"Call: {call.id}")  # fmt: skip
    programme = call.programme.casefold()
    if programme in _UNLIKELY_PROGRAMMES:
        why = _UNLIKELY_PROGRAMMES[programme]
        return _make(
            "unlikely", f"Unlikely for municipalities: {why}", f"Programme: {call.programme}"
        )
    if call.action_type in _UNLIKELY_ACTIONS or _UNLIKELY_IDS.search(call.id):
        what = _UNLIKELY_ACTIONS.get(call.action_type, "operating grants for NGOs")
        return _make(
            "unlikely",
            f"Unlikely for municipalities: {what}",
            f"Type of action: {call.action_type}",
        )
    mention = next((s for s in sentences if _PUBLIC_AUTHORITY.search(s)), None)
    # The title, not a stakeholder list ("public authorities, schools, universities ..."):
    # the call must be about the service.
    service = _MUNICIPAL_SERVICES.search(call.title)
    if mention and service:
        return _make(
            "municipal_role",
            f"A local authority as provider: {service.group(0).lower()} is a service town"
            " halls deliver, and the text names public authorities",
            mention,
        )
    if mention or len(city_sentences) >= 2:
        return _make(
            "possible",
            "Local or public authorities are among the stakeholders",
            mention or city_sentences[0],
        )
    deferring = _defers_to_call_document(call)
    if deferring:
        return _make(
            "unlikely",
            "Unlikely as far as the portal shows: its short text defers to the call document,"
            " which may name local authorities; check it",
            deferring,
        )
    return _make(
        "unlikely",
        "Unlikely for municipalities: the text does not address local authorities",
        f"Programme: {call.programme or 'unknown'}; type of action {call.action_type or '-'}",
    )


#: A topic text this short that sends the reader to the call document says too little to
#: judge who applies (the CERV Daphne topics are two sentences).
_STUB_CHARS = 600
_SEE_CALL_DOCUMENT = re.compile(r"[^.]*\bcall document\b[^.]*\.?", re.I)


def _defers_to_call_document(call: FundingCall) -> str | None:
    """The sentence of a stub topic text that defers to the call document, if it is one."""
    if len(call.description or "") >= _STUB_CHARS:
        return None
    found = _SEE_CALL_DOCUMENT.search(call.description or "")
    return found.group(0).strip() if found else None


def _best_city_sentence(sentences: Sequence[str]) -> str | None:
    """The sentence that says most plainly that the call is for cities: one naming a role
    if any, else the first that names local authorities, else the first city sentence."""
    for _role, pattern in _ROLE_PATTERNS:
        hit = next((s for s in sentences if pattern.search(s)), None)
        if hit:
            return hit
    authority = next((s for s in sentences if _PUBLIC_AUTHORITY.search(s)), None)
    return authority or (sentences[0] if sentences else None)


#: Verdicts kept across index fits, by a digest of everything :func:`assess` reads: an index
#: rebuilt after an import or a refresh re-reads only the calls whose text changed.
_CACHE: dict[bytes, Suitability] = {}
#: Bound on the kept verdicts (a few hundred bytes each); the cache starts over beyond it.
CACHE_LIMIT = 200_000


def _digest(call: FundingCall) -> bytes:
    rules = repr([(r.kind, sorted(r.params.items()), r.parsed) for r in call.rules])
    text = "\x1f".join((call.id, call.programme, call.action_type, call.title,
                        call.description, call.conditions_text, rules))  # fmt: skip
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def cached_assess(call: FundingCall) -> Suitability:
    """:func:`assess`, remembered by the call's content (its id included, so the evidence that
    names the call stays its own)."""
    key = _digest(call)
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) >= CACHE_LIMIT:
            _CACHE.clear()
        found = _CACHE[key] = assess(call)
    return found


def clear_cache() -> None:
    """Forget every kept verdict (benchmarks measure a cold fit with it)."""
    _CACHE.clear()


class SuitabilityIndex:
    """Suitability of every call of an index, computed once (scikit-learn conventions)."""

    def fit(self, calls: Sequence[FundingCall]) -> SuitabilityIndex:
        """Assess every call (a call seen in an earlier fit with the same content is not read
        again); ``scores_`` is aligned with ``calls``."""
        self.assessments_ = tuple(cached_assess(c) for c in calls)
        self.scores_ = np.array([a.score for a in self.assessments_], dtype=np.float32)
        self.never_ = np.array([a.level == "never" for a in self.assessments_], dtype=bool)
        return self
