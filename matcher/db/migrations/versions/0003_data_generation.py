"""data generation token

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 02:00:00

A random token fixed when a database's data-version row is first written. Together with the
version it names one state of the data, so an index cached on disk for one database is never
taken for another that happens to be at the same version (a re-created SQLite file, say).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("data_version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("generation", sa.String(length=32), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("data_version", schema=None) as batch_op:
        batch_op.drop_column("generation")
