"""Helpers to read server-rendered pages in the web tests (plain string slicing, no parser)."""

from __future__ import annotations

import re

from matcher.domain import EU27


def section(page: str, start_marker: str, end_marker: str | None = None) -> str:
    """The part of ``page`` from ``start_marker`` to ``end_marker`` (or the end)."""
    start = page.index(start_marker)
    end = page.index(end_marker, start) if end_marker else len(page)
    return page[start:end]


def partner_slugs(page: str) -> list[str]:
    """Slugs of the ranked partners, in rank order."""
    items = page.split('<li class="partner"')[1:]
    return [re.search(r'href="/cities/([a-z0-9-]+)"', item).group(1) for item in items]


def slug_country(slug: str) -> str:
    return slug.split("-", 1)[0].upper()


def all_in_eu(slugs: list[str]) -> bool:
    return all(slug_country(slug) in EU27 for slug in slugs)
