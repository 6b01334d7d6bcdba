"""Edit history of claims: what each edit of a claim, its evidence or its recorded
appearances changed, kept append-only beside the status history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from claims.models import Claim, ClaimAppearance, ClaimRevision, Evidence, User

# The fields an edit can change, in the order pages list them.
FIELDS = ("text", "restatement", "speaker", "source", "claim_date", "claim_type", "tags", "span")
# What an evidence change records of the item (before and after, as JSON objects).
EVIDENCE_FIELDS = ("id", "title", "url", "publisher", "kind", "stance", "accessed_date", "note")


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


def evidence_snapshot(evidence: Evidence) -> dict[str, Any]:
    """An evidence item as JSON-ready values (the date as ISO text)."""
    values = {name: getattr(evidence, name) for name in EVIDENCE_FIELDS}
    when = values["accessed_date"]
    values["accessed_date"] = when.isoformat() if when else None
    return values


def appearance_snapshot(appearance: ClaimAppearance) -> dict[str, Any]:
    """A recorded appearance as JSON-ready values (the date as ISO text)."""
    when = appearance.published_date
    return {"id": appearance.id, "title": appearance.title, "url": appearance.url,
            "published_date": when.isoformat() if when else None}


def record_item(session: Session, claim: Claim, user: User | None, kind: str,
                before: dict[str, Any] | None, after: dict[str, Any] | None
                ) -> ClaimRevision | None:
    """Append a change of one item on the claim (``kind`` "evidence" or "appearance"; None
    before: added, None after: removed)."""
    if before == after:
        return None
    # The claim's own version does not move: the row names the version it was at.
    revision = ClaimRevision(claim_id=claim.id, version=claim.version,
                             user_id=user.id if user else None,
                             changes={kind: [before, after]})
    session.add(revision)
    session.flush()
    return revision


def revisions_of(session: Session, claim_id: int) -> Sequence[ClaimRevision]:
    """Every recorded edit of a claim, oldest first, with its author."""
    return session.scalars(select(ClaimRevision).where(ClaimRevision.claim_id == claim_id)
                           .options(joinedload(ClaimRevision.user))
                           .order_by(ClaimRevision.id)).all()
