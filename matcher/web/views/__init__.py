"""HTML pages by job: ``cities`` (search, profile, about the data), ``partners``, ``calls`` (a
city's calls, a call, consortium proposals) and ``events``; ``common`` holds the ``views``
blueprint and the helpers the pages share."""

from matcher.web.views import calls, cities, events, partners
from matcher.web.views.common import bp

__all__ = ["bp", "calls", "cities", "events", "partners"]
