"""Alembic environment: the application's metadata, batch mode on SQLite."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import claims.models  # noqa: F401  (registers every table on the metadata)
from claims.db import Base, is_search_object, make_engine

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from claims import create_app

    return str(create_app().config["DATABASE_URL"])


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    """Leave the hand-made full-text search objects out of autogenerate comparisons."""
    return not is_search_object(name)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL without a database connection."""
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=_url().startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against a live connection (a given one in tests, else a new engine)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table (copy, DROP, rename); with foreign keys enforced the
            # DROP fails on a populated database, or cascades deletes into child rows.  Turn
            # them off (outside any transaction) and check every reference once at the end.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
        _run(conn)
        if sqlite:
            broken = conn.connection.driver_connection.execute(
                "PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
    engine.dispose()  # pooled connections never keep foreign keys off


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
