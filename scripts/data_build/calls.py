"""Build ``data/calls.json`` from the EU Funding & Tenders portal snapshot.

The raw file is concatenated JSON objects behind a UTF-8 BOM. Each topic's text is repaired
(:mod:`scripts.data_build.text_repair`), its keywords de-duplicated, its themes inferred from
the curated vocabulary, and its eligibility rules parsed by
:func:`matcher.scoring.calls.rules.parse_rules` when that module is available.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
from collections import Counter
from pathlib import Path

from matcher.scoring.vocabulary import Vocabulary, normalise

from . import text_repair

RAW_FILE = "ft_portal_topics_open_forthcoming_2026-08.jsonl.gz"
THEMES_FILE = "themes.json"
OUTPUT_FILE = "calls.json"
SOURCE = "EU Funding & Tenders portal (European Commission), snapshot Aug 2026"

# Theme evidence. A curated keyword mapping is the portal's own labelling, a synonym in the
# title names the topic's subject, a synonym in the description may be a passing mention. A
# theme is kept when its evidence reaches THEME_THRESHOLD: one mapped keyword, one title hit,
# or two description hits. A theme must also reach RELATIVE_FLOOR of the call's strongest theme,
# so that a call squarely about one subject is not also tagged with its passing mentions; themes
# named by the portal's own keywords are exempt from that floor.
KEYWORD_WEIGHT = 2
TITLE_HIT_WEIGHT = 2
DESCRIPTION_HIT_WEIGHT = 1
THEME_THRESHOLD = 2
RELATIVE_FLOOR = 0.25

#: Genuine camel-case names in the portal text that boundary repair must not split.
KNOWN_CAMEL_CASE_NAMES = frozenset(
    {"InvestEU", "EuroHPC", "EuroQCI", "SatCom", "GovSatCom", "SoilWise", "HealthCare", "EdTech"}
)
_CAMEL_TOKEN = re.compile(r"\b\w*[a-z]\w*[A-Z]\w*\b")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

log = logging.getLogger(__name__)


def build(raw_dir: Path, out_dir: Path) -> dict:
    """Write ``calls.json`` from the portal snapshot in ``raw_dir``; return counts.

    Needs ``themes.json`` in ``out_dir`` (the themes builder runs first).
    """
    topics = read_topics(raw_dir / RAW_FILE)
    vocabulary = Vocabulary.from_dict(
        json.loads((out_dir / THEMES_FILE).read_text(encoding="utf-8"))
    )
    parse_rules = _load_rule_parser()
    protected = KNOWN_CAMEL_CASE_NAMES | _camel_case_names(topics)

    calls = []
    unrepaired: Counter[str] = Counter()
    for topic in topics:
        call = convert_topic(topic, vocabulary, protected)
        for field in ("title", "description", "conditions_text"):
            unrepaired.update(text_repair.remaining_mojibake(call[field]))
        call["rules"] = _serialise_rules(parse_rules(call)) if parse_rules else []
        calls.append(call)
    calls.sort(key=lambda call: call["id"])

    out_dir.mkdir(parents=True, exist_ok=True)
    payload = {"source": SOURCE, "calls": calls}
    text = json.dumps(payload, ensure_ascii=False, indent=1) + "\n"
    (out_dir / OUTPUT_FILE).write_text(text, encoding="utf-8")

    theme_counts = Counter(theme for call in calls for theme in call["themes"])
    return {
        "calls": len(calls),
        "calls_with_themes": sum(1 for call in calls if call["themes"]),
        "calls_with_rules": sum(1 for call in calls if call["rules"]),
        "rules_parser": "available" if parse_rules else "missing (rules left empty)",
        "theme_distribution": dict(sorted(theme_counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        "unrepaired_mojibake": dict(unrepaired.most_common()),
    }


def read_topics(path: Path) -> list[dict]:
    """Decode the portal file: concatenated JSON objects, optionally behind a UTF-8 BOM."""
    with gzip.open(path, "rb") as stream:
        text = stream.read().decode("utf-8-sig")
    decoder = json.JSONDecoder()
    topics, position = [], 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            return topics
        topic, position = decoder.raw_decode(text, position)
        topics.append(topic)


def convert_topic(topic: dict, vocabulary: Vocabulary, protected_words: frozenset[str]) -> dict:
    """One portal topic as a call record (without ``rules``)."""
    title = text_repair.clean_text(topic.get("title"), blocks=False)
    description = text_repair.clean_text(topic.get("description"), protected_words=protected_words)
    keywords = split_keywords(topic)
    deadline = (topic.get("deadline") or "").strip()
    return {
        "id": topic["topicId"],
        "title": title,
        "programme": topic.get("programme") or "",
        "call_identifier": topic.get("callIdentifier") or "",
        "action_type": topic.get("actionType") or "",
        "types_of_action": text_repair.clean_text(topic.get("typesOfAction"), blocks=False),
        "description": description,
        "keywords": keywords,
        "themes": infer_themes(title, description, keywords, vocabulary),
        # The snapshot carries no opening date; status comes from "portal_status" instead.
        "opening_date": None,
        "deadlines": [deadline] if _DATE.match(deadline) else [],
        "deadline_model": topic.get("deadlineModel") or None,
        "portal_status": topic.get("callStatus") or None,
        "budget_min": topic.get("budgetMin"),
        "budget_max": topic.get("budgetMax"),
        "expected_grants": topic.get("expectedGrants"),
        "url": topic.get("portalUrl") or "",
        "conditions_text": text_repair.clean_text(
            topic.get("topicConditions"), protected_words=protected_words
        ),
    }


def split_keywords(topic: dict) -> list[str]:
    """Comma-separated keywords, repaired and de-duplicated (case-insensitively), in order.

    The portal repeats the topic and call identifiers among the keywords; they are not
    subject keywords and are dropped.
    """
    identifiers = {
        normalise(topic.get("topicId") or ""),
        normalise(topic.get("callIdentifier") or ""),
    }
    seen: set[str] = set()
    keywords = []
    for part in text_repair.clean_text(topic.get("keywords"), blocks=False).split(","):
        keyword = part.strip()
        key = normalise(keyword)
        if key and key not in seen and key not in identifiers:
            seen.add(key)
            keywords.append(keyword)
    return keywords


def infer_themes(
    title: str, description: str, keywords: list[str], vocabulary: Vocabulary
) -> list[str]:
    """Theme ids with enough evidence (see ``THEME_THRESHOLD``), strongest first."""
    evidence: Counter[str] = Counter()
    labelled: set[str] = set()
    for keyword in keywords:
        for theme_id in vocabulary.mapped("ft_keywords", keyword) or ():
            evidence[theme_id] += KEYWORD_WEIGHT
            labelled.add(theme_id)
    for theme_id, hits in vocabulary.themes_in_text(title).items():
        evidence[theme_id] += TITLE_HIT_WEIGHT * hits
    for theme_id, hits in vocabulary.themes_in_text(description).items():
        evidence[theme_id] += DESCRIPTION_HIT_WEIGHT * hits
    if not evidence:
        return []
    floor = max(THEME_THRESHOLD, RELATIVE_FLOOR * max(evidence.values()))
    kept = [
        theme_id
        for theme_id, score in evidence.items()
        if score >= floor or (theme_id in labelled and score >= THEME_THRESHOLD)
    ]
    return sorted(kept, key=lambda theme_id: (-evidence[theme_id], vocabulary.index(theme_id)))


def _camel_case_names(topics: list[dict]) -> frozenset[str]:
    """Camel-case tokens used in titles or keywords: names, not glued-together blocks."""
    names: set[str] = set()
    for topic in topics:
        for field in ("title", "keywords"):
            names.update(_CAMEL_TOKEN.findall(topic.get(field) or ""))
    return frozenset(names)


def _load_rule_parser():
    try:
        from matcher.scoring.calls.rules import parse_rules
    except ImportError:
        log.warning("matcher.scoring.calls.rules not importable; calls get no rules")
        return None
    return parse_rules


def _serialise_rules(rules) -> list[dict]:
    return [
        {
            "kind": str(rule.kind),
            "params": rule.params,
            "parsed": rule.parsed,
            "source_sentence": rule.source_sentence,
        }
        for rule in rules
    ]
