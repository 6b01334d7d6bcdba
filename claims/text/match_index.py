"""In-memory LSH index over claim signatures, with the learned precise score on top."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from claims.text.match_analysis import claim_signature
from claims.text.match_features import similarity
from claims.text.match_judge import judge_many
from claims.text.match_words import WORD_CANDIDATES, WordIndex
from claims.text.minhash import band_hashes

__all__ = ["Candidate", "MatchIndex"]


@dataclass(frozen=True)
class Candidate:
    """A stored claim proposed as a match for a query text."""

    claim_id: int
    score: float
    relation: str  # "same" | "conflict" | "related"
    reasons: tuple[str, ...] = ()


class MatchIndex:
    """In-memory LSH and rare-word index; the app keeps band keys and full text in SQL."""

    # Candidates ranked by band hits before scoring: bounds lookup cost at any size.  40 (not
    # 60) since the word branch came: as many claims are scored, and as many found (train).
    RERANK = 40
    # Rare-word candidates (match_words) added to them.
    WORDS = WORD_CANDIDATES
    # Of those, only the most similar (cheap score) go through the learned model.
    PRECISE = 15
    # Recent additions live in a dict; they are merged into sorted numpy arrays in bulk.
    _MERGE_AT = 5000

    def __init__(self) -> None:
        """Create an empty index."""
        self._texts: dict[int, str] = {}
        self._entities: dict[int, frozenset[int]] = {}
        self._keys = np.empty(0, dtype=np.int64)
        self._ids = np.empty(0, dtype=np.int64)
        self._pending: dict[int, list[int]] = {}
        self._pending_count = 0
        self._words = WordIndex()

    def __len__(self) -> int:
        """Number of claims added."""
        return len(self._texts)

    def add(self, claim_id: int, text: str, entity_ids: frozenset[int] = frozenset()) -> None:
        """Index a claim's text (and its linked entity ids, used to gate conflicts)."""
        self._texts[claim_id] = text
        if entity_ids:
            self._entities[claim_id] = frozenset(entity_ids)
        self._words.add(claim_id, text)
        for h in band_hashes(claim_signature(text)):
            self._pending.setdefault(h, []).append(claim_id)
            self._pending_count += 1
        if self._pending_count >= max(self._MERGE_AT, len(self._keys) // 4):
            self._merge()

    def _merge(self) -> None:
        """Fold pending band entries into the sorted arrays (amortised O(n log n))."""
        if not self._pending_count:
            return
        keys = np.fromiter(
            (k for k, ids in self._pending.items() for _ in ids), np.int64, self._pending_count
        )
        ids = np.fromiter(
            (i for lst in self._pending.values() for i in lst), np.int64, self._pending_count
        )
        keys = np.concatenate([self._keys, keys])
        ids = np.concatenate([self._ids, ids])
        order = np.argsort(keys, kind="stable")
        self._keys, self._ids = keys[order], ids[order]
        self._pending.clear()
        self._pending_count = 0

    def _lookup(self, hashes: Sequence[int]) -> Counter[int]:
        """Band-hit counts of every claim sharing at least one band with the query."""
        hits: Counter[int] = Counter()
        if hashes and len(self._keys):
            q = np.asarray(hashes, dtype=np.int64)
            lo = np.searchsorted(self._keys, q, "left")
            hi = np.searchsorted(self._keys, q, "right")
            chunks = [self._ids[s:e] for s, e in zip(lo, hi, strict=True) if e > s]
            if chunks:
                found, counts = np.unique(np.concatenate(chunks), return_counts=True)
                hits.update(dict(zip(found.tolist(), counts.tolist(), strict=True)))
        for h in hashes:
            hits.update(self._pending.get(h, ()))
        return hits

    def candidates(
        self, text: str, entity_ids: frozenset[int] = frozenset(), limit: int = 10
    ) -> list[Candidate]:
        """Stored claims most similar to ``text``, best first, each labelled same/conflict."""
        hits = self._lookup(band_hashes(claim_signature(text)))
        shortlist = [cid for cid, _ in hits.most_common(self.RERANK)]
        # Rare-word candidates join the band candidates before the precise score.
        shortlist = list(dict.fromkeys([*shortlist, *self._words.candidates(text, self.WORDS)]))
        shortlist.sort(key=lambda cid: (-similarity(text, self._texts[cid]), cid))
        shortlist = shortlist[: max(limit, self.PRECISE)]
        shared = []
        for cid in shortlist:
            stored = self._entities.get(cid, frozenset())
            # Unknown entities (either side unlinked) do not rule a conflict out.
            shared.append(not (entity_ids and stored) or bool(entity_ids & stored))
        verdicts = judge_many(text, [self._texts[cid] for cid in shortlist], shared)
        out = [
            Candidate(cid, round(v.score, 4), v.relation, v.reasons)
            for cid, v in zip(shortlist, verdicts, strict=True)
        ]
        out.sort(key=lambda c: (-c.score, c.claim_id))
        return out[:limit]
