"""Plain-language reasons for a partner match, built from the score parts.

The ranker says *how much* each part contributed; this module says *why* in words a city
officer can check: which themes both cities work on, what one offers that the other needs,
how big they are, how far apart, and which projects they did together. Everything it names
comes from the inputs (theme labels, collaboration titles), so a reason is never invented.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from matcher.domain import COUNTRY_NAMES, City, Collaboration, ProfileKind, haversine_km

__all__ = ["Reason", "explain_match", "format_population"]

#: A part contributes a reason only when its value reaches this level: below it the "reason"
#: would be too weak to be worth a city officer's attention.
MIN_PART_VALUE = 0.2
#: Themes named per reason; more reads like a list, not a reason.
MAX_THEMES = 3
#: Theme weights below this share of a profile's strongest theme are not named.
MIN_THEME_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason for a match: the part it explains, its weighted contribution, the words."""

    part: str
    contribution: float
    text: str


def explain_match(
    query: City,
    candidate: City,
    parts: Mapping[str, float],
    *,
    weights: Mapping[str, float],
    theme_labels: Mapping[str, str],
    geography: str = "any",
    theme_focus: Collection[str] = (),
    shared_collaborations: Sequence[Collaboration] = (),
    candidate_experience: Mapping[str, int] | None = None,
    candidate_projects: int | None = None,
    shared_terms: Sequence[str] = (),
) -> list[Reason]:
    """Reasons for ranking ``candidate`` for ``query``, strongest contribution first.

    ``parts`` and ``weights`` are one candidate's part values and the weights used (as from
    :class:`~matcher.scoring.partners.RankResult` and ``PartnerRanker.effective_weights``).
    ``shared_collaborations`` are the projects both cities took part in, newest first is
    best; ``candidate_experience`` counts the candidate's past projects per theme id and
    ``candidate_projects`` all of them;
    ``shared_terms`` are the words behind the text similarity.
    """
    name = candidate.name
    builders = {
        "shared_interests": lambda: _shared_interests(query, candidate, theme_labels, theme_focus),
        "complementarity": lambda: _complementarity(query, candidate, theme_labels),
        "experience": lambda: _experience(query, name, candidate_experience, theme_labels,
                                          theme_focus),
        "track_record": lambda: _track_record(name, candidate_projects),
        "text": lambda: _text(shared_terms),
        "peer_size": lambda: _peer_size(query, candidate),
        "geography": lambda: _geography(query, candidate, geography),
        "history": lambda: _history(shared_collaborations),
    }  # fmt: skip
    reasons = []
    for part, build in builders.items():
        value = float(parts.get(part, 0.0))
        weight = float(weights.get(part, 0.0))
        if weight <= 0 or value < MIN_PART_VALUE:
            continue
        text = build()
        if text:
            reasons.append(Reason(part=part, contribution=weight * value, text=text))
    reasons.sort(key=lambda r: -r.contribution)
    return reasons


def format_population(population: int | None) -> str:
    """Short population figure: ``980``, ``98k``, ``1.2M``."""
    if population is None:
        return "unknown"
    if population >= 1_000_000:
        return f"{population / 1_000_000:.1f}M"
    if population >= 1_000:
        return f"{round(population / 1_000):d}k"
    return str(population)


# ---------------------------------------------------------------------- one builder per part


def _shared_interests(query, candidate, labels, focus) -> str | None:
    mine = query.weights(ProfileKind.INTEREST)
    for theme in focus:
        mine.setdefault(theme, max(mine.values(), default=1.0))
    themes = _overlap(mine, candidate.weights(ProfileKind.INTEREST))
    return f"Both work on {_listing(themes, labels)}" if themes else None


def _complementarity(query, candidate, labels) -> str | None:
    offered = _overlap(query.weights(ProfileKind.NEED), candidate.weights(ProfileKind.OFFER))
    wanted = _overlap(query.weights(ProfileKind.OFFER), candidate.weights(ProfileKind.NEED))
    sentences = []
    if offered:
        sentences.append(
            f"{candidate.name} offers {_listing(offered, labels)} experience you are looking for"
        )
    if wanted:
        sentences.append(f"{candidate.name} is looking for {_listing(wanted, labels)}, "
                         "which you offer")  # fmt: skip
    return "; ".join(sentences) or None


def _experience(query, name, experience, labels, focus) -> str | None:
    if not experience:
        return None
    wanted = set(query.weights(ProfileKind.NEED)) or set(query.weights(ProfileKind.INTEREST))
    wanted |= set(focus)
    relevant = sorted(
        ((count, theme) for theme, count in experience.items() if theme in wanted and count > 0),
        key=lambda item: (-item[0], item[1]),
    )[:MAX_THEMES]
    if not relevant:
        return None
    projects = sum(count for count, _theme in relevant)
    themes = [theme for _count, theme in relevant]
    noun = "project" if projects == 1 else "projects"
    return f"{name} has run {projects} {noun} on {_listing(themes, labels)}"


def _track_record(name, projects) -> str | None:
    if not projects:
        return None
    noun = "project" if projects == 1 else "projects"
    return f"{name} has taken part in {projects} EU-funded {noun}"


def _text(shared_terms) -> str | None:
    if not shared_terms:
        return "Similar project descriptions"
    quoted = ", ".join(f"'{term}'" for term in shared_terms[:MAX_THEMES])
    return f"Similar project descriptions ({quoted})"


def _peer_size(query, candidate) -> str | None:
    if query.population is None or candidate.population is None:
        return None
    return (
        f"Similar size ({format_population(query.population)} vs "
        f"{format_population(candidate.population)})"
    )


def _geography(query, candidate, mode) -> str | None:
    country = COUNTRY_NAMES.get(candidate.country, candidate.country)
    abroad = candidate.country != query.country
    if mode == "different-country":
        return f"In another country ({country})" if abroad else None
    if None in (query.lat, query.lon, candidate.lat, candidate.lon):
        return None
    km = haversine_km(query.lat, query.lon, candidate.lat, candidate.lon)
    distance = f"{km:,.0f} km away"
    if mode == "cross-border" and abroad:
        return f"{distance}, across the border in {country}"
    where = f"in {country}" if abroad else "in your country"
    return f"{distance}, {where}"


def _history(shared) -> str | None:
    if not shared:
        return None
    first = shared[0]
    details = ", ".join(str(x) for x in (first.programme, first.start_year) if x)
    text = f"Worked together in {first.title}" + (f" ({details})" if details else "")
    if len(shared) > 1:
        others = len(shared) - 1
        text += f" and {others} other project{'s' if others > 1 else ''}"
    return text


# ---------------------------------------------------------------------- helpers


def _overlap(a: Mapping[str, float], b: Mapping[str, float]) -> list[str]:
    """Themes both profiles hold, strongest joint weight first, weak ones dropped."""
    if not a or not b:
        return []
    joint = {t: min(a[t] / max(a.values()), b[t] / max(b.values())) for t in a.keys() & b.keys()}
    ranked = sorted(joint.items(), key=lambda item: (-item[1], item[0]))
    return [t for t, share in ranked if share >= MIN_THEME_SHARE][:MAX_THEMES]


def _listing(theme_ids: Sequence[str], labels: Mapping[str, str]) -> str:
    """'a', 'a and b', 'a, b and c' with lower-case theme labels."""
    names = [_lower_label(labels.get(t, t.replace("-", " "))) for t in theme_ids]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _lower_label(label: str) -> str:
    # Keep acronyms ("EU", "SMEs") as written; lower-case only a capitalised first word.
    first, _, rest = label.partition(" ")
    if first[:1].isupper() and first[1:].islower():
        first = first.lower()
    return f"{first} {rest}".strip()
