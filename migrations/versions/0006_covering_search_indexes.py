"""Search indexes that answer newest-first entity and speaker pages from the index alone.

Entity search reads an entity's mentions newest first and skips rejected (and, on request,
demonym) links: with review and is_demonym in the key it never reads the mentions table.
A speaker's claims newest first need the id in the key on PostgreSQL (SQLite's index carries
the rowid already, so there the new index only replaces the old one).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Replace the mention and speaker indexes by covering, ordered ones."""
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.create_index("ix_mentions_entity_id_claim_id_review",
                              ["entity_id", "claim_id", "review", "is_demonym"], unique=False)
        batch_op.drop_index("ix_mentions_entity_id_claim_id")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index("ix_claims_speaker_id_id", ["speaker_id", "id"], unique=False)
        batch_op.drop_index("ix_claims_speaker_id")


def downgrade() -> None:
    """Back to the two-column mention index and the plain speaker index."""
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index("ix_claims_speaker_id", ["speaker_id"], unique=False)
        batch_op.drop_index("ix_claims_speaker_id_id")
    with op.batch_alter_table("mentions", schema=None) as batch_op:
        batch_op.create_index("ix_mentions_entity_id_claim_id", ["entity_id", "claim_id"],
                              unique=False)
        batch_op.drop_index("ix_mentions_entity_id_claim_id_review")
