"""Finding claims: filters, entity search in any spelling, and text search."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Select,
    func,
    literal_column,
    or_,
    select,
    text,
    union,
)
from sqlalchemy.orm import Session, selectinload

from claims.models import Claim, ClaimTag, Entity, Mention, Quantity, Tag
from claims.services.entities import find_entities
from claims.services.inputs import Inputs
from claims.text.arabic import normalize
from claims.text.linking import candidate_keys


@dataclass
class ClaimFilters:
    """The claims-list filters, as read from query parameters."""

    q: str = ""
    status: str | None = None
    entity: int | None = None
    speaker: int | None = None
    source: int | None = None
    tag: str | None = None
    unit: str | None = None
    demonyms: bool = True
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, Any], status_ids: set[str]) -> ClaimFilters:
        """Read filters leniently: a malformed parameter is ignored rather than an error."""
        form = Inputs(args)
        filters = cls(
            q=(form.text("q", max_len=200) or ""),
            status=form.choice("status", status_ids),
            entity=form.integer("entity"),
            speaker=form.integer("speaker"),
            source=form.integer("source"),
            tag=form.text("tag", max_len=64),
            unit=form.text("unit", max_len=32),
            demonyms=args.get("demonyms", "1") not in ("0", "false", "off"),
            date_from=form.date("from"),
            date_to=form.date("to"),
            page=max(1, form.integer("page") or 1),
        )
        filters.errors = [e.field for e in form.errors]
        return filters

    errors: list[str] = field(default_factory=list)

    def as_args(self, **changes: Any) -> dict[str, Any]:
        """Query parameters reproducing these filters (for links and pagination)."""
        args = {"q": self.q, "status": self.status, "entity": self.entity,
                "speaker": self.speaker, "source": self.source, "tag": self.tag,
                "unit": self.unit, "demonyms": None if self.demonyms else "0",
                "from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None, "page": self.page}
        args.update(changes)
        return {k: v for k, v in args.items()
                if v not in (None, "") and not (k == "page" and v == 1)}


@dataclass
class SearchResult:
    """A page of claims with the total and the entities the query matched."""

    claims: list[Claim]
    total: int
    page: int
    pages: int
    entities: list[Entity]


_WORD_RE = re.compile(r"\w+")
# Longest query accepted by full-text search, in words; more adds nothing but cost.
MAX_QUERY_WORDS = 12


def query_terms(q: str) -> list[list[str]]:
    """For each word of a query, the search-key forms it may take (clitics stripped, …)."""
    terms: list[list[str]] = []
    for word in _WORD_RE.findall(normalize(q))[:MAX_QUERY_WORDS]:
        forms = {word}
        for key in candidate_keys(word):
            forms.update(_WORD_RE.findall(key))
        terms.append(sorted(forms))
    return terms


def text_match_ids(session: Session, q: str) -> Select[Any] | None:
    """A SELECT of the ids of claims matching ``q`` in full text (FTS5 or tsvector), or None."""
    terms = query_terms(q)
    if not terms:
        return None
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        expr = " AND ".join(
            "(" + " OR ".join('"' + form.replace('"', '""') + '"' for form in forms) + ")"
            for forms in terms)
        matching: Select[Any] = select(literal_column("rowid")).select_from(
            text("claims_fts")).where(text("claims_fts MATCH :fts").bindparams(fts=expr))
        return matching
    if dialect == "postgresql":
        expr = " & ".join("(" + " | ".join(forms) + ")" for forms in terms)
        vector = func.to_tsvector(literal_column("'simple'"), Claim.text_key)
        return select(Claim.id).where(
            vector.bool_op("@@")(func.to_tsquery(literal_column("'simple'"), expr)))
    # Other engines: a plain substring test on the normalised key.
    return select(Claim.id).where(
        or_(*(Claim.text_key.contains(f, autoescape=True) for f in terms[0])))


def _mentioning(entity_ids: list[int], demonyms: bool) -> Select[Any]:
    """Claims linked to any of these entities (demonym links optionally left out)."""
    stmt = select(Mention.claim_id).where(Mention.entity_id.in_(entity_ids),
                                          Mention.review != "rejected")
    return stmt if demonyms else stmt.where(Mention.is_demonym.is_(False))


def _query_condition(session: Session, q: str, demonyms: bool = True
                     ) -> tuple[Any, list[Entity]]:
    entities = find_entities(session, q, limit=10)
    ids = [e.id for e in entities]
    # One UNION of indexed branches: an OR across them would defeat the GIN/FTS indexes.
    branches: list[Select[Any]] = []
    if ids:
        branches.append(_mentioning(ids, demonyms))
        branches.append(select(Claim.id).where(Claim.speaker_id.in_(ids)))
    match = text_match_ids(session, q)
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
        stmt = stmt.where(Claim.id.in_(_mentioning([filters.entity], filters.demonyms)))
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
    return stmt, entities


def search_claims(session: Session, filters: ClaimFilters, page_size: int = 25) -> SearchResult:
    """A page of claims matching the filters, newest first."""
    stmt, entities = filtered_query(session, filters)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // page_size))
    page = min(filters.page, pages)
    rows = session.scalars(
        stmt.options(selectinload(Claim.speaker), selectinload(Claim.source),
                     selectinload(Claim.tags))
        .order_by(Claim.created_at.desc(), Claim.id.desc())
        .limit(page_size).offset((page - 1) * page_size)
    ).all()
    return SearchResult(list(rows), total, page, pages, entities)
