"""Recording and reading the audit trail of administrative changes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from claims.models import AuditEvent, User
from claims.models.audit import AUDIT_ACTIONS, AUDIT_TARGETS

PAGE = 50


def record(session: Session, actor: User | None, action: str, target_kind: str,
           target_id: int, **details: Any) -> AuditEvent:
    """Append one event in the caller's transaction (``actor`` None: the command line)."""
    assert action in AUDIT_ACTIONS, action
    assert target_kind in AUDIT_TARGETS, target_kind
    event = AuditEvent(user_id=actor.id if actor else None, action=action,
                       target_kind=target_kind, target_id=target_id, details=details)
    session.add(event)
    session.flush()
    return event


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Each value that differs, as [before, after]."""
    return {name: [before[name], after[name]] for name in after if before[name] != after[name]}


def page(session: Session, action: str | None = None,
         before_id: int | None = None) -> tuple[Sequence[AuditEvent], int | None]:
    """One page of events newest first, and the ``before_id`` of the next page (None: last)."""
    found = events(session, action=action, before_id=before_id, limit=PAGE + 1)
    return found[:PAGE], found[PAGE - 1].id if len(found) > PAGE else None


def events(session: Session, *, action: str | None = None, target_kind: str | None = None,
           target_id: int | None = None, before_id: int | None = None,
           limit: int = PAGE) -> Sequence[AuditEvent]:
    """Events newest first, optionally of one action or one target, older than ``before_id``."""
    stmt = select(AuditEvent).options(joinedload(AuditEvent.user))
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if target_kind:
        stmt = stmt.where(AuditEvent.target_kind == target_kind)
    if target_id is not None:
        stmt = stmt.where(AuditEvent.target_id == target_id)
    if before_id is not None:
        stmt = stmt.where(AuditEvent.id < before_id)
    return session.scalars(stmt.order_by(AuditEvent.id.desc()).limit(limit)).all()
