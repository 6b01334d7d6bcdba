"""Records for exchange with the outside: API tokens, the keys of creating requests, and
imported fact-check reviews."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from claims.db import Base, UTCDateTime, utcnow


class ApiToken(Base):
    """A per-user API token; only its SHA-256 is stored, the secret is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class IdempotencyKey(Base):
    """The key a creating request carried (a form's one-time id, an API client's
    Idempotency-Key) and the claim it made, so that a repeat of the request makes nothing."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # The claim made, or the one an item (evidence, an appearance) was added to.
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    # SHA-256 of an API request's body: the same key with another body is refused; None for
    # a web form, whose repeat goes to what the first one made whatever it carries.
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExternalReview(Base):
    """A fact-check review imported from another publisher (ClaimReview), raw label kept."""

    __tablename__ = "external_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"),
                                          index=True)
    review_url: Mapped[str | None] = mapped_column(String(2000), unique=True)
    publisher_name: Mapped[str | None] = mapped_column(String(200))
    publisher_url: Mapped[str | None] = mapped_column(String(2000))
    rating_label: Mapped[str | None] = mapped_column(String(200))
    rating_value: Mapped[float | None]
    date_published: Mapped[dt.date | None]
    raw: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
