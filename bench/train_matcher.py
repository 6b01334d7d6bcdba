"""Train the claim-matching scorer on ANS stance train pairs only; writes claims/data/.

Run: ``.venv/bin/python bench/train_matcher.py`` from the repository root.  Examples are the
train pairs (agree = same, disagree = conflict, other = neither) plus, for each query, the LSH
candidates of a pool of real claims that are not its pair (neither).  Thresholds are chosen on
out-of-fold probabilities of a 5-fold split of train grouped by connected pair components;
dev.csv is never read here.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.claim_matching import DATA, STANCE, Pair, build_pool, read_pairs  # noqa: E402
from claims.text.arabic import normalize  # noqa: E402
from claims.text.match_analysis import claim_signature  # noqa: E402
from claims.text.match_features import (  # noqa: E402
    FEATURES,
    cue_features,
    edit_bag,
    similarity,
    text_features,
)
from claims.text.match_index import MatchIndex  # noqa: E402
from claims.text.match_model import MODEL_PATH, Model  # noqa: E402
from claims.text.match_words import WordIndex  # noqa: E402
from claims.text.minhash import band_hashes  # noqa: E402

SEED = 13
FOLDS = 5
NEGATIVES = 8  # unrelated LSH candidates per query
NEGATIVE_MAX_SIMILARITY = 0.6
RERANK = MatchIndex.RERANK  # the candidates MatchIndex scores: band hits, then rare words
CUE_MIN_COUNT = 3
CUE_C = 1.0
# Unrelated candidates labelled same (or conflict) at most this often.  At 0.04 pair F1 is
# the same but, at 100k claims, other candidates were called conflicts 2.5x as often as by the
# hand-set score this model replaces; 0.01 costs ~0.02 conflict F1 out-of-fold.
NEGATIVE_BUDGET = 0.01
LABELS = ("neither", "same", "conflict")


def dev_headlines() -> set[str]:
    """Normalised ANS claim dev.csv headlines: kept out of training, even as negatives."""
    with (DATA / "ans" / "claim" / "dev.csv").open(encoding="utf-8") as fh:
        return {normalize(r["claim_s"].strip()) for r in csv.DictReader(fh)}


def pair_components(pairs: list[Pair]) -> dict[str, int]:
    """Connected component of each s1 over the texts pairs share (s1 or s2).

    ANS pairs one headline's paraphrases and contradictions with one another, so the same s2
    text is paired with several s1; folds grouped by s1 alone would put a contradiction's
    wording on both sides of a split and overstate the learned cue words.
    """
    parent: dict[str, str] = {}

    def root(text: str) -> str:
        parent.setdefault(text, text)
        while parent[text] != text:
            parent[text] = parent[parent[text]]
            text = parent[text]
        return text

    for p in pairs:
        a, b = root(p.s1), root(p.s2)
        if a != b:
            parent[b] = a
    ids: dict[str, int] = {}
    return {p.s1: ids.setdefault(root(p.s1), len(ids)) for p in pairs}


def examples(pairs: list[Pair]) -> tuple[list[tuple[str, str, int, int]], list[bool]]:
    """(query, stored, label, group) rows and whether each is a gold pair (not a negative)."""
    pool, ids = build_pool(pairs)
    held_out = dev_headlines()
    bands: dict[int, list[int]] = {}
    words = WordIndex()
    for i, text in enumerate(pool):
        words.add(i, text)
        for h in band_hashes(claim_signature(text)):
            bands.setdefault(h, []).append(i)
    components = pair_components(pairs)
    out, is_pair = [], []
    for p in pairs:
        group = components[p.s1]
        label = {"agree": 1, "disagree": 2}.get(p.stance, 0)
        out.append((p.s2, p.s1, label, group))
        is_pair.append(True)
        hits: Counter[int] = Counter()
        for h in band_hashes(claim_signature(p.s2)):
            hits.update(bands.get(h, ()))
        # Negatives come from the other real claims only, below NEGATIVE_MAX_SIMILARITY: ANS
        # builds pairs among paraphrases and contradictions of one headline, so another pair's
        # s1 (or a near-copy headline) is often the same story, unlabelled, and would teach
        # the model that near-identical claims are unrelated.
        # ANS claim dev.csv headlines are left out too: nothing of the dev side is trained on.
        # Both candidate branches of MatchIndex: LSH bands and rare words.
        found = dict.fromkeys([*(i for i, _ in hits.most_common(RERANK)),
                           *words.candidates(p.s2, MatchIndex.WORDS)])
        scored = [
            (similarity(p.s2, pool[i]), i)
            for i in found
            if i >= len(ids) and normalize(pool[i]) not in held_out
        ]
        shortlist = [i for sim, i in sorted(scored, reverse=True) if sim < NEGATIVE_MAX_SIMILARITY]
        out.extend((p.s2, pool[i], 0, group) for i in shortlist[:NEGATIVES])
        is_pair.extend(False for _ in shortlist[:NEGATIVES])
    return out, is_pair


def learn_cues(rows: list[tuple[str, str, int, int]]) -> dict[str, float]:
    """Weights of edit features (logistic regression): contradiction against paraphrase."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    labelled = [r for r in rows if r[2] in (1, 2)]
    bags = [edit_bag(a, b) for a, b, _, _ in labelled]
    counts = Counter(k for bag in bags for k in bag)
    # Features seen fewer than CUE_MIN_COUNT times are left out: noise, and file size.
    bags = [{k: v for k, v in bag.items() if counts[k] >= CUE_MIN_COUNT} for bag in bags]
    vec = DictVectorizer()
    x = vec.fit_transform(bags)
    clf = LogisticRegression(C=CUE_C, max_iter=5000)
    clf.fit(x, [r[2] == 2 for r in labelled])
    cues = {"bias": round(float(clf.intercept_[0]), 4)}
    for name, w in zip(vec.get_feature_names_out(), clf.coef_[0], strict=True):
        if abs(w) >= 0.01:
            cues[str(name)] = round(float(w), 4)
    return cues


def featurise(
    rows: list[tuple[str, str, int, int]], base: np.ndarray, cues: dict[str, float]
) -> np.ndarray:
    """Feature matrix of the rows: the fixed text features, then the cue features."""
    extra = np.array([cue_features(a, b, cues) for a, b, _, _ in rows], dtype=float)
    return np.hstack([base, extra])


def fit(x: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Both heads: (mean, scale, coefficients with the intercept row first)."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / scale
    columns = []
    # Related: a gold agree/disagree pair against "other" pairs and unrelated candidates.
    # Same-given-related: agree against disagree, on the gold pairs alone, so the many
    # unrelated candidates do not drown the subtle paraphrase/contradiction distinction.
    labelled = y > 0
    for rows, target in ((np.ones_like(labelled), labelled), (labelled, y == 1)):
        clf = LogisticRegression(C=c, max_iter=5000)
        clf.fit(z[rows], target[rows])
        columns.append(np.concatenate([clf.intercept_, clf.coef_[0]]))
    return mean, scale, np.stack(columns, axis=1)


def prf(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall, F1."""
    tp = float(np.sum(pred & gold))
    p = tp / max(1.0, float(pred.sum()))
    r = tp / max(1.0, float(gold.sum()))
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def choose(
    prob: np.ndarray, y: np.ndarray, is_pair: np.ndarray, budget: float = NEGATIVE_BUDGET
) -> tuple[tuple[float, float, float, float], str]:
    """Decision thresholds: best pair F1 with few unrelated candidates mislabelled."""
    related, same = prob[:, 0], prob[:, 1]
    grid = np.round(np.arange(0.02, 0.99, 0.02), 2)
    best_same = (-1.0, 0.5, 0.5)
    for a in grid:
        for b in grid:
            pred = (related >= a) & (same >= b)
            if np.mean(pred[~is_pair]) > budget:
                continue
            f = prf(pred[is_pair], y[is_pair] == 1)[2]
            if f > best_same[0]:
                best_same = (f, float(a), float(b))
    _, a, b = best_same
    not_same = ~((related >= a) & (same >= b))
    best_conf = (-1.0, 0.5, 0.5)
    for c in grid:
        for d in grid:
            pred = not_same & (related >= c) & (same <= d)
            if np.mean(pred[~is_pair]) > budget:
                continue
            f = prf(pred[is_pair], y[is_pair] == 2)[2]
            if f > best_conf[0]:
                best_conf = (f, float(c), float(d))
    _, c, d = best_conf
    same_pred = ~not_same
    conf_pred = not_same & (related >= c) & (same <= d)
    ps, rs, fs = prf(same_pred[is_pair], y[is_pair] == 1)
    pc, rc, fc = prf(conf_pred[is_pair], y[is_pair] == 2)
    report = (
        f"same P {ps:.3f} R {rs:.3f} F1 {fs:.3f}; conflict P {pc:.3f} R {rc:.3f} F1 {fc:.3f}; "
        f"unrelated candidates called same {np.mean(same_pred[~is_pair]):.1%}, "
        f"conflict {np.mean(conf_pred[~is_pair]):.1%}"
    )
    return (a, b, c, d), report


def main() -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength")
    parser.add_argument("--budget", type=float, default=NEGATIVE_BUDGET, help="see NEGATIVE_BUDGET")
    parser.add_argument("--cache", action="store_true", help="reuse /tmp text features")
    parser.add_argument("--dry-run", action="store_true", help="do not write the model file")
    args = parser.parse_args()
    if not (STANCE / "train.csv").is_file():
        print(f"skipped: {STANCE} not found")
        return 0
    rows, pair_flags = examples(read_pairs("train"))
    is_pair = np.array(pair_flags)
    y = np.array([r[2] for r in rows])
    groups = sorted({r[3] for r in rows})
    random.Random(SEED).shuffle(groups)
    fold_of = {g: i % FOLDS for i, g in enumerate(groups)}
    folds = np.array([fold_of[r[3]] for r in rows])
    print(f"{len(rows)} examples: {dict(Counter(LABELS[v] for v in y))}")
    cache = Path("/tmp/train_matcher_base.npy")
    if args.cache and cache.is_file():
        base = np.load(cache)
    else:
        base = np.array([text_features(a, b) for a, b, _, _ in rows], dtype=float)
        np.save(cache, base)
    # Stacking: every row's edit features come from cue weights learned on the other folds,
    # so the heads learn how far to trust them on unseen text, not on memorised pairs.
    x = np.zeros((len(rows), len(FEATURES)))
    for k in range(FOLDS):
        cues = learn_cues([r for r, f in zip(rows, folds, strict=True) if f != k])
        test_rows = [r for r, f in zip(rows, folds, strict=True) if f == k]
        x[folds == k] = featurise(test_rows, base[folds == k], cues)
    oof = np.zeros((len(rows), 2))
    for k in range(FOLDS):
        mean, scale, coef = fit(x[folds != k], y[folds != k], args.c)
        model = Model(FEATURES, mean, scale, coef, {}, 0.5, 0.5, 0.5, 0.5)
        oof[folds == k] = model.predict_matrix(x[folds == k])
    thresholds, report = choose(oof, y, is_pair, args.budget)
    print(f"out-of-fold on train pairs at thresholds {thresholds}: {report}")
    mean, scale, coef = fit(x, y, args.c)
    cues = learn_cues(rows)
    model = Model(FEATURES, mean, scale, coef, cues, *thresholds)
    for name, w in zip(("intercept", *FEATURES), coef.tolist(), strict=True):
        print(f"  {name:18s} related {w[0]:+.2f}  same-given-related {w[1]:+.2f}")
    if not args.dry_run:
        MODEL_PATH.write_text(
            json.dumps(model.to_json(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8"
        )
        print(f"wrote {MODEL_PATH.relative_to(ROOT)} ({len(cues)} cue words)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
