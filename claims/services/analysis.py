"""Derived data kept beside each claim: its quantities and its near-duplicate band keys."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from claims.models import Claim, ClaimBand, ClaimLink, Mention, Quantity
from claims.services.word_candidates import word_candidates
from claims.text.match_index import MatchIndex
from claims.text.matching import claim_signature, judge_many, lsh_band_keys, similarity
from claims.text.quantities import extract_quantities

# Band-hit ranking keeps RERANK candidates and the rare-word branch WORDS more; the cheap
# similarity keeps the PRECISE best for the learned verdict: bounded work at any archive
# size, the same limits as the in-memory MatchIndex the benchmark measures.
RERANK, WORDS, PRECISE = MatchIndex.RERANK, MatchIndex.WORDS, MatchIndex.PRECISE
# A "related" claim (neither same nor conflict) is listed only when the model is this sure
# that both are about the same story; below that it is noise for the editor.
RELATED_MIN = 0.5


def analyse_claim(session: Session, claim: Claim) -> None:
    """Recompute a claim's quantities and band keys from its text."""
    claim.quantities[:] = [
        Quantity(start=q.start, end=q.end, surface=q.surface[:200], value=q.value, upper=q.upper,
                 total=q.total, unit=q.unit, approx=q.approx, bound=q.bound, kind=q.kind)
        for q in extract_quantities(claim.text)
    ]
    if claim.id is not None:
        session.execute(delete(ClaimBand).where(ClaimBand.claim_id == claim.id))
    else:
        session.flush()
    keys = sorted(set(lsh_band_keys(claim_signature(claim.text))))
    session.add_all(ClaimBand(band_key=key, claim_id=claim.id) for key in keys)


@dataclass(frozen=True)
class Similar:
    """An existing claim that may say the same thing as (or contradict) a text."""

    claim: Claim
    score: float
    relation: str  # "same" | "conflict" | "related"
    reasons: tuple[str, ...]


def similar_claims(session: Session, text: str, *, exclude_id: int | None = None,
                   entity_ids: frozenset[int] = frozenset(), limit: int = 5) -> list[Similar]:
    """Claims similar to ``text``: LSH band and rare-word candidates, then a precise score."""
    keys = lsh_band_keys(claim_signature(text))
    ids: list[int] = []
    if keys:
        hits = select(ClaimBand.claim_id).where(ClaimBand.band_key.in_(keys))
        if exclude_id is not None:
            hits = hits.where(ClaimBand.claim_id != exclude_id)
        ids = list(session.scalars(
            hits.group_by(ClaimBand.claim_id)
            .order_by(func.count().desc(), ClaimBand.claim_id.desc()).limit(RERANK)))
    # Rewordings that share too few stems to meet in a band usually keep a rare word.
    ids = list(dict.fromkeys([*ids, *word_candidates(session, text, WORDS, exclude_id)]))
    if not ids:
        return []
    # Texts only: full rows are loaded for the few claims that are returned.
    texts: dict[int, str] = {i: t for i, t in session.execute(
        select(Claim.id, Claim.text).where(Claim.id.in_(ids)))}
    ids = sorted(texts, key=lambda i: (-similarity(text, texts[i]), -i))[:max(limit, PRECISE)]
    linked: dict[int, set[int]] = {}
    for claim_id, entity_id in session.execute(
            select(Mention.claim_id, Mention.entity_id).where(Mention.claim_id.in_(ids))):
        linked.setdefault(claim_id, set()).add(entity_id)
    # Unknown entities (either side unlinked) do not rule a conflict out.
    shared = [not (entity_ids and linked.get(i)) or bool(entity_ids & linked.get(i, set()))
              for i in ids]
    verdicts = judge_many(text, [texts[i] for i in ids], shared)
    kept = sorted(((v, i) for i, v in zip(ids, verdicts, strict=True)
                   if v.relation != "related" or v.score >= RELATED_MIN),
                  key=lambda vi: (-vi[0].score, -vi[1]))[:limit]
    claims = {c.id: c for c in session.scalars(
        select(Claim).where(Claim.id.in_([i for _, i in kept])))}
    return [Similar(claims[i], round(v.score, 3), v.relation, v.reasons) for v, i in kept]


def link_claims(session: Session, claim: Claim, other: Claim, relation: str, user_id: int,
                score: float | None = None, reasons: tuple[str, ...] = ()) -> ClaimLink:
    """Record an editor's decision about two claims; "duplicate" makes ``other`` canonical."""
    existing = session.scalar(select(ClaimLink).where(
        ClaimLink.claim_id == claim.id, ClaimLink.other_id == other.id))
    link = existing or ClaimLink(claim_id=claim.id, other_id=other.id, created_by_id=user_id)
    link.relation = relation
    link.score = score
    link.reasons = "; ".join(reasons)
    session.add(link)
    if relation == "duplicate":
        canonical = other.duplicate_of_id or other.id
        if canonical != claim.id:
            claim.duplicate_of_id = canonical
    session.flush()
    return link
