"""How a search query divides into entity names and the other words it asks for."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from claims.models import Entity
from claims.services import linker
from claims.services.text_match import without_possessives
from claims.text.arabic import normalize
from claims.text.clitics import STOPWORDS

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class QueryParts:
    """The matched entities grouped by the name they share in the query (several ids for a
    homonym), and the query's other words (function words dropped; "" when none)."""

    groups: tuple[frozenset[int], ...]
    rest: str


def split_query(session: Session, q: str, entities: list[Entity]) -> QueryParts:
    """Place each matched entity on its name in ``q``; what no name covers is ``rest``.

    When some matched entity is named by no span of ``q`` (the whole query in an unusual
    spelling), the query is one name: every entity in one group, no other words."""
    ids = {e.id for e in entities}
    spans: list[tuple[int, int, set[int]]] = []
    for match in linker.alias_index(session).find(q):
        if match.entity_id in ids:
            spans.append((match.start, match.end, {match.entity_id}))
    if not ids or {i for *_, group in spans for i in group} != ids:
        return QueryParts((frozenset(ids),) if ids else (), "")
    # Overlapping names (a demonym inside a longer name) are one name.
    merged: list[tuple[int, int, set[int]]] = []
    for start, end, group in sorted(spans, key=lambda s: (s[0], s[1])):
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2] | group)
        else:
            merged.append((start, end, group))
    rest = [w.group() for w in _WORD.finditer(without_possessives(q))
            if not any(w.start() < end and start < w.end() for start, end, _ in merged)
            and normalize(w.group()) not in STOPWORDS]
    return QueryParts(tuple(frozenset(g) for *_, g in merged), " ".join(rest))
