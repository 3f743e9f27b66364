"""Display names of municipalities: the name a person would say, from the official form.

EU data sources name municipalities the way their administrations sign letters ("Comune di
Bologna", "GYŐR MEGYEI JOGÚ VÁROS", "Peterborough City Council"); :func:`clean_display_name`
turns those into "Bologna", "Győr" and "Peterborough".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from matcher.domain import fold, normalise_country

__all__ = ["clean_display_name"]

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
