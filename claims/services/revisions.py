"""Edit history of claims: what each edit of a claim, its evidence, its recorded appearances,
its match decisions and its entity-link reviews changed, kept append-only beside the status
history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from claims.errors import Conflict
from claims.models import Claim, ClaimAppearance, ClaimRevision, Evidence, User
from claims.models.claims import EVIDENCE_FIELDS

# The fields an edit can change, in the order pages list them.
FIELDS = ("text", "restatement", "speaker", "source", "claim_date", "claim_type", "tags", "span")


def snapshot(claim: Claim) -> dict[str, str | None]:
    """The claim's editable fields as text, as a reader saw them at this moment."""
    span = None if claim.span_start is None else f"{claim.span_start}–{claim.span_end}"
    return {
        "text": claim.text,
        "restatement": claim.restatement or None,
        "speaker": claim.speaker.name_ar if claim.speaker else None,
        "source": claim.source.title if claim.source else None,
        "claim_date": _iso(claim.claim_date),
        "claim_type": claim.claim_type,
        "tags": ", ".join(sorted(tag.name for tag in claim.tags)) or None,
        "span": span,
    }


def record_edit(session: Session, claim: Claim, user: User | None,
                before: dict[str, str | None]) -> ClaimRevision | None:
    """Append what changed since ``before`` (None: the edit changed nothing)."""
    after = snapshot(claim)
    return _append(session, claim, user, {name: [before[name], after[name]] for name in FIELDS
                                          if before[name] != after[name]})


def evidence_snapshot(evidence: Evidence) -> dict[str, Any]:
    """An evidence item as JSON-ready values."""
    values = {name: getattr(evidence, name) for name in ("id", *EVIDENCE_FIELDS)}
    return values | {"accessed_date": _iso(evidence.accessed_date)}


def appearance_snapshot(appearance: ClaimAppearance) -> dict[str, Any]:
    """A recorded appearance as JSON-ready values."""
    return {"id": appearance.id, "title": appearance.title, "url": appearance.url,
            "published_date": _iso(appearance.published_date)}


def record_item(session: Session, claim: Claim, user: User | None, kind: str,
                before: dict[str, Any] | None, after: dict[str, Any] | None
                ) -> ClaimRevision | None:
    """Append a change of one item on the claim (``kind`` "evidence", "appearance", "link" to
    another claim or "mention" review; None before: added, None after: removed)."""
    return _append(session, claim, user, {kind: [before, after]} if before != after else {})


def _append(session: Session, claim: Claim, user: User | None,
            changes: dict[str, list[Any]]) -> ClaimRevision | None:
    """One history row at the claim's current version (evidence and appearances leave that
    version as it was); nothing when nothing changed."""
    if not changes:
        return None
    revision = ClaimRevision(claim_id=claim.id, version=claim.version,
                             user_id=user.id if user else None, changes=changes)
    session.add(revision)
    session.flush()
    return revision


def _iso(day: dt.date | None) -> str | None:
    """A date as stored in the history (ISO text), or None."""
    return day.isoformat() if day else None


def revisions_of(session: Session, claim_id: int) -> Sequence[ClaimRevision]:
    """Every recorded edit of a claim, oldest first, with its author."""
    return session.scalars(select(ClaimRevision).where(ClaimRevision.claim_id == claim_id)
                           .options(joinedload(ClaimRevision.user))
                           .order_by(ClaimRevision.id)).all()


def lost_race(session: Session, model: Any, row_id: int, what: str) -> Conflict:
    """Roll back a write that lost an optimistic-lock race: a Conflict naming the version that
    won (nothing of this request stays)."""
    session.rollback()
    current = session.scalar(select(model.version).where(model.id == row_id))
    return Conflict(f"{what} {row_id} was changed concurrently", current_version=current)


def flush_versioned(session: Session, row: Any, what: str) -> None:
    """Flush a versioned row's edit, turning a lost optimistic-lock race into a Conflict."""
    model, row_id = type(row), row.id
    try:
        session.flush()
    except StaleDataError as exc:
        raise lost_race(session, model, row_id, what) from exc
