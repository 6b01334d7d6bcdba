"""Typed search queries to entities, over the tables of an ``AliasIndex`` (``linking``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, TypeVar

from claims.text.clitics import clitic_forms, demonym_base, skeleton
from claims.text.link_keys import CONFIDENCE, REVIEW_CONFIDENCE, alias_key, candidate_keys

__all__ = ["lookup"]

_TIER_WEIGHT = {"name": 1.0, "demonym": 0.9, "short": 0.85}


class _Candidate(Protocol):
    @property
    def entity_id(self) -> int: ...

    @property
    def tier(self) -> str: ...


C = TypeVar("C", bound=_Candidate)

def lookup(query: str, exact: Mapping[str, Sequence[C]], skel: Mapping[str, Sequence[C]],
           is_variant: Callable[[str, C, str], bool],
           find: Callable[[str], list[tuple[int, float]]]) -> list[tuple[int, float]]:
    """Entities (with best confidence) that a typed search query names, best first.

    ``exact`` and ``skel`` are the index's key and skeleton tables, ``is_variant`` its test
    of a genuine spelling variant, and ``find`` its (entity, confidence) mentions in a text,
    the last resort for a query that is a whole phrase.
    """
    best: dict[int, float] = {}

    def note(cands: Sequence[C], score: float, demonym_only: bool = False) -> None:
        ents = {c.entity_id for c in cands if not demonym_only or c.tier == "demonym"}
        for c in cands:
            if demonym_only and c.tier != "demonym":
                continue
            s = score * _TIER_WEIGHT[c.tier]
            if len(ents) > 1:
                s = min(s, REVIEW_CONFIDENCE)
            best[c.entity_id] = max(best.get(c.entity_id, 0.0), round(s, 3))

    key = alias_key(query)
    if not key:
        return []
    toks = key.split(" ")
    for form in clitic_forms(toks[0]):
        k = " ".join([form.form, *toks[1:]])
        base = demonym_base(k) if len(toks) == 1 else None
        for kk in (k, base) if base else (k,):
            if kk in exact:
                note(exact[kk], 1.0 if kk == key else 0.95, form.article_removed)
    if not best:
        for k in candidate_keys(query)[1:]:
            if k in exact:
                note(exact[k], CONFIDENCE["variant"])
        sk = " ".join(skeleton(t) for t in toks)
        cands = [c for c in skel.get(sk, ()) if is_variant(sk, c, key)]
        if not best and cands:
            note(cands, CONFIDENCE["variant"])
    if not best:
        for entity_id, confidence in find(query):
            best[entity_id] = max(best.get(entity_id, 0.0), confidence)
    return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
