"""The controlled theme vocabulary: ordered themes, their synonyms and label mappings.

``Vocabulary.from_dict`` takes the shape of ``data/themes.json``. Matching works on
*normalised* text: :func:`matcher.domain.fold` (lower case, no diacritics) with every run of
non-alphanumeric characters turned into one space, so "Nature-based solutions" and
"nature based solutions" are the same phrase. Synonyms match on word boundaries only, with an
optional plural "s" on the last word, so "living lab" also finds "living labs" but "cycling"
never fires inside "recycling".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from matcher.domain import Theme, fold

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
#: Separators that split a free-text multi-theme label ("Governance / Culture & Heritage").
_LABEL_SEPARATORS = re.compile(r"\s*(?:/|;|\||,|&|\+|\band\b)\s*")
#: Words too common in theme labels to identify one theme by themselves.
_LABEL_STOPWORDS = frozenset(
    [
        "and",
        "or",
        "of",
        "the",
        "for",
        "in",
        "to",
        "with",
        "a",
        "an",
        "on",
        "by",
        "urban",
        "city",
        "cities",
        "local",
        "public",
        "green",
        "smart",
    ]
)


def normalise(text: str) -> str:
    """Fold ``text`` and reduce punctuation to single spaces: the form synonyms match in."""
    return _NON_ALNUM.sub(" ", fold(text)).strip()


@dataclass(frozen=True)
class Vocabulary:
    """An ordered theme vocabulary with synonym matching and per-source label mappings."""

    themes: tuple[Theme, ...]
    #: source name -> {normalised label: theme ids}
    mappings: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    _synonym_themes: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _by_first_word: dict[str, list[tuple[str, ...]]] = field(init=False, repr=False, compare=False)
    _index: dict[str, int] = field(init=False, repr=False, compare=False)
    _label_words: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {theme.id: position for position, theme in enumerate(self.themes)}
        if len(index) != len(self.themes):
            raise ValueError("duplicate theme ids in vocabulary")
        synonym_themes: dict[str, list[str]] = {}
        label_words: dict[str, list[str]] = {}
        for theme in self.themes:
            for phrase in (*theme.synonyms, theme.label):
                key = normalise(phrase)
                if key and theme.id not in synonym_themes.setdefault(key, []):
                    synonym_themes[key].append(theme.id)
            for word in set(normalise(theme.label).split()) - _LABEL_STOPWORDS:
                label_words.setdefault(word, []).append(theme.id)
        # Phrases indexed by their first word, longest first, so matching is a dictionary
        # lookup per word rather than a regex alternation tried at every position.
        by_first_word: dict[str, list[tuple[str, ...]]] = {}
        for phrase in synonym_themes:
            words = tuple(phrase.split())
            by_first_word.setdefault(words[0], []).append(words)
        for candidates in by_first_word.values():
            candidates.sort(key=lambda words: (-len(words), words))
        object.__setattr__(self, "_index", index)
        object.__setattr__(
            self, "_synonym_themes", {k: tuple(v) for k, v in synonym_themes.items()}
        )
        object.__setattr__(self, "_by_first_word", by_first_word)
        object.__setattr__(self, "_label_words", {k: tuple(v) for k, v in label_words.items()})

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_dict(cls, data: Mapping) -> Vocabulary:
        """Build a vocabulary from a ``themes.json``-shaped mapping.

        Mapping entries that name an unknown theme id raise ``ValueError``: a silent typo
        would drop real labelled records on the floor.
        """
        themes = tuple(
            Theme(
                id=item["id"],
                label=item["label"],
                description=item.get("description", ""),
                synonyms=tuple(item.get("synonyms", ())),
            )
            for item in data.get("themes", ())
        )
        known = {theme.id for theme in themes}
        mappings: dict[str, dict[str, tuple[str, ...]]] = {}
        for source, table in (data.get("mappings") or {}).items():
            normalised: dict[str, tuple[str, ...]] = {}
            for label, theme_ids in table.items():
                unknown = set(theme_ids) - known
                if unknown:
                    raise ValueError(f"{source} label {label!r} maps to unknown {sorted(unknown)}")
                normalised[normalise(label)] = tuple(theme_ids)
            mappings[source] = normalised
        return cls(themes=themes, mappings=mappings)

    # ------------------------------------------------------------------ lookups

    @property
    def ids(self) -> tuple[str, ...]:
        """Theme ids in vocabulary order: the axis of every theme vector."""
        return tuple(theme.id for theme in self.themes)

    def __len__(self) -> int:
        return len(self.themes)

    def __contains__(self, theme_id: object) -> bool:
        return theme_id in self._index

    def index(self, theme_id: str) -> int:
        """Position of ``theme_id`` in the vocabulary order (``KeyError`` if unknown)."""
        return self._index[theme_id]

    def theme(self, theme_id: str) -> Theme:
        """The :class:`Theme` with id ``theme_id`` (``KeyError`` if unknown)."""
        return self.themes[self._index[theme_id]]

    def label(self, theme_id: str) -> str:
        """Human label of ``theme_id``."""
        return self.theme(theme_id).label

    def synonyms(self, theme_id: str) -> tuple[str, ...]:
        """Synonyms of ``theme_id`` as curated."""
        return self.theme(theme_id).synonyms

    # ------------------------------------------------------------------ matching

    def themes_in_text(self, text: str) -> dict[str, int]:
        """Count synonym hits per theme in ``text``.

        Returns theme id -> number of hits, strongest first (ties in vocabulary order).
        """
        counts: dict[str, int] = {}
        words = normalise(text).split() if text else []
        position = 0
        while position < len(words):
            phrase = self._phrase_at(words, position)
            if phrase is None:
                position += 1
                continue
            for theme_id in self._synonym_themes[" ".join(phrase)]:
                counts[theme_id] = counts.get(theme_id, 0) + 1
            position += len(phrase)
        return dict(sorted(counts.items(), key=lambda item: (-item[1], self._index[item[0]])))

    def mapped(self, source: str, label: str) -> list[str] | None:
        """The curated mapping of ``label`` for ``source``, ``None`` when it has no entry."""
        ids = self.mappings.get(source, {}).get(normalise(label))
        return None if ids is None else list(ids)

    def _phrase_at(self, words: list[str], position: int) -> tuple[str, ...] | None:
        """The longest synonym starting at ``words[position]`` (last word may add an "s")."""
        first = words[position]
        candidates = self._by_first_word.get(first, [])
        if first.endswith("s"):
            candidates = candidates + [
                w for w in self._by_first_word.get(first[:-1], ()) if len(w) == 1
            ]
        for phrase in candidates:
            end = position + len(phrase)
            if end > len(words):
                continue
            window = words[position:end]
            if window[:-1] == list(phrase[:-1]) and window[-1] in (phrase[-1], phrase[-1] + "s"):
                return phrase
        return None

    def map_label(self, source: str, label: str) -> list[str]:
        """Theme ids for a label as written by ``source`` (e.g. ``"keep.eu"``).

        A curated mapping entry wins, including an explicit ``[]`` ("nothing fits"). Labels
        the mapping does not know (or free text from any source, such as "Governance /
        Abandoned Spaces / Culture & Heritage") are inferred: the label is split into parts,
        and each part matches a theme id, label or synonym, or failing that a distinctive word
        of exactly one theme label.
        """
        key = normalise(label)
        if not key:
            return []
        curated = self.mapped(source, label)
        if curated is not None:
            return curated
        found: list[str] = []
        for part in _split_label(label):
            for theme_id in self._match_label_part(part):
                if theme_id not in found:
                    found.append(theme_id)
        return found

    def _match_label_part(self, part: str) -> Iterable[str]:
        key = normalise(part)
        if key.replace(" ", "-") in self._index:
            return (key.replace(" ", "-"),)
        hits = self.themes_in_text(part)
        if hits:
            return hits.keys()
        candidates = {
            theme_id
            for word in key.split()
            for theme_id in self._label_words.get(word, ())
            if len(self._label_words[word]) == 1
        }
        return sorted(candidates, key=self._index.__getitem__)


def _split_label(label: str) -> list[str]:
    parts = [part for part in _LABEL_SEPARATORS.split(label) if part and part.strip()]
    return parts or [label]
