"""Database side of entity linking: the cached alias index and (re)computing mentions."""

from __future__ import annotations

import multiprocessing as mp
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Engine, Table, delete, func, insert, select
from sqlalchemy.orm import Session

from claims.models import Alias, Claim, Counter, Entity, Mention
from claims.text.linking import AliasEntry, AliasIndex, alias_key

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
    select(Counter.value).where(Counter.name == _COUNTER).scalar_subquery(),
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
# Enough claims per process to be worth a fork; below this, linking stays in process.
_PARALLEL_MIN = 20_000
_INDEX: list[AliasIndex] = []  # the alias index of a worker process


def _found(index: AliasIndex, body: str) -> list[MentionRow]:
    return [(m.entity_id, m.alias_id, m.start, m.end, m.surface[:256], m.method,
             m.confidence, m.is_demonym) for m in index.find(body)]


def _found_in_worker(body: str) -> list[MentionRow]:
    return _found(_INDEX[0], body)


def _start_worker(entries: list[AliasEntry]) -> None:
    _INDEX[:] = [AliasIndex(entries)]


@contextmanager
def _linker(session: Session, index: AliasIndex, workers: int, count: int
            ) -> Iterator[Callable[[list[str]], list[list[MentionRow]]]]:
    """A function from texts to their mentions: in worker processes for big runs."""
    if workers <= 1 or count < _PARALLEL_MIN:
        yield lambda texts: [_found(index, body) for body in texts]
        return
    # Spawned, not forked: a forked child would inherit this process's open database
    # connection mid-transaction (SQLite forbids using it across fork; we saw lock errors).
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"),
                             initializer=_start_worker, initargs=(_entries(session),)) as pool:
        yield lambda texts: list(pool.map(_found_in_worker, texts, chunksize=250))


def relink_claims(session: Session, claim_ids: Sequence[int],
                  progress: Callable[[int], None] | None = None, batch: int = 2000,
                  workers: int = 1, rewrite: bool = False) -> int:
    """Recompute mentions for the given claims, keeping editors' confirm/reject decisions.

    Core statements, not the ORM: read texts and current mentions per batch, and rewrite
    (one executemany DELETE and INSERT) only the claims whose mentions changed, or every
    claim with ``rewrite``.
    """
    index = alias_index(session)
    session.flush()  # pending review decisions must be visible to the reads below
    table = cast(Table, Mention.__table__)
    done = 0
    changed_ids: set[int] = set()
    step = batch * max(1, workers)
    with _linker(session, index, workers, len(claim_ids)) as find_all:
        for offset in range(0, len(claim_ids), step):
            done += _relink_batch(session, table, find_all, list(claim_ids[offset:offset + step]),
                                  rewrite, changed_ids)
            if progress:
                progress(min(step, len(claim_ids) - offset))
    _expire_mentions(session, changed_ids)
    return done


def _relink_batch(session: Session, table: Table,
                  find_all: Callable[[list[str]], list[list[MentionRow]]], chunk: list[int],
                  rewrite: bool, changed_ids: set[int]) -> int:
    """Diff one batch of claims' mentions against the linker and rewrite those that differ."""
    texts = _texts(session, chunk)
    current: dict[int, list[MentionRow]] = {}
    for row in session.execute(select(table.c.claim_id, *(table.c[c] for c in _COLUMNS))
                               .where(table.c.claim_id.in_(list(texts)))):
        current.setdefault(row[0], []).append(tuple(row[1:]))
    ids = list(texts)
    fresh_rows: list[dict[str, Any]] = []
    stale: list[int] = []
    for claim_id, found in zip(ids, find_all([texts[i] for i in ids]), strict=True):
        old = current.get(claim_id, [])
        decisions = {(r[0], r[2], r[3]): r[8] for r in old if r[8] != "auto"}
        new = [(*m, decisions.get((m[0], m[2], m[3]), "auto")) for m in found]
        if not rewrite and sorted(new, key=_order) == sorted(old, key=_order):
            continue
        stale.append(claim_id)
        fresh_rows += [dict(zip(("claim_id", *_COLUMNS), (claim_id, *m), strict=True))
                       for m in new]
    if stale:
        session.execute(delete(table).where(table.c.claim_id.in_(stale)))
        if fresh_rows:
            session.execute(insert(table), fresh_rows)
        changed_ids.update(stale)
    return len(ids)


def _order(row: MentionRow) -> tuple[Any, ...]:
    return (row[2], row[3], row[0], row[1] or 0, row[5])


def _texts(session: Session, ids: list[int]) -> dict[int, str]:
    """Texts of many claims, read in bound-parameter-sized slices."""
    texts: dict[int, str] = {}
    for at in range(0, len(ids), 10_000):
        for claim_id, body in session.execute(select(Claim.id, Claim.text).where(
                Claim.id.in_(ids[at:at + 10_000]))):
            texts[claim_id] = body
    return texts


def _expire_mentions(session: Session, claim_ids: set[int]) -> None:
    """Make loaded claims reload the mentions rewritten under the ORM's feet."""
    if not claim_ids:
        return
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Claim) and obj.id in claim_ids:
            session.expire(obj, ["mentions"])


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
               workers: int = 1) -> int:
    """Recompute mentions for every claim (``workers`` > 1 links in spawned processes; on a
    busy 2-core machine one process measured faster, see bench/README.md)."""
    ids = list(session.scalars(select(Claim.id).order_by(Claim.id)).all())
    return relink_claims(session, ids, progress, workers=workers)
