"""SQLite's full-text index (migration 0007): every claim under rowid -id, kept in step."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, inspect

from bench import corpus
from claims.cli import alembic_config
from claims.db import make_engine
from tests.conftest import scratch_database

pytestmark = pytest.mark.sqlite_only
WORDS = ("الحكومه", "حكومه", "بوتين", "الاسعار", "مصدر")


@pytest.fixture
def sqlite_url(tmp_path) -> Iterator[str]:
    """An empty database of the engine under test (SQLite: this module is SQLite's)."""
    with scratch_database(tmp_path, "claims_fts") as url:
        if not url.startswith("sqlite"):
            pytest.skip("FTS5 is SQLite's full-text index")
        yield url


def _found(conn: Connection, word: str, sign: int) -> list[int]:
    return [sign * r[0] for r in conn.exec_driver_sql(
        "SELECT rowid FROM claims_fts WHERE claims_fts MATCH ? ORDER BY rowid",
        (f'"{word}"',))]


def _expected(conn: Connection, word: str) -> list[int]:
    """Claim ids whose search key holds the word, newest first (the slow way)."""
    rows = conn.exec_driver_sql("SELECT id, text_key FROM claims ORDER BY id DESC")
    return [i for i, key in rows if word in key.split(" ")]


def _load(url: str, revision: str, n: int) -> Engine:
    command.upgrade(alembic_config(url), revision)  # type: ignore[arg-type]
    engine = make_engine(url)
    corpus.light_load(engine, n)
    return engine


def test_upgrade_reindexes_every_claim_newest_first_and_downgrade_restores(
        sqlite_url: str) -> None:
    engine = _load(sqlite_url, "0006", 600)
    try:
        with engine.connect() as conn:
            before = {w: _found(conn, w, 1) for w in WORDS}
            assert all(before.values())
        command.upgrade(alembic_config(sqlite_url), "0007")  # type: ignore[arg-type]
        with engine.connect() as conn:
            for word in WORDS:
                # Ascending rowids are the newest claims first.
                assert _found(conn, word, -1) == sorted(before[word], reverse=True)
                assert _found(conn, word, -1) == _expected(conn, word)
        command.downgrade(alembic_config(sqlite_url), "0006")  # type: ignore[arg-type]
        with engine.connect() as conn:
            assert {w: _found(conn, w, 1) for w in WORDS} == before
    finally:
        engine.dispose()


def test_inserts_edits_and_deletes_keep_the_index_in_step(sqlite_url: str) -> None:
    engine = _load(sqlite_url, "head", 300)
    try:
        with engine.begin() as conn:
            newest = conn.exec_driver_sql("SELECT max(id) FROM claims").scalar()
            edited = _expected(conn, "بوتين")[3]
            conn.exec_driver_sql("UPDATE claims SET text_key = 'سد النهضه مصدر' WHERE id = ?",
                                 (edited,))
        corpus.light_load(engine, 320, start=300)  # inserts through the trigger
        with engine.begin() as conn:  # no claim is ever deleted through the app
            for table in inspect(conn).get_table_names():
                for fk in inspect(conn).get_foreign_keys(table):
                    if fk["referred_table"] == "claims":
                        column = fk["constrained_columns"][0]
                        conn.exec_driver_sql(f"DELETE FROM {table} WHERE {column} = ?",
                                             (newest,))
            conn.exec_driver_sql("DELETE FROM claims WHERE id = ?", (newest,))
        with engine.connect() as conn:
            for word in (*WORDS, "النهضه", "سد"):
                assert _found(conn, word, -1) == _expected(conn, word), word
            assert edited not in _found(conn, "بوتين", -1)
            assert edited in _found(conn, "مصدر", -1)
            assert max(_found(conn, "مصدر", -1)) > newest  # the claims loaded after
            assert newest not in {-r[0] for r in conn.exec_driver_sql(
                "SELECT rowid FROM claims_fts WHERE claims_fts MATCH 'مصدر OR بوتين'")}
    finally:
        engine.dispose()
