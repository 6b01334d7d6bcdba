"""Per-claim cost of the text derivations the bulk load and relink run, on realistic text.

Run: ``.venv/bin/python bench/derive_profile.py [--n 5000] [--profile NAME]`` from the
repository root; ``--write-fixture`` stores the current outputs of ``extract_quantities`` and
the LSH band keys for the equivalence test (tests/test_text_speed.py).
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import csv
import gzip
import hashlib
import json
import pstats
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus_gen import entity_specs, make_claim  # noqa: E402
from claims.text.matching import claim_signature, lsh_band_keys  # noqa: E402
from claims.text.quantities import extract_quantities  # noqa: E402

SHARED = ROOT.parent / "shared"
FIXTURE = ROOT / "tests" / "data" / "text-derivations.json.gz"


def synthetic(n: int, first: int = 0) -> list[str]:
    """Claims first..first+n-1 of the bench corpus (entity ids are stand-ins, no database)."""
    names: list[tuple[int, str]] = []
    people: list[int] = []
    for eid, (_, kind, ar, _en, aliases) in enumerate(entity_specs(), start=1):
        names += [(eid, ar)] + [(eid, a) for a, _k, lang in aliases if lang == "ar"]
        people += [eid] if kind == "person" else []
    return [make_claim(i, names, people)["text"] for i in range(first, first + n)]


def ans_headlines() -> list[str]:
    """ANS claim headlines (train, then dev), when the shared data set is present."""
    out: list[str] = []
    for name in ("train.csv", "dev.csv"):
        path = SHARED / "data" / "ans" / "claim" / name
        if path.is_file():
            with path.open(encoding="utf-8") as fh:
                out += [row["claim_s"] for row in csv.DictReader(fh)]
    return out


def debate_lines() -> list[str]:
    """Sentences of the CLEF 2018 Arabic debate transcripts (spoken numbers, long lines)."""
    out: list[str] = []
    for path in sorted((SHARED / "data" / "clef2018-ar").glob("*.txt")):
        for line in path.read_text("utf-8-sig").splitlines():
            parts = line.split("\t")
            out += [parts[2]] if len(parts) > 2 and parts[2].strip() else []
    return out


def test_literals() -> list[str]:
    """Arabic string literals of the quantity and matching tests (every supported form)."""
    out: list[str] = []
    for name in ("test_text_quantities.py", "test_text_matching.py"):
        tree = ast.parse((ROOT / "tests" / name).read_text("utf-8"))
        out += [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                and isinstance(n.value, str) and re.search("[\u0600-\u06ff]", n.value)]
    article = SHARED / "seed" / "article-ar.txt"
    if article.is_file():
        out += [s for s in re.split(r"(?<=[.!؟])\s+", article.read_text("utf-8")) if s.strip()]
    return out


def fixture_sentences() -> list[str]:
    """A fixed, varied sample: synthetic claims, headlines, debate lines, test literals."""
    rng = random.Random(6)
    ans, debate = ans_headlines(), debate_lines()
    picked = (synthetic(1500, first=10_000) + rng.sample(ans, min(1500, len(ans)))
              + rng.sample(debate, min(800, len(debate))) + test_literals())
    return list(dict.fromkeys(picked))


def quantity_rows(text: str) -> list[list[Any]]:
    """extract_quantities as JSON-ready rows (every field of every Quantity)."""
    return [[q.start, q.end, q.surface, q.value, q.upper, q.total, q.unit, q.approx, q.bound,
             q.kind] for q in extract_quantities(text)]


def band_digest(text: str) -> str:
    """A short digest of the claim's LSH band keys (order kept, as stored)."""
    keys = lsh_band_keys(claim_signature(text))
    return hashlib.blake2b(" ".join(keys).encode(), digest_size=8).hexdigest()


def write_fixture(path: Path = FIXTURE) -> int:
    """Store (sentence, quantities, band digest) made by the current code."""
    rows = [{"t": t, "q": quantity_rows(t), "b": band_digest(t)} for t in fixture_sentences()]
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(rows, fh, ensure_ascii=False, separators=(",", ":"))
    return len(rows)


def per_claim_ms(fn: Callable[[str], Any], texts: Sequence[str]) -> float:
    """Mean CPU milliseconds per text, over one pass (caches warm as they would in a load)."""
    # CPU time, not wall time: the 2-core bench machine is shared, so wall time is noisy.
    began = time.process_time()
    for t in texts:
        fn(t)
    return (time.process_time() - began) * 1000 / max(len(texts), 1)


def main(argv: Sequence[str] | None = None) -> None:
    """Print ms/claim of each derivation; optionally a cProfile of one of them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--profile", choices=("quantities", "signature", "all"), default=None)
    parser.add_argument("--write-fixture", action="store_true")
    args = parser.parse_args(argv)
    if args.write_fixture:
        print(f"wrote {write_fixture()} sentences to {FIXTURE}")
        return
    began = time.process_time()
    texts = synthetic(args.n)
    gen_ms = (time.process_time() - began) * 1000 / args.n
    sets = {"synthetic": texts, "ANS headlines": ans_headlines()[: args.n]}
    fns: dict[str, Callable[[str], Any]] = {
        "extract_quantities": extract_quantities,
        "claim_signature + lsh_band_keys": lambda t: lsh_band_keys(claim_signature(t)),
    }
    print(f"synthetic generator: {gen_ms:.3f} ms/claim")
    print("| text | function | ms/claim |\n|---|---|---|")
    for label, data in sets.items():
        for name, fn in fns.items():
            print(f"| {label} | {name} | {per_claim_ms(fn, data):.3f} |")
    if args.profile:
        chosen = {k: v for k, v in fns.items()
                  if args.profile == "all" or args.profile[:5] in k}
        prof = cProfile.Profile()
        prof.enable()
        for fn in chosen.values():
            for t in synthetic(args.n, first=50_000):
                fn(t)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(18)


if __name__ == "__main__":
    main()
