"""The entities a search names, and the claims naming them (mentions or statements)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Select, exists, or_, select
from sqlalchemy.orm import Session, aliased

from claims.lru import PerEngine
from claims.models import Claim, Entity, Mention
from claims.services.entities import find_entities
from claims.services.linker import alias_signature
from claims.services.search_syntax import SearchQuery

# Entity ids a query names, per (engine, query, alias-table signature): the alias index
# lookup costs more than the search itself, and queries repeat.
_entity_ids: PerEngine[tuple[Any, ...], list[int]] = PerEngine(4096)


def matched_entities(session: Session, q: str, limit: int = 10) -> list[Entity]:
    """``find_entities(session, q, limit)``, remembered until the alias table changes."""
    engine = session.get_bind()
    if not isinstance(engine, Engine):
        return find_entities(session, q, limit=limit)
    key = (q, limit, *alias_signature(session))
    ids = _entity_ids(engine).get(key)
    if ids is None:
        found = find_entities(session, q, limit=limit)
        _entity_ids(engine).put(key, [e.id for e in found])
        return found
    if not ids:
        return []
    by_id = {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


def mentioning(entity_ids: list[int], demonyms: bool, mention: Any = Mention) -> Select[Any]:
    """Claims linked to any of these entities (demonym links optionally left out), read from
    ``mention`` (an alias of Mention inside a statement that already reads mentions)."""
    return select(mention.claim_id).where(*mention_conditions_in(entity_ids, demonyms, mention))


def named(entity_ids: list[int], demonyms: bool) -> Any:
    """The claims row mentions one of these entities or has one as its speaker."""
    # An alias: inside a branch read from mentions, a bare Mention would correlate to it.
    mentioned = mentioning(entity_ids, demonyms, aliased(Mention))
    return or_(Claim.id.in_(mentioned), Claim.speaker_id.in_(entity_ids))


def excluded_names(session: Session, query: SearchQuery, demonyms: bool) -> list[Any]:
    """Leave out the claims naming an entity an unquoted exclusion names (-بوتين, -Putin):
    its mentions and its statements, as the name alone finds them, not just the word."""
    ids = sorted({entity.id for name in query.excluded_names
                  for entity in matched_entities(session, name)})
    if not ids:
        return []
    mention = aliased(Mention)
    if session.get_bind().dialect.name == "postgresql":
        # NOT EXISTS, tested per claim on the (claim_id) index as a newest-first branch walks:
        # with NOT IN, PostgreSQL merge-joined a name's mentions with the whole claims table
        # (العلي -ونتنياهو at 100k: 1.5 s, now 48 ms).
        mentioned = ~exists().where(mention.claim_id == Claim.id,
                                    *mention_conditions_in(ids, demonyms, mention))
    else:
        # SQLite builds the mentions' ids once (NOT EXISTS measured 20% slower per search).
        mentioned = Claim.id.not_in(mentioning(ids, demonyms, mention))
    # Not NOT(speaker_id IN …): NULL for a claim with no speaker, which would drop it.
    return [mentioned, or_(Claim.speaker_id.is_(None), Claim.speaker_id.not_in(ids))]


def mention_conditions_in(entity_ids: list[int], demonyms: bool, mention: Any) -> list[Any]:
    """``mention_conditions`` for any of several entities."""
    conds = [mention.entity_id.in_(entity_ids), mention.review != "rejected"]
    return conds if demonyms else [*conds, mention.is_demonym.is_(False)]


def mention_conditions(entity_id: int, demonyms: bool, mention: Any = Mention) -> list[Any]:
    """A mention of the entity that counts (not rejected; a demonym only if ``demonyms``)."""
    conds = [mention.entity_id == entity_id, mention.review != "rejected"]
    return conds if demonyms else [*conds, mention.is_demonym.is_(False)]
