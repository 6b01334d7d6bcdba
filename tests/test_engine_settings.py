"""Engine settings in force (SQLite pragmas, BEGIN IMMEDIATE, a PostgreSQL pool) and serving."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.pool import QueuePool

from claims.db import begin_write, get_engine, session_scope
from claims.models import Claim
from tests.conftest import make_app


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


def test_postgresql_connections_plan_for_an_archive_in_memory(app: Flask,
                                                             database_url) -> None:
    engine = get_engine(app)
    if engine.dialect.name != "postgresql":
        pytest.skip("random_page_cost is PostgreSQL's")
    for _ in range(2):  # a fresh connection, then one the pool rolled back and handed out again
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW random_page_cost").scalar() == "1.1"
            conn.rollback()
    server = make_app(database_url, pg_random_page_cost=0)  # 0: the server's own setting
    try:
        with get_engine(server).connect() as conn:
            assert conn.exec_driver_sql("SHOW random_page_cost").scalar() == "4"
    finally:
        get_engine(server).dispose()


def test_postgresql_read_only_pages_read_in_autocommit(app: Flask, editor_client,
                                                       seeded) -> None:
    """Views that never write (claims, entities, sources) send no BEGIN/ROLLBACK; every
    other view keeps its transaction (a write view's statements commit or roll back together)."""
    engine = get_engine(app)
    if engine.dialect.name != "postgresql":
        pytest.skip("autocommit reads are PostgreSQL's")
    created = editor_client.post("/claims/new", data={
        "text": "قال بوتين إن 38 شخصاً قتلوا", "source_id": seeded["source"],
        "status": "unstarted"})
    claim_id = int(created.headers["Location"].rsplit("/", 1)[1])
    seen: list[tuple[str, bool]] = []

    def record(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append((statement.split()[0], conn.connection.dbapi_connection.autocommit))

    event.listen(engine, "before_cursor_execute", record)
    try:
        for path, autocommit in (("/claims", True), (f"/claims/{claim_id}", True),
                                 ("/claims?q=بوتين", True), ("/entities", True),
                                 (f"/sources/{seeded['source']}", True),
                                 (f"/claims/{claim_id}/edit", False), ("/claims/new", False)):
            seen.clear()
            assert editor_client.get(path).status_code == 200, path
            assert seen and {flag for _verb, flag in seen} == {autocommit}, (path, seen)
        seen.clear()
        changed = editor_client.post(f"/claims/{claim_id}/status", data={
            "status": "in_progress", "version": "1", "note": ""})
        assert changed.status_code in (302, 303)
        assert seen and not any(flag for _verb, flag in seen)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    with session_scope(app) as session:  # the pooled connections came back transactional
        assert session.get(Claim, claim_id).status == "in_progress"
        assert not session.connection().connection.dbapi_connection.autocommit


def _serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
           paths: tuple[str, ...] = ("/healthz",)) -> tuple[list[Any], str]:
    """Run `claims serve ARGS` on a free loopback port; GET ``paths``; stop it; return both."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    claims_cli = Path(sys.executable).with_name("claims")
    env = dict(os.environ, CLAIMS_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
               CLAIMS_WORKERS="1", CLAIMS_THREADS="2", **(env or {}))
    server = subprocess.Popen([str(claims_cli), "serve", *args, "--port", str(port)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    answers: list[Any] = []
    try:
        deadline = time.monotonic() + 60
        for path in paths:
            answer = None
            while time.monotonic() < deadline and answer is None:
                try:
                    answer = urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5)
                except OSError:
                    if server.poll() is not None:
                        break
                    time.sleep(0.2)
            assert answer is not None, f"no answer from `claims serve {' '.join(args)}` {path}"
            answers.append((answer.status, dict(answer.headers), answer.read().decode()))
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode(errors="replace")
    return answers, output


def test_serve_prod_runs_gunicorn_with_the_project_config(tmp_path: Path) -> None:
    """`claims serve --prod` is gunicorn (never the development server) and answers /healthz."""
    [(status, headers, _), (_, login_headers, _)], output = _serve(
        tmp_path, "--prod", paths=("/healthz", "/login"),
        env={"CLAIMS_SECRET_KEY": "s" * 40, "CLAIMS_ALLOWED_HOSTS": "127.0.0.1"})
    assert status == 200 and headers.get("Server") == "claims"  # gunicorn, not named
    assert "Booting worker" in output and "Running on" not in output  # not Werkzeug's server
    assert "Secure" in login_headers["Set-Cookie"]  # its workers run in production mode


def test_serve_prod_refuses_the_default_secret_key(tmp_path: Path) -> None:
    """Sessions signed with the key published in this repository could be forged."""
    claims_cli = Path(sys.executable).with_name("claims")
    env = {k: v for k, v in os.environ.items() if k not in ("CLAIMS_SECRET_KEY", "CLAIMS_ENV")}
    env["CLAIMS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    done = subprocess.run([str(claims_cli), "serve", "--prod", "--port", "1"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "CLAIMS_SECRET_KEY" in done.stderr
    assert "Traceback" not in done.stderr
    env["CLAIMS_SECRET_KEY"] = "s" * 40  # then the host names it answers to, before gunicorn
    env.pop("CLAIMS_PUBLIC_URL", None)
    env.pop("CLAIMS_ALLOWED_HOSTS", None)
    done = subprocess.run([str(claims_cli), "serve", "--prod", "--port", "1"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "CLAIMS_ALLOWED_HOSTS" in done.stderr
    assert "Traceback" not in done.stderr and "gunicorn" not in done.stdout + done.stderr
    del env["CLAIMS_SECRET_KEY"]
    env["CLAIMS_ENV"] = "production"  # any command, then: one clear line, no traceback
    done = subprocess.run([str(claims_cli), "db", "current"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.startswith("error: refusing to start")


def test_readme_quick_start_serves_the_demo(tmp_path: Path) -> None:
    """The README's first command: db upgrade, demo, then `claims serve` answers on loopback."""
    claims_cli = Path(sys.executable).with_name("claims")
    env = dict(os.environ, CLAIMS_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}")
    for step in (["db", "upgrade"], ["demo"]):
        done = subprocess.run([str(claims_cli), *step], env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "demo login: demo / " in done.stdout
    answers, output = _serve(tmp_path, paths=("/healthz", "/claims"))
    assert [a[0] for a in answers] == [200, 200], output
    assert "werkzeug" in answers[0][1].get("Server", "").lower()
    assert 'dir="rtl"' in answers[1][2] and 'name="password"' in answers[1][2]  # the login


def test_worker_warm_up_loads_the_ner_model_and_the_alias_index(app) -> None:
    from claims.services import linker
    from claims.text import ner
    from claims.warmup import warm_worker

    ner._tagger.cache_clear()
    linker._cache.clear()
    warm_worker(app)
    assert ner._tagger.cache_info().currsize == 1
    assert len(linker._cache) == 1


def test_worker_warm_up_failure_is_logged_not_raised(app, monkeypatch, caplog) -> None:
    from claims import warmup

    def broken(_text: str) -> None:
        raise RuntimeError("model file unreadable")

    monkeypatch.setattr(warmup, "suggest_entities", broken)
    warmup.warm_worker(app)
    assert "worker warm-up failed" in caplog.text


def test_a_reads_only_view_that_writes_is_refused(app: Flask, editor_client) -> None:
    """The declaration is enforced: begin_write inside a @reads_only view raises."""
    from claims.db import get_session
    from claims.security import policy, reads_only

    @policy("viewer")
    @reads_only
    def sneaky() -> str:
        begin_write(get_session())
        return "wrote"

    app.add_url_rule("/test-sneaky-write", "sneaky", sneaky)
    response = editor_client.get("/test-sneaky-write")
    assert response.status_code == 500 and b"wrote" not in response.data
