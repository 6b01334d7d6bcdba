"""The audit trail: who changed users, entities' names and API tokens, and when."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claims.db import Base, UTCDateTime, utcnow
from claims.models.claims import HistoryIsAppendOnly

if TYPE_CHECKING:
    from claims.models.users import User

# What an event records; claims keep their own status and edit history.
AUDIT_ACTIONS = ("user.created", "user.changed", "user.password_set", "entity.created",
                 "alias.added", "alias.removed", "token.created", "token.revoked",
                 "source.edited")
# What an event is about (``target_id`` is a row of that kind).
AUDIT_TARGETS = ("user", "entity", "token", "source")


class AuditEvent(Base):
    """One append-only record of an administrative change, with the values as they were."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_target", "target_kind", "target_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: command line
    action: Mapped[str] = mapped_column(String(32))
    target_kind: Mapped[str] = mapped_column(String(16))  # one of AUDIT_TARGETS
    target_id: Mapped[int]
    # Names as shown then ({"username": …, "role": ["editor", "admin"], …}), so a later
    # rename or deletion does not rewrite what happened.
    details: Mapped[dict[str, Any]] = mapped_column(JSON)

    user: Mapped[User | None] = relationship()


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_rewrite(_mapper: object, _conn: object, target: AuditEvent) -> None:
    raise HistoryIsAppendOnly(f"audit_events row {target.id} cannot be changed")
