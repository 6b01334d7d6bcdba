"""A version on each source document, so two people correcting one source end in a conflict.

Sources' title, outlet, author, address and date can now be corrected after ingest; every
UPDATE carries ``WHERE version = n`` (``version_id_col``), as claims and evidence do. Rows that
exist start at version 1.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add source_documents.version (1 for the rows already there)."""
    with op.batch_alter_table("source_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                      server_default=sa.text("1")))


def downgrade() -> None:
    """Drop source_documents.version."""
    with op.batch_alter_table("source_documents", schema=None) as batch_op:
        batch_op.drop_column("version")
