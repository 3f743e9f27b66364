"""Plain-language reasons for a partner match, built from the score parts.

The ranker says *how much* each part contributed; this module says *why* in words a city
officer can check: which themes both cities work on, what one offers that the other needs,
how big they are, how far apart, which projects they did together, which networks they share
and which partners they have in common. Everything it names comes from the inputs (theme
labels, collaboration titles, partner names), so a reason is never invented.

Reasons are ordered by weighted contribution, except that having worked together comes first
whenever the two cities share a project: it is the most concrete reason there is.

Roles are told as the data records them: a project is counted once however many themes it
has; only a lead partner or coordinator "led" it; an associated partner or third party is
named as such (it is not a beneficiary); a network is "the same network", never "worked
together", and a Covenant supporter is not a member.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from matcher.domain import (
    COUNTRY_NAMES,
    LEAD_ROLES,
    City,
    Collaboration,
    ProfileKind,
    haversine_km,
)
from matcher.scoring.partners.borders import share_land_border

__all__ = ["Reason", "explain_match", "format_population", "lower_label"]

#: A part contributes a reason only when its value reaches this level: below it the "reason"
#: would be too weak to be worth a city officer's attention.
MIN_PART_VALUE = 0.2
#: With a purpose model: a part gives a reason from this many logit units on (the odds of a
#: real partnership at least 1.2 times what they would be without it).
MIN_CONTRIBUTION = 0.2
#: What the track record counts: partnerships, projects with another municipality in the data
#: (:attr:`Collaboration.is_partnership`), not a project a city ran with agencies alone.
PARTNERSHIPS = "with other municipalities"
#: Themes named per reason; more reads like a list, not a reason.
MAX_THEMES = 3
#: Theme weights below this share of a profile's strongest theme are not named.
MIN_THEME_SHARE = 0.3
#: "Similar size" only when the larger population is at most this many times the smaller
#: (the ``peer_size`` part is 0.69 there; at 3x it is 0.5, which is not similar).
SIMILAR_SIZE_RATIO = 1.5
#: A city abroad this close is "across the border" (the reach of Interreg cross-border areas,
#: as in :data:`matcher.scoring.partners.ranker.CROSS_BORDER_MAX_KM`) when the two countries
#: share a land border (:func:`~matcher.scoring.partners.borders.share_land_border`); else it
#: is only "in" its country.
NEIGHBOUR_KM = 300.0
#: The reason for a hub price (:mod:`matcher.scoring.partners.hubs`): told last, it lowered the
#: score.
EXPOSURE_TEXT = ("Ranked a little lower: it is already among the first partners suggested "
                 "to cities of this size in many countries, so others get seen too")  # fmt: skip
#: The same with a theme focus: the price is that of the focus (matcher.scoring.partners.hubs).
#: It does not name the theme: it is no reason on the theme, and must not read as one.
FOCUSED_EXPOSURE_TEXT = ("Ranked a little lower: with your focus it is already among the first "
                         "partners suggested to cities of this size in many countries, so "
                         "others get seen too")  # fmt: skip
#: Networks and common partners named per reason.
MAX_NAMES = 2


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
    common_partners: Sequence[str] = (),
    candidate_collaborations: Sequence[Collaboration] | None = None,
    network_partners: Sequence[str] = (),
    contributions: Mapping[str, float] | None = None,
    mixed_partners: Sequence[tuple[str, str]] = (),
) -> list[Reason]:
    """Reasons for ranking ``candidate`` for ``query``, strongest contribution first.

    ``parts`` and ``weights`` are one candidate's part values and the weights used (as from
    :class:`~matcher.scoring.partners.ranker.RankResult` and ``PartnerRanker.effective_weights``).
    ``shared_collaborations`` are the collaborations both cities took part in, newest first
    is best (projects and joint plans explain ``history``, networks explain ``networks``);
    ``candidate_experience`` counts the candidate's past projects per theme id and
    ``candidate_projects`` all of them; ``shared_terms`` are the words behind the text
    similarity; ``common_partners`` names the partners both worked with in projects or joint
    plans, strongest first, ``network_partners`` those both are only linked to through
    networks, and ``mixed_partners`` those one of them worked with and the other is only in a
    network with, as (name, who worked with it: "query" or "candidate").
    ``candidate_collaborations`` (the candidate's own collaborations, with member
    roles) is the preferred source of the experience and track-record sentences: projects are
    then counted once each and told with the candidate's role; without it the older counts
    (``candidate_experience``, ``candidate_projects``) are used and no role is claimed.
    ``contributions`` (a purpose model's exact per-part contributions, logit units) replace
    weight x value: a part then gives a reason when it adds at least
    :data:`MIN_CONTRIBUTION`.
    """
    worked = [c for c in shared_collaborations if c.kind != "network"]
    networks = [c for c in shared_collaborations if c.kind == "network"]
    projects = (None if candidate_collaborations is None
                else [c for c in candidate_collaborations if c.kind == "project"])  # fmt: skip
    builders = {
        "shared_interests": lambda: _shared_interests(query, candidate, theme_labels, theme_focus),
        "complementarity": lambda: _complementarity(query, candidate, theme_labels),
        "experience": lambda: _experience(query, candidate, projects, candidate_experience,
                                          theme_labels, theme_focus),
        "track_record": lambda: _track_record(candidate, projects, candidate_projects),
        "text": lambda: _text(shared_terms, worked),
        "peer_size": lambda: _peer_size(query, candidate),
        "size": lambda: _size(candidate),
        "proximity": lambda: _geography(query, candidate, "near"),
        "geography": lambda: _geography(query, candidate, geography),
        "history": lambda: _history(worked, query, candidate),
        "networks": lambda: _networks(networks, query, candidate),
        "common_partners": lambda: _common_partners(common_partners, network_partners,
                                                    mixed_partners, candidate.name),
    }  # fmt: skip
    reasons = []
    for part, build in builders.items():
        value = float(parts.get(part, 0.0))
        if contributions is not None:
            added = float(contributions.get(part, 0.0))
            # Having worked together is a fact worth telling whatever the model makes of it.
            if added < MIN_CONTRIBUTION and not (part == "history" and value > 0):
                continue
        else:
            weight = float(weights.get(part, 0.0))
            if weight <= 0 or value < MIN_PART_VALUE:
                continue
            added = weight * value
        text = build()
        if text:
            reasons.append(Reason(part=part, contribution=added, text=text))
    price = 0.0 if contributions is None else float(contributions.get("exposure", 0.0))
    if price <= -MIN_CONTRIBUTION:
        text = FOCUSED_EXPOSURE_TEXT if theme_focus else EXPOSURE_TEXT
        reasons.append(Reason(part="exposure", contribution=price, text=text))
    reasons = _say_place_once(reasons)
    reasons.sort(key=lambda r: (r.part != "history", -r.contribution))
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
    """Themes in both profiles are "both work on"; a focus theme only the candidate's
    profile holds is the candidate's, not "both"."""
    own = query.weights(ProfileKind.INTEREST)
    mine = dict(own)
    for theme in focus:
        mine.setdefault(theme, max(mine.values(), default=1.0))
    themes = _overlap(mine, candidate.weights(ProfileKind.INTEREST))
    both = [t for t in themes if t in own]
    focus_only = [t for t in themes if t not in own]
    sentences = []
    if both:
        sentences.append(f"Both work on {_listing(both, labels)}")
    if focus_only:
        sentences.append(f"{candidate.name} works on {_listing(focus_only, labels)}, your focus")
    return "; ".join(sentences) or None


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


def _wanted_themes(query, focus) -> set[str]:
    wanted = set(query.weights(ProfileKind.NEED)) or set(query.weights(ProfileKind.INTEREST))
    return wanted | set(focus)


def _experience(query, candidate, projects, counts, labels, focus) -> str | None:
    """Distinct past projects of the candidate on the themes the query looks for, with the
    candidate's role; the focus themes come first."""
    wanted = _wanted_themes(query, focus)
    if projects is None:
        return _experience_from_counts(candidate.name, counts, wanted, labels)
    relevant = list({c.id: c for c in projects if wanted & set(c.themes)}.values())
    if not relevant:
        return None
    per_theme: dict[str, int] = {}
    for collab in relevant:
        for theme in set(collab.themes) & wanted:
            per_theme[theme] = per_theme.get(theme, 0) + 1
    themes = sorted(per_theme, key=lambda t: (t not in focus, -per_theme[t], t))[:MAX_THEMES]
    named = [c for c in relevant if set(c.themes) & set(themes)]
    sentence = _took_part(candidate, named)
    if any(per_theme[t] != len(named) for t in themes):
        # "2 projects on a; b" would read as two on each: say how many on each.
        each = (f"{per_theme[t]} on {_listing([t], labels)}" for t in themes)
        return f"{sentence}: {'; '.join(each)}"
    return sentence + f" on {_listing(themes, labels)}"


def _experience_from_counts(name, counts, wanted, labels) -> str | None:
    """Without the projects themselves: name the themes, count nothing (per-theme counts
    cannot be added up: one project has several themes)."""
    if not counts:
        return None
    relevant = sorted(((n, t) for t, n in counts.items() if t in wanted and n > 0),
                      key=lambda item: (-item[0], item[1]))[:MAX_THEMES]  # fmt: skip
    if not relevant:
        return None
    return f"{name} has taken part in projects on {_listing([t for _n, t in relevant], labels)}"


def _took_part(candidate, projects, before: str = "", after: str = "") -> str:
    """ "X took part in 3 projects (led 1; associated partner in 1)" from the roles; ``before``
    and ``after`` qualify the noun: "3 EU-funded projects with other municipalities"."""
    n = len({c.id for c in projects})
    noun = f"{before}{'project' if n == 1 else 'projects'}{after}"
    roles = [c.role_of(candidate.id) for c in {c.id: c for c in projects}.values()]
    led = sum(r in LEAD_ROLES for r in roles)
    if led == n:
        return f"{candidate.name} led {n} {noun}"
    notes = [f"led {led}"] if led else []
    for role, label in (("associated_partner", "associated partner"),
                        ("third_party", "third party")):  # fmt: skip
        count = sum(r == role for r in roles)
        if count:
            notes.append(f"{label} in {count}" if n > 1 else f"as {label}")
    text = f"{candidate.name} took part in {n} {noun}"
    return text + (f" ({'; '.join(notes)})" if notes else "")


def _track_record(candidate, projects, count) -> str | None:
    """The track record counts partnerships (as ``project_count`` does), so the sentence
    says so; where the candidate also took part in projects without another municipality
    (the research model counts every research project), it counts them all and says how many
    were partnerships."""
    if projects is not None:
        if not projects:
            return None
        partnerships = {c.id for c in projects if c.is_partnership}
        if len(partnerships) == len({c.id for c in projects}):
            return _took_part(candidate, projects, "EU-funded ", f" {PARTNERSHIPS}")
        paired = f"{len(partnerships)} of them" if partnerships else "none"
        return f"{_took_part(candidate, projects, 'EU-funded ')}, {paired} {PARTNERSHIPS}"
    if not count:
        return None
    noun = "project" if count == 1 else "projects"
    return f"{candidate.name} has taken part in {count} EU-funded {noun} {PARTNERSHIPS}"


def _text(shared_terms, worked=()) -> str | None:
    if not shared_terms:
        return "Similar project descriptions"
    shown = list(shared_terms[:MAX_THEMES])
    quoted = ", ".join(f"'{term}'" for term in shown)
    # Two partners of one project share its description: say so, or the words read as a
    # likeness found apart from the project the history reason already names.
    joint = next((c for c in worked if set(shown) <= _words(f"{c.title} {c.description}")), None)
    if joint is not None:
        return f"Similar project descriptions ({quoted}, words of your joint project {joint.title})"
    return f"Similar project descriptions ({quoted})"


def _words(text: str) -> set[str]:
    """The words of a text as the text features count them (lower case, 2+ characters)."""
    return set(re.findall(r"(?u)\b\w\w+\b", (text or "").lower()))


def _peer_size(query, candidate) -> str | None:
    if not query.population or not candidate.population:
        return None
    ratio = max(query.population, candidate.population) / min(
        query.population, candidate.population
    )
    if ratio > SIMILAR_SIZE_RATIO:
        return None
    return (
        f"Similar size ({format_population(query.population)} vs "
        f"{format_population(candidate.population)})"
    )


def _size(candidate) -> str | None:
    # Only reached when the purpose model adds for the size: it learned that cities of this size
    # take part in such partnerships more often than smaller ones.
    if not candidate.population:
        return None
    return (f"A city of {format_population(candidate.population)} inhabitants: cities of this "
            "size take part in such partnerships more often")  # fmt: skip


def _geography(query, candidate, mode) -> str | None:
    country = COUNTRY_NAMES.get(candidate.country, candidate.country)
    abroad = candidate.country != query.country
    if mode == "different-country":
        return f"In another country ({country})" if abroad else None
    if None in (query.lat, query.lon, candidate.lat, candidate.lon):
        return None
    km = haversine_km(query.lat, query.lon, candidate.lat, candidate.lon)
    distance = f"{km:,.0f} km away"
    over_border = abroad and share_land_border(query.country, candidate.country)
    if over_border and (mode == "cross-border" or km <= NEIGHBOUR_KM):
        return f"{distance}, across the border in {country}"
    where = f"in {country}" if abroad else "in your country"
    if not abroad and query.nuts2 and query.nuts2 == candidate.nuts2:
        where = f"in your NUTS 2 region ({query.nuts2})"
    return f"{distance}, {where}"


def _history(shared, query, candidate) -> str | None:
    if not shared:
        return None
    first = shared[0]
    details = ", ".join(str(x) for x in (_programme(first.programme), first.start_year) if x)
    text = f"Worked together in {first.title}" + (f" ({details})" if details else "")
    side_roles = [(city.name, first.role_of(city.id)) for city in (candidate, query)]
    named = [f"{who} as {_ROLE_LABELS[role]}" for who, role in side_roles if role in _ROLE_LABELS]
    if named:
        text = f"In {first.title} together" + (f" ({details}; " if details else " (")
        text += " and ".join(named) + ")"
    if len(shared) > 1:
        others = len(shared) - 1
        text += f" and {others} other project{'s' if others > 1 else ''}"
    return text


#: Roles that are not a full partner, told by name wherever a role is told.
_ROLE_LABELS = {"associated_partner": "associated partner", "third_party": "third party"}


def _networks(networks, query, candidate) -> str | None:
    """ "Both are members of X" only when both are recorded as members of a membership
    network. A Covenant supporter network lists the signatories it *supports* (the
    signatory file's supporter field says nothing about membership), so it reads "supported
    by"; a territorial coordinator's signatories are "in the group coordinated by"."""
    members, supported, coordinated, other = [], [], [], []
    for network in networks:
        roles = {network.role_of(query.id), network.role_of(candidate.id)}
        programme = network.programme.lower()
        if "coordinator" in programme or "coordinated" in roles:
            coordinated.append(network.title)
        elif "supporter" in programme or "supporter" in roles:
            supported.append(network.title)
        elif roles == {"member"}:
            members.append(network.title)
        else:
            other.append(network.title)
    sentences = []
    if members:
        sentences.append(f"Both are members of {_names(members)}")
    if supported:
        sentences.append(
            f"In the same network: both are supported by {_names(supported)} in the Covenant "
            "of Mayors"
        )
    if coordinated:
        sentences.append(
            f"Both are in the Covenant of Mayors group coordinated by {_names(coordinated)}"
        )
    if other:
        sentences.append(f"Both are in the same network: {_names(other)}")
    return "; ".join(sentences) or None


def _common_partners(names, network_names=(), mixed=(), candidate_name="") -> str:
    # Each partner is told by how each city is linked to it: "worked with" needs a project
    # or joint plan, a network is only "in a network with".
    sentences = []
    if names:
        sentences.append(f"Both worked with {_names(list(names))}")
    if network_names:
        sentences.append(f"Both are in a network with {_names(list(network_names))}")
    theirs = [name for name, who in mixed if who == "candidate"]
    yours = [name for name, who in mixed if who == "query"]
    if theirs:
        sentences.append(f"{candidate_name} worked with {_names(theirs)}, and you are in a "
                         f"network with {_them(theirs)}")  # fmt: skip
    if yours:
        sentences.append(f"You worked with {_names(yours)}, and {candidate_name} is in a "
                         f"network with {_them(yours)}")  # fmt: skip
    return "; ".join(sentences) or "You have partners or networks in common"


def _them(names: Sequence[str]) -> str:
    return "it" if len(names) == 1 else "them"


# ---------------------------------------------------------------------- helpers


def _say_place_once(reasons: list[Reason]) -> list[Reason]:
    """Proximity and a geography preference both describe where the candidate is: keep one
    reason (the preference's wording) carrying both contributions."""
    place = [r for r in reasons if r.part in ("proximity", "geography")]
    if len(place) < 2:
        return reasons
    preferred = next(r for r in place if r.part == "geography")
    merged = Reason("geography", sum(r.contribution for r in place), preferred.text)
    return [r for r in reasons if r not in place] + [merged]


def _overlap(a: Mapping[str, float], b: Mapping[str, float]) -> list[str]:
    """Themes both profiles hold, strongest joint weight first, weak ones dropped."""
    if not a or not b:
        return []
    joint = {t: min(a[t] / max(a.values()), b[t] / max(b.values())) for t in a.keys() & b.keys()}
    ranked = sorted(joint.items(), key=lambda item: (-item[1], item[0]))
    return [t for t, share in ranked if share >= MIN_THEME_SHARE][:MAX_THEMES]


def _listing(theme_ids: Sequence[str], labels: Mapping[str, str]) -> str:
    """'a', 'a and b', 'a, b and c' with lower-case theme labels; labels that contain "and"
    or a comma themselves are separated by semicolons ('a and b; c; d') so that the list
    still reads as a list."""
    names = [lower_label(labels.get(t, t.replace("-", " "))) for t in theme_ids]
    if len(names) <= 1:
        return "".join(names)
    if any(" and " in name or "," in name for name in names):
        return "; ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _names(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and 2 others' for proper names."""
    shown = list(names[:MAX_NAMES])
    rest = len(names) - len(shown)
    if rest:
        return ", ".join(shown) + f" and {rest} other{'s' if rest > 1 else ''}"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _programme(programme: str) -> str:
    """A programme name without its funding period: "2014 - 2020 INTERREG V-A Germany -
    The Netherlands" -> "INTERREG V-A Germany - The Netherlands"."""
    return re.sub(r"^\s*(19|20)\d\d\s*[-–]\s*(19|20)\d\d\s+", "", programme or "").strip()


def lower_label(label: str) -> str:
    """A theme label inside a sentence: a capitalised first word lower-cased, acronyms ("EU",
    "SMEs") kept as written."""
    first, _, rest = label.partition(" ")
    if first[:1].isupper() and first[1:].islower():
        first = first.lower()
    return f"{first} {rest}".strip()
