"""Reliability: no lost updates under 32 racing threads, crash safety under SIGKILL, and no
partial writes when the database fails at the N-th statement of any write path."""

from __future__ import annotations

import itertools
import os
import random
import select as io_select
import signal
import threading
import time
from collections import Counter as Tally
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import sessionmaker

from claims.db import Base, begin_write, get_engine, make_engine, session_scope
from claims.errors import Conflict
from claims.models import Alias, Claim, Mention, StatusChange, User
from claims.ops import check
from claims.services import claims as service
from claims.services import evidence as evidence_service
from claims.services.users import create_user
from tests.conftest import PASSWORD, login_as, make_app

THREADS = 32
ROUNDS = int(os.environ.get("CLAIMS_RACE_ROUNDS", "100"))
CRASH_ITERATIONS = int(os.environ.get("CLAIMS_CRASH_ITERATIONS", "100"))
STATUSES = ["in_progress", "false", "true", "mixed", "misleading", "mostly_true"]


def _claim(app: Flask, seeded: dict[str, int], text: str = "قال بوتين إن 38 شخصاً قتلوا",
           **extra: Any) -> int:
    with app.app_context(), session_scope(app) as session:
        user = session.scalar(select(User).where(User.username == "editor"))
        claim = service.create_claim(session, user, {
            "text": text, "source_id": seeded["source"], "status": "unstarted", **extra})
        session.commit()
        return claim.id


@pytest.mark.slow
def test_racing_status_changes_have_one_winner_per_version(app: Flask, database_url, seeded
                                                           ) -> None:
    """32 threads, each with its own session, change one claim's status from the same version
    every round: exactly one wins, the rest get Conflict, and history records every winner."""
    claim_id = _claim(app, seeded)
    engine = make_engine(database_url, pool_size=THREADS, max_overflow=4)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    barrier = threading.Barrier(THREADS)
    wins: list[tuple[int, int, str]] = []
    conflicts = Tally[int]()
    errors: list[str] = []
    lock = threading.Lock()

    def worker(tid: int) -> None:
        with app.app_context():
            for rnd in range(ROUNDS):
                with factory() as reader:
                    version, current = reader.execute(
                        select(Claim.version, Claim.status).where(Claim.id == claim_id)).one()
                barrier.wait()
                target = [s for s in STATUSES if s != current][(tid + rnd) % (len(STATUSES) - 1)]
                session = factory()
                try:
                    begin_write(session)
                    user = session.scalar(select(User).where(User.username == "editor"))
                    claim = service.get_claim(session, claim_id)
                    service.change_status(session, claim, user, {
                        "status": target, "version": version, "note": f"{rnd}:{tid}"})
                    session.commit()
                    with lock:
                        wins.append((rnd, version, f"{rnd}:{tid}"))
                except Conflict:
                    session.rollback()
                    with lock:
                        conflicts[rnd] += 1
                except Exception as exc:
                    session.rollback()
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}"[:200])
                finally:
                    session.close()
                barrier.wait()

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert errors == []  # no "database is locked", no deadlock, nothing but wins and conflicts
    assert sorted(Tally(rnd for rnd, _, _ in wins).values()) == [1] * ROUNDS
    assert all(conflicts[rnd] == THREADS - 1 for rnd in range(ROUNDS))
    assert [version for _, version, _ in sorted(wins)] == list(range(1, ROUNDS + 1))
    with app.app_context(), session_scope(app) as session:
        claim = session.get(Claim, claim_id)
        history = session.scalars(select(StatusChange).where(StatusChange.claim_id == claim_id)
                                  .order_by(StatusChange.id)).all()
        assert claim is not None and claim.version == ROUNDS + 1
        assert len(history) == ROUNDS + 1  # the creation row plus one per winner
        assert [h.note for h in history[1:]] == [note for _, _, note in sorted(wins)]
        # Zero lost updates: each change starts from the status the previous one set.
        assert all(a.to_status == b.from_status for a, b in itertools.pairwise(history))
        assert claim.status == history[-1].to_status


# --- crash safety ------------------------------------------------------------------------


def _child_status_changes(app: Flask, claim_ids: list[int], out: int) -> None:
    """Forever: change statuses, writing each history id to ``out`` after its commit."""
    factory = app.extensions["claims.sessionmaker"]
    rng = random.Random(os.getpid())
    with app.app_context():
        while True:
            session = factory()
            begin_write(session)
            claim = service.get_claim(session, rng.choice(claim_ids))
            user = session.scalar(select(User).where(User.username == "editor"))
            target = rng.choice([s for s in STATUSES if s != claim.status])
            service.change_status(session, claim, user,
                                  {"status": target, "version": claim.version})
            change_id = session.scalar(select(func.max(StatusChange.id))
                                       .where(StatusChange.claim_id == claim.id))
            session.commit()
            session.close()
            os.write(out, f"s {change_id}\n".encode())


def import_claims(app: Flask, source_id: int, total: int, out: int | None = None,
                  batch: int = 5) -> None:
    """Idempotent import of ``total`` keyed claims in small transactions (acks after commit)."""
    factory = app.extensions["claims.sessionmaker"]
    with app.app_context():
        done = 0
        while done < total:
            keys = [f"crash:{i}" for i in range(done, min(done + batch, total))]
            session = factory()
            begin_write(session)
            present = set(session.scalars(select(Claim.import_key)
                                          .where(Claim.import_key.in_(keys))))
            user = session.scalar(select(User).where(User.username == "editor"))
            for key in keys:
                if key in present:
                    continue
                claim = service.create_claim(session, user, {
                    "text": f"قال مسؤول إن {key.split(':')[1]} شخصاً غادروا المدينة",
                    "source_id": source_id, "status": "unstarted"})
                claim.import_key = key
            session.commit()
            session.close()
            if out is not None:
                os.write(out, ("".join(f"i {k}\n" for k in keys)).encode())
            done += len(keys)


def _run_and_kill(app: Flask, target, *args: Any) -> list[str]:
    """Fork a child running ``target``, SIGKILL it mid-way, return the lines it acknowledged."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        code = 0
        try:
            os.close(read_fd)
            get_engine(app).dispose(close=False)  # never share the parent's connections
            target(app, *args, write_fd)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    data = b""
    deadline = None
    while True:
        ready, _, _ = io_select.select([read_fd], [], [], 0.01)
        if ready:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            data += chunk
            deadline = deadline or time.monotonic() + random.uniform(0.005, 0.08)
        if deadline and time.monotonic() >= deadline:
            break
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    while chunk := os.read(read_fd, 65536):
        data += chunk
    os.close(read_fd)
    lines = data.decode().split("\n")
    return [line for line in lines[:-1] if line]  # a torn last line was never acknowledged


@pytest.mark.slow
def test_sigkill_mid_write_loses_no_acknowledged_write(database_url, _schema, app, seeded
                                                       ) -> None:
    claim_ids = [_claim(app, seeded, text=f"قال بوتين إن {n} شخصاً قتلوا") for n in range(4)]
    crash_app = make_app(database_url)
    engine = get_engine(crash_app)
    acked_changes: list[int] = []
    acked_keys: set[str] = set()
    total = 10_000  # never reached: every import run is killed
    for iteration in range(CRASH_ITERATIONS):
        if iteration % 2 == 0:
            lines = _run_and_kill(crash_app, _child_status_changes, claim_ids)
            acked_changes += [int(line.split()[1]) for line in lines]
        else:
            lines = _run_and_kill(crash_app, import_claims, seeded["source"], total)
            acked_keys.update(line.split()[1] for line in lines)
        assert check(engine) == []  # PRAGMA integrity_check / foreign_key_check on SQLite
    assert acked_changes and acked_keys, "the children never got to acknowledge a write"
    with crash_app.app_context(), session_scope(crash_app) as session:
        present = set(session.scalars(select(StatusChange.id)))
        assert set(acked_changes) <= present
        keys = set(session.scalars(select(Claim.import_key).where(Claim.import_key.is_not(None))))
        assert acked_keys <= keys
        for claim in session.scalars(select(Claim).where(Claim.id.in_(claim_ids))):
            rows = session.scalars(select(StatusChange).where(StatusChange.claim_id == claim.id)
                                   .order_by(StatusChange.id)).all()
            assert claim.version == len(rows) and claim.status == rows[-1].to_status
    # The interrupted import re-runs to completion without duplicates.
    rerun = len(keys) + 37
    import_claims(crash_app, seeded["source"], rerun)
    with crash_app.app_context(), session_scope(crash_app) as session:
        keys_after = session.scalars(select(Claim.import_key)
                                     .where(Claim.import_key.like("crash:%"))).all()
        assert len(keys_after) == len(set(keys_after)) == rerun
    engine.dispose()


# --- fault injection -----------------------------------------------------------------------


class InjectedFault:
    """Raise the driver's OperationalError at the N-th statement on the engine."""

    def __init__(self, app: Flask) -> None:
        self.engine = get_engine(app)
        self.error = self.engine.dialect.loaded_dbapi.OperationalError
        self.at, self.seen, self.fired = 0, 0, False

    def arm(self, at: int) -> None:
        self.at, self.seen, self.fired = at, 0, False

    def __call__(self, *_args: Any) -> None:
        self.seen += 1
        if self.seen == self.at:
            self.fired = True
            raise self.error(f"injected fault at statement {self.at}")


def _snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table; an API token's last-use stamp is left out (a Bearer request
    stamps it in its own transaction before the request's work), and so are login failures (a
    login attempt is counted in its own transaction before its password is checked, and an
    attempt that then failed for any reason stays counted: a fault gives no free guess)."""
    with get_engine(app).connect() as conn:
        return {table.name: sorted((tuple(v for k, v in row._mapping.items()
                                          if k != "last_used_at")
                                    for row in conn.execute(table.select())), key=repr)
                for table in Base.metadata.sorted_tables if table.name != "login_failures"}


def drive_faults(app: Flask, fault: InjectedFault, endpoint: str,
                 send: Callable[[bool], Any], json_always: bool = False,
                 ok: tuple[int, ...] = (200, 302)) -> int:
    """Send a request with a fault at its 1st, 2nd, … statement until it succeeds: each
    failure must be a clean 500 (JSON or HTML) that wrote nothing. Returns the faults fired."""
    event.listen(fault.engine, "before_cursor_execute", fault)
    try:
        for at in range(1, 300):
            before = _snapshot(app)
            as_json = json_always or at % 2 == 0
            fault.arm(at)
            response = send(as_json)
            fired = fault.fired
            fault.arm(0)
            if not fired:
                assert response.status_code in ok, (
                    endpoint, response.status_code, response.get_data(as_text=True)[:300])
                assert _snapshot(app) != before, f"{endpoint} wrote nothing when healthy"
                return at - 1
            body = response.get_data(as_text=True)
            assert response.status_code == 500, (endpoint, at, response.status_code, body[:300])
            assert "Traceback" not in body and "injected" not in body
            if as_json:
                assert response.json["error"]["code"] == "internal_error", endpoint
            else:
                assert "<html" in body
            assert _snapshot(app) == before, f"{endpoint}: partial write at statement {at}"
    finally:
        event.remove(fault.engine, "before_cursor_execute", fault)
    pytest.fail(f"{endpoint} never succeeded")


def _scenarios(app: Flask, seeded: dict[str, int]) -> list[tuple[str, str, dict[str, str]]]:
    claim_id = _claim(app, seeded, text="اتهم بوتين باكو بالتكتم على 38 ضحية")
    with app.app_context(), session_scope(app) as session:
        user = session.scalar(select(User).where(User.username == "editor"))
        claim = service.get_claim(session, claim_id)
        evidence_id = evidence_service.add_evidence(session, claim, user, {"title": "تقرير"}).id
        appearance_id = service.add_appearance(session, claim, None, {"url": "https://t.example/v"}).id
        # an account whose password the admin sets (the role users' are every other test's)
        forgetful = create_user(session, {"username": "forgetful", "password": PASSWORD}).id
        session.commit()
        mention_id = session.scalar(select(Mention.id).where(Mention.claim_id == claim_id))
        alias_id = session.scalar(select(Alias.id).where(Alias.entity_id == seeded["putin"],
                                                         Alias.kind == "short"))
        viewer_id = session.scalar(select(User.id).where(User.username == "viewer"))
    assert mention_id is not None and alias_id is not None
    c, e = claim_id, seeded["putin"]
    return [
        ("/claims/new", "claims.new", {"text": "قال علييف إن 5 طائرات سقطت", "status": "false",
                                       "source_id": str(seeded["source"]), "speaker": "علييف",
                                       "tags": "حرب، طيران", "note": "ملاحظة"}),
        (f"/claims/{c}/status", "claims.status", {"status": "false", "version": "current",
                                                  "note": "دحض"}),
        (f"/claims/{c}/evidence", "claims.add_evidence", {"url": "https://example.org/x",
                                                          "title": "دليل"}),
        (f"/claims/{c}/evidence/{evidence_id}", "claims.edit_evidence", {
            "title": "تقرير معدل", "stance": "refutes", "note": "يناقض", "version": "1"}),
        (f"/claims/{c}/evidence/{evidence_id}/delete", "claims.remove_evidence",
         {"version": "2"}),  # as edited by the scenario before
        (f"/claims/{c}/mentions/{mention_id}", "claims.review_mention", {"review": "rejected"}),
        (f"/claims/{c}/appearances", "claims.add_appearance", {"url": "https://u.example/w",
                                                               "title": "منشور"}),
        (f"/claims/{c}/appearances/{appearance_id}/delete", "claims.remove_appearance", {}),
        (f"/claims/{c}/edit", "claims.edit", {"text": "قال بوتين إن 40 شخصاً قتلوا",
                                              "source_id": str(seeded["source"]),
                                              "version": "current", "tags": "جديد"}),
        ("/entities", "entities.create", {"kind": "person", "name_ar": "سعيد جليلي",
                                          "name_en": "Saeed Jalili"}),
        (f"/entities/{e}/aliases", "entities.add_alias", {"text": "بوتن", "kind": "translit"}),
        (f"/entities/{e}/aliases/{alias_id}/delete", "entities.remove_alias", {}),
        ("/entities/link", "entities.link", {"entity": f"#{e}", "text": "فلادمير",
                                             "kind": "translit"}),
        (f"/admin/users/{viewer_id}", "admin.update_user", {"role": "editor"}),
        (f"/admin/users/{forgetful}/password", "admin.reset_password",
         {"password": "a password set by the admin"}),
        ("/admin/users", "admin.create_user", {"username": "newbie", "role": "viewer",
                                               "password": "long enough password"}),
        ("/login", "auth.login", {"username": "viewer", "password":
                                  "correct horse battery staple"}),
    ]


COVERED_BLUEPRINTS = ("claims", "entities", "admin", "auth")
NO_DATABASE_WRITE = {"auth.logout"}  # only clears the signed session cookie


def test_fault_at_every_statement_of_every_write_path_writes_nothing(
        database_url, _schema, app, seeded, monkeypatch) -> None:
    app = make_app(database_url)
    app.testing = False  # real error handling: the user's view of a failure
    # Every attempt a fault ends stays counted by the login throttle; this test is not about it.
    monkeypatch.setattr("claims.web.auth.MAX_FAILURES", 1000)
    scenarios = _scenarios(app, seeded)
    covered = {endpoint for _, endpoint, _ in scenarios}
    writes = {rule.endpoint for rule in app.url_map.iter_rules()
              if "POST" in (rule.methods or set())
              and rule.endpoint.split(".")[0] in COVERED_BLUEPRINTS}
    assert writes - covered - NO_DATABASE_WRITE == set(), "a write path without a scenario"
    fault = InjectedFault(app)
    faults = 0
    try:
        for url, endpoint, data in scenarios:
            client = app.test_client()
            if endpoint != "auth.login":
                login_as(client, app, "admin")
            if data.get("version") == "current":
                with get_engine(app).connect() as conn:
                    version = conn.scalar(select(Claim.version).where(
                        Claim.id == int(url.split("/")[2])))
                data = {**data, "version": str(version)}

            def send(as_json: bool, url: str = url, data: dict[str, str] = data,
                     client: FlaskClient = client) -> Any:
                return client.post(url, data=data, headers={
                    "Accept": "application/json" if as_json else "text/html"})

            faults += drive_faults(app, fault, endpoint, send)
    finally:
        get_engine(app).dispose()
    assert faults >= 50
