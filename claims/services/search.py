"""Finding claims: entity search in any spelling, and text search, under the list filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Select, bindparam, exists, func, select, union, union_all
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from claims.db import compile_positional, driver_rows
from claims.lru import PerEngine
from claims.models import Claim, ClaimTag, Entity, Mention, Quantity, SourceDocument, Tag
from claims.services.entities import find_entities
from claims.services.filters import ClaimFilters
from claims.services.name_match import (
    excluded_names,
    matched_entities,
    mention_conditions,
    mentioning,
    named,
)
from claims.services.phrase_match import syntax_conditions, syntax_extra
from claims.services.query_parts import split_query
from claims.services.search_syntax import SearchQuery, parse_query
from claims.services.text_match import Extra, text_match_branch, text_match_ids
from claims.text.arabic import normalize


@dataclass
class SearchResult:
    """A page of claims with the (possibly capped) total and the entities the query matched."""

    claims: list[Claim]
    total: int
    page: int
    pages: int
    entities: list[Entity]
    # False when ``total`` is an estimate (more than COUNT_SAMPLE claims match).
    exact: bool = True


# Matches are counted exactly up to this many; beyond, the total is estimated from how densely
# the newest COUNT_SAMPLE hits fill the id range ("about 48,000"), never by reading every hit.
# 200 rather than 500: at 1M claims on a slow 2-core machine the entity search spent 2.7 ms
# (p50) and 11.9 ms (p99) in SQLite reading 500 hits per branch, 2.1 and 5.3 reading 200; an
# estimate from 200 of the newest hits is still within a few per cent for a list heading.
COUNT_SAMPLE = 200
# Deepest result reachable by paging (offset + page size); deeper pages cost linearly.
MAX_DEPTH = 10_000


def _text_extra(session: Session, query: SearchQuery, demonyms: bool) -> Extra | None:
    """What the query's syntax adds to its full-text match, excluded names included."""
    extra = syntax_extra(session.get_bind().dialect.name, query)
    names = excluded_names(session, query, demonyms) if extra is not None else []
    return extra._replace(conds=[*extra.conds, *names]) if names and extra else extra


def _besides(session: Session, query: SearchQuery, entities: list[Entity], demonyms: bool
             ) -> dict[int, list[Any]]:
    """Per matched entity, what else the query asks of a claim found through that entity: the
    other names in its plain words (claims naming all of them), its other words in full text,
    and its phrases and exclusions."""
    parts = split_query(session, query.plain, entities)
    # Its own parameter: under the query's "fts" it took the whole query's expression, so
    # the entity's claims had to spell its name as typed (Putin أوكرانيا missed بوتين).
    rest = text_match_ids(session, parts.rest, param="fts_rest") if parts.rest else None
    syntax = [*syntax_conditions(session.get_bind().dialect.name, query),
              *excluded_names(session, query, demonyms)]
    besides: dict[int, list[Any]] = {}
    for group in parts.groups:
        conds = [named(sorted(other), demonyms) for other in parts.groups if other != group]
        if rest is not None:
            conds.append(Claim.id.in_(rest))
        conds += syntax
        besides.update({entity_id: conds for entity_id in group})
    return besides


def _query_condition(session: Session, q: str, demonyms: bool = True
                     ) -> tuple[Any, list[Entity]]:
    query = parse_query(q)
    # Names are looked for in the plain words only: a phrase is words of the text.
    entities = find_entities(session, query.plain, limit=10) if query.plain else []
    # One UNION of indexed branches: an OR across them would defeat the GIN/FTS indexes.
    branches: list[Select[Any]] = []
    besides = _besides(session, query, entities, demonyms)
    for entity in entities:
        extra = besides.get(entity.id, [])
        branches.append(_by_mention(entity.id, demonyms, extra))
        branches.append(select(Claim.id).where(Claim.speaker_id == entity.id, *extra))
    match = text_match_ids(session, query.plain, _text_extra(session, query, demonyms))
    if match is not None:
        branches.append(match)
    if not branches:
        return Claim.id < 0, entities
    return Claim.id.in_(union(*branches) if len(branches) > 1 else branches[0]), entities


def filtered_query(session: Session, filters: ClaimFilters) -> tuple[Select[Any], list[Entity]]:
    """The SELECT for these filters (unordered, unpaginated) and the entities q matched."""
    stmt = select(Claim)
    entities: list[Entity] = []
    if filters.q:
        condition, entities = _query_condition(session, filters.q, filters.demonyms)
        stmt = stmt.where(condition)
    if filters.status:
        stmt = stmt.where(Claim.status == filters.status)
    if filters.entity is not None:
        stmt = stmt.where(Claim.id.in_(mentioning([filters.entity], filters.demonyms)))
    if filters.speaker is not None:
        stmt = stmt.where(Claim.speaker_id == filters.speaker)
    if filters.source is not None:
        stmt = stmt.where(Claim.source_id == filters.source)
    if filters.tag:
        stmt = stmt.where(Claim.id.in_(
            select(ClaimTag.claim_id).join(Tag, Tag.id == ClaimTag.tag_id)
            .where(Tag.key == normalize(filters.tag))))
    if filters.unit:
        has_number = select(Quantity.claim_id).where(Quantity.kind == "quantity")
        if filters.unit != "any":
            has_number = has_number.where(Quantity.unit == filters.unit)
        stmt = stmt.where(Claim.id.in_(has_number))
    if filters.date_from:
        stmt = stmt.where(Claim.claim_date >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(Claim.claim_date <= filters.date_to)
    if filters.before is not None:
        stmt = stmt.where(Claim.id < filters.before)
    return stmt, entities


def _conditions(filters: ClaimFilters, driving: str | None) -> list[Any]:
    """Conditions on the claims row for every filter except the one driving the scan."""
    conds: list[Any] = []
    if filters.status:
        conds.append(Claim.status == filters.status)
    if filters.entity is not None and driving != "entity":
        # An alias: inside a branch read from mentions, a bare Mention would correlate to it.
        other = aliased(Mention)
        mention = mention_conditions(filters.entity, filters.demonyms, other)
        conds.append(exists().where(other.claim_id == Claim.id, *mention))
    if filters.speaker is not None and driving != "speaker":
        conds.append(Claim.speaker_id == filters.speaker)
    if filters.source is not None:
        conds.append(Claim.source_id == filters.source)
    if filters.tag:
        conds.append(exists().where(ClaimTag.claim_id == Claim.id, ClaimTag.tag_id == (
            select(Tag.id).where(Tag.key == normalize(filters.tag)).scalar_subquery())))
    if filters.unit:
        number = [Quantity.claim_id == Claim.id, Quantity.kind == "quantity"]
        if filters.unit != "any":
            number.append(Quantity.unit == filters.unit)
        conds.append(exists().where(*number))
    if filters.date_from:
        conds.append(Claim.claim_date >= filters.date_from)
    if filters.date_to:
        conds.append(Claim.claim_date <= filters.date_to)
    if filters.before is not None:
        # (The branches also start their index scans at the cursor: ``_by_mention``, FTS5.)
        conds.append(Claim.id < filters.before)
    return conds


# A branch of a search: a SELECT of one ``id`` column and the ORDER BY that walks it
# newest first on an index.
Branch = tuple[Select[Any], Any]


def _branches(session: Session, filters: ClaimFilters, entities: list[Entity]
              ) -> list[Branch]:
    """Branches whose union is the answer: mentions and speaker per matched ``entities``
    (those q names), full text, or the claims table."""
    selects: list[Select[Any]] = []
    match: Branch | None = None
    if filters.q:
        conds = _conditions(filters, None)
        query = parse_query(filters.q)
        besides = _besides(session, query, entities, filters.demonyms)
        for entity in entities:
            entity_conds = [*conds, *besides.get(entity.id, [])]
            selects.append(_by_mention(entity.id, filters.demonyms, entity_conds,
                                       filters.before))
            selects.append(select(Claim.id.label("id")).where(Claim.speaker_id == entity.id,
                                                              *entity_conds))
        match = text_match_branch(session, query.plain, conds,
                                  _text_extra(session, query, filters.demonyms), filters.before)
    elif filters.entity is not None:
        selects.append(_by_mention(filters.entity, filters.demonyms,
                                   _conditions(filters, "entity"), filters.before))
    else:
        selects.append(select(Claim.id.label("id")).where(*_conditions(filters, None)))
    branches = [(stmt, stmt.selected_columns[0].desc()) for stmt in selects]
    return branches if match is None else [*branches, match]


def _by_mention(entity_id: int, demonyms: bool, conds: list[Any], before: int | None = None
                ) -> Select[Any]:
    """Claims mentioning the entity: the (entity_id, claim_id) index read backwards (from
    the cursor ``before``, when there is one, not from the newest)."""
    stmt = select(Mention.claim_id.label("id")).where(
        *mention_conditions(entity_id, demonyms)).distinct()
    if before is not None:
        stmt = stmt.where(Mention.claim_id < before)
    return stmt.join(Claim, Claim.id == Mention.claim_id).where(*conds) if conds else stmt


def _newest(branches: list[Branch], limit: int, distinct: bool = False) -> Any:
    """The union of each branch's newest ``limit`` ids (every branch stops early)."""
    parts = []
    for stmt, newest_first in branches:
        top = stmt.order_by(newest_first).limit(limit).subquery()
        parts.append(select(top.c.id))
    if len(parts) == 1:
        return parts[0]
    return union(*parts) if distinct else union_all(*parts)


def _estimate(found: int, oldest: int | None, first: int | None, last: int | None,
              ) -> tuple[int, bool]:
    """``found`` (of at most COUNT_SAMPLE newest hits, the oldest being ``oldest``) as an
    exact count, or, when the sample is full, the total it implies (``first`` and ``last``:
    the smallest and largest claim ids)."""
    if found < COUNT_SAMPLE or oldest is None or first is None or last is None:
        return found, True
    # Hits are spread over ids first..last about as densely as the newest ones are.
    estimate = COUNT_SAMPLE * (last - first + 1) / max(1, last - oldest + 1)
    digits = max(0, len(str(int(estimate))) - 2)
    return max(COUNT_SAMPLE, int(round(estimate, -digits))), False


def _hits(branches: list[Branch], limit: int) -> Select[Any]:
    """The newest ``limit`` distinct ids of the union of the branches, newest first, each row
    with the smallest and largest claim ids (what a full count sample is scaled by).

    Every branch stops after ``limit`` rows on its index; the union of their distinct ids is
    at most (branches × limit) small integers, of which the newest ``limit`` are returned:
    page and count in one statement."""
    hits = _newest(branches, limit, distinct=True).subquery()
    # Two scalar subqueries: SQLite answers a lone min() or max() from the index end, once.
    return select(hits.c.id, select(func.min(Claim.id)).scalar_subquery(),
                  select(func.max(Claim.id)).scalar_subquery()
                  ).order_by(hits.c.id.desc()).limit(limit)


# Per engine: the hits statement of a search (its shape and every value it binds come from
# the filters, the matched entity ids and the limit), compiled once.  On SQLite, the SQL text
# and its positional parameters, run straight on the DBAPI cursor (building, caching and
# running the SQLAlchemy construct cost more than SQLite spends on the statement).
_Statement = tuple[Any, str | None, tuple[Any, ...] | None]
_statements: PerEngine[tuple[Any, ...], _Statement] = PerEngine(1024)


def _filters_key(filters: ClaimFilters) -> tuple[Any, ...]:
    """Everything of the filters that shapes the statement (all but the page)."""
    return (filters.q, filters.status, filters.entity, filters.speaker, filters.source,
            filters.tag, filters.unit, filters.demonyms, filters.date_from, filters.date_to,
            filters.before)


def _statement(session: Session, filters: ClaimFilters, entities: list[Entity], limit: int
               ) -> _Statement | None:
    """The (cached) hits statement for these filters, or None when nothing can match."""
    engine = session.get_bind()
    key = (_filters_key(filters), tuple(e.id for e in entities), limit)
    # A cursor's statement is asked once (the next page has another): kept, it would only
    # push the searches that repeat out of the cache.
    store = _statements(engine) if isinstance(engine, Engine) and filters.before is None \
        else None
    found = store.get(key) if store is not None else None
    dialect = session.get_bind().dialect
    if found is not None and (found[1] is not None or dialect.name != "sqlite"):
        return found
    if found is None:
        branches = _branches(session, filters, entities)
        if not branches:  # a query that names no entity and leaves no searchable word
            return None
        # First use: SQLAlchemy's own compiled cache (keyed on the statement's shape, so
        # shared by every query of that shape) runs it; a search asked again is compiled
        # to its own SQL text below.
        found = (_hits(branches, limit), None, None)
        if store is not None:
            store.put(key, found)
        return found
    stmt = found[0]
    if dialect.name == "sqlite" and dialect.positional:
        compiled = compile_positional(stmt, dialect, expand=True)
        found = (stmt, compiled.sql, compiled.values)
    if store is not None:
        store.put(key, found)
    return found


def _run(session: Session, statement: _Statement) -> list[Any]:
    conn = session.connection()
    stmt, sql, params = statement
    if sql is None:
        return list(conn.execute(stmt).all())
    return driver_rows(conn, sql, params)


@dataclass
class SearchPage:
    """A page of matching claim ids with the (possibly capped) total and matched entities."""

    ids: list[int]
    total: int
    page: int
    pages: int
    entities: list[Entity]
    # False when ``total`` is an estimate (more than COUNT_SAMPLE claims match).
    exact: bool = True


def search_ids(session: Session, filters: ClaimFilters, page_size: int = 25) -> SearchPage:
    """The ids of a page of claims matching the filters, newest first, with an exact or
    estimated count (what ``search_claims`` loads; the web list loads card rows instead).

    Each branch (an entity's mentions, a speaker, the full-text hits, or the table) is read
    newest-first on its index and stops after the rows the page and the count sample need;
    nothing is sorted or counted beyond that, whatever the size of the archive.
    """
    plain = parse_query(filters.q).plain if filters.q else ""
    entities = matched_entities(session, plain, limit=10) if plain else []
    page = max(1, min(filters.page, MAX_DEPTH // page_size))
    depth = page * page_size
    # One statement serves page and count: the newest max(depth, COUNT_SAMPLE) distinct hits.
    limit = max(depth, COUNT_SAMPLE)
    statement = _statement(session, filters, entities, limit)
    if statement is None:
        return SearchPage([], 0, 1, 1, entities, True)
    rows = _run(session, statement)
    ids = [row[0] for row in rows]
    if len(ids) < depth and page > 1:
        # Past the end: show the last page instead (as the list always has).
        page = max(1, -(-len(ids) // page_size))
    chosen = ids[(page - 1) * page_size:page * page_size]
    if len(ids) < limit:  # every branch was read to its end: the exact number of matches
        total, exact = len(ids), True
    else:
        sample = ids[:COUNT_SAMPLE]
        last = rows[0][2]
        if filters.before is not None and last is not None:  # the hits end at the cursor
            last = min(last, filters.before - 1)
        total, exact = _estimate(len(sample), sample[-1], rows[0][1], last)
    pages = max(1, min(-(-total // page_size), MAX_DEPTH // page_size))
    return SearchPage(chosen, total, min(page, pages), pages, entities, exact)


# Built once: SQLAlchemy then reuses its cache key and compiled form on every search.
_PAGE = select(Claim).where(Claim.id.in_(bindparam("ids", expanding=True))).options(
    joinedload(Claim.speaker), selectinload(Claim.tags),
    # A list shows the source's outlet or title, never its (long) article text.
    joinedload(Claim.source).load_only(SourceDocument.title, SourceDocument.outlet,
                                       SourceDocument.url))


def search_claims(session: Session, filters: ClaimFilters, page_size: int = 25) -> SearchResult:
    """A page of claims matching the filters, newest first, with an exact or estimated count
    (``search_ids``, the claims loaded with their speaker, source and tags)."""
    found = search_ids(session, filters, page_size)
    chosen = found.ids
    by_id = {c.id: c for c in session.scalars(_PAGE, {"ids": chosen})} if chosen else {}
    return SearchResult([by_id[i] for i in chosen if i in by_id], found.total, found.page,
                        found.pages, found.entities, found.exact)
