"""The hits of entity linking (an alias read at a token) and the mentions they make."""

from __future__ import annotations

from typing import NamedTuple

from claims.text.clitics import CliticForm
from claims.text.link_keys import Match, Token, raw_offset

__all__ = ["Cand", "Hit", "Plan", "hit_match", "hit_span"]


class Cand(NamedTuple):
    """An alias that a key may name: its alias, its entity and its tier."""

    alias_id: int
    entity_id: int
    tier: str  # "name" | "short" | "demonym"


# A token's readings that may start an exact key, and a variant (by skeleton or not).
Plan = tuple[tuple[CliticForm, ...], tuple[tuple[CliticForm, bool], ...]]


class Hit(NamedTuple):
    """The best reading of an alias starting at one token."""

    n: int  # tokens covered
    score: float
    cand: Cand
    method: str
    needs_review: bool
    cut: int


def hit_match(text: str, toks: list[Token], i: int, hit: Hit) -> Match:
    """The mention of ``hit`` at token ``i``, with offsets into ``text``."""
    start, end = hit_span(text, toks, i, hit)
    return Match(
        entity_id=hit.cand.entity_id, alias_id=hit.cand.alias_id, start=start, end=end,
        surface=text[start:end], method=hit.method, confidence=hit.score,
        is_demonym=hit.cand.tier == "demonym", needs_review=hit.needs_review,
    )


def hit_span(text: str, toks: list[Token], i: int, hit: Hit) -> tuple[int, int]:
    """Offsets into ``text`` of ``hit`` at token ``i`` (a proclitic cut off the first token)."""
    _, tstart, tend, _ = toks[i]
    end = toks[i + hit.n - 1][2]
    return (tstart + raw_offset(text[tstart:tend], hit.cut) if hit.cut else tstart), end
