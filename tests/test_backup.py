"""Backup while writes continue, restore into an empty database, and migrations down and up
again on 10,000 Arabic claims without losing a row."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import Engine, column, func, inspect, select
from sqlalchemy import table as table_

from bench import corpus
from claims.cli import alembic_config
from claims.db import Base, begin_write, get_engine, make_engine, session_scope
from claims.models import Claim, StatusChange, User
from claims.ops import check, row_counts
from claims.services import claims as service
from tests.conftest import make_app, scratch_database


@pytest.fixture
def empty_url(tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the engine under test."""
    with scratch_database(tmp_path, "claims_restore") as url:
        yield url


def _rows(engine: Engine) -> dict[str, set[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {t.name: set(conn.execute(t.select()).all()) for t in Base.metadata.sorted_tables}


def _writer(app: Flask, source_id: int, stop: threading.Event, made: list[int]) -> None:
    """Keep adding claims (each with its history row) until told to stop."""
    with app.app_context():
        n = 0
        while not stop.is_set():
            with session_scope(app) as session:
                begin_write(session)
                user = session.scalar(select(User).where(User.username == "editor"))
                claim = service.create_claim(session, user, {
                    "text": f"قال مسؤول إن {n} شخصاً نزحوا", "source_id": source_id,
                    "status": "unstarted"})
                session.commit()
                made.append(claim.id)
            n += 1


def test_backup_during_writes_then_restore_into_an_empty_database(
        app: Flask, seeded, empty_url: str, tmp_path: Path) -> None:
    engine = get_engine(app)
    corpus.light_load(engine, 500)
    stop, made = threading.Event(), []
    writer = threading.Thread(target=_writer, args=(app, seeded["source"], stop, made))
    writer.start()
    try:
        while len(made) < 5:
            threading.Event().wait(0.01)
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "live.bak")])
        assert result.exit_code == 0, result.output
        written_during = len(made)
    finally:
        stop.set()
        writer.join()
    assert len(made) > written_during or written_during >= 5  # writes went on meanwhile

    target = make_app(empty_url)
    result = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "live.bak")])
    assert result.exit_code == 0, result.output
    restored_engine = get_engine(target)
    assert check(restored_engine) == []
    source_rows, restored_rows = _rows(engine), _rows(restored_engine)
    for table, rows in restored_rows.items():
        assert rows <= source_rows[table], table  # a snapshot: nothing invented or altered
    with restored_engine.connect() as conn:  # consistent: every claim has its history row
        orphans = conn.scalar(select(func.count()).select_from(Claim).where(
            ~Claim.id.in_(select(StatusChange.claim_id))))
        assert orphans == 0
    assert row_counts(restored_engine)["claims"] >= 500

    # A restore never overwrites a database that holds data.
    again = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "live.bak")])
    assert again.exit_code == 1 and "empty" in again.output

    # With writes stopped, a second backup restores to exactly the same rows.
    assert app.test_cli_runner().invoke(args=["backup", str(tmp_path / "quiet.bak")]
                                        ).exit_code == 0
    restored_engine.dispose()
    Base.metadata.drop_all(restored_engine)
    with restored_engine.begin() as conn:
        for name in ("alembic_version", "claims_fts"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    restored_engine.dispose()
    result = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "quiet.bak")])
    assert result.exit_code == 0, result.output
    assert _rows(restored_engine) == _rows(engine)
    restored_engine.dispose()


def _projected(engine: Engine, columns: dict[str, list[str]]) -> dict[str, set[Any]]:
    with engine.connect() as conn:
        return {table: set(conn.execute(select(*(column(c) for c in cols))
                                        .select_from(table_(table))).all())
                for table, cols in columns.items()}


def test_migrations_down_and_up_keep_10000_arabic_claims(empty_url: str) -> None:
    """Every row (in the columns both revisions have) survives a downgrade to the first
    revision and an upgrade back to head."""
    config = alembic_config(empty_url)
    command.upgrade(config, "head")  # type: ignore[arg-type]
    engine = make_engine(empty_url)
    try:
        corpus.light_load(engine, 10_000)
        at_head = set(inspect(engine).get_table_names())
        command.downgrade(config, "0001")  # type: ignore[arg-type]  # through every revision
        engine.dispose()
        inspector = inspect(engine)
        shared = {t: [c["name"] for c in inspector.get_columns(t)]
                  for t in inspector.get_table_names() if t in at_head and t != "alembic_version"}
        assert {"claims", "status_changes", "mentions", "aliases"} <= set(shared)
        below = _projected(engine, shared)
        assert len(below["claims"]) == 10_000
        command.upgrade(config, "head")  # type: ignore[arg-type]
        engine.dispose()
        assert _projected(engine, shared) == below
        assert check(engine) == []
        # Full-text search covers the old rows again.
        app = make_app(empty_url)
        with app.app_context(), session_scope(app) as session:
            from claims.services.search import ClaimFilters, search_claims

            assert search_claims(session, ClaimFilters(q="الحكومة")).total > 100
        get_engine(app).dispose()
    finally:
        engine.dispose()
