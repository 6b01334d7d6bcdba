"""Source documents, claims, their tags, status history, edit history and evidence."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from claims.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from claims.models.analysis import Quantity
    from claims.models.entities import Entity, Mention
    from claims.models.users import User

CLAIM_TYPES = (
    "quantity",
    "prediction",
    "correlation",
    "rule",
    "personal",
    "voting",
    "opinion",
    "other",
)
EVIDENCE_KINDS = ("primary", "official", "news", "expert", "dataset", "other")
EVIDENCE_STANCES = ("supports", "refutes", "context")
# The columns of an evidence item that an editor sets (forms, PATCH, its edit history).
EVIDENCE_FIELDS = ("title", "url", "publisher", "kind", "stance", "accessed_date", "note")


class SourceDocument(Base):
    """An article or other document claims are taken from; its text is kept exactly."""

    __tablename__ = "source_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    outlet: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2000), index=True)
    dateline: Mapped[str | None] = mapped_column(String(200))
    author: Mapped[str | None] = mapped_column(String(200))
    agency: Mapped[str | None] = mapped_column(String(32))
    published_date: Mapped[dt.date | None]
    language: Mapped[str] = mapped_column(String(8), default="ar")
    text: Mapped[str] = mapped_column(Text, default="")
    text_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default=sql_text("1"))

    claims: Mapped[list[Claim]] = relationship(back_populates="source")

    # Optimistic locking: two people correcting one source's details end in a conflict.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - read once by the mapper


class Claim(Base):
    """A checkable statement exactly as quoted, with its speaker, source and verdict."""

    __tablename__ = "claims"
    __table_args__ = (
        Index("ix_claims_created_at_id", "created_at", "id"),
        Index("ix_claims_status_created_at", "status", "created_at"),
        # A speaker's claims newest first: PostgreSQL needs the id in the key (SQLite has it).
        Index("ix_claims_speaker_id_id", "speaker_id", "id"),
        CheckConstraint(
            "claim_type IN ('quantity', 'prediction', 'correlation', 'rule', 'personal', "
            "'voting', 'opinion', 'other')",
            name="claim_type",
        ),
        CheckConstraint("span_start IS NULL OR span_end >= span_start", name="span"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    # Derived search key (normalised text); never shown, rebuilt whenever ``text`` changes.
    text_key: Mapped[str] = mapped_column(Text, default="")
    restatement: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int] = mapped_column(ForeignKey("source_documents.id"), index=True)
    span_start: Mapped[int | None]
    span_end: Mapped[int | None]
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"))
    claim_date: Mapped[dt.date | None]
    claim_type: Mapped[str] = mapped_column(String(16), default="other")
    status: Mapped[str] = mapped_column(String(32))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    # Confirmed duplicate of another (canonical) claim, whose verdict it shares.
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("claims.id", ondelete="SET NULL"), index=True
    )
    # Stable identity of an imported claim (CSV, ClaimReview, bulk), so re-imports add nothing.
    import_key: Mapped[str | None] = mapped_column(String(128), unique=True)

    # Optimistic locking: every UPDATE carries "WHERE version = <read version>".
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - read once by the mapper

    source: Mapped[SourceDocument] = relationship(back_populates="claims")
    speaker: Mapped[Entity | None] = relationship(foreign_keys=[speaker_id])
    quantities: Mapped[list[Quantity]] = relationship(
        order_by="Quantity.start", cascade="all, delete-orphan"
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    tags: Mapped[list[Tag]] = relationship(secondary="claim_tags", order_by="Tag.name")
    history: Mapped[list[StatusChange]] = relationship(
        back_populates="claim", order_by="StatusChange.id", viewonly=True
    )
    revisions: Mapped[list[ClaimRevision]] = relationship(
        order_by="ClaimRevision.id", viewonly=True
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="claim", order_by="Evidence.id", cascade="all, delete-orphan"
    )
    mentions: Mapped[list[Mention]] = relationship(
        order_by="Mention.start", cascade="all, delete-orphan"
    )
    appearances: Mapped[list[ClaimAppearance]] = relationship(
        order_by="ClaimAppearance.id", cascade="all, delete-orphan"
    )
    # Claims confirmed as copies of this one (their sources are further appearances).
    duplicates: Mapped[list[Claim]] = relationship(
        foreign_keys=[duplicate_of_id], order_by="Claim.id", viewonly=True
    )


class ClaimAppearance(Base):
    """Another place the claim was published, besides its source document (ClaimReview
    ``appearance``)."""

    __tablename__ = "claim_appearances"
    __table_args__ = (UniqueConstraint("claim_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str | None] = mapped_column(String(500))
    published_date: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Tag(Base):
    """A free label for grouping claims; ``key`` is its normalised form."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(64), unique=True)


class ClaimTag(Base):
    """Association of claims and tags."""

    __tablename__ = "claim_tags"

    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class StatusChange(Base):
    """One append-only row of a claim's status history."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    claim: Mapped[Claim] = relationship(back_populates="history")
    user: Mapped[User | None] = relationship()


class ClaimRevision(Base):
    """One append-only record of an edit of a claim or its evidence: old and new values."""

    __tablename__ = "claim_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    version: Mapped[int]  # the claim's version after the change (evidence leaves it as is)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # {"text": ["before", "after"], "speaker": [null, "بوتين"], …}: strings as shown then, so
    # a later rename of a speaker or source does not rewrite what the edit was; an evidence
    # change is {"evidence": [item or null, item or null]} with the item's fields.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)

    user: Mapped[User | None] = relationship()


class HistoryIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete a status-history or edit-history row."""


@event.listens_for(StatusChange, "before_update")
@event.listens_for(StatusChange, "before_delete")
@event.listens_for(ClaimRevision, "before_update")
@event.listens_for(ClaimRevision, "before_delete")
def _refuse_history_rewrite(_mapper: object, _conn: object,
                            target: StatusChange | ClaimRevision) -> None:
    raise HistoryIsAppendOnly(f"{type(target).__tablename__} row {target.id} cannot be changed")


class Evidence(Base):
    """A source that supports, refutes or gives context to a claim."""

    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('primary', 'official', 'news', 'expert', 'dataset', 'other')",
            name="kind",
        ),
        CheckConstraint("stance IN ('supports', 'refutes', 'context')", name="stance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str | None] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(500))
    publisher: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="other")
    stance: Mapped[str] = mapped_column(String(16), default="context")
    note: Mapped[str] = mapped_column(Text, default="")
    accessed_date: Mapped[dt.date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default=sql_text("1"))

    claim: Mapped[Claim] = relationship(back_populates="evidence")

    # Optimistic locking, as on claims: two editors of one item end in a conflict.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - read once by the mapper
