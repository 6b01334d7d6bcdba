"""Database side of entity linking: the cached alias index and (re)computing mentions."""

from __future__ import annotations

import gc
import multiprocessing as mp
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from typing import Any, cast

from sqlalchemy import Engine, Table, bindparam, delete, func, insert, literal, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from claims.models import Alias, Claim, Counter, Entity, Mention
from claims.text.linking import AliasEntry, AliasIndex, alias_key, claim_search_key, tokens

_COUNTER = "aliases"
_lock = threading.Lock()
# One index per engine, rebuilt when the alias table's signature changes.
_cache: weakref.WeakKeyDictionary[Engine, tuple[tuple[int, int, int], AliasIndex]] = (
    weakref.WeakKeyDictionary()
)


def aliases_changed(session: Session) -> None:
    """Bump the alias generation in the current transaction so every worker rebuilds."""
    Counter.bump(session, _COUNTER)
    session.flush()


# One statement, one round trip: it runs on every search and every linking call.
_SIGNATURE = select(
    Counter.value_of(_COUNTER),
    select(func.count(Alias.id)).scalar_subquery(),
    select(func.max(Alias.id)).scalar_subquery())


def alias_signature(session: Session) -> tuple[int, int, int]:
    """Changes whenever an alias is added or removed: (generation, count, newest id)."""
    generation, count, max_id = session.connection().execute(_SIGNATURE).one()
    return int(generation or 0), int(count or 0), int(max_id or 0)


def alias_index(session: Session) -> AliasIndex:
    """The alias index for this database, built once per alias-table generation."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    signature = alias_signature(session)
    with _lock:
        cached = _cache.get(engine)
        if cached and cached[0] == signature:
            return cached[1]
    index = AliasIndex(_entries(session))
    with _lock:
        _cache[engine] = (signature, index)
    return index


def _entries(session: Session) -> list[AliasEntry]:
    rows = session.execute(
        select(Alias.id, Alias.entity_id, Alias.text, Alias.kind, Alias.lang, Entity.kind)
        .join(Entity, Entity.id == Alias.entity_id)
    ).all()
    return [AliasEntry(alias_id=r[0], entity_id=r[1], text=r[2], kind=r[3], lang=r[4],
                       entity_kind=r[5]) for r in rows]


def lookup(session: Session, query: str) -> list[tuple[int, float]]:
    """Entity ids a search query names, best first."""
    return sorted(alias_index(session).lookup(query), key=lambda pair: -pair[1])


def link_claim(session: Session, claim: Claim, index: AliasIndex | None = None) -> None:
    """Recompute a claim's mentions, keeping editors' confirm/reject decisions."""
    index = index or alias_index(session)
    decisions = {(m.entity_id, m.start, m.end): m.review for m in claim.mentions
                 if m.review != "auto"}
    fresh = [
        Mention(entity_id=m.entity_id, alias_id=m.alias_id, start=m.start, end=m.end,
                surface=m.surface[:256], method=m.method, confidence=m.confidence,
                is_demonym=m.is_demonym,
                review=decisions.get((m.entity_id, m.start, m.end), "auto"))
        for m in index.find(claim.text)
    ]
    claim.mentions[:] = fresh


# The columns a mention row is compared and written on (its id aside).
_COLUMNS = ("entity_id", "alias_id", "start", "end", "surface", "method", "confidence",
            "is_demonym", "review")
MentionRow = tuple[Any, ...]
# Enough claims per process to be worth starting workers; below this, linking stays here.
_PARALLEL_MIN = 20_000
_INDEX: list[AliasIndex] = []  # the alias index of a worker process
# One unit of work: (claim id, text, restatement, stored text_key or None when keys are not
# recomputed, stored mention rows); its result lists only what changed: (claim id, new
# text_key or None, new mention rows or None).
Job = list[tuple[int, str, str | None, str | None, list[MentionRow]]]
Changes = list[tuple[int, str | None, list[MentionRow] | None]]


def _relink_job(index: AliasIndex, job: Job, rewrite: bool) -> Changes:
    """Link each text once (its tokens also give the text key) and diff with stored rows."""
    out: Changes = []
    for claim_id, body, restatement, old_key, old in job:
        toks = tokens(body)
        key = claim_search_key(toks, restatement) if old_key is not None else None
        new_key = key if key != old_key else None
        found = index.find_rows(body, toks)
        decisions = {(r[0], r[2], r[3]): r[8] for r in old if r[8] != "auto"} if old else {}
        if decisions or any(len(m[4]) > 256 for m in found):
            new = [(*m[:4], m[4][:256], *m[5:], decisions.get((m[0], m[2], m[3]), "auto"))
                   for m in found]
        else:
            new = [(*m, "auto") for m in found]
        # stored rows usually come back in the order they were written: equal lists first
        if rewrite or (new != old and (len(new) != len(old)
                                       or sorted(new, key=_order) != sorted(old, key=_order))):
            out.append((claim_id, new_key, new))
        elif new_key is not None:
            out.append((claim_id, new_key, None))
    return out


def _relink_in_worker(job: Job, rewrite: bool) -> Changes:
    return _relink_job(_INDEX[0], job, rewrite)


def _start_worker(entries: list[AliasEntry]) -> None:
    _INDEX[:] = [AliasIndex(entries)]
    # This process only links: keep the collector off what it imported and built, and let
    # it run less often over the short-lived tuples of each job (it cost ~15% otherwise).
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


@contextmanager
def _linker(session: Session, index: AliasIndex, workers: int, count: int, rewrite: bool
            ) -> Iterator[Callable[[Iterable[Job]], Iterator[tuple[Job, Changes]]]]:
    """Jobs to their changes, in order, linked by ``workers`` processes counting this one."""
    # This process reads and writes, and links a job itself whenever the helpers already
    # have two each queued, so no core waits (2 cores: this process and one helper).
    if workers <= 1 or count < _PARALLEL_MIN:
        yield lambda jobs: ((job, _relink_job(index, job, rewrite)) for job in jobs)
        return
    helpers = workers - 1
    # Spawned, not forked: a forked child would inherit this process's open database
    # connection mid-transaction (SQLite forbids using it across fork; we saw lock errors).
    with ProcessPoolExecutor(helpers, mp_context=mp.get_context("spawn"),
                             initializer=_start_worker, initargs=(_entries(session),)) as pool:

        def run(jobs: Iterable[Job]) -> Iterator[tuple[Job, Changes]]:
            pending: deque[tuple[Job, Future[Changes] | Changes]] = deque()
            queued = 0  # jobs sent to the helpers and not yet returned
            for job in jobs:
                if queued < 2 * helpers:
                    pending.append((job, pool.submit(_relink_in_worker, job, rewrite)))
                else:
                    pending.append((job, _relink_job(index, job, rewrite)))
                while pending and _ready(pending[0][1]):
                    done, result = pending.popleft()
                    yield done, _result(result)
                queued = sum(isinstance(r, Future) and not r.done() for _, r in pending)
            while pending:
                done, result = pending.popleft()
                yield done, _result(result)

        yield run


def _ready(result: Future[Changes] | Changes) -> bool:
    return not isinstance(result, Future) or result.done()


def _result(result: Future[Changes] | Changes) -> Changes:
    return result.result() if isinstance(result, Future) else result


def relink_claims(session: Session, claim_ids: Sequence[int],
                  progress: Callable[[int], None] | None = None, batch: int = 2000,
                  workers: int = 1, rewrite: bool = False, keys: bool = False) -> int:
    """Recompute mentions for the given claims, keeping editors' confirm/reject decisions.

    Core statements, not the ORM: read texts and current mentions per batch, and rewrite
    (one executemany DELETE and INSERT) only the claims whose mentions changed, or every
    claim with ``rewrite``.  ``keys`` also recomputes each ``text_key`` from the same
    tokens and writes the ones that changed.
    """
    index = alias_index(session)
    session.flush()  # pending review decisions must be visible to the reads below
    table = cast(Table, Mention.__table__)
    ids = list(dict.fromkeys(claim_ids))
    chunks = (ids[at:at + batch] for at in range(0, len(ids), batch))
    jobs = (_read_job(session, table, chunk, keys) for chunk in chunks)
    done = 0
    changed: set[int] = set()
    rekeyed: set[int] = set()
    with _big_run(session, len(ids)), _linker(session, index, workers, len(ids), rewrite) as run:
        for job, changes in run(jobs):
            _write(session, table, changes, changed, rekeyed)
            done += len(job)
            if progress:
                progress(len(job))
    _expire(session, changed, ["mentions"])
    _expire(session, rekeyed, ["text_key"])
    return done


@contextmanager
def _big_run(session: Session, count: int) -> Iterator[None]:
    """Settings for a run over many claims, restored after."""
    # Fewer garbage collections over millions of short-lived row tuples (~15% of the time
    # otherwise), and on SQLite a 128 MB page cache, so one big transaction spills less.
    if count < _PARALLEL_MIN:
        yield
        return
    threshold = gc.get_threshold()
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    cache = int(connection.exec_driver_sql("PRAGMA cache_size").scalar() or 0) if sqlite else 0
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    if sqlite:
        connection.exec_driver_sql("PRAGMA cache_size = -131072")
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if sqlite:  # best effort: a connection broken by an error is discarded anyway
            with suppress(SQLAlchemyError):
                connection.exec_driver_sql(f"PRAGMA cache_size = {cache}")


def _read_job(session: Session, table: Table, chunk: list[int], keys: bool) -> Job:
    """Texts (and text keys) of one batch of claims with their stored mention rows."""
    claims = cast(Table, Claim.__table__)
    # A dense run of ids (every claim, or most) reads as a range rather than 2,000 bound ids.
    lo, hi = min(chunk, default=0), max(chunk, default=0)
    dense = hi - lo < 2 * len(chunk)
    wanted = set(chunk)
    where = (claims.c.id.between(lo, hi) if dense else claims.c.id.in_(chunk))
    mwhere = (table.c.claim_id.between(lo, hi) if dense else table.c.claim_id.in_(chunk))
    current: dict[int, list[MentionRow]] = {}
    for row in session.execute(select(table.c.claim_id, *(table.c[c] for c in _COLUMNS))
                               .where(mwhere)):
        current.setdefault(row[0], []).append(tuple(row[1:]))
    rows = session.execute(select(claims.c.id, claims.c.text,
                                  claims.c.restatement if keys else literal(None),
                                  claims.c.text_key if keys else literal(None))
                           .where(where).order_by(claims.c.id))
    return [(claim_id, body, restatement, key, current.get(claim_id, []))
            for claim_id, body, restatement, key in rows if not dense or claim_id in wanted]


def _write(session: Session, table: Table, changes: Changes, changed: set[int],
           rekeyed: set[int]) -> None:
    """One executemany per kind of change: new text keys, deleted and inserted mentions."""
    claims = cast(Table, Claim.__table__)
    keyed = [(claim_id, key) for claim_id, key, _ in changes if key is not None]
    if keyed:
        _executemany(session, update(claims).where(claims.c.id == bindparam("b_id"))
                     .values(text_key=bindparam("b_key")), ("b_id", "b_key"), keyed)
        rekeyed.update(claim_id for claim_id, _ in keyed)
    stale = [claim_id for claim_id, _, rows in changes if rows is not None]
    if stale:
        session.execute(delete(table).where(table.c.claim_id.in_(stale)))
        inserts = [(claim_id, *m) for claim_id, _, rows in changes if rows is not None
                   for m in rows]
        if inserts:
            _executemany(session, insert(table), _NAMES, inserts)
        changed.update(stale)


_NAMES = ("claim_id", *_COLUMNS)


def _executemany(session: Session, statement: Any, names: Sequence[str],
                 rows: list[tuple[Any, ...]]) -> None:
    """Run ``statement`` once per row (plain tuples of ints, strings, floats, bools, None)."""
    # On a positional driver (SQLite) the tuples go straight to its executemany: SQLAlchemy's
    # per-row parameter processing cost as much as SQLite's own insert at millions of rows.
    # Others (PostgreSQL: batched multi-row VALUES) keep SQLAlchemy's executemany.
    connection = session.connection()
    compiled = statement.compile(dialect=connection.dialect, column_keys=list(names))
    if not compiled.positional or compiled.implicit_returning or compiled.effective_returning:
        session.execute(statement, [dict(zip(names, row, strict=True)) for row in rows])
        return
    order = [names.index(name) for name in compiled.positiontup]
    params = rows if order == list(range(len(names))) else [
        tuple(row[i] for i in order) for row in rows]
    connection.exec_driver_sql(str(compiled), params)


def _order(row: MentionRow) -> tuple[Any, ...]:
    return (row[2], row[3], row[0], row[1] or 0, row[5])


def _expire(session: Session, claim_ids: set[int], attributes: list[str]) -> None:
    """Make loaded claims reload what was rewritten under the ORM's feet."""
    if not claim_ids:
        return
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Claim) and obj.id in claim_ids:
            session.expire(obj, attributes)


def relink_matching(session: Session, texts: Iterable[str]) -> int:
    """Re-link the claims whose normalised text contains any of these names."""
    ids: set[int] = set()
    for text in texts:
        key = alias_key(text)
        # The last word catches clitic-prefixed and short-form mentions of the name too.
        probes = {key, key.split()[-1]} if key else set()
        for probe in probes:
            if len(probe) < 3:
                continue
            ids.update(session.scalars(
                select(Claim.id).where(Claim.text_key.contains(probe, autoescape=True))).all())
    return relink_claims(session, sorted(ids))


def relink_all(session: Session, progress: Callable[[int], None] | None = None,
               workers: int = 1, keys: bool = False) -> int:
    """Recompute mentions (and with ``keys`` text keys) of every claim; see relink_claims."""
    ids = list(session.scalars(select(Claim.id).order_by(Claim.id)).all())
    return relink_claims(session, ids, progress, workers=workers, keys=keys)
