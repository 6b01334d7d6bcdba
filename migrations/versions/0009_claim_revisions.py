"""Claim revisions: an append-only record of every edit of a claim's fields.

Each row holds the old and new value of each field the edit changed, so a claim's earlier
wording is never lost. Claims edited before this revision have no record of those edits.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the claim_revisions table."""
    op.create_table(
        "claim_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_revisions_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_claim_revisions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_revisions")),
    )
    with op.batch_alter_table("claim_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_claim_revisions_claim_id"), ["claim_id"], unique=False
        )


def downgrade() -> None:
    """Drop the claim_revisions table."""
    with op.batch_alter_table("claim_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_revisions_claim_id"))
    op.drop_table("claim_revisions")
