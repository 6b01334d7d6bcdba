"""Rare-word candidates for claim matching, beside the MinHash/LSH bands.

Paraphrases that reword most of a claim share too few stems to collide in an LSH band, but
they usually keep a rare name or word (عفرين، انستغرام، الإسترليني).  Each query word is looked
up by the most stripped form ``text_search_key`` gives it, so the in-memory ``WordIndex`` and
the app's full-text index (FTS5 / tsvector over ``claims.text_key``, which holds every form)
find the same claims; ``rank`` then scores both the same way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from claims.text.link_keys import text_search_key, tokens
from claims.text.match_analysis import content_stems

__all__ = ["DF_CAP", "MAX_TERMS", "WORD_CANDIDATES", "WordIndex", "claim_terms", "query_terms",
           "rank"]

# A term found in more than DF_CAP claims is too common to point at a story; reading at most
# DF_CAP + 1 postings per term bounds the work at any archive size (a million claims too).
DF_CAP = 200
# Query words looked up (longest first: a cheap proxy for rarity before postings are read).
MAX_TERMS = 10
# Of those under the cap, only the rarest few select candidates, like an FTS query with the
# rarest terms; the rest still add to the score of claims they share.
RARE_TERMS = 4
# Candidates this branch adds to the LSH shortlist before the precise score.
WORD_CANDIDATES = 20

_TERM_RE = re.compile(r"\w+")


@lru_cache(maxsize=65536)
def _term(token: str) -> str | None:
    """The lookup term of one normalised token: its most stripped search-key form."""
    forms = _TERM_RE.findall(text_search_key(token))
    if not forms or not content_stems(token):
        return None  # a function word or negator: no topic
    term = forms[-1]
    return term if len(term) >= 3 or term.isdigit() else None


def query_terms(text: str) -> list[str]:
    """Distinct lookup terms of a text's content words, longest first, at most MAX_TERMS."""
    found = dict.fromkeys(t for t in (_term(tok) for tok, *_ in tokens(text)) if t)
    return sorted(found, key=lambda t: (-len(t), t))[:MAX_TERMS]


def claim_terms(text: str) -> frozenset[str]:
    """Every word form a stored claim is found by (the words of its full-text key)."""
    return frozenset(_TERM_RE.findall(text_search_key(text)))


def rank(postings: Mapping[str, Sequence[int]], limit: int = WORD_CANDIDATES) -> list[int]:
    """Claim ids sharing the rarest terms, by summed IDF; ``postings`` hold ≤ DF_CAP + 1 ids."""
    usable = sorted((len(ids), term) for term, ids in postings.items()
                    if 0 < len(ids) <= DF_CAP)
    if not usable:
        return []
    scores: dict[int, float] = {}
    for i, (df, term) in enumerate(usable):
        # IDF against the cap, not the archive size: the app and the in-memory index then
        # weigh alike without counting claims (a full scan on PostgreSQL).
        weight = 1.0 + math.log((DF_CAP + 1) / df)
        for cid in postings[term]:
            if i < RARE_TERMS or cid in scores:
                scores[cid] = scores.get(cid, 0.0) + weight
    # Newest first on ties, as the LSH branch in SQL.
    return sorted(scores, key=lambda cid: (-scores[cid], -cid))[:limit]


class WordIndex:
    """In-memory postings of claim terms, each kept to DF_CAP + 1 ids as the SQL reads them."""

    def __init__(self) -> None:
        """Create an empty index."""
        self._postings: dict[str, list[int]] = {}

    def add(self, claim_id: int, text: str) -> None:
        """Index a claim's terms."""
        for term in claim_terms(text):
            ids = self._postings.setdefault(term, [])
            if len(ids) <= DF_CAP:  # beyond, the term is only known to be common
                ids.append(claim_id)

    def candidates(self, text: str, limit: int = WORD_CANDIDATES) -> list[int]:
        """Claim ids sharing rare words with ``text``, best first."""
        postings = {t: self._postings[t] for t in query_terms(text) if t in self._postings}
        return rank(postings, limit)
