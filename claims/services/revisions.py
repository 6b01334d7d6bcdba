"""Edit history of claims: what each edit changed, kept append-only beside the status history."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from claims.models import Claim, ClaimRevision, User

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
        "claim_date": claim.claim_date.isoformat() if claim.claim_date else None,
        "claim_type": claim.claim_type,
        "tags": ", ".join(sorted(tag.name for tag in claim.tags)) or None,
        "span": span,
    }


def record_edit(session: Session, claim: Claim, user: User | None,
                before: dict[str, str | None]) -> ClaimRevision | None:
    """Append what changed since ``before`` (None: the edit changed nothing)."""
    after = snapshot(claim)
    changes = {name: [before[name], after[name]] for name in FIELDS
               if before[name] != after[name]}
    if not changes:
        return None
    revision = ClaimRevision(claim_id=claim.id, version=claim.version,
                             user_id=user.id if user else None, changes=changes)
    session.add(revision)
    session.flush()
    return revision


def revisions_of(session: Session, claim_id: int) -> Sequence[ClaimRevision]:
    """Every recorded edit of a claim, oldest first, with its author."""
    return session.scalars(select(ClaimRevision).where(ClaimRevision.claim_id == claim_id)
                           .options(joinedload(ClaimRevision.user))
                           .order_by(ClaimRevision.id)).all()
