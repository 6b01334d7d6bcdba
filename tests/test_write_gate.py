"""The SQLite write gate: writers take turns without SQLite's busy sleeps, and always let go."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from claims.db import make_engine
from claims.write_gate import GatedConnection, WriteGate, gate_for

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.sqlite3'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    yield engine
    engine.dispose()


def _write(engine: Engine, value: int) -> None:
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
        conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": value})
        conn.commit()


def test_file_databases_are_gated_and_memory_ones_are_not(tmp_path: Path) -> None:
    assert gate_for(str(tmp_path / "a.sqlite3"), 1) is not None
    assert gate_for(":memory:", 1) is None and gate_for(None, 1) is None
    engine = make_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    with engine.connect() as conn:
        assert isinstance(conn.connection.dbapi_connection, GatedConnection)
    engine.dispose()


def test_a_waiting_writer_goes_as_soon_as_the_holder_commits(engine: Engine) -> None:
    holder = engine.connect().execution_options(sqlite_begin="IMMEDIATE")
    holder.execute(text("INSERT INTO t VALUES (1)"))
    entered = threading.Event()
    done: list[float] = []

    def second() -> None:
        entered.set()
        _write(engine, 2)
        done.append(time.monotonic())

    thread = threading.Thread(target=second)
    thread.start()
    entered.wait()
    time.sleep(0.3)
    assert not done  # still waiting for its turn
    released = time.monotonic()
    holder.commit()
    thread.join(5)
    assert done and done[0] - released < 0.1  # no busy-handler sleep in between
    holder.close()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT x FROM t ORDER BY x")).scalars().all() == [1, 2]


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_every_way_a_transaction_ends_hands_the_turn_back(engine: Engine, end: str) -> None:
    conn = engine.connect().execution_options(sqlite_begin="IMMEDIATE")
    conn.execute(text("INSERT INTO t VALUES (1)"))
    getattr(conn, end)()
    if end != "close":
        conn.close()
    began = time.monotonic()
    _write(engine, 2)
    assert time.monotonic() - began < 1


def test_many_threads_write_without_locked_errors(engine: Engine) -> None:
    errors: list[str] = []

    def writer(base: int) -> None:
        try:
            for i in range(25):
                _write(engine, base + i)
        except Exception as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=writer, args=(k * 100,)) for k in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 16 * 25


def test_waiting_past_the_timeout_is_a_locked_error(tmp_path: Path) -> None:
    gate = WriteGate(str(tmp_path / "x.sqlite3"), timeout=0.2)
    gate.acquire()
    outcome: list[str] = []

    def other() -> None:
        try:
            gate.acquire()
            outcome.append("entered")
        except OperationalError as exc:
            outcome.append(str(exc.orig))

    thread = threading.Thread(target=other)
    began = time.monotonic()
    thread.start()
    thread.join(5)
    assert 0.15 < time.monotonic() - began < 2
    assert outcome and "database is locked" in outcome[0]
    gate.release()


def test_another_process_holding_the_gate_is_waited_for_and_its_death_frees_it(
        tmp_path: Path) -> None:
    path = str(tmp_path / "x.sqlite3")
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child takes the gate, says so, and waits to be killed
        gate = WriteGate(path, timeout=5)
        gate.acquire()
        os.write(write, b"1")
        time.sleep(60)
        os._exit(0)
    os.read(read, 1)
    gate = WriteGate(path, timeout=0.3)
    with pytest.raises(OperationalError):
        gate.acquire()  # the other process holds it
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    gate.timeout = 5
    gate.acquire()  # the kernel released the dead process's lock
    gate.release()
