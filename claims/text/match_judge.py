"""Same-claim and conflict verdicts for claim pairs, from the learned model and the rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from claims.text.match_analysis import analyze
from claims.text.match_conflict import conflict_reasons
from claims.text.match_features import similarity
from claims.text.match_model import load_model, pair_probabilities

__all__ = ["RULE_SIMILARITY", "Verdict", "judge_many", "judge_pair", "relatedness"]

# A disputed figure, negation or antonym flip between claims at least this similar (hand-set
# blend of match_features) is a conflict even when the model is unsure they are related: the
# model sees few "38 vs 39 dead" pairs.  Tuned on ANS train.csv with the rules.
RULE_SIMILARITY = 0.3


@dataclass(frozen=True, slots=True)
class Verdict:
    """How a stored claim relates to a query: score in [0, 1], relation and reasons."""

    score: float  # probability that both are about the same story
    relation: str  # "same" | "conflict" | "related"
    same: float  # probability that they say the same thing, given they are related
    reasons: tuple[str, ...] = ()


def _identical(a: str, b: str) -> bool:
    """Same words in the same order once spelling, diacritics and clitics are folded."""
    x, y = analyze(a), analyze(b)
    return bool(x.sequence) and x.sequence == y.sequence and x.tokens == y.tokens


def judge_many(query: str, others: Sequence[str], shared: Sequence[bool]) -> list[Verdict]:
    """Verdicts for ``query`` against each of ``others`` (one model call for the batch)."""
    # shared[i] is False when the two claims are known to be about different entities: they
    # may still be the same claim in other words, but are never called a conflict.
    model = load_model()
    probs = pair_probabilities([(query, o) for o in others])
    out = []
    for other, ok, (related, same) in zip(others, shared, probs.tolist(), strict=True):
        if _identical(query, other):
            out.append(Verdict(1.0, "same", 1.0))
            continue
        if not analyze(query).stems or not analyze(other).stems:
            out.append(Verdict(0.0, "related", 0.0))  # nothing to compare
            continue
        relation = model.relation(related, same)
        reasons: tuple[str, ...] = ()
        if relation != "same" and ok:
            # The rules are asked only where they can change or explain the verdict.
            if relation == "conflict" or similarity(query, other) >= RULE_SIMILARITY:
                reasons = conflict_reasons(query, other)
            if reasons:
                relation = "conflict"
            elif relation == "conflict":
                reasons = ("wording",)  # the model found contradicting wording, no rule did
        elif relation == "conflict":
            relation = "related"
        if relation != "conflict":
            reasons = ()
        out.append(Verdict(related, relation, same, reasons))
    return out


def judge_pair(a: str, b: str, shared_entities: bool = True) -> Verdict:
    """Verdict for one pair of claim texts."""
    return judge_many(a, [b], [shared_entities])[0]


def relatedness(a: str, b: str) -> float:
    """Probability in [0, 1] that two claims are about the same story (symmetric)."""
    return judge_pair(a, b).score
