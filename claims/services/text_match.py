"""Full-text matching of claims: FTS5 on SQLite, the stored tsvector on PostgreSQL."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from sqlalchemy import Select, column, func, literal_column, or_, select, table, text
from sqlalchemy.orm import Session

from claims.db import PG_TEXT_COLUMN
from claims.models import Claim
from claims.text.arabic import normalize
from claims.text.clitics import clitic_forms
from claims.text.inflection import inflected_forms
from claims.text.linking import candidate_keys

_WORD_RE = re.compile(r"\w+")
# Longest query accepted by full-text search, in words; more adds nothing but cost.
MAX_QUERY_WORDS = 12


# The accusative indefinite is written with a final alef (شخصاً، عامًا، شريكًا) that keys keep
# once the tanween is gone, so a word typed bare also looks for that form; never the other
# way (روسيا is no accusative of روسي).  Words ending in alef, alef maqsura or ta marbuta
# (ه once normalised) take no such alef.
_ACCUSATIVE = re.compile(r"^[\u0621-\u064a]{2,}(?<![اىه])$")


# An English possessive (Putin's, pasted from an English report) is the name alone: its 's
# is no word a claim must hold.
_POSSESSIVE = re.compile(r"(?<=[A-Za-z])['’][sS]\b")


def without_possessives(q: str) -> str:
    """``q`` with each English possessive's 's blanked (as many spaces: offsets still hold)."""
    return _POSSESSIVE.sub(lambda m: " " * len(m.group()), q)


def query_terms(q: str) -> list[list[str]]:
    """For each word of a query, the search-key forms it may take (clitics stripped, regular
    suffixes added or removed: صاروخ finds صاروخين, تحطم finds تحطمت)."""
    terms: list[list[str]] = []
    for word in _WORD_RE.findall(normalize(without_possessives(q)))[:MAX_QUERY_WORDS]:
        keys = {word}
        for key in candidate_keys(word):
            keys.update(_WORD_RE.findall(key))
        forms = keys | {form for key in _bare_readings(word) for form in inflected_forms(key)}
        if _ACCUSATIVE.match(word):
            forms.add(word + "ا")
        terms.append(sorted(forms))
    return terms


def _bare_readings(word: str) -> list[str]:
    """The most stripped clitic readings of a normalised word, the ones worth inflecting: a
    claim's key holds each word's most stripped readings too (وللحكومات → حكومات), so
    inflecting للحكومه as well as حكومه would only add forms no key holds."""
    readings = [f.form for f in clitic_forms(word)]
    return [r for r in readings
            if not any(len(other) < len(r) and r.endswith(other) for other in readings)]


# SQLite's contentless index holds each claim under rowid -id (migration 0007), so ascending
# rowids, the order FTS5 walks cheaply, are the newest claims first.
_FTS = table("claims_fts", column("rowid"))
FTS_NEWEST_FIRST = _FTS.c.rowid.asc()


def fts_ids(expression: str, param: str = "fts") -> Select[Any]:
    """SQLite: the ids (column ``id``) of claims whose key matches an FTS5 ``expression``."""
    return select((-_FTS.c.rowid).label("id")).where(
        text(f"claims_fts MATCH :{param}").bindparams(**{param: expression}))


class Extra(NamedTuple):
    """What search syntax adds to a full-text match (``phrase_match``): more words each
    claim must hold, and conditions on its row (phrase order, exclusions)."""

    terms: list[list[str]]
    conds: list[Any]
    # FTS5 only: raw sub-expressions the match must also satisfy (a phrase's NEAR groups).
    fts: tuple[str, ...] = ()


def text_match_ids(session: Session, q: str, extra: Extra | None = None, param: str = "fts"
                   ) -> Select[Any] | None:
    """A SELECT of the ids of claims matching ``q`` (and ``extra``) in full text (FTS5 or
    tsvector), or None when there is no word to look for; ``param`` names the FTS5 match's
    bound expression, unique within one statement (a shared name binds one value to all)."""
    terms = query_terms(q) + (extra.terms if extra is not None else [])
    if not terms:
        return None
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        found = fts_ids(fts5_expression(terms, extra), param)
        if extra is None or not extra.conds:
            return found
        return found.join(Claim.__table__, Claim.id == -_FTS.c.rowid).where(*extra.conds)
    conds = extra.conds if extra is not None else []
    return select(Claim.id).where(_text_condition(dialect, terms), *conds)

# The stored tsvector of text_key (PostgreSQL only; migration 0005, outside the models).
_TSV: Any = literal_column(f"claims.{PG_TEXT_COLUMN}")


def tsv_matches(tsquery: Any) -> Any:
    """PostgreSQL: the claims row's stored tsvector matches ``tsquery``."""
    return _TSV.bool_op("@@")(tsquery)


def _text_condition(dialect: str, terms: list[list[str]]) -> Any:
    """The claims-row condition for a full-text match where there is no FTS5 table."""
    if dialect == "postgresql":
        expr = " & ".join("(" + " | ".join(forms) + ")" for forms in terms)
        return tsv_matches(func.to_tsquery(literal_column("'simple'"), expr))
    # Other engines: a plain substring test on the normalised key.
    return or_(*(Claim.text_key.contains(f, autoescape=True) for f in terms[0]))


def text_match_branch(session: Session, q: str, conds: list[Any], extra: Extra | None = None,
                      before: int | None = None) -> tuple[Select[Any], Any] | None:
    """Claims matching q (and ``extra``) in full text and ``conds`` (one ``id`` column), with
    the ORDER BY that walks them newest first: FTS5 in rowid order on SQLite, the tsvector
    else; from the cursor ``before`` (an id ``conds`` also hold claims under), if any."""
    terms = query_terms(q) + (extra.terms if extra is not None else [])
    if not terms:
        return None
    dialect = session.get_bind().dialect.name
    if extra is not None:
        conds = [*conds, *extra.conds]
    if dialect != "sqlite":
        # PostgreSQL plans each branch's newest-first LIMIT itself from the stored column's
        # word statistics: a frequent word walks the primary key backwards and stops at the
        # page (testing the stored tsvector is cheap), a rare one reads the GIN index.
        found = select(Claim.id.label("id")).where(_text_condition(dialect, terms), *conds)
        return found, Claim.id.desc()
    stmt = fts_ids(fts5_expression(terms, extra))
    if before is not None:  # FTS5 starts its rowid walk there instead of skipping up to it
        stmt = stmt.where(_FTS.c.rowid > -before)
    if conds:
        stmt = stmt.join(Claim.__table__, Claim.id == -_FTS.c.rowid).where(*conds)
    return stmt, FTS_NEWEST_FIRST


def fts5_expression(terms: list[list[str]], extra: Extra | None = None) -> str:
    """An FTS5 query: every word, in any of its forms (each form a quoted phrase), and the
    raw groups ``extra`` adds."""
    return " AND ".join([
        *("(" + " OR ".join('"' + form.replace('"', '""') + '"' for form in forms) + ")"
          for forms in terms),
        *(extra.fts if extra is not None else ())])
