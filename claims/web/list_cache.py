"""Per-process caches of the claim list's cards and source filter, keyed by the rows they show."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, NamedTuple

from markupsafe import Markup
from sqlalchemy import BindParameter, Select, bindparam, select
from sqlalchemy.orm import Session

from claims.db import ResultProcessor, compiled_once, driver_rows
from claims.lru import LRU
from claims.models import Claim, ClaimTag, Entity, SourceDocument, Tag

# --- claim cards in lists -----------------------------------------------------------------

_cards: LRU[Hashable, Markup] = LRU(8192)


@dataclass(frozen=True, slots=True)
class CardEntity:
    """What a card shows of a speaker (``macros.claim_card`` reads it like an Entity)."""

    id: int
    name_ar: str
    name_en: str | None

    def name(self, lang: str) -> str:
        """``Entity.name``: the name in the interface language, falling back to Arabic."""
        return (self.name_en if lang == "en" and self.name_en else self.name_ar) or ""


@dataclass(frozen=True, slots=True)
class CardSource:
    """What a card shows of a source document."""

    id: int
    outlet: str | None
    title: str


@dataclass(frozen=True, slots=True)
class CardTag:
    """A tag on a card."""

    name: str


@dataclass(frozen=True, slots=True)
class CardClaim:
    """Every field ``macros.claim_card`` shows of a claim, from one plain row."""

    id: int
    status: str
    text: str
    created_at: Any
    claim_date: Any
    speaker: CardEntity | None
    source: CardSource | None
    tags: tuple[CardTag, ...]


_claims_t: Any = Claim.__table__
_entities_t: Any = Entity.__table__
_sources_t: Any = SourceDocument.__table__
_claim_tags_t: Any = ClaimTag.__table__
_tags_t: Any = Tag.__table__


def _card_statement(ids: BindParameter[Any]) -> Select[Any]:
    """A card's fields for the claims ``ids`` (an expanding parameter) in one statement."""
    # One row per tag (or one with no tag), in the order of ``Claim.tags`` (by name) per claim.
    return (
        select(_claims_t.c.id, _claims_t.c.status, _claims_t.c.text, _claims_t.c.created_at,
               _entities_t.c.id, _entities_t.c.name_ar, _entities_t.c.name_en,
               _sources_t.c.id, _sources_t.c.outlet, _sources_t.c.title, _claims_t.c.claim_date,
               _tags_t.c.name)
        .select_from(_claims_t
                     .outerjoin(_entities_t, _entities_t.c.id == _claims_t.c.speaker_id)
                     .outerjoin(_sources_t, _sources_t.c.id == _claims_t.c.source_id)
                     .outerjoin(_claim_tags_t, _claim_tags_t.c.claim_id == _claims_t.c.id)
                     .outerjoin(_tags_t, _tags_t.c.id == _claim_tags_t.c.tag_id))
        .where(_claims_t.c.id.in_(ids))
        .order_by(_claims_t.c.id, _tags_t.c.name))


_CARD_ROWS = _card_statement(bindparam("ids", expanding=True))
_CREATED_AT = 3  # the position of ``created_at`` in a card row


@functools.cache
def _id_names(count: int) -> tuple[str, ...]:
    """The parameters ``count`` expanded ids compile to (a page has at most a few hundred)."""
    return tuple(f"ids_{i + 1}" for i in range(count))


def _card_rows(session: Session, ids: list[int]) -> tuple[list[Any], ResultProcessor | None]:
    """The card rows of these claims, and what reads their ``created_at`` (None: read already)."""
    conn = session.connection()
    dialect = conn.dialect
    if dialect.name != "sqlite":
        return list(conn.execute(_CARD_ROWS, {"ids": ids})), None
    # SQLite: one SQL text per number of ids, whose only parameters are the ids in order.  The
    # ids are the parameter's own value, not ``.params()``: SQLAlchemy 2.1 cannot report values
    # given that way once expanded.
    compiled = compiled_once(
        (_CARD_ROWS, len(ids)), dialect,
        lambda: _card_statement(bindparam("ids", ids, expanding=True)),
        expand=True, expect=_id_names(len(ids)))
    return driver_rows(conn, compiled.sql, ids), compiled.processors[_CREATED_AT]


def claim_cards(session: Session, ids: list[int], lang: str,
                render: Callable[[CardClaim], Markup]) -> list[Markup]:
    """The list cards of these claims (in this order; ids of no claim are left out), cached
    on everything a card shows, read with one plain statement (so no invalidation)."""
    if not ids:
        return []
    shown: dict[int, tuple[tuple[Any, ...], list[str]]] = {}
    rows, read_created_at = _card_rows(session, ids)
    for row in rows:
        found = shown.get(row[0])
        if found is None:
            found = shown[row[0]] = (tuple(row[:11]), [])
        if row[11] is not None:
            found[1].append(row[11])
    cards = []
    for claim_id in ids:
        found = shown.get(claim_id)
        if found is None:
            continue
        head, tags = found
        key = ("row", lang, head, tuple(tags))
        card = _cards.get(key)
        if card is None:
            card = Markup(render(_card_claim(head, tags, read_created_at)))  # noqa: S704 - autoescaped
            _cards.put(key, card)
        cards.append(card)
    return cards


def _card_claim(head: tuple[Any, ...], tags: list[str],
                read_created_at: ResultProcessor | None) -> CardClaim:
    """The claim a card row describes, its values as the ORM would have loaded them."""
    (claim_id, status, text, created_at, speaker_id, name_ar, name_en, source_id, outlet,
     title, claim_date) = head
    if isinstance(created_at, str) and read_created_at:  # SQLite's text, past SQLAlchemy
        created_at = read_created_at(created_at)
    if isinstance(claim_date, str):  # SQLite keeps a date as ISO text
        claim_date = dt.date.fromisoformat(claim_date)
    return CardClaim(
        claim_id, status, text, created_at, claim_date,
        CardEntity(speaker_id, name_ar, name_en) if speaker_id is not None else None,
        CardSource(source_id, outlet, title) if source_id is not None else None,
        tuple(CardTag(name) for name in tags))


# --- the source filter's choices ----------------------------------------------------------

class SourceChoice(NamedTuple):
    """A source in the list's filter box: its id and title."""

    id: int
    title: str


# The newest sources for the list's filter box as plain rows (id, title).
FILTER_SOURCES: Any = (select(_sources_t.c.id, _sources_t.c.title)
                       .order_by(_sources_t.c.id.desc()).limit(100))
_source_options: LRU[Hashable, Markup] = LRU(256)


def plain_rows(session: Session, stmt: Any) -> list[tuple[Any, ...]]:
    """The rows of a constant statement (no parameters from the caller), on SQLite straight
    through the DBAPI cursor of the session's transaction."""
    conn = session.connection()
    dialect = conn.dialect
    if dialect.name != "sqlite":
        return [tuple(row) for row in conn.execute(stmt)]
    compiled = compiled_once(stmt, dialect, lambda: stmt)
    return driver_rows(conn, compiled.sql, compiled.values)


def source_options(session: Session, selected: int | None,
                   render: Callable[[list[SourceChoice], int | None], Markup]) -> Markup:
    """The ``<option>`` elements of the list's source filter (``macros.source_options``),
    rendered once per set of newest sources and choice (read every time, so no invalidation)."""
    rows = tuple(tuple(row) for row in plain_rows(session, FILTER_SOURCES))
    key = (rows, selected)
    found = _source_options.get(key)
    if found is None:
        found = Markup(render([SourceChoice(*row) for row in rows], selected))  # noqa: S704
        _source_options.put(key, found)
    return found
