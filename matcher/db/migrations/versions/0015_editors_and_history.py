"""editors and history

Revision ID: 0015
Revises: 0003
Create Date: 2026-12-01 21:00:00

Editors (an administrator, or the editor of one city or one event) with hashed tokens and
one-time sign-in links; the history of every write (who, when, what); failed authentications
per client address, for the rate limit.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "editor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("scope_ref", sa.String(length=120), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("link_hash", sa.String(length=64), nullable=True),
        sa.Column("link_expires_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_editor")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_editor_token_hash")),
        sa.UniqueConstraint("link_hash", name=op.f("uq_editor_link_hash")),
    )
    op.create_table(
        "change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.Column("editor_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("city_slug", sa.String(length=120), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["editor_id"],
            ["editor.id"],
            name=op.f("fk_change_editor_id_editor"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change")),
    )
    op.create_index(op.f("ix_change_at"), "change", ["at"])
    op.create_index(op.f("ix_change_city_slug"), "change", ["city_slug"])
    op.create_index(op.f("ix_change_event_id"), "change", ["event_id"])
    op.create_table(
        "auth_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_failure")),
    )
    op.create_index(op.f("ix_auth_failure_address"), "auth_failure", ["address"])
    op.create_index(op.f("ix_auth_failure_at"), "auth_failure", ["at"])


def downgrade() -> None:
    op.drop_table("auth_failure")
    op.drop_table("change")
    op.drop_table("editor")
