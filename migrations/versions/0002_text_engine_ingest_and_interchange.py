"""Text engine, ingest and interchange: quantities, matching bands, claim links, API tokens,
imported reviews, duplicate and import keys on claims, source metadata, full-text search.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the new tables and columns, then full-text search (after the claims rebuild)."""
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "claim_bands",
        sa.Column("band_key", sa.String(length=32), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_bands_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("band_key", "claim_id", name=op.f("pk_claim_bands")),
    )
    with op.batch_alter_table("claim_bands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_bands_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "claim_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "relation IN ('duplicate', 'conflict', 'dismissed')",
            name=op.f("ck_claim_links_relation"),
        ),
        sa.CheckConstraint("claim_id <> other_id", name=op.f("ck_claim_links_distinct")),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_links_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_claim_links_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["other_id"],
            ["claims.id"],
            name=op.f("fk_claim_links_other_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_links")),
        sa.UniqueConstraint("claim_id", "other_id", name=op.f("uq_claim_links_claim_id_other_id")),
    )
    with op.batch_alter_table("claim_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_links_other_id"), ["other_id"], unique=False)

    op.create_table(
        "external_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("review_url", sa.String(length=2000), nullable=True),
        sa.Column("publisher_name", sa.String(length=200), nullable=True),
        sa.Column("publisher_url", sa.String(length=2000), nullable=True),
        sa.Column("rating_label", sa.String(length=200), nullable=True),
        sa.Column("rating_value", sa.Double(), nullable=True),
        sa.Column("date_published", sa.Date(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_external_reviews_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_reviews")),
        sa.UniqueConstraint("review_url", name=op.f("uq_external_reviews_review_url")),
    )
    with op.batch_alter_table("external_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_external_reviews_claim_id"), ["claim_id"], unique=False
        )

    op.create_table(
        "quantities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("surface", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("upper", sa.Double(), nullable=True),
        sa.Column("total", sa.Double(), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("approx", sa.Boolean(), nullable=False),
        sa.Column("bound", sa.String(length=8), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_quantities_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quantities")),
    )
    with op.batch_alter_table("quantities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quantities_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index("ix_quantities_unit_value", ["unit", "value"], unique=False)

    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("import_key", sa.String(length=128), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_claims_duplicate_of_id"), ["duplicate_of_id"], unique=False
        )
        batch_op.create_unique_constraint(batch_op.f("uq_claims_import_key"), ["import_key"])
        batch_op.create_foreign_key(
            batch_op.f("fk_claims_duplicate_of_id_claims"),
            "claims",
            ["duplicate_of_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("source_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("agency", sa.String(length=32), nullable=True))

    # Batch mode rebuilds claims on SQLite, which would drop triggers: create them last.
    _create_search()


def downgrade() -> None:
    """Drop search objects, new columns and new tables."""
    _drop_search()
    with op.batch_alter_table("source_documents", schema=None) as batch_op:
        batch_op.drop_column("agency")
        batch_op.drop_column("author")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_claims_duplicate_of_id_claims"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_claims_import_key"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_claims_duplicate_of_id"))
        batch_op.drop_column("import_key")
        batch_op.drop_column("duplicate_of_id")
    for table in ("quantities", "external_reviews", "claim_links", "claim_bands", "api_tokens"):
        op.drop_table(table)


SQLITE_FTS = [
    # External-content FTS5 over the normalised shadow column: harakat are already gone from
    # text_key, so unicode61 never splits a word at a diacritic.
    "CREATE VIRTUAL TABLE claims_fts USING fts5(text_key, content='claims', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER claims_fts_ai AFTER INSERT ON claims BEGIN "
    "INSERT INTO claims_fts(rowid, text_key) VALUES (new.id, new.text_key); END",
    "CREATE TRIGGER claims_fts_ad AFTER DELETE ON claims BEGIN "
    "INSERT INTO claims_fts(claims_fts, rowid, text_key) "
    "VALUES ('delete', old.id, old.text_key); END",
    "CREATE TRIGGER claims_fts_au AFTER UPDATE OF text_key ON claims BEGIN "
    "INSERT INTO claims_fts(claims_fts, rowid, text_key) "
    "VALUES ('delete', old.id, old.text_key); "
    "INSERT INTO claims_fts(rowid, text_key) VALUES (new.id, new.text_key); END",
    "INSERT INTO claims_fts(claims_fts) VALUES ('rebuild')",
]


def _create_search() -> None:
    """Full-text search over claims.text_key: FTS5 on SQLite, a GIN tsvector on PostgreSQL."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_claims_text_key_tsv ON claims "
            "USING gin (to_tsvector('simple', text_key))"
        )


def _drop_search() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("claims_fts_ai", "claims_fts_ad", "claims_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS claims_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_claims_text_key_tsv")
