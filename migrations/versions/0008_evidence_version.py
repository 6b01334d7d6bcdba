"""A version on each evidence item, so two people editing one item end in a conflict.

Every UPDATE of an evidence row then carries ``WHERE version = n`` (SQLAlchemy's
``version_id_col``), as claims already do; rows that exist start at version 1.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add evidence.version (1 for the rows already there)."""
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                      server_default=sa.text("1")))


def downgrade() -> None:
    """Drop evidence.version."""
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_column("version")
