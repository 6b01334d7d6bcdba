"""Conflict detection between similar claims: disputed figures, negation and antonym flips."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from claims.text.arabic import normalize
from claims.text.match_analysis import Analysis, analyze, attachments
from claims.text.match_lexicon import NEGATORS

__all__ = ["conflict_reasons", "detect_conflict"]

_quantities_module: Any = None


def _quantities() -> Any:
    """claims.text.quantities when available, else None (imported lazily: optional peer)."""
    global _quantities_module
    if _quantities_module is None:
        try:
            from claims.text import quantities
        except ImportError:
            _quantities_module = False
        else:
            _quantities_module = quantities
    return _quantities_module or None


@dataclass(frozen=True, slots=True)
class _Q:
    """Minimal quantity used when claims.text.quantities is not importable."""

    value: float
    kind: str
    unit: str = ""
    upper: float | None = None
    total: float | None = None
    approx: bool = False


_NUM_RE = re.compile(r"\d+(?:\.\d+)?")


@lru_cache(maxsize=16384)
def _extract(text: str) -> tuple[Any, ...]:
    """Quantities of a text (claims.text.quantities, else bare numbers)."""
    mod = _quantities()
    if mod is not None:
        return tuple(mod.extract_quantities(text))
    out = []
    for m in _NUM_RE.finditer(normalize(text)):
        value = float(m.group())
        kind = "year" if m.group().isdigit() and 1900 <= value <= 2100 else "quantity"
        out.append(_Q(value=value, kind=kind))
    return tuple(out)


def _same_unit(a: Any, b: Any) -> bool:
    """Whether two quantities measure comparable things."""
    if a.kind != b.kind:
        return False
    mod = _quantities()
    if mod is not None and mod.same_unit(a, b):
        return True
    # A bare number ("قتل 38 من") and one with a unit ("38 شخصا") are comparable.
    return not a.unit or not b.unit or a.unit == b.unit


def _values(q: Any) -> set[float]:
    """Every figure a quantity states: value, range end, total."""
    return {v for v in (q.value, q.upper, q.total) if v is not None}


def _agrees(a: Any, b: Any) -> bool:
    """Whether two quantities can both be true (equal, overlapping or approximately so)."""
    if a.upper is not None or b.upper is not None:  # ranges: overlap is agreement
        lo_a, hi_a = a.value, a.upper if a.upper is not None else a.value
        lo_b, hi_b = b.value, b.upper if b.upper is not None else b.value
        return lo_a <= hi_b and lo_b <= hi_a
    if a.approx or b.approx:  # "about half a million" vs 480,000
        return abs(a.value - b.value) <= 0.1 * max(abs(a.value), abs(b.value))
    return a.value == b.value


def _fmt(v: float) -> str:
    """A figure as written in a reason (no trailing .0)."""
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _quantity_reasons(a: str, b: str) -> list[str]:
    """Disputed figures of comparable units, as "quantity:39≠38" reasons."""
    qa, qb = _extract(a), _extract(b)
    if not qa or not qb:
        return []
    all_a = set().union(*(_values(q) for q in qa))
    all_b = set().union(*(_values(q) for q in qb))
    # A figure mentioned anywhere on the other side (as a value, range end or total) is not
    # disputed; only unmatched figures of comparable units on both sides are.
    open_a = [q for q in qa if not any(_agrees(q, o) for o in qb) and q.value not in all_b]
    open_b = [q for q in qb if not any(_agrees(q, o) for o in qa) and q.value not in all_a]
    reasons = []
    used: set[int] = set()
    for x in open_a:
        for i, y in enumerate(open_b):
            if i not in used and _same_unit(x, y):
                used.add(i)
                label = "year" if x.kind in ("year", "date") else "quantity"
                reasons.append(f"{label}:{_fmt(x.value)}≠{_fmt(y.value)}")
                break
    return reasons


@lru_cache(maxsize=16384)
def conflict_reasons(a: str, b: str, quantities: bool = True) -> tuple[str, ...]:
    """Why ``a`` and ``b`` may contradict; ``quantities=False`` skips the costly figures."""
    reasons = _quantity_reasons(a, b) if quantities else []
    x, y = analyze(a), analyze(b)
    flips = []
    for concept in sorted(x.polar.keys() & y.polar.keys()):
        sx, wx = x.polar[concept]
        sy, wy = y.polar[concept]
        if sx * sy < 0:
            flips.append(f"antonym:{wx}/{wy}")
    negation = x.negations % 2 != y.negations % 2 and not (
        _aside(a, x, y) or _aside(b, y, x))
    # "لم ترتفع" against "انخفضت" is agreement: a negation and an antonym cancel out.
    if negation and not flips:
        reasons.append("negation")
    elif flips and not negation:
        reasons.extend(flips)
    for kind in sorted(x.places.keys() & y.places.keys()):
        only_x, only_y = x.places[kind] - y.places[kind], y.places[kind] - x.places[kind]
        if only_x and only_y:
            reasons.append(f"{kind}:{min(only_x)}≠{min(only_y)}")
    return tuple(reasons)


def _aside(text: str, mine: Analysis, other: Analysis) -> bool:
    """Whether ``text`` (``mine``) says all ``other`` says and more, and its negations govern
    only the more: "التقديرات غير الرسمية" in a claim that adds it to the other's census
    figure negates no part of what the two share."""
    if not mine.negations or other.negations or not other.stems <= mine.stems:
        return False
    if sum(w in NEGATORS for w in mine.words) != mine.negations:
        return False  # a "deny/refuse" word negates the whole claim, wherever it stands
    negated = attachments(text).negated
    return bool(negated) and not negated & other.stems


def detect_conflict(a: str, b: str, shared_entities: bool = True) -> tuple[bool, tuple[str, ...]]:
    """Whether two similar claims contradict: disputed figures, negation or antonym flips."""
    if not shared_entities:
        # Different subjects: "38 dead" in one crash does not dispute "39 dead" in another.
        return False, ()
    reasons = conflict_reasons(a, b)
    return bool(reasons), reasons
