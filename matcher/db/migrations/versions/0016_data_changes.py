"""data changes: what each data version changed

Revision ID: 0016
Revises: 0013, 0015
Create Date: 2026-12-01 21:00:00

One row per data version that a one-city write made (a declared profile, say), naming the
city: workers that see the version move apply that city's delta to their in-memory indexes
instead of rebuilding them. Versions without a row (imports, seeds) still mean "rebuild".
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_changes",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_data_changes")),
    )


def downgrade() -> None:
    op.drop_table("data_changes")
