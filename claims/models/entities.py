"""Entities, their aliases, and their mentions in claims."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from claims.db import Base, UTCDateTime, utcnow

ENTITY_KINDS = ("person", "place", "organisation", "other")
ALIAS_KINDS = ("name", "short", "demonym", "translit")
ALIAS_LANGS = ("ar", "en", "other")
MENTION_REVIEW = ("auto", "confirmed", "rejected")


class Entity(Base):
    """A person, place, organisation or other named thing claims are about or said by."""

    __tablename__ = "entities"
    __table_args__ = (
        CheckConstraint("kind IN ('person', 'place', 'organisation', 'other')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name_ar: Mapped[str] = mapped_column(String(256))
    name_en: Mapped[str | None] = mapped_column(String(256))
    wikidata_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    aliases: Mapped[list[Alias]] = relationship(
        back_populates="entity", cascade="all, delete-orphan", order_by="Alias.id"
    )

    def name(self, lang: str) -> str:
        """The entity's name in the interface language, falling back to Arabic."""
        return (self.name_en if lang == "en" and self.name_en else self.name_ar) or ""


class Alias(Base):
    """One way of writing an entity's name; ``key`` is its normalised search key."""

    __tablename__ = "aliases"
    __table_args__ = (
        UniqueConstraint("entity_id", "key", "kind"),
        CheckConstraint("kind IN ('name', 'short', 'demonym', 'translit')", name="kind"),
        CheckConstraint("lang IN ('ar', 'en', 'other')", name="lang"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(256))
    key: Mapped[str] = mapped_column(String(256), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="name")
    lang: Mapped[str] = mapped_column(String(8), default="ar")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    entity: Mapped[Entity] = relationship(back_populates="aliases")


class Mention(Base):
    """A place in a claim's text that names an entity, as found by the linker."""

    __tablename__ = "mentions"
    __table_args__ = (
        # An entity's claims newest first, answered from the index alone (review and demonym
        # filters included): no table row is read per mention.
        Index("ix_mentions_entity_id_claim_id_review", "entity_id", "claim_id", "review",
              "is_demonym"),
        CheckConstraint("review IN ('auto', 'confirmed', 'rejected')", name="review"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), index=True
    )
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    alias_id: Mapped[int | None] = mapped_column(ForeignKey("aliases.id", ondelete="SET NULL"))
    start: Mapped[int]
    end: Mapped[int]
    surface: Mapped[str] = mapped_column(String(256))
    method: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float]
    is_demonym: Mapped[bool] = mapped_column(default=False)
    review: Mapped[str] = mapped_column(String(16), default="auto")

    entity: Mapped[Entity] = relationship()


class Counter(Base):
    """Named monotonic counters, e.g. the alias-table generation that invalidates caches."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)

    @staticmethod
    def value_of(name: str) -> Any:
        """The named counter's value as a scalar subquery (NULL until first bumped)."""
        return select(Counter.value).where(Counter.name == name).scalar_subquery()

    @staticmethod
    def bump(session: Session, name: str) -> None:
        """Add one to the named counter in the current transaction (creating it at 1)."""
        counter = session.get(Counter, name)
        if counter is None:
            session.add(Counter(name=name, value=1))
        else:
            counter.value += 1
