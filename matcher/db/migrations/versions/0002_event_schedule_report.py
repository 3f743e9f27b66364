"""event schedule report

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00

The quality report of an event's last generated schedule (LP upper bound, fairness figures,
must-meets not honoured with their reasons), kept because the bound costs a solve to recompute.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("schedule_report", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("schedule_report")
