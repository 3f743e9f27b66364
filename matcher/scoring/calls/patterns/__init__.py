"""Sentence patterns for the eligibility rules of EU Funding & Tenders topics.

Each ``find_*`` function reads cleaned sentences and returns the rules it is sure of, plus
``parsed=False`` rules where a sentence clearly addresses the rule kind but does not state it in a
form we can read. The texts are formulaic (the Commission copies the same clauses from topic to
topic), so every pattern below names the real clause it was written for; the tests in
``tests/scoring/calls/test_call_rules.py`` pin each one to that sentence.

Only binding wording counts ("must", "requires", "limited to", "eligible"): topic descriptions
also say what proposals *should* do, which is advice to evaluators, not an eligibility rule.
"""

from matcher.scoring.calls.patterns.applicants import (
    MUNICIPALITY_TYPES,
    find_applicant_types,
    find_cofunding,
    find_population,
)
from matcher.scoring.calls.patterns.common import (
    NUM,
    is_binding,
    rule,
    scope_set,
    to_int,
)
from matcher.scoring.calls.patterns.consortium import (
    find_min_countries,
    find_min_partners,
    find_required_members,
    member_flag,
)
from matcher.scoring.calls.patterns.countries import (
    EU_CANDIDATES,
    EURATOM_ASSOCIATED,
    WIDENING,
    find_country_restrictions,
    find_named_countries,
)

__all__ = [
    "EURATOM_ASSOCIATED",
    "EU_CANDIDATES",
    "MUNICIPALITY_TYPES",
    "NUM",
    "WIDENING",
    "find_applicant_types",
    "find_cofunding",
    "find_country_restrictions",
    "find_min_countries",
    "find_min_partners",
    "find_named_countries",
    "find_population",
    "find_required_members",
    "is_binding",
    "member_flag",
    "rule",
    "scope_set",
    "to_int",
]
