"""Migrations: one head, upgrade matches the models, and every revision goes down and up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from claims.cli import alembic_config
from claims.db import Base, is_search_object, make_engine
from tests.conftest import scratch_database


@pytest.fixture
def scratch_url(tmp_path) -> Iterator[str]:
    """An empty database of the engine under test, separate from the suite's."""
    with scratch_database(tmp_path, "claims_mig") as url:
        yield url


def _diff(engine: Engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True,
            "include_name": lambda name, _type, _parent: not is_search_object(name)})
        return compare_metadata(context, Base.metadata)


def test_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))  # type: ignore[arg-type]
    assert len(script.get_heads()) == 1


def test_upgrade_matches_models(scratch_url: str) -> None:
    command.upgrade(alembic_config(scratch_url), "head")  # type: ignore[arg-type]
    engine = make_engine(scratch_url)
    try:
        assert _diff(engine) == []
        names = {fk["name"] for fk in inspect(engine).get_foreign_keys("claims")}
        assert "fk_claims_source_id_source_documents" in names  # naming convention applied
    finally:
        engine.dispose()


def test_every_revision_downgrades_and_upgrades_again(scratch_url: str) -> None:
    config = alembic_config(scratch_url)
    script = ScriptDirectory.from_config(config)  # type: ignore[arg-type]
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    for revision in revisions:
        command.upgrade(config, revision)  # type: ignore[arg-type]
        down = script.get_revision(revision).down_revision or "base"
        command.downgrade(config, down if isinstance(down, str) else down[0])  # type: ignore[arg-type]
        command.upgrade(config, revision)  # type: ignore[arg-type]
    engine = make_engine(scratch_url)
    try:
        assert _diff(engine) == []
        command.downgrade(config, "base")  # type: ignore[arg-type]
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_usernames_differing_only_by_case_stop_the_upgrade_by_name(scratch_url: str) -> None:
    config = alembic_config(scratch_url)
    command.upgrade(config, "0012")  # type: ignore[arg-type]
    engine = make_engine(scratch_url)
    try:
        with engine.begin() as conn:
            for name in ("Casey", "casey", "sam"):
                conn.execute(text("INSERT INTO users (username, password_hash, role, is_active,"
                                  " created_at) VALUES (:name, 'x', 'viewer', :on, :now)"),
                             {"name": name, "on": True, "now": "2026-11-01 00:00:00+00:00"})
        with pytest.raises(RuntimeError, match="'casey' \\(ids 1…2\\)"):
            command.upgrade(config, "head")  # type: ignore[arg-type]
        with engine.begin() as conn:
            conn.execute(text("UPDATE users SET username = 'casey2' WHERE id = 2"))
        command.upgrade(config, "head")  # type: ignore[arg-type]
        with engine.connect() as conn:
            keys = conn.execute(text("SELECT username_key FROM users ORDER BY id")).scalars()
            assert list(keys) == ["casey", "casey2", "sam"]
        assert _diff(engine) == []
    finally:
        engine.dispose()
