"""Same-claim and conflict decisions between claims, and what a claim page shows about them."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session

from claims.errors import NotFound, ValidationFailed
from claims.lru import PerEngine
from claims.models import Claim, ClaimLink, Counter, Mention, User
from claims.models.analysis import LINK_RELATIONS
from claims.services import revisions
from claims.services.analysis import Similar, link_claims, similar_claims
from claims.services.inputs import Inputs
from claims.text.matching import detect_conflict, score_pair

CANDIDATE_LIMIT = 6
MIN_QUERY_CHARS = 8
# Counter bumped whenever a claim's text changes (claims.update_claim), for the cache below.
TEXTS_COUNTER = "claim_texts"


@dataclass(frozen=True)
class Related:
    """Another claim shown beside this one, with the score and reasons that relate them."""

    claim: Claim
    score: float
    relation: str  # "same" | "related" | "conflict"
    reasons: tuple[str, ...] = ()
    confirmed: bool = False


@dataclass
class Relations:
    """Everything a claim page shows about other claims: canonical, duplicates, conflicts."""

    canonical: Claim | None = None
    duplicates: list[Claim] = field(default_factory=list)
    conflicts: list[Related] = field(default_factory=list)
    candidates: list[Related] = field(default_factory=list)
    # Claims an editor already related to this one (never offered again as candidates).
    decided: set[int] = field(default_factory=set)


def _entity_ids(session: Session, claim: Claim) -> frozenset[int]:
    return frozenset(session.scalars(select(Mention.entity_id).where(
        Mention.claim_id == claim.id, Mention.review != "rejected")))


# Scored candidates per (engine, claim id, version, archive generation): a page view that
# repeats finds them here instead of scoring ~60 LSH candidates again.
Scored = tuple[int, float, str, tuple[str, ...]]
_scored: PerEngine[Hashable, list[Scored]] = PerEngine(2048)


def texts_changed(session: Session) -> None:
    """Bump the claim-text generation in the current transaction (cached candidates expire)."""
    Counter.bump(session, TEXTS_COUNTER)


def generation(session: Session) -> tuple[int, int]:
    """Changes whenever a claim is added or a claim's text is edited."""
    newest = session.scalar(select(func.max(Claim.id))) or 0
    edits = session.scalar(select(Counter.value_of(TEXTS_COUNTER))) or 0
    return int(newest), int(edits)


def cached_similar(session: Session, cache: PerEngine[Hashable, list[Scored]],
                   key: Hashable, find: Callable[[], list[Similar]]) -> list[Similar]:
    """``find()``'s similar claims, kept in ``cache`` under ``key`` (which must include the
    archive's ``generation``); a hit loads only the claims, fresh (status, verdict)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    scored = cache(engine).get(key)
    if scored is None:
        found = find()
        cache(engine).put(key, [(s.claim.id, s.score, s.relation, s.reasons) for s in found])
        return found
    claims = {c.id: c for c in session.scalars(
        select(Claim).where(Claim.id.in_([row[0] for row in scored])))} if scored else {}
    return [Similar(claims[i], score, relation, reasons)
            for i, score, relation, reasons in scored if i in claims]


def _similar(session: Session, claim: Claim) -> list[Similar]:
    """``similar_claims`` for a stored claim, cached until the archive or the claim changes."""
    return cached_similar(
        session, _scored, (claim.id, claim.version, *generation(session)),
        lambda: similar_claims(session, claim.text, exclude_id=claim.id,
                               entity_ids=_entity_ids(session, claim), limit=CANDIDATE_LIMIT))


def decided_relations(session: Session, claim: Claim) -> Relations:
    """What editors decided about this claim: canonical, duplicates and confirmed conflicts."""
    result = Relations()
    if claim.duplicate_of_id is not None:
        result.canonical = session.get(Claim, claim.duplicate_of_id)
    result.duplicates = list(session.scalars(
        select(Claim).where(Claim.duplicate_of_id == claim.id).order_by(Claim.id)))
    links = session.scalars(select(ClaimLink).where(
        or_(ClaimLink.claim_id == claim.id, ClaimLink.other_id == claim.id))).all()
    decided: dict[int, ClaimLink] = {}
    for link in links:
        decided[link.other_id if link.claim_id == claim.id else link.claim_id] = link
    result.decided = set(decided) | {c.id for c in result.duplicates}
    if claim.duplicate_of_id is not None:
        result.decided.add(claim.duplicate_of_id)
    conflicts = {other_id: link for other_id, link in decided.items()
                 if link.relation == "conflict"}
    others = {c.id: c for c in session.scalars(
        select(Claim).where(Claim.id.in_(list(conflicts))))} if conflicts else {}
    for other_id, link in sorted(conflicts.items()):
        if other_id in others:
            reasons = tuple(r for r in link.reasons.split("; ") if r)
            result.conflicts.append(
                Related(others[other_id], link.score or 0.0, "conflict", reasons, True))
    return result


def candidate_relations(session: Session, claim: Claim, decided: Relations | None = None
                        ) -> Relations:
    """Detected conflicts and same-claim candidates not yet decided (the costly part)."""
    known = (decided or decided_relations(session, claim)).decided
    result = Relations()
    for found in _similar(session, claim):
        if found.claim.id in known:
            continue
        related = Related(found.claim, found.score, found.relation, found.reasons)
        (result.conflicts if found.relation == "conflict" else result.candidates).append(related)
    return result


def claim_relations(session: Session, claim: Claim) -> Relations:
    """The claim's canonical, its duplicates, confirmed and detected conflicts, and candidates."""
    result = decided_relations(session, claim)
    found = candidate_relations(session, claim, result)
    result.conflicts += found.conflicts
    result.candidates = found.candidates
    return result


def candidates_for_text(session: Session, text: str, exclude_id: int | None = None,
                        limit: int = CANDIDATE_LIMIT) -> list[Related]:
    """Existing claims that may say the same as (or contradict) a text being typed."""
    text = text.strip()
    if len(text) < MIN_QUERY_CHARS:
        return []
    return [Related(s.claim, s.score, s.relation, s.reasons)
            for s in similar_claims(session, text, exclude_id=exclude_id, limit=limit)]


def decide(session: Session, user: User, claim: Claim, data: Mapping[str, Any]) -> ClaimLink:
    """Record an editor's decision about this claim and another: same, conflict or dismissed."""
    form = Inputs(data)
    other_id = form.integer("other_id", required=True)
    relation = form.choice("relation", LINK_RELATIONS, required=True)
    form.check()
    assert other_id is not None and relation is not None
    if other_id == claim.id:
        raise ValidationFailed.single("other_id", "bad_choice", value=str(other_id))
    other = session.get(Claim, other_id)
    if other is None:
        raise NotFound(f"claim {other_id} not found")
    existing = _link_between(session, claim, other)
    before = existing.relation if existing is not None else None
    link = _decide(session, user, claim, other, relation, existing)
    if before != relation:  # on both pages: the decision concerns each claim alike
        for this, that in ((claim, other), (other, claim)):
            revisions.record_item(
                session, this, user, "link",
                None if before is None else {"claim_id": that.id, "relation": before},
                {"claim_id": that.id, "relation": relation})
    return link


def _decide(session: Session, user: User, claim: Claim, other: Claim, relation: str,
            existing: ClaimLink | None) -> ClaimLink:
    """Write the one link row between two claims (and the shared verdict of a duplicate)."""
    score = round(score_pair(claim.text, other.text), 3)
    reasons = detect_conflict(claim.text, other.text)[1] if relation == "conflict" else ()
    if relation == "duplicate":
        # The newer claim joins the older one's verdict, unless the older is itself the copy.
        newer, older = (claim, other) if claim.id > other.id else (other, claim)
        if older.duplicate_of_id == newer.id:
            newer, older = older, newer
        if existing is not None and (existing.claim_id, existing.other_id) != (newer.id, older.id):
            session.delete(existing)
            session.flush()
        return link_claims(session, newer, older, "duplicate", user.id, score)
    if existing is not None and existing.claim_id != claim.id:
        claim, other = other, claim  # keep the one row, whichever side recorded it
    if existing is not None and existing.relation == "duplicate":
        for side in (claim, other):
            if side.duplicate_of_id in (claim.id, other.id):
                side.duplicate_of_id = None
    return link_claims(session, claim, other, relation, user.id, score, reasons)


def links_of(session: Session, claim: Claim) -> list[ClaimLink]:
    """Every decision recorded about this claim and another, oldest first."""
    return list(session.scalars(select(ClaimLink).where(
        or_(ClaimLink.claim_id == claim.id, ClaimLink.other_id == claim.id))
        .order_by(ClaimLink.id)))


def _link_between(session: Session, a: Claim, b: Claim) -> ClaimLink | None:
    return session.scalar(select(ClaimLink).where(or_(
        (ClaimLink.claim_id == a.id) & (ClaimLink.other_id == b.id),
        (ClaimLink.claim_id == b.id) & (ClaimLink.other_id == a.id))).limit(1))
