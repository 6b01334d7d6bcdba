"""Evidence on a claim: add, edit and remove, each kept in the claim's edit history."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from flask import current_app
from sqlalchemy.orm import Session

from claims.errors import Conflict, NotFound
from claims.models import Claim, Evidence, User
from claims.models.claims import EVIDENCE_FIELDS, EVIDENCE_KINDS, EVIDENCE_STANCES
from claims.services import revisions
from claims.services.inputs import Inputs


def read_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate the fields of an evidence item (a URL or a title is required)."""
    form = Inputs(data)
    url = form.url("url")
    title = form.text("title", required=url is None, max_len=500)
    values = {
        "url": url, "title": title or url or "",
        "publisher": form.text("publisher", max_len=200),
        "kind": form.choice("kind", EVIDENCE_KINDS, default="other") or "other",
        "stance": form.choice("stance", EVIDENCE_STANCES, default="context") or "context",
        "note": form.text("note", max_len=int(current_app.config.get("NOTE_MAX", 4000))) or "",
        "accessed_date": form.date("accessed_date", past=True),
    }
    form.check()
    return values


def add_evidence(session: Session, claim: Claim, user: User, data: Mapping[str, Any]) -> Evidence:
    """Attach an evidence item to a claim."""
    evidence = Evidence(claim_id=claim.id, created_by_id=user.id, **read_fields(data))
    session.add(evidence)
    session.flush()
    revisions.record_item(session, claim, user, "evidence", None,
                          revisions.evidence_snapshot(evidence))
    return evidence


def get_evidence(session: Session, claim: Claim, evidence_id: int) -> Evidence:
    """One evidence item of this claim, or NotFound."""
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.claim_id != claim.id:
        raise NotFound(f"evidence {evidence_id} not found on claim {claim.id}")
    return evidence


def update_evidence(session: Session, claim: Claim, user: User | None, evidence_id: int,
                    data: Mapping[str, Any]) -> Evidence:
    """Change the given fields of one evidence item; fields not given keep their value.

    ``data['version']`` is the version the editor saw (required): an item changed since is
    a Conflict, as is losing a race with a concurrent edit of the same item."""
    evidence = get_evidence(session, claim, evidence_id)
    form = Inputs(data)
    expected = form.integer("version", required=True, code="bad_version")
    form.check()
    _expect_version(evidence, cast(int, expected))
    data = {k: v for k, v in data.items() if k != "version"}
    before = revisions.evidence_snapshot(evidence)
    current = {name: before[name] for name in EVIDENCE_FIELDS}
    merged = {k: v for k, v in {**current, **data}.items() if v is not None}
    if "url" in data and "title" not in data and evidence.title == (evidence.url or ""):
        merged.pop("title", None)  # the title was only the old URL: follow the new one
    for name, value in read_fields(merged).items():
        setattr(evidence, name, value)
    revisions.flush_versioned(session, evidence, "evidence")
    revisions.record_item(session, claim, user, "evidence", before,
                          revisions.evidence_snapshot(evidence))
    return evidence


def _expect_version(evidence: Evidence, expected: int) -> None:
    """A Conflict unless the item is at ``expected``."""
    if expected != evidence.version:
        raise Conflict(f"evidence {evidence.id} is at version {evidence.version}, "
                       f"not {expected}", current_version=evidence.version)


def remove_evidence(session: Session, claim: Claim, user: User | None, evidence_id: int,
                    version: int) -> None:
    """Detach and delete one evidence item of this claim, only as the remover last saw it at
    ``version`` (one edited since is a Conflict, not silently deleted). What it said stays in
    the claim's edit history."""
    evidence = get_evidence(session, claim, evidence_id)
    _expect_version(evidence, version)
    before = revisions.evidence_snapshot(evidence)
    session.delete(evidence)
    session.flush()
    revisions.record_item(session, claim, user, "evidence", before, None)
