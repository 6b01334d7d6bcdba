"""Claim appearances: other places a claim was published (ClaimReview ``appearance``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the claim_appearances table."""
    op.create_table(
        "claim_appearances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("published_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_appearances_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_appearances")),
        sa.UniqueConstraint("claim_id", "url", name=op.f("uq_claim_appearances_claim_id_url")),
    )
    with op.batch_alter_table("claim_appearances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_claim_appearances_claim_id"), ["claim_id"], unique=False
        )


def downgrade() -> None:
    """Drop the claim_appearances table."""
    with op.batch_alter_table("claim_appearances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_appearances_claim_id"))
    op.drop_table("claim_appearances")
