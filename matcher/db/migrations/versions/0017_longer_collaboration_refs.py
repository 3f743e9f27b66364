"""longer collaboration refs

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 22:35:00

keep.eu refs are built from project acronyms, and some acronyms are whole sentences: the
longest in the shipped seed has 203 characters, which PostgreSQL refused in varchar(200).
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("collaboration", schema=None) as batch_op:
        batch_op.alter_column(
            "ref", existing_type=sa.String(200), type_=sa.String(400), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("collaboration", schema=None) as batch_op:
        batch_op.alter_column(
            "ref", existing_type=sa.String(400), type_=sa.String(200), existing_nullable=False
        )
