"""PostgreSQL: a stored tsvector column for full-text search (SQLite keeps its FTS5 table).

Newest-first text search walks the primary key backwards and tests each row's words; with
only an expression index every such test re-ran ``to_tsvector`` on the row's text. A stored
generated column makes that test cheap, and the GIN index moves onto it. Adding the column
rewrites the claims table once (about a minute per million claims).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add claims.text_tsv (generated from text_key) and index it; drop the expression index."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE claims ADD COLUMN text_tsv tsvector "
               "GENERATED ALWAYS AS (to_tsvector('simple', text_key)) STORED")
    op.execute("DROP INDEX IF EXISTS ix_claims_text_key_tsv")
    op.execute("CREATE INDEX ix_claims_text_tsv ON claims USING gin (text_tsv)")
    # Fresh statistics on the new column: the planner reads word frequencies from them.
    op.execute("ANALYZE claims")


def downgrade() -> None:
    """Back to the expression index over to_tsvector(text_key)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_claims_text_tsv")
    op.execute("ALTER TABLE claims DROP COLUMN IF EXISTS text_tsv")
    op.execute("CREATE INDEX ix_claims_text_key_tsv ON claims "
               "USING gin (to_tsvector('simple', text_key))")
