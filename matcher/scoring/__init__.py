"""The pure scoring core: numpy, scipy, scikit-learn and rapidfuzz, never Flask or SQLAlchemy.

Usable as a library without a database: ``matcher.scoring.partners`` (vectorise, rank, explain,
evaluate partner cities), ``matcher.scoring.calls`` (call rules, eligibility, ranking,
consortium builder) and ``matcher.scoring.schedule`` (meeting schedules), with the shared
``names`` (fuzzy name index), ``display_names`` and ``vocabulary`` (the theme vocabulary).
"""
