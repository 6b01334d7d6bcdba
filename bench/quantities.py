"""Benchmark claims.text.quantities against the hand-checked gold in bench/data/quantities.jsonl.

The ANS headlines in the gold file are from the ANS corpus (Khouja 2020), Apache-2.0.
Run: ``.venv/bin/python bench/quantities.py``.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from claims.text.quantities import Quantity, extract_quantities

DATA = Path(__file__).resolve().parent / "data" / "quantities.jsonl"

Key = Callable[[dict], object]


def load(path: Path = DATA) -> list[dict]:
    """Gold rows (``_comment`` header lines skipped)."""
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [row for row in rows if "text" in row]


def _as_dict(q: Quantity) -> dict:
    return {"surface": q.surface, "value": q.value, "upper": q.upper, "total": q.total,
            "unit": q.unit, "approx": q.approx, "bound": q.bound, "kind": q.kind}


def _value(q: dict) -> object:
    return round(float(q["value"]), 6)


KEYS: dict[str, Key] = {
    "value": _value,
    "unit": lambda q: q["unit"],
    "value+unit": lambda q: (_value(q), q["unit"]),
    "all fields": lambda q: (_value(q), q["unit"], q["upper"] and round(q["upper"], 6),
                             q["total"], q["approx"], q["bound"], q["kind"]),
    "surface": lambda q: q["surface"],
}


def prf(pairs: Iterable[tuple[list[dict], list[dict]]], key: Key) -> tuple[float, float, float]:
    """Micro precision/recall/F1 of multiset matches of ``key`` over (gold, predicted) pairs."""
    tp = n_gold = n_pred = 0
    for gold, pred in pairs:
        g, p = Counter(map(key, gold)), Counter(map(key, pred))
        tp += sum((g & p).values())
        n_gold += sum(g.values())
        n_pred += sum(p.values())
    precision = tp / n_pred if n_pred else 1.0
    recall = tp / n_gold if n_gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate(rows: list[dict]) -> dict[str, dict[str, tuple[float, float, float]]]:
    """Scores per source (plus "all") and per key."""
    pairs = [(row["quantities"], [_as_dict(q) for q in extract_quantities(row["text"])],
              row["source"]) for row in rows]
    out: dict[str, dict[str, tuple[float, float, float]]] = {}
    for source in ["all", *sorted({p[2] for p in pairs})]:
        chosen = [(g, p) for g, p, s in pairs if source in ("all", s)]
        out[source] = {name: prf(chosen, key) for name, key in KEYS.items()}
    return out


def errors(rows: list[dict]) -> list[str]:
    """Human-readable lines for sentences where value+unit disagree."""
    lines = []
    for row in rows:
        pred = [_as_dict(q) for q in extract_quantities(row["text"])]
        key = KEYS["value+unit"]
        if Counter(map(key, row["quantities"])) != Counter(map(key, pred)):
            lines.append(f"  {row['text']}\n    gold {[key(q) for q in row['quantities']]}"
                         f"\n    got  {[key(q) for q in pred]}")
    return lines


def main() -> int:
    """Print the score table, the disagreements and the throughput."""
    rows = load()
    scores = evaluate(rows)
    print(f"{len(rows)} sentences, {sum(len(r['quantities']) for r in rows)} gold quantities")
    print(f"{'source':<14}{'key':<12}{'P':>7}{'R':>7}{'F1':>7}  n")
    for source, by_key in scores.items():
        n = sum(1 for r in rows if source in ("all", r["source"]))
        for name, (p, r, f) in by_key.items():
            print(f"{source:<14}{name:<12}{p:>7.3f}{r:>7.3f}{f:>7.3f}  {n}")
    rounds, start = 20, time.perf_counter()
    for _ in range(rounds):
        for row in rows:
            extract_quantities(row["text"])
    rate = rounds * len(rows) / (time.perf_counter() - start)
    print(f"throughput: {rate:,.0f} sentences/s")
    wrong = errors(rows)
    if wrong:
        print(f"value+unit disagreements ({len(wrong)}):")
        print("\n".join(wrong))
    return 0


if __name__ == "__main__":
    sys.exit(main())
