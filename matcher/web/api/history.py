"""The history of changes, for administrators: who changed what, when."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import g
from pydantic import BaseModel, Field, field_validator
from spectree import Response

from matcher.db import get_session
from matcher.services import history
from matcher.web.api.base import BEARER, authenticate, bp, spec
from matcher.web.api.schemas import Problem, QueryParameters
from matcher.web.errors import problem


class HistoryQuery(QueryParameters):
    city: str | None = Field(default=None, max_length=120, description="A city slug.")
    event: int | None = Field(default=None, ge=1, description="An event id.")
    limit: int = Field(default=50, ge=1, le=500)


class ChangeOut(BaseModel):
    """One write: when (UTC), by whom, what; ``details`` holds before/after of profiles."""

    id: int
    at: datetime
    editor: str
    editor_id: int | None
    action: str = Field(examples=["profile.update"])
    summary: str
    city: str | None
    event: int | None
    details: dict

    @field_validator("at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        # Stored naive, in UTC: say so, so the value is an RFC 3339 date-time.
        return value if value.tzinfo else value.replace(tzinfo=UTC)


class HistoryOut(BaseModel):
    items: list[ChangeOut]


@bp.get("/history")
@spec.validate(
    resp=Response(HTTP_200=HistoryOut, HTTP_401=Problem, HTTP_403=Problem, HTTP_429=Problem),
    tags=["history"],
    operation_id="listChanges",
    security=BEARER,
)
def list_changes(query: HistoryQuery):
    """The latest changes, newest first, of one city (`city`), one event (`event`) or all.

    Needs `Authorization: Bearer <token>` of an administrator.
    """
    refused = authenticate()
    if refused is not None:
        return refused
    if not g.api_actor.is_admin:
        actor = g.api_actor
        return problem(
            403,
            "Forbidden",
            f"This token belongs to {actor.name} ({actor.scope_label}); reading the history "
            "needs an administrator's token.",
        )
    session = get_session()
    if query.city:
        changes = history.city_history(session, query.city.lower(), limit=query.limit)
    elif query.event:
        changes = history.event_history(session, query.event, limit=query.limit)
    else:
        changes = history.all_history(session, limit=query.limit)
    return HistoryOut(
        items=[
            ChangeOut(
                id=c.id,
                at=c.at,
                editor=c.editor_name,
                editor_id=c.editor_id,
                action=c.action,
                summary=c.summary,
                city=c.city_slug,
                event=c.event_id,
                details=c.details,
            )
            for c in changes
        ]
    )
