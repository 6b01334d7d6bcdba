"""Engine settings in force (SQLite pragmas, BEGIN IMMEDIATE, a PostgreSQL pool) and gunicorn."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.pool import QueuePool

from claims.db import begin_write, get_engine, session_scope
from claims.models import Claim


def _is_sqlite(app: Flask) -> bool:
    return get_engine(app).dialect.name == "sqlite"


def test_sqlite_pragmas_are_in_force(app: Flask) -> None:
    if not _is_sqlite(app):
        pytest.skip("SQLite pragmas (this run is on PostgreSQL)")
    with get_engine(app).connect() as conn:
        pragma = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                  for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")}
    assert pragma["journal_mode"] == "wal"
    assert int(pragma["busy_timeout"]) >= 5000
    assert pragma["foreign_keys"] == 1
    assert pragma["synchronous"] == 2  # FULL: a commit survives power loss, not only a crash


def test_every_pooled_sqlite_connection_gets_the_pragmas(app: Flask) -> None:
    if not _is_sqlite(app):
        pytest.skip("SQLite pragmas (this run is on PostgreSQL)")
    engine = get_engine(app)
    connections = [engine.connect() for _ in range(3)]
    try:
        assert {c.exec_driver_sql("PRAGMA foreign_keys").scalar() for c in connections} == {1}
    finally:
        for conn in connections:
            conn.close()


def _statements(app: Flask, action) -> list[str]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement.strip().split()[0].upper() + " " +
                    " ".join(statement.strip().split()[1:2]).upper())

    engine = get_engine(app)
    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_writes_take_begin_immediate_and_reads_stay_deferred(app: Flask) -> None:
    if not _is_sqlite(app):
        pytest.skip("BEGIN modes are SQLite's")

    def write() -> None:
        with app.app_context(), session_scope(app) as session:
            begin_write(session)
            session.scalar(select(Claim.id).limit(1))
            session.commit()

    def read() -> None:
        with app.app_context(), session_scope(app) as session:
            session.scalar(select(Claim.id).limit(1))

    assert _statements(app, write)[0] == "BEGIN IMMEDIATE"
    assert _statements(app, read)[0] == "BEGIN DEFERRED"


def test_write_routes_begin_immediate(app: Flask, editor_client, seeded) -> None:
    if not _is_sqlite(app):
        pytest.skip("BEGIN modes are SQLite's")
    statements = _statements(app, lambda: editor_client.post("/claims/new", data={
        "text": "قال بوتين إن 38 شخصاً قتلوا", "source_id": seeded["source"],
        "status": "unstarted"}))
    assert "BEGIN IMMEDIATE" in statements
    inserts = statements.index(next(s for s in statements if s.startswith("INSERT")))
    assert "BEGIN IMMEDIATE" in statements[:inserts]


def test_postgresql_uses_a_connection_pool(app: Flask) -> None:
    engine = get_engine(app)
    if engine.dialect.name != "postgresql":
        pytest.skip("pooling is checked on PostgreSQL")
    assert isinstance(engine.pool, QueuePool)
    assert engine.pool.size() >= 5
    with engine.connect() as first:
        pid = first.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with engine.connect() as second:
        assert second.exec_driver_sql("SELECT pg_backend_pid()").scalar() == pid  # reused


def test_serve_prod_runs_gunicorn_with_the_project_config(tmp_path) -> None:
    """`claims serve --prod` is gunicorn (never the development server) and answers /healthz."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    claims_cli = Path(sys.executable).with_name("claims")
    env = dict(os.environ, CLAIMS_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
               CLAIMS_WORKERS="1", CLAIMS_THREADS="2")
    server = subprocess.Popen([str(claims_cli), "serve", "--prod", "--port", str(port)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline, answer = time.monotonic() + 60, None
        while time.monotonic() < deadline and answer is None:
            try:
                answer = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            except OSError:
                time.sleep(0.2)
        assert answer is not None and answer.status == 200
        assert "gunicorn" in answer.headers.get("Server", "").lower()
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode(errors="replace")
    assert "Booting worker" in output and "Running on" not in output  # not Werkzeug's server
