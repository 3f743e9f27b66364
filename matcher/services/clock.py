"""Today's date, injectable: deadlines and call status are always computed against it."""

from __future__ import annotations

from datetime import date


def today(configured: str | date | None = None) -> date:
    """``configured`` (a date or YYYY-MM-DD, e.g. ``MATCHER_TODAY``) or the real date."""
    if isinstance(configured, date):
        return configured
    if configured:
        return date.fromisoformat(str(configured))
    return date.today()
