"""One queue for a SQLite file's writers: a kernel lock instead of SQLite's busy sleeps.

SQLite's busy handler retries a locked database after sleeping 1, 2, 5 … up to 100 ms, so
under many concurrent writers the lock sits idle between them and the slowest waiter's
latency explodes.  Every ``BEGIN IMMEDIATE`` of this application first passes this gate:
threads of one process queue on a lock that wakes the next one as soon as it is released,
and processes take turns on an ``flock`` of a file next to the database (the kernel drops
it if a process dies).  Writers outside the application still meet SQLite's busy timeout.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
import weakref

from sqlalchemy.exc import OperationalError

__all__ = ["GatedConnection", "WriteGate", "gate_for"]

# Between two tries of another process's lock: short enough to follow it closely, long
# enough that a waiting process costs nothing measurable.
_POLL_MIN, _POLL_MAX = 0.0002, 0.002


class WriteGate:
    """Serialises write transactions on one database file across threads and processes."""

    def __init__(self, database_path: str, timeout: float) -> None:
        """Gate the database at ``database_path``; give up after ``timeout`` seconds."""
        self.path = database_path + "-writegate"
        self.timeout = timeout
        self._reset()
        ref = weakref.ref(self)

        def _after_fork() -> None:
            # A forked child must not inherit the parent's lock state or file description.
            gate = ref()
            if gate is not None:
                gate._reset()

        os.register_at_fork(after_in_child=_after_fork)

    def _reset(self) -> None:
        self._threads = threading.Lock()
        self._fd: int | None = None

    def acquire(self) -> None:
        """Wait for this file's write turn, or raise OperationalError as a busy SQLite would."""
        deadline = time.monotonic() + self.timeout
        if not self._threads.acquire(timeout=self.timeout):
            raise _locked()
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            delay = _POLL_MIN
            while True:
                try:
                    fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise _locked() from None
                    time.sleep(delay)
                    delay = min(delay * 2, _POLL_MAX)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        """Hand the turn to the next writer."""
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


def _locked() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError(
        "database is locked (waited for the write gate)"))


class GatedConnection(sqlite3.Connection):
    """A sqlite3 connection that hands its write turn back when its transaction ends."""

    gate: WriteGate | None = None
    holding = False

    def enter_write(self) -> None:
        """Take the write turn before BEGIN IMMEDIATE."""
        if self.gate is not None and not self.holding:
            self.gate.acquire()
            self.holding = True

    def leave_write(self) -> None:
        """Give the write turn back (idempotent)."""
        if self.holding and self.gate is not None:
            self.holding = False
            self.gate.release()

    def commit(self) -> None:
        """Commit, then release the turn even if the commit failed (the rollback follows)."""
        try:
            super().commit()
        finally:
            self.leave_write()

    def rollback(self) -> None:
        """Roll back and release the turn."""
        try:
            super().rollback()
        finally:
            self.leave_write()

    def close(self) -> None:
        """Close and release the turn."""
        try:
            super().close()
        finally:
            self.leave_write()


def gate_for(database: str | None, timeout: float) -> WriteGate | None:
    """The gate of a file database; None for in-memory and URI-named ones."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return WriteGate(os.path.abspath(database), timeout)
