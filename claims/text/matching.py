"""Claim matching: find stored claims that say the same thing, and flag conflicting ones.

The parts live in their own modules: ``match_lexicon`` (word lists), ``match_analysis``
(stems, signatures), ``match_conflict`` (rule-based conflict reasons), ``match_features`` and
``match_model`` (the learned scorer), ``match_judge`` (verdicts), ``match_words`` (rare-word
candidates) and ``match_index`` (the in-memory LSH and word index).  This module keeps the
public names in one place.
"""

from __future__ import annotations

from claims.text.match_analysis import claim_signature, lsh_band_keys
from claims.text.match_conflict import detect_conflict
from claims.text.match_features import similarity
from claims.text.match_index import Candidate, MatchIndex
from claims.text.match_judge import Verdict, judge_many, judge_pair, relatedness
from claims.text.match_model import load_model

# SAME_THRESHOLD and CONFLICT_THRESHOLD are importable too (module __getattr__ below).
__all__ = [
    "Candidate",
    "MatchIndex",
    "Verdict",
    "claim_signature",
    "detect_conflict",
    "judge_many",
    "judge_pair",
    "lsh_band_keys",
    "score_pair",
    "similarity",
]


def __getattr__(name: str) -> float:
    """SAME_THRESHOLD and CONFLICT_THRESHOLD, read from the model file on first use."""
    # The lowest score (relatedness) at which a pair can be called the same claim, or a
    # conflict; chosen on ANS train.csv only (bench/train_matcher.py).  Lazy, so importing
    # this module never fails while the model is being retrained.
    if name == "SAME_THRESHOLD":
        return load_model().related_min
    if name == "CONFLICT_THRESHOLD":
        return load_model().conflict_related_min
    raise AttributeError(name)


def score_pair(a: str, b: str) -> float:
    """Precise score in [0, 1] of two claim texts: how likely they are about the same story."""
    return relatedness(a, b)
