"""Rare-word candidates for claim matching, read from the existing full-text index."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, literal, literal_column, select, union_all
from sqlalchemy.orm import Session

from claims.models import Claim
from claims.services.text_match import fts_ids, tsv_matches
from claims.text.match_words import DF_CAP, query_terms, rank

__all__ = ["word_candidates"]


def _term_postings(session: Session, n: int, term: str) -> Select[Any]:
    """(term, claim id) of at most DF_CAP + 1 claims whose full-text key holds ``term``."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        hits = fts_ids('"' + term.replace('"', '""') + '"', f"fts{n}")
    else:  # PostgreSQL: the stored tsvector (a frequent term stops after DF_CAP + 1 rows)
        query = func.plainto_tsquery(literal_column("'simple'"), literal(term))
        hits = select(Claim.id.label("id")).where(tsv_matches(query))
    # Wrapped: SQLite refuses a LIMIT on a bare member of a UNION ALL.
    bounded = hits.limit(DF_CAP + 1).subquery()
    return select(literal(term).label("term"), bounded.c.id)


def word_candidates(session: Session, text_: str, limit: int,
                    exclude_id: int | None = None) -> list[int]:
    """Claims sharing the query's rarest words (match_words.rank over the full-text index)."""
    if session.get_bind().dialect.name not in ("sqlite", "postgresql"):
        return []  # no full-text index: the LSH bands alone
    terms = query_terms(text_)
    if not terms:
        return []
    postings: dict[str, list[int]] = {t: [] for t in terms}
    for term, claim_id in session.execute(
            union_all(*(_term_postings(session, n, t) for n, t in enumerate(terms)))):
        postings[term].append(claim_id)
    found = rank(postings, limit + 1)
    return [i for i in found if i != exclude_id][:limit]
