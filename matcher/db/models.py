"""SQLAlchemy 2 typed models. Only the repository queries them; other layers see domain objects."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base with a naming convention so Alembic batch migrations work on SQLite."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class ThemeRow(Base):
    __tablename__ = "theme"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    synonyms: Mapped[list] = mapped_column(JSON, default=list)
    sources: Mapped[list] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ThemeMappingRow(Base):
    """A real label of a source vocabulary (keep.eu theme, F&T keyword) mapped to our themes."""

    __tablename__ = "theme_mapping"
    __table_args__ = (UniqueConstraint("source", "label", name="uq_theme_mapping_source_label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(300))
    theme_ids: Mapped[list] = mapped_column(JSON, default=list)


class CityRow(Base):
    __tablename__ = "city"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    official_name: Mapped[str] = mapped_column(String(300), default="")
    country: Mapped[str] = mapped_column(String(2), index=True)
    population: Mapped[int | None] = mapped_column(Integer, nullable=True)
    population_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    nuts: Mapped[str | None] = mapped_column(String(10), nullable=True)
    mission_city: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    commitments: Mapped[list] = mapped_column(JSON, default=list)
    alt_names: Mapped[list] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(120), default="")
    source_ref: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, server_default=func.now(), onupdate=func.now()
    )

    profile: Mapped[list[ProfileWeightRow]] = relationship(
        back_populates="city", cascade="all, delete-orphan", order_by="ProfileWeightRow.id"
    )


class ProfileWeightRow(Base):
    """One weight of a city's interest / need / offer profile, with its provenance."""

    __tablename__ = "profile_weight"
    __table_args__ = (UniqueConstraint("city_id", "kind", "theme_id", name="uq_profile_weight"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    theme_id: Mapped[str] = mapped_column(ForeignKey("theme.id"))
    weight: Mapped[float] = mapped_column(Float)
    provenance: Mapped[str] = mapped_column(String(300))

    city: Mapped[CityRow] = relationship(back_populates="profile")


class CollaborationRow(Base):
    __tablename__ = "collaboration"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(400), unique=True)
    source: Mapped[str] = mapped_column(String(120))
    # project (keep.eu, CORDIS), network (Covenant supporter/coordinator), joint-plan
    kind: Mapped[str] = mapped_column(String(20), default="project")
    title: Mapped[str] = mapped_column(String(500))
    programme: Mapped[str] = mapped_column(String(300), default="")
    themes: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    start_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    end_year: Mapped[int | None] = mapped_column(Integer, nullable=True)

    members: Mapped[list[CollaborationMemberRow]] = relationship(
        back_populates="collaboration", cascade="all, delete-orphan"
    )


class CollaborationMemberRow(Base):
    __tablename__ = "collaboration_member"
    __table_args__ = (
        UniqueConstraint("collaboration_id", "city_id", name="uq_collaboration_member"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collaboration_id: Mapped[int] = mapped_column(
        ForeignKey("collaboration.id", ondelete="CASCADE"), index=True
    )
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"), index=True)
    organisation: Mapped[str] = mapped_column(String(500), default="")
    role: Mapped[str] = mapped_column(String(40), default="partner")

    collaboration: Mapped[CollaborationRow] = relationship(back_populates="members")


class FundingCallRow(Base):
    __tablename__ = "funding_call"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    title: Mapped[str] = mapped_column(String(1000))
    programme: Mapped[str] = mapped_column(String(200), default="", index=True)
    call_identifier: Mapped[str] = mapped_column(String(200), default="")
    action_type: Mapped[str] = mapped_column(String(200), default="")
    types_of_action: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    themes: Mapped[list] = mapped_column(JSON, default=list)
    opening_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    deadlines: Mapped[list] = mapped_column(JSON, default=list)  # ISO date strings, sorted
    deadline_model: Mapped[str] = mapped_column(String(80), default="")
    portal_status: Mapped[str] = mapped_column(String(40), default="")
    budget_min: Mapped[float | None] = mapped_column(Float, nullable=True)
    budget_max: Mapped[float | None] = mapped_column(Float, nullable=True)
    expected_grants: Mapped[int | None] = mapped_column(Integer, nullable=True)
    url: Mapped[str] = mapped_column(String(500), default="")
    conditions_text: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(200), default="")

    rules: Mapped[list[EligibilityRuleRow]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="EligibilityRuleRow.id"
    )


class EligibilityRuleRow(Base):
    """A rule of a call as data; ``parsed`` False means "unknown: check the call text"."""

    __tablename__ = "eligibility_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(
        ForeignKey("funding_call.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    parsed: Mapped[bool] = mapped_column(Boolean, default=True)
    source_sentence: Mapped[str] = mapped_column(Text, default="")

    call: Mapped[FundingCallRow] = relationship(back_populates="rules")


class EventRow(Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    event_date: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    tables: Mapped[int] = mapped_column(Integer)
    no_repeat_memory: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    #: Quality report of the last generated schedule (None before the first run).
    schedule_report: Mapped[dict | None] = mapped_column(JSON, nullable=True)

    rounds: Mapped[list[EventRoundRow]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventRoundRow.number"
    )
    attendees: Mapped[list[EventAttendeeRow]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )
    requests: Mapped[list[MeetingRequestRow]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )
    meetings: Mapped[list[MeetingRow]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )


class EventRoundRow(Base):
    __tablename__ = "event_round"
    __table_args__ = (UniqueConstraint("event_id", "number", name="uq_event_round"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[str] = mapped_column(String(5))  # HH:MM local time of the event
    minutes: Mapped[int] = mapped_column(Integer, default=20)

    event: Mapped[EventRow] = relationship(back_populates="rounds")


class EventAttendeeRow(Base):
    __tablename__ = "event_attendee"
    __table_args__ = (UniqueConstraint("event_id", "city_id", name="uq_event_attendee"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"))
    unavailable_rounds: Mapped[list] = mapped_column(JSON, default=list)

    event: Mapped[EventRow] = relationship(back_populates="attendees")


class MeetingRequestRow(Base):
    __tablename__ = "meeting_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    from_city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"))
    to_city_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # must-meet / would-like / do-not-meet
    mutual: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Why the pair should meet, when the request came with one (a consortium proposal).
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    event: Mapped[EventRow] = relationship(back_populates="requests")


class MeetingRow(Base):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    round_number: Mapped[int] = mapped_column(Integer)
    table_number: Mapped[int] = mapped_column(Integer)
    city_a_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"))
    city_b_id: Mapped[int] = mapped_column(ForeignKey("city.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float, default=0.0)
    kind: Mapped[str] = mapped_column(String(20), default="suggested")
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[EventRow] = relationship(back_populates="meetings")


class DataVersionRow(Base):
    """A single counter bumped by every write that changes scoring inputs; in-memory indexes
    compare it to know when to rebuild."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    #: Random, fixed when the row is first written: with the version it names one state of
    #: this database's data (see services.indexes).
    generation: Mapped[str] = mapped_column(String(32), server_default="", default="")


class EditorRow(Base):
    """Someone allowed to write: an administrator, or the editor of one city or one event.

    Only SHA-256 digests of the secrets are kept (the token and the one-time sign-in link are
    shown once, when made), so a copy of the database gives no one write access.
    """

    __tablename__ = "editor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: "admin", "city" or "event"; ``scope_ref`` holds the city slug or the event id.
    scope: Mapped[str] = mapped_column(String(10))
    scope_ref: Mapped[str] = mapped_column(String(120), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    link_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    link_expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ChangeRow(Base):
    """One write: who (the name is copied, so it survives a revoked editor), when, what."""

    __tablename__ = "change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    editor_id: Mapped[int | None] = mapped_column(
        ForeignKey("editor.id", ondelete="SET NULL"), nullable=True
    )
    editor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    # Plain columns, not foreign keys: the history of a deleted event or city stays readable.
    city_slug: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)
    event_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class AuthFailureRow(Base):
    """A failed authentication from a client address, kept for the rate limit's window.

    In the database, not in memory, so every worker and every host behind a load balancer
    count the same failures."""

    __tablename__ = "auth_failure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)


class DataChangeRow(Base):
    """What one data version changed, when a worker can apply it as a delta: a row per
    version bumped by a one-city write (``scope`` "profile", ``city_id`` set). A version
    without a row (an import, a seed) means "anything may have changed": rebuild."""

    __tablename__ = "data_changes"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    scope: Mapped[str] = mapped_column(String(16))
    city_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
