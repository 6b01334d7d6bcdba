"""Database side of entity linking: the cached alias index and (re)computing mentions."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import Engine, func, select
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
    counter = session.get(Counter, _COUNTER)
    if counter is None:
        session.add(Counter(name=_COUNTER, value=1))
    else:
        counter.value += 1
    session.flush()


def _signature(session: Session) -> tuple[int, int, int]:
    generation = session.scalar(select(Counter.value).where(Counter.name == _COUNTER)) or 0
    count, max_id = session.execute(select(func.count(), func.max(Alias.id))).one()
    return int(generation), int(count or 0), int(max_id or 0)


def alias_index(session: Session) -> AliasIndex:
    """The alias index for this database, built once per alias-table generation."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    signature = _signature(session)
    with _lock:
        cached = _cache.get(engine)
        if cached and cached[0] == signature:
            return cached[1]
    rows = session.execute(
        select(Alias.id, Alias.entity_id, Alias.text, Alias.kind, Alias.lang, Entity.kind)
        .join(Entity, Entity.id == Alias.entity_id)
    ).all()
    index = AliasIndex(
        AliasEntry(alias_id=r[0], entity_id=r[1], text=r[2], kind=r[3], lang=r[4],
                   entity_kind=r[5])
        for r in rows
    )
    with _lock:
        _cache[engine] = (signature, index)
    return index


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


def relink_claims(session: Session, claim_ids: Sequence[int],
                  progress: Callable[[int], None] | None = None, batch: int = 500) -> int:
    """Recompute mentions for the given claims; returns how many were processed."""
    index = alias_index(session)
    done = 0
    for offset in range(0, len(claim_ids), batch):
        chunk = claim_ids[offset:offset + batch]
        for claim in session.scalars(select(Claim).where(Claim.id.in_(chunk))):
            link_claim(session, claim, index)
            done += 1
        session.flush()
        if progress:
            progress(len(chunk))
    return done


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


def relink_all(session: Session, progress: Callable[[int], None] | None = None) -> int:
    """Recompute mentions for every claim."""
    ids = list(session.scalars(select(Claim.id).order_by(Claim.id)).all())
    return relink_claims(session, ids, progress)
