"""request reason

Revision ID: 0013
Revises: 0003
Create Date: 2026-12-01 21:40:00

A meeting request may carry why the pair should meet (an event made from a consortium proposal
says why each partner was proposed); the schedule puts it into the agendas.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meeting_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meeting_request", schema=None) as batch_op:
        batch_op.drop_column("reason")
