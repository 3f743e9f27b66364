"""City names: display-name cleaning and a fuzzy, typo-tolerant name index.

EU data sources name municipalities the way their administrations sign letters ("Comune di
Bologna", "GYŐR MEGYEI JOGÚ VÁROS", "Peterborough City Council"). :func:`clean_display_name`
turns those into the name a person would say; :class:`NameIndex` finds a city from a typed or
imported name, tolerant of typos, missing diacritics and letter case.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from rapidfuzz import fuzz, process

from matcher.domain import fold, normalise_country


class NotFittedError(ValueError, AttributeError):
    """Raised when the index is used before ``fit``: the same contract as scikit-learn's
    exception, defined here so that name search never pays for importing scikit-learn
    (about a second at the start of every CLI command)."""


# --------------------------------------------------------------------------- display names

#: Words that introduce a place name ("Comune di", "City of") and are followed by the name.
_CONNECTORS = frozenset({"de", "di", "do", "da", "dos", "das", "of"})
#: Elided connectors glued to the name ("Ville d'Angers", "Ajuntament d'Igualada").
_ELIDED_CONNECTOR = re.compile(r"^d['’](?=\w)", re.IGNORECASE)

#: Administrative prefixes (folded) that need a connector before the name: "Comune di X".
_PREFIXES_WITH_CONNECTOR: tuple[str, ...] = (
    "comune",
    "citta",
    "ville",
    "commune",
    "mairie",
    "ayuntamiento",
    "excmo ayuntamiento",
    "excmo. ayuntamiento",
    "concello",
    "ajuntament",
    "camara municipal",
    "municipio",
    "concelho",
    "city",
    "municipality",
    "town",
    "borough",
)

#: Administrative prefixes (folded) written directly before a name in the nominative.
_BARE_PREFIXES: tuple[str, ...] = (
    "gemeente",
    "stad",
    "stadt",
    "landeshauptstadt",
    "hansestadt",
    "universitatsstadt",
    "hanse- und universitatsstadt",
    "kreisstadt",
    "grosse kreisstadt",
    "freie und hansestadt",
    "freie hansestadt",
    "stadtgemeinde",
    "marktgemeinde",
    "gemeinde",
    "stadtverwaltung",
    "miasto",
    "miasto stoleczne",
    "gmina",
    "gmina miasto",
    "gmina miejska",
    "statutarni mesto",
    "mesto",
    "hlavne mesto",
    "obec",
    "grad",
    "mestna obcina",
    "obcina",
    "municipiul",
    "orasul",
    "comuna",
    "primaria",
    "primaria municipiului",
    "obshtina",
    "obstina",
    "община",
    "kunsill lokali",
)

#: Suffixes (folded) written after a nominative name: "Peterborough City Council".
_BARE_SUFFIXES: tuple[str, ...] = (
    "city council",
    "town council",
    "borough council",
    "metropolitan borough council",
    "council",
    "municipality",
    "kommune",
    "megyei jogu varos",
    "megyei jogu varos onkormanyzata",
    "varos",
    "varos onkormanyzata",
    "onkormanyzata",
    "fovaros",
    "fovaros onkormanyzata",
)

#: German statistical offices write the type after a comma: "Zittau, Stadt".
_GERMAN_COMMA_TYPES = frozenset(
    {
        "stadt",
        "hansestadt",
        "landeshauptstadt",
        "universitatsstadt",
        "kreisfreie stadt",
        "grosse kreisstadt",
        "gemeinde",
        "st",
        "m",
    }
)

#: Real place names that merely look like "prefix + name".
_NOT_AFFIXED = frozenset({"citta di castello", "city of london", "stadt wehlen"})

# Finnish "-n kaupunki": the genitive of the name. Consonant gradation (Turku -> Turun) cannot
# be undone by rule, so the large gradated cities are listed and the rules below only cover the
# regular endings; anything else keeps its official form rather than gaining a wrong name.
_FINNISH_GENITIVES = {
    "helsingin": "Helsinki",
    "turun": "Turku",
    "lahden": "Lahti",
    "raahen": "Raahe",
    "varkauden": "Varkaus",
    "hangon": "Hanko",
    "tampereen": "Tampere",
    "kemin": "Kemi",
}
_FINNISH_STEM_ENDINGS: tuple[tuple[str, str], ...] = (
    ("kaupungin", "kaupunki"),
    ("rannan", "ranta"),
    ("lahden", "lahti"),
    ("joen", "joki"),
    ("maen", "mäki"),
    ("kosken", "koski"),
    # i-stems: Rovaniemi -> Rovaniemen, Iisalmi -> Iisalmen, Ylöjärvi -> Ylöjärven.
    ("niemen", "niemi"),
    ("salmen", "salmi"),
    ("saaren", "saari"),
    ("jarven", "järvi"),
    ("nummen", "nummi"),
)
_FINNISH_LONG_VOWELS = ("aan", "ään", "oon", "öön", "uun", "yyn", "ian", "iän", "ion")
_VOWELS = set("aeiouyäöå")

# Polish "Urząd Miasta X": X is a genitive. Only endings that map back without ambiguity.
_POLISH_GENITIVE_ENDINGS: tuple[tuple[str, str], ...] = (
    ("yni", "ynia"),  # Gdyni -> Gdynia
    ("icy", "ica"),  # Legnicy -> Legnica
    ("awy", "awa"),  # Warszawy -> Warszawa
    ("owa", "ów"),  # Krakowa -> Kraków, Rzeszowa -> Rzeszów
    ("ńska", "ńsk"),  # Gdańska -> Gdańsk
    ("pska", "psk"),  # Słupska -> Słupsk
    ("cka", "ck"),  # Płocka -> Płock
    ("owic", "owice"),  # Katowic -> Katowice, Gliwic -> Gliwice
    ("lina", "lin"),  # Lublina -> Lublin, Koszalina -> Koszalin
    ("cina", "cin"),  # Szczecina -> Szczecin
    ("tyna", "tyn"),  # Olsztyna -> Olsztyn
    ("szczy", "szcz"),  # Bydgoszczy -> Bydgoszcz
)
_POLISH_IRREGULAR = {"łodzi": "Łódź", "poznania": "Poznań", "torunia": "Toruń"}


def _finnish_nominative(word: str) -> str | None:
    """Nominative of a Finnish town name in the genitive, or None when not reliably known."""
    lowered = word.lower()
    if lowered in _FINNISH_GENITIVES:
        return _FINNISH_GENITIVES[lowered]
    folded = fold(word)
    for genitive_end, nominative_end in _FINNISH_STEM_ENDINGS:
        if folded.endswith(genitive_end):
            return word[: -len(genitive_end)] + _match_case(nominative_end, word)
    if lowered.endswith(_FINNISH_LONG_VOWELS):
        return word[:-1]
    # Jyväskylän, Kotkan, Oulun, Porin: a vowel-stem name plus "n". "-en" is left out because
    # it is usually an i-stem (Kemijärven) whose nominative the rules above did not recognise.
    if len(lowered) > 3 and lowered[-1] == "n" and lowered[-2] in _VOWELS - {"e"}:
        return word[:-1]
    return None


def _polish_nominative(word: str) -> str | None:
    """Nominative of a Polish town name in the genitive, or None when not reliably known."""
    lowered = word.lower()
    if lowered in _POLISH_IRREGULAR:
        return _POLISH_IRREGULAR[lowered]
    for genitive_end, nominative_end in _POLISH_GENITIVE_ENDINGS:
        if lowered.endswith(genitive_end):
            return word[: -len(genitive_end)] + _match_case(nominative_end, word)
    return None


def _swedish_nominative(word: str) -> str | None:
    """ "Göteborgs stad" -> "Göteborg"; names already ending in a vowel + s keep their s."""
    folded = fold(word)
    if folded.endswith("s") and len(folded) > 2 and folded[-2] not in _VOWELS:
        if folded.endswith("fors"):  # Kramfors, Hagfors: the s is part of the name
            return word
        return word[:-1]
    return word


def _match_case(fragment: str, model: str) -> str:
    return fragment.upper() if model.isupper() else fragment


#: Suffixes whose name is in the genitive, with the function that restores the nominative
#: of the last word and the countries where the form is used (None: any country).
_INFLECTED_SUFFIXES: tuple[tuple[str, Callable[[str], str | None], frozenset[str] | None], ...] = (
    ("kaupunki", _finnish_nominative, frozenset({"FI"})),
    ("kunta", _finnish_nominative, frozenset({"FI"})),
    ("kommun", _swedish_nominative, frozenset({"SE"})),
    ("stad", _swedish_nominative, frozenset({"SE"})),
)
#: Prefixes followed by a single genitive word.
_INFLECTED_PREFIXES: tuple[tuple[str, Callable[[str], str | None], frozenset[str] | None], ...] = (
    ("urzad miasta", _polish_nominative, frozenset({"PL"})),
    ("urzad miasta i gminy", _polish_nominative, frozenset({"PL"})),
    ("urzad gminy", _polish_nominative, frozenset({"PL"})),
)


def _token_key(token: str) -> str:
    return fold(token).strip(".,;:")


def _starts_with(keys: list[str], phrase: str) -> int:
    """Number of tokens of ``phrase`` when ``keys`` starts with it, else 0."""
    words = phrase.split()
    return len(words) if keys[: len(words)] == words else 0


def _ends_with(keys: list[str], phrase: str) -> int:
    words = phrase.split()
    return len(words) if len(keys) > len(words) and keys[-len(words) :] == words else 0


def _longest_first(phrases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(phrases, key=lambda p: -len(p.split())))


_PREFIXES_WITH_CONNECTOR = _longest_first(_PREFIXES_WITH_CONNECTOR)
_BARE_PREFIXES = _longest_first(_BARE_PREFIXES)
_BARE_SUFFIXES = _longest_first(_BARE_SUFFIXES)


def _country_allows(allowed: frozenset[str] | None, country: str | None) -> bool:
    return allowed is None or country is None or country in allowed


def _strip_one_affix(tokens: list[str], country: str | None) -> list[str] | None:
    """Tokens without one administrative prefix or suffix, or None if there is none."""
    keys = [_token_key(t) for t in tokens]

    for phrase in _PREFIXES_WITH_CONNECTOR:
        n = _starts_with(keys, phrase)
        if not n or len(tokens) <= n:
            continue
        if keys[n] in _CONNECTORS and len(tokens) > n + 1:
            return tokens[n + 1 :]
        elided = _ELIDED_CONNECTOR.sub("", tokens[n])
        if elided != tokens[n]:
            return [elided, *tokens[n + 1 :]]

    for phrase, nominative, countries in sorted(
        _INFLECTED_PREFIXES, key=lambda item: -len(item[0].split())
    ):
        n = _starts_with(keys, phrase)
        if n and len(tokens) == n + 1 and _country_allows(countries, country):
            restored = nominative(tokens[n])
            return [restored] if restored else None

    for phrase in _BARE_PREFIXES:
        n = _starts_with(keys, phrase)
        if n and len(tokens) > n:
            return tokens[n:]

    for phrase, nominative, countries in _INFLECTED_SUFFIXES:
        n = _ends_with(keys, phrase)
        if n and _country_allows(countries, country):
            restored = nominative(tokens[-n - 1])
            return [*tokens[: -n - 1], restored] if restored else None

    for phrase in _BARE_SUFFIXES:
        n = _ends_with(keys, phrase)
        if n:
            return tokens[:-n]
    return None


def _strip_affixes(name: str, country: str | None) -> str:
    head, _, tail = name.rpartition(",")
    if head and _token_key(" ".join(tail.split())) in _GERMAN_COMMA_TYPES:
        name = head
    if fold(name) in _NOT_AFFIXED:
        return name
    tokens = name.split()
    # Official names stack affixes ("Excmo. Ayuntamiento de ..."), but never more than a few.
    for _ in range(3):
        stripped = _strip_one_affix(tokens, country)
        if not stripped:
            break
        tokens = stripped
    return " ".join(tokens)


#: Words kept in lower case inside a name ("Frankfurt am Main", "Reggio nell'Emilia").
_LOWERCASE_PARTICLES = frozenset({
    # Romance: Italian, French, Spanish, Catalan, Portuguese
    "a", "al", "all", "d", "da", "dal", "dall", "das", "de", "degli", "dei", "del", "dell",
    "della", "delle", "dello", "des", "di", "do", "dos", "du", "e", "el", "en", "et", "i", "l",
    "la", "las", "le", "les", "lès", "los", "nel", "nell", "sobre", "sous", "sul", "sull", "sur",
    "y", "au", "aux",
    # Germanic: German, Dutch, English
    "aan", "am", "an", "and", "bei", "bij", "dem", "den", "der", "im", "in", "ob", "of", "on",
    "op", "ten", "ter", "the", "und", "unter", "upon", "van", "von", "vor", "zu", "zum", "zur",
    # Slavic: "Ústí nad Labem", "Nové Město na Moravě"
    "na", "nad", "pod", "u",
})  # fmt: skip
_DUTCH_S_PREFIX = re.compile(r"^['’]?s['’-]+(?=(hertogenbosch|graven|heer))", re.IGNORECASE)
_WORD_SEPARATORS = re.compile(r"(\s+|-|/|\(|\))")


def _capitalise(word: str) -> str:
    lowered = word.lower()
    if lowered.startswith("ij"):  # Dutch digraph: IJmuiden, IJsselstein
        return "IJ" + lowered[2:]
    return lowered[:1].upper() + lowered[1:]


def _title_word(word: str, first: bool) -> str:
    lowered = word.lower()
    if lowered in ("'s", "’s"):
        return lowered
    head, apostrophe, tail = lowered.partition("'") if "'" in lowered else lowered.partition("’")
    if apostrophe and head and tail:
        head_cased = head if head in _LOWERCASE_PARTICLES and not first else _capitalise(head)
        return head_cased + apostrophe + _capitalise(tail)
    if lowered in _LOWERCASE_PARTICLES and not first:
        return lowered
    return _capitalise(lowered)


def _title_case(name: str) -> str:
    """Title-case a name written in one case, keeping particles such as "am", "de" lower."""
    name = _DUTCH_S_PREFIX.sub("'s-", name)
    pieces = _WORD_SEPARATORS.split(name)
    out: list[str] = []
    seen_word = False
    for piece in pieces:
        if not piece or _WORD_SEPARATORS.fullmatch(piece):
            out.append(piece)
            continue
        out.append(_title_word(piece, first=not seen_word))
        seen_word = True
    return "".join(out)


def clean_display_name(official: str, country: str | None = None) -> str:
    """The name a person would use for a municipality, from its official or shouted form.

    Removes administrative prefixes and suffixes ("Comune di Bologna" -> "Bologna",
    "Győr Megyei Jogú Város" -> "Győr", "Peterborough City Council" -> "Peterborough"),
    restores the nominative where the official form puts the name in the genitive and the
    ending is regular ("Jyväskylän kaupunki" -> "Jyväskylä", "Urząd Miasta Gdyni" -> "Gdynia"),
    and title-cases names written wholly in upper or lower case ("REGGIO NELL'EMILIA" ->
    "Reggio nell'Emilia"). Names already in mixed case keep their casing. When a genitive cannot
    be undone reliably the official wording is kept rather than inventing a name.

    ``country`` (ISO or EU code) restricts language-specific rules to that country; without it
    every rule applies.
    """
    name = " ".join((official or "").split())
    if not name:
        return ""
    try:
        country_code = normalise_country(country) if country else None
    except ValueError:
        country_code = None
    name = _strip_affixes(name, country_code)
    if name.isupper() or name.islower():
        name = _title_case(name)
    elif not name.startswith(("'s", "’s")):
        # "Ajuntament de l'Hospitalet de Llobregat": the remaining name starts the sentence.
        name = name[:1].upper() + name[1:]
    return name


# --------------------------------------------------------------------------- name index

#: A name entry for :meth:`NameIndex.fit`: (city id, name, country code, population).
NameEntry = tuple[int, str, str, int | None]

#: Score (0-100) from which a single clear winner is accepted as a fuzzy resolution. One typo
#: in a seven-letter name scores 85.7, one in a six-letter name 83.3.
FUZZY_MIN_SCORE = 85.0
#: How far the winner must lead the next city to be called clear: a bit more than one edit in
#: an eight-letter name (6.25 points), so "Valenc" between Valence and Valencia stays ambiguous.
FUZZY_MARGIN = 8.0
#: Shorter queries never resolve fuzzily: one typo in a four- or five-letter name lands as close
#: to other real names (Viseu/Visé, Pinto/Pito) as to the intended one.
FUZZY_MIN_LENGTH = 6
#: Candidates scoring below this are not worth showing to a person.
CANDIDATE_MIN_SCORE = 70.0
#: Type-ahead: a query that starts a name scores at least _PREFIX_SCORE ("bolo" -> Bologna),
#: one that is the name's first word(s) _WORD_PREFIX_SCORE ("Frankfurt" -> Frankfurt am Main).
#: Both are flat so that, among names the query starts, the larger city comes first; both stay
#: below an exact name's 100 and high enough that a short near-miss ("Boo") does not outrank them.
_PREFIX_SCORE = 90.0
_WORD_PREFIX_SCORE = 92.0
_MIN_PREFIX_LENGTH = 3

_NON_WORD = re.compile(r"[\W_]+")


def name_key(text: str) -> str:
    """Comparison key of a name: folded (no case, no diacritics) with punctuation as spaces.

    "'s-Hertogenbosch" and "S Hertogenbosch", "Cluj-Napoca" and "cluj napoca" share a key.
    """
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


def _trigrams(key: str) -> set[str]:
    padded = f" {key} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class ResolutionStatus(StrEnum):
    """How a name resolved against the index."""

    EXACT = "exact"
    FUZZY = "fuzzy"
    AMBIGUOUS = "ambiguous"
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class NameMatch:
    """One city found for a query: the best of its names and that name's score (0-100).

    ``exact`` is True when the name equals the query up to case, diacritics and punctuation.
    """

    city_id: int
    name: str
    score: float
    exact: bool


@dataclass(frozen=True, slots=True)
class Resolution:
    """Outcome of resolving an imported name to one city.

    ``match`` is set for ``exact`` and ``fuzzy``; ``candidates`` lists the closest cities
    (best first) so that a person can decide when the status is ``ambiguous``.
    """

    status: ResolutionStatus
    match: NameMatch | None = None
    candidates: tuple[NameMatch, ...] = ()

    @property
    def city_id(self) -> int | None:
        return self.match.city_id if self.match else None


class NameIndex:
    """Typo-tolerant, diacritic-insensitive index of city names.

    Follows scikit-learn's conventions: constructor arguments are settings, :meth:`fit`
    learns from the data and returns ``self``, learned attributes end in ``_``.

    Candidates come from a character-trigram inverted index (ranked by Dice overlap) plus the
    names starting with the query; only those ``candidate_limit`` names are scored with
    rapidfuzz, which keeps a query over 100,000 names to a few milliseconds.

    Parameters
    ----------
    candidate_limit:
        Names taken from the trigram index for exact scoring. Larger is slower and finds
        more heavily misspelt names.
    """

    def __init__(self, candidate_limit: int = 1000) -> None:
        self.candidate_limit = candidate_limit

    # ----------------------------------------------------------------- fitting

    def fit(self, entries: Iterable[NameEntry]) -> NameIndex:
        """Index ``(city_id, name, country, population)`` entries; a city may have many names.

        Names with the same key for the same city are kept once (the first one seen, so list
        display names before official and alternate names). Countries accept EU codes (EL, UK).
        """
        if self.candidate_limit < 1:
            raise ValueError("candidate_limit must be at least 1")
        seen: set[tuple[int, str]] = set()
        city_ids: list[int] = []
        names: list[str] = []
        keys: list[str] = []
        countries: list[str] = []
        populations: list[int] = []
        for city_id, name, country, population in entries:
            key = name_key(name)
            if not key or (city_id, key) in seen:
                continue
            seen.add((city_id, key))
            city_ids.append(int(city_id))
            names.append(name)
            keys.append(key)
            countries.append(normalise_country(country))
            populations.append(-1 if population is None else int(population))

        self.names_ = names
        self.keys_ = keys
        self.city_ids_ = np.asarray(city_ids, dtype=np.int64)
        self.populations_ = np.asarray(populations, dtype=np.int64)
        self.country_codes_ = sorted(set(countries))
        code_number = {code: number for number, code in enumerate(self.country_codes_)}
        self.countries_ = np.asarray([code_number[c] for c in countries], dtype=np.int16)
        self._fit_trigrams()
        self._fit_prefixes()
        return self

    def _fit_trigrams(self) -> None:
        postings: dict[str, list[int]] = defaultdict(list)
        gram_counts = np.empty(len(self.keys_), dtype=np.float32)
        for row, key in enumerate(self.keys_):
            grams = _trigrams(key)
            gram_counts[row] = len(grams)
            for gram in grams:
                postings[gram].append(row)
        self.trigram_columns_ = {gram: column for column, gram in enumerate(postings)}
        lengths = np.fromiter((len(rows) for rows in postings.values()), dtype=np.int64)
        # Compressed (CSR-like) postings: rows of trigram c are rows[offsets[c]:offsets[c+1]].
        self.trigram_offsets_ = np.concatenate(([0], np.cumsum(lengths)))
        self.trigram_rows_ = np.fromiter(
            (row for rows in postings.values() for row in rows),
            dtype=np.int32,
            count=int(self.trigram_offsets_[-1]),
        )
        self.trigram_counts_ = gram_counts

    def _fit_prefixes(self) -> None:
        order = sorted(range(len(self.keys_)), key=self.keys_.__getitem__)
        self.sorted_keys_ = [self.keys_[row] for row in order]
        self.sorted_rows_ = np.asarray(order, dtype=np.int64)

    def _check_fitted(self) -> None:
        if not hasattr(self, "keys_"):
            raise NotFittedError("NameIndex is not fitted yet; call fit() first")

    # ----------------------------------------------------------------- querying

    def search(self, query: str, country: str | None = None, limit: int = 10) -> list[NameMatch]:
        """The ``limit`` cities whose names best match ``query``, one result per city.

        Ordered by score (highest first), then population (largest first), then city id, so
        equal scores give the same order every time. ``country`` restricts the search to one
        country before ranking; an unknown country code raises ``ValueError``.
        """
        self._check_fitted()
        key = name_key(query)
        if not key or limit < 1:
            return []
        country_number = self._country_number(country)
        if country_number is None and country is not None:
            return []
        rows = self._candidates(key, country_number)
        if rows.size == 0:
            return []
        scores = self._score(key, rows)
        return self._best_per_city(key, rows, scores, limit)

    def resolve(self, name: str, country: str | None = None) -> Resolution:
        """Resolve an imported name to one city, or say why it cannot be done safely.

        ``exact``: one city has the name (up to case, diacritics, punctuation). ``fuzzy``: no
        exact name, but one city scores at least :data:`FUZZY_MIN_SCORE` and leads the next
        by :data:`FUZZY_MARGIN`, for a name of :data:`FUZZY_MIN_LENGTH` characters or more.
        ``ambiguous``: several cities are plausible, listed in ``candidates``.
        ``not_found``: nothing scores :data:`CANDIDATE_MIN_SCORE`.
        """
        matches = [m for m in self.search(name, country, limit=6) if m.score >= CANDIDATE_MIN_SCORE]
        if not matches:
            return Resolution(ResolutionStatus.NOT_FOUND)
        candidates = tuple(matches[:5])
        exact = [m for m in matches if m.exact]
        if len(exact) == 1:
            return Resolution(ResolutionStatus.EXACT, exact[0], candidates)
        if exact:
            return Resolution(ResolutionStatus.AMBIGUOUS, None, tuple(exact))
        best = matches[0]
        runner_up = matches[1].score if len(matches) > 1 else 0.0
        clear_winner = best.score >= FUZZY_MIN_SCORE and best.score - runner_up >= FUZZY_MARGIN
        if clear_winner and len(name_key(name)) >= FUZZY_MIN_LENGTH:
            return Resolution(ResolutionStatus.FUZZY, best, candidates)
        return Resolution(ResolutionStatus.AMBIGUOUS, None, candidates)

    def _country_number(self, country: str | None) -> int | None:
        if country is None:
            return None
        code = normalise_country(country)
        position = bisect.bisect_left(self.country_codes_, code)
        if position < len(self.country_codes_) and self.country_codes_[position] == code:
            return position
        return None

    def _candidates(self, key: str, country_number: int | None) -> np.ndarray:
        """Rows worth scoring: best trigram overlaps plus names that start with the query."""
        query_grams = _trigrams(key)
        columns = [self.trigram_columns_[g] for g in query_grams if g in self.trigram_columns_]
        if columns:
            offsets = self.trigram_offsets_
            hits = np.concatenate(
                [self.trigram_rows_[offsets[c] : offsets[c + 1]] for c in columns]
            )
            rows, shared = np.unique(hits, return_counts=True)
            if country_number is not None:
                in_country = self.countries_[rows] == country_number
                rows, shared = rows[in_country], shared[in_country]
            if rows.size > self.candidate_limit:
                # Dice coefficient of the trigram sets: overlap relative to both lengths.
                dice = shared / (len(query_grams) + self.trigram_counts_[rows])
                best = np.argpartition(-dice, self.candidate_limit - 1)[: self.candidate_limit]
                rows = rows[best]
        else:
            rows = np.empty(0, dtype=np.int32)
        prefixed = self._prefixed_rows(key, country_number)
        return np.union1d(rows, prefixed) if prefixed.size else rows

    def _prefixed_rows(self, key: str, country_number: int | None) -> np.ndarray:
        """Rows whose key starts with ``key``, the most populous first, at most the limit."""
        start = bisect.bisect_left(self.sorted_keys_, key)
        stop = bisect.bisect_left(self.sorted_keys_, key + "\U0010ffff", lo=start)
        rows = self.sorted_rows_[start:stop]
        if country_number is not None:
            rows = rows[self.countries_[rows] == country_number]
        if rows.size > self.candidate_limit:
            largest = np.argpartition(-self.populations_[rows], self.candidate_limit - 1)
            rows = rows[largest[: self.candidate_limit]]
        return rows

    def _score(self, key: str, rows: np.ndarray) -> np.ndarray:
        """Scores 0-100 of ``key`` against the names at ``rows``."""
        candidate_keys = [self.keys_[row] for row in rows.tolist()]
        scores = process.cdist([key], candidate_keys, scorer=fuzz.ratio, dtype=np.float32)[0]
        if len(key) >= _MIN_PREFIX_LENGTH:
            word_prefix = key + " "
            for position, candidate in enumerate(candidate_keys):
                if candidate.startswith(key) and candidate != key:
                    floor = (
                        _WORD_PREFIX_SCORE if candidate.startswith(word_prefix) else _PREFIX_SCORE
                    )
                    scores[position] = max(scores[position], floor)
        # Rounding makes equal-looking scores equal, so that population decides the order.
        return np.round(scores.astype(np.float64), 2)

    def _best_per_city(
        self, key: str, rows: np.ndarray, scores: np.ndarray, limit: int
    ) -> list[NameMatch]:
        city_ids = self.city_ids_[rows]
        populations = self.populations_[rows]
        # lexsort: last key is primary. Ties on score -> larger population -> smaller id ->
        # earlier row (the name listed first for the city).
        order = np.lexsort((rows, city_ids, -populations, -scores))
        matches: list[NameMatch] = []
        seen: set[int] = set()
        for position in order.tolist():
            city_id = int(city_ids[position])
            if city_id in seen:
                continue
            seen.add(city_id)
            row = int(rows[position])
            matches.append(
                NameMatch(
                    city_id=city_id,
                    name=self.names_[row],
                    score=float(scores[position]),
                    exact=self.keys_[row] == key,
                )
            )
            if len(matches) == limit:
                break
        return matches
