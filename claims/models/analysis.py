"""What the text engine derives from claims: quantities, matching bands, claim links."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from claims.db import Base, UTCDateTime, utcnow

LINK_RELATIONS = ("duplicate", "conflict", "dismissed")


class Quantity(Base):
    """A number found in a claim's text, with its unit and qualifiers."""

    __tablename__ = "quantities"
    __table_args__ = (Index("ix_quantities_unit_value", "unit", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"),
                                          index=True)
    start: Mapped[int]
    end: Mapped[int]
    surface: Mapped[str] = mapped_column(String(200))
    value: Mapped[float]
    upper: Mapped[float | None]
    total: Mapped[float | None]
    unit: Mapped[str] = mapped_column(String(32))
    approx: Mapped[bool] = mapped_column(default=False)
    bound: Mapped[str | None] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16), default="quantity")


class ClaimBand(Base):
    """One locality-sensitive-hash band key of a claim, for near-duplicate candidates."""

    __tablename__ = "claim_bands"

    band_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ClaimLink(Base):
    """An editor's decision about two claims: the same claim, a conflict, or dismissed."""

    __tablename__ = "claim_links"
    __table_args__ = (
        UniqueConstraint("claim_id", "other_id"),
        CheckConstraint("relation IN ('duplicate', 'conflict', 'dismissed')", name="relation"),
        CheckConstraint("claim_id <> other_id", name="distinct"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"),
                                          index=True)
    relation: Mapped[str] = mapped_column(String(16))
    score: Mapped[float | None]
    reasons: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
