"""Operations: online backup and restore (SQLite backup API, pg_dump/pg_restore), checks."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path

from sqlalchemy import Engine, func, inspect, make_url, select
from sqlalchemy.engine import URL

from claims.db import Base

PG_TOOLS = ("pg_dump", "pg_restore")


class OpsError(RuntimeError):
    """A backup or restore cannot proceed (non-empty target, missing tool, failed check)."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise OpsError("backup needs a file database, not an in-memory one")
    return Path(url.database)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise OpsError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def backup(database_url: str, target: Path) -> Path:
    """Copy the database to ``target`` while it stays online; returns the path written."""
    url = make_url(database_url)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url), timeout=30)
        dest = sqlite3.connect(partial)
        try:
            # One step (pages=-1) copies a consistent snapshot in a single read transaction;
            # in WAL mode writers carry on meanwhile.
            source.backup(dest, pages=-1)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
            source.close()
        problems = sqlite_integrity(partial)
        if problems:
            partial.unlink(missing_ok=True)
            raise OpsError("backup failed its integrity check: " + "; ".join(problems))
    elif url.get_backend_name() == "postgresql":
        conninfo, env = _libpq(url)
        # pg_dump reads one REPEATABLE READ snapshot; concurrent writes are not blocked.
        subprocess.run(  # noqa: S603 fixed argv, no shell  # nosec B603
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
             f"--file={partial}", f"--dbname={conninfo}"],
            check=True, env=env, capture_output=True)
    else:
        raise OpsError(f"backup does not support {url.get_backend_name()}")
    partial.replace(target)
    return target


def _is_empty(engine: Engine) -> bool:
    return not [name for name in inspect(engine).get_table_names()]


def restore(database_url: str, source: Path, engine: Engine) -> None:
    """Load a backup made by :func:`backup` into an empty database."""
    url = make_url(database_url)
    source = Path(source)
    if not source.is_file():
        raise OpsError(f"no backup at {source}")
    if not _is_empty(engine):
        raise OpsError("restore only writes into an empty database; this one has tables")
    engine.dispose()
    if url.get_backend_name() == "sqlite":
        problems = sqlite_integrity(source)
        if problems:
            raise OpsError("the backup fails its integrity check: " + "; ".join(problems))
        path = _sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dest = sqlite3.connect(path)
        try:
            src.backup(dest, pages=-1)
            dest.execute("PRAGMA journal_mode = WAL")
        finally:
            dest.close()
            src.close()
    elif url.get_backend_name() == "postgresql":
        conninfo, env = _libpq(url)
        result = subprocess.run(  # noqa: S603 fixed argv, no shell  # nosec B603
            [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
             "--single-transaction", f"--dbname={conninfo}", str(source)],
            env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise OpsError("pg_restore failed: " + result.stderr.strip()[-2000:])
    else:
        raise OpsError(f"restore does not support {url.get_backend_name()}")


def sqlite_integrity(path: Path) -> list[str]:
    """Problems reported by integrity_check and foreign_key_check (empty when healthy)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        problems += [f"foreign key: {row}" for row in conn.execute("PRAGMA foreign_key_check")]
    finally:
        conn.close()
    return problems


def check(engine: Engine) -> list[str]:
    """Integrity problems of a live database (SQLite pragmas; PostgreSQL: reachable)."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        return sqlite_integrity(Path(database)) if database else []
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    return []


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table of the models."""
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = int(conn.scalar(select(func.count()).select_from(table)) or 0)
    return counts
