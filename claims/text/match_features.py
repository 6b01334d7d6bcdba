"""Pair features for the learned claim-matching scorer (symmetric in the two claims)."""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from functools import lru_cache

from claims.text.match_analysis import Analysis, analyze, attachments, light_stem
from claims.text.match_conflict import conflict_reasons

__all__ = ["FEATURES", "cue_features", "edit_bag", "pair_features", "similarity", "text_features"]

# Names in the order pair_features() returns them; the model file stores the same list, so a
# model trained on another feature set is refused instead of silently misread.
FEATURES: tuple[str, ...] = (
    "jaccard",
    "containment",
    "overlap_max",
    "gram_cosine",
    "token_jaccard",
    "bigram_jaccard",
    "only_min",
    "only_max",
    "length_ratio",
    "numbers_same",
    "numbers_disjoint",
    "numbers_one_side",
    "quantity_dispute",
    "negation_flip",
    "antonym_flip",
    "place_swap",
    "similarity",
    "canon_jaccard",
    "order_inversions",
    "unaligned_min",
    "unaligned_max",
    "diff_hunks",
    "diff_replaced",
    "single_swap",
    "diff_equal",
    "diff_longest_equal",
    "single_hunk",
    "small_swaps",
    "word_jaccard",
    "reinflected",
    "look_alikes",
    "length_diff",
    "polar_opposed",
    "polar_agreed",
    "polar_flip_only",
    "negated_shared",
    "edit_score",
    "edit_hits",
)

# Blend of the hand-set similarity kept for display and for gating conflicts.
_W_JACCARD, _W_CONTAIN, _W_COSINE = 0.3, 0.2, 0.5
_NUMBER_BONUS, _NUMBER_PENALTY = 0.05, 0.1


def _gram_cosine(a: Analysis, b: Analysis) -> float:
    """Cosine of the character 3/4-gram count vectors of the content stems."""
    if not a.gram_norm or not b.gram_norm:
        return 0.0
    small, big = (a.grams, b.grams) if len(a.grams) <= len(b.grams) else (b.grams, a.grams)
    dot = sum(c * big.get(g, 0) for g, c in small.items())
    return dot / (a.gram_norm * b.gram_norm)


def _similarity(a: Analysis, b: Analysis, jac: float, cont: float, cos: float) -> float:
    """The hand-set blend of overlap scores, nudged by shared or differing figures."""
    score = _W_JACCARD * jac + _W_CONTAIN * cont + _W_COSINE * cos
    if a.numbers and b.numbers:
        # Same figures are strong evidence of the same report; different ones are either a
        # different event or a conflict, so they weigh less.
        if a.numbers == b.numbers:
            score += _NUMBER_BONUS
        elif not a.numbers & b.numbers:
            score -= _NUMBER_PENALTY
    return min(1.0, max(0.0, score))


def _overlaps(a: Analysis, b: Analysis) -> tuple[float, float, float]:
    """Stem-set Jaccard, overlap over the smaller set and over the larger set."""
    if not a.stems or not b.stems:
        return 0.0, 0.0, 0.0
    inter = len(a.stems & b.stems)
    return (
        inter / len(a.stems | b.stems),
        inter / min(len(a.stems), len(b.stems)),
        inter / max(len(a.stems), len(b.stems)),
    )


def similarity(a: str, b: str) -> float:
    """Topical similarity in [0, 1]: stem Jaccard, containment and character n-gram cosine."""
    x, y = analyze(a), analyze(b)
    jac, cont, _ = _overlaps(x, y)
    return _similarity(x, y, jac, cont, _gram_cosine(x, y))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard index of two sets (0 when both are empty)."""
    return len(a & b) / len(a | b) if a or b else 0.0


def _inversions(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Share of pairs of shared words in opposite order: swapped roles (X sues Y / Y sues X)."""
    pos_b = {w: i for i, w in enumerate(b)}
    seen: set[str] = set()
    order = []
    for w in a:
        if w in pos_b and w not in seen:
            seen.add(w)
            order.append(pos_b[w])
    pairs = len(order) * (len(order) - 1) // 2
    if not pairs:
        return 0.0
    inv = sum(1 for i in range(len(order)) for j in range(i + 1, len(order)) if order[i] > order[j])
    return inv / pairs


def _grams3(word: str) -> frozenset[str]:
    """Character trigrams of a word padded with spaces."""
    padded = f" {word} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def _unaligned(only: frozenset[str], other: frozenset[str]) -> int:
    """Words of ``only`` with no look-alike (character trigram Dice ≥ 0.5) in ``other``."""
    count = 0
    other_grams = [_grams3(w) for w in other]
    for w in only:
        g = _grams3(w)
        if not any(2 * len(g & h) >= 0.5 * (len(g) + len(h)) for h in other_grams):
            count += 1
    return count


def pair_features(a: str, b: str, cues: Mapping[str, float]) -> list[float]:
    """Feature vector of a claim pair; ``cues`` weighs words found on one side only."""
    return text_features(a, b) + cue_features(a, b, cues)


def _edit_features(x: Analysis, y: Analysis, look_alikes: int) -> list[float]:
    """How one claim was edited into the other: diff hunks of the stems, rewording."""
    # A contradiction is typically the same sentence with one word swapped (a name, a verb,
    # a figure); a paraphrase rewrites, reorders and re-inflects.
    ops = difflib.SequenceMatcher(None, x.sequence, y.sequence, autojunk=False).get_opcodes()
    hunks = [op for op in ops if op[0] != "equal"]
    equal = [i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal"]
    replaced = [op for op in hunks if op[0] == "replace"]
    small = [op for op in replaced if op[2] - op[1] <= 2 and op[4] - op[3] <= 2]
    n = max(len(x.sequence), len(y.sequence), 1)
    words_x, words_y = frozenset(x.words), frozenset(y.words)
    # Same stem, other surface form (الخسائر / خسائره): rewording, not a new fact.
    reinflected = len({light_stem(w) for w in words_x - words_y}
                      & {light_stem(w) for w in words_y - words_x})
    words = words_x | words_y
    return [
        float(len(hunks)),
        float(len(replaced)),
        float(len(hunks) == 1 and len(small) == 1),
        sum(equal) / n,
        max(equal, default=0) / n,
        float(len(hunks) == 1),
        math.log1p(len(small)),
        len(words_x & words_y) / len(words) if words else 0.0,
        math.log1p(reinflected),
        math.log1p(look_alikes),
        float(abs(len(x.words) - len(y.words))),
    ]


def _scope_features(a: str, b: str, shared: frozenset[str]) -> list[float]:
    """Shared words governed by opposite or equal polar words, or negated on one side only."""
    pa, pb = attachments(a), attachments(b)
    common = pa.polar.keys() & pb.polar.keys()
    opposed = sum(pa.polar[k] != pb.polar[k] for k in common)
    agreed = len(common) - opposed
    return [
        math.log1p(opposed),
        math.log1p(agreed),
        float(opposed > 0 and not agreed),
        float(len((pa.negated ^ pb.negated) & shared)),
    ]


def edit_bag(a: str, b: str) -> dict[str, float]:
    """How two claims differ: words on one side only, their character n-grams, word swaps."""
    x, y = analyze(a), analyze(b)
    only_x, only_y = sorted(x.tokens - y.tokens), sorted(y.tokens - x.tokens)
    bag: dict[str, float] = {}
    for t in (*only_x, *only_y):
        bag["w:" + t] = 1.0
        # n-grams reach inflected forms the light stemmer leaves apart (فشل، تفشل، فشلت).
        padded = f" {t} "
        for n in (3, 4):
            for i in range(len(padded) - n + 1):
                key = "g:" + padded[i : i + n]
                bag[key] = bag.get(key, 0.0) + 0.25
    # A word replaced by another (ارتفاع → انخفاض) is the typical contradiction edit; the
    # pair is also keyed by rough roots so تراجع/ارتفع and يتراجع/ارتفاع meet.
    for t in only_x[:10]:
        for u in only_y[:10]:
            bag["p:" + "|".join(sorted((t, u)))] = 1.0
            bag["r:" + "|".join(sorted((_root(t), _root(u))))] = 1.0
    for side, other in ((x, y), (y, x)):
        if side.negations % 2 and not other.negations % 2:
            bag["neg:" + "|".join(sorted(side.tokens - other.tokens)[:3])] = 1.0
    return bag


@lru_cache(maxsize=1 << 16)
def _root(word: str) -> str:
    """A rough root key: present-tense prefix and long vowels dropped, first three letters."""
    if len(word) >= 4 and word[0] in "يتنا":
        word = word[1:]
    core = word[0] + "".join(c for c in word[1:] if c not in "اوي") if word else word
    return core[:3]


def cue_features(a: str, b: str, cues: Mapping[str, float]) -> list[float]:
    """Learned contradiction-edit score of how the claims differ, and the number of cue hits."""
    bag = edit_bag(a, b)
    hits = [v * cues[k] for k, v in bag.items() if k in cues]
    return [cues.get("bias", 0.0) + sum(hits), math.log1p(len(hits))]


def text_features(a: str, b: str) -> list[float]:
    """The features that need no learned data, in FEATURES order."""
    x, y = analyze(a), analyze(b)
    jac, cont, omax = _overlaps(x, y)
    cos = _gram_cosine(x, y)
    only_x, only_y = len(x.stems - y.stems), len(y.stems - x.stems)
    un_x = _unaligned(x.stems - y.stems, y.stems - x.stems)
    un_y = _unaligned(y.stems - x.stems, x.stems - y.stems)
    nx, ny = len(x.words), len(y.words)
    # Figures are compared only when both sides have digits: extraction is the costly part.
    figures = bool(x.numbers and y.numbers)
    reasons = conflict_reasons(a, b, figures) if a <= b else conflict_reasons(b, a, figures)
    flips = x.negations % 2 != y.negations % 2
    return [
        jac,
        cont,
        omax,
        cos,
        _jaccard(x.tokens, y.tokens),
        _jaccard(x.bigrams, y.bigrams),
        math.log1p(min(only_x, only_y)),
        math.log1p(max(only_x, only_y)),
        min(nx, ny) / max(nx, ny) if nx and ny else 0.0,
        float(bool(x.numbers) and x.numbers == y.numbers),
        float(bool(x.numbers and y.numbers) and not x.numbers & y.numbers),
        float(bool(x.numbers) != bool(y.numbers)),
        float(sum(r.startswith(("quantity:", "year:")) for r in reasons)),
        float(flips),
        float(sum(r.startswith("antonym:") for r in reasons)),
        float(sum(r.startswith(("place:", "currency:", "direction:")) for r in reasons)),
        _similarity(x, y, jac, cont, cos),
        _jaccard(frozenset(x.sequence), frozenset(y.sequence)),
        _inversions(x.sequence, y.sequence),
        math.log1p(min(un_x, un_y)),
        math.log1p(max(un_x, un_y)),
        # Words of one side with a look-alike on the other: the same word re-inflected.
        *(_edit_features(x, y, max(only_x - un_x, only_y - un_y)) if a <= b
          else _edit_features(y, x, max(only_x - un_x, only_y - un_y))),
        *_scope_features(a, b, x.stems & y.stems),
    ]
