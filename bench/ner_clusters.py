"""Build the word-cluster table of the CRF entity tagger (``claims/data/ner-clusters.tsv``).

Usage::

    .venv/bin/python bench/ner_clusters.py            # write claims/data/ner-clusters.tsv

Unlabelled text: the ANS headlines and stance pairs (Apache-2.0) and the token sequence of the
TRAINING side of ``bench/train_ner.py``'s ANERcorp split (CC BY-SA 4.0; tags are never read,
the held-out side and its guard bands never enter). CLEF 2018 is left out: its terms are
research-only, and the table ships with the project.

Method: clitic-free stems (``ner_features.choose_stem`` of the normalised word: the clitic
reading of ``claims.text.clitics`` best attested in this text, so لبنان keeps its ل) with at
least ``--min-count`` occurrences; each gets a vector of positive PMI with the most frequent context
stems at offsets -2, -1, +1, +2, reduced by truncated SVD and L2-normalised; spherical
k-means (k-means++ seeding, fixed seed) at several granularities gives one cluster id per
level, so a rare name shares features with frequent words used the same way.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.train_ner import DATA, read_corpus, split_documents  # noqa: E402
from claims.text.arabic import normalize, tokens_with_spans  # noqa: E402
from claims.text.ner_features import CLUSTERS, choose_stem  # noqa: E402

ANS = ROOT.parent / "shared" / "data" / "ans"
LEVELS = (32, 128, 512, 2048)


def _word(token: str) -> str:
    return normalize(token) or token


def corpus(args: argparse.Namespace) -> list[list[str]]:
    """Normalised word sequences of every unlabelled sentence (ANS, ANERcorp training side)."""
    sentences = read_corpus(args.data)
    train, _held, _ = split_documents(
        sentences, args.chunk_tokens, args.every, args.gap_tokens, args.fold
    )
    out = [[_word(tok) for tok, _tag in sent] for sent in train]
    seen: set[str] = set()
    for name, cols in (("claim", ("claim_s",)), ("stance", ("s1", "s2"))):
        for part in ("train", "dev"):
            path = ANS / name / f"{part}.csv"
            if not path.is_file():
                continue
            with path.open(encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    for col in cols:
                        text = (row.get(col) or "").strip()
                        if text and text not in seen:  # stance s1 repeats claims
                            seen.add(text)
                            out.append([_word(t) for t, _s, _e in tokens_with_spans(text)])
    return out


def _counter(counts: Counter[str]) -> Callable[[str], float]:
    return lambda form: float(counts.get(form, 0))


def stems(words: list[list[str]], min_count: int, passes: int = 3) -> list[list[str]]:
    """Stem sequences, choosing each word's clitic reading by attestation in the text itself.

    The tagger reads attestation from the table's stems (``ner_features.strip_clitics``), so
    the stems are refined in a few passes: first against whole words (an article-free form
    counting its ``ال`` occurrences too), then against the stems of the previous pass seen at
    least ``min_count`` times, as the shipped table will list them.
    """
    counts: Counter[str] = Counter()
    for sent in words:
        for w in sent:
            counts[w] += 1
            if w.startswith("ال") and len(w) >= 5:
                counts[w[2:]] += 1
    out = words
    for _ in range(passes):
        cache: dict[str, str] = {}
        attested = _counter(counts)
        for sent in words:
            for w in sent:
                if w not in cache:
                    cache[w] = choose_stem(w, attested)[1]
        out = [[cache[w] for w in sent] for sent in words]
        counts = Counter(s for sent in out for s in sent)
        counts = Counter({s: c for s, c in counts.items() if c >= min_count})
    return out


def vectors(sents: list[list[str]], min_count: int, contexts: int, dim: int
            ) -> tuple[list[str], np.ndarray]:
    """PPMI context vectors of frequent stems, reduced by SVD and L2-normalised."""
    counts = Counter(w for s in sents for w in s)
    vocab = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    index = {w: i for i, w in enumerate(vocab)}
    ctx = {w: i for i, w in enumerate(vocab[:contexts])}
    offsets = (-2, -1, 1, 2)
    mat = np.zeros((len(vocab), len(ctx) * len(offsets)), dtype=np.float64)
    for sent in sents:
        padded = ["<s>", "<s>", *sent, "</s>", "</s>"]
        for i in range(2, len(padded) - 2):
            row = index.get(padded[i])
            if row is None:
                continue
            for k, off in enumerate(offsets):
                col = ctx.get(padded[i + off])
                if col is not None:
                    mat[row, k * len(ctx) + col] += 1
    rows = mat.sum(axis=1, keepdims=True)
    cols = mat.sum(axis=0, keepdims=True) ** 0.75  # context smoothing (Levy et al. 2015)
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(mat * cols.sum() / (rows * cols))
    ppmi = np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0.0)
    u, s, _vt = np.linalg.svd(ppmi, full_matrices=False)
    emb = u[:, :dim] * np.sqrt(s[:dim])
    norms = np.linalg.norm(emb, axis=1, keepdims=True)
    return vocab, emb / np.where(norms > 0, norms, 1.0)


def kmeans(x: np.ndarray, k: int, seed: int, iters: int = 30) -> np.ndarray:
    """Spherical k-means with k-means++ seeding; returns a cluster id per row."""
    rng = np.random.default_rng(seed)
    k = min(k, len(x))
    centres = [x[rng.integers(len(x))]]
    dist = 1.0 - x @ centres[0]
    for _ in range(1, k):
        p = np.clip(dist, 0, None) ** 2
        centres.append(x[rng.choice(len(x), p=p / p.sum())])
        dist = np.minimum(dist, 1.0 - x @ centres[-1])
    c = np.array(centres)
    assign = np.zeros(len(x), dtype=np.int64)
    for _ in range(iters):
        new = np.argmax(x @ c.T, axis=1)
        if _ and np.array_equal(new, assign):
            break
        assign = new
        sums = np.zeros_like(c)
        np.add.at(sums, assign, x)
        norms = np.linalg.norm(sums, axis=1)
        keep = norms > 0  # an emptied cluster keeps its old centre
        c[keep] = sums[keep] / norms[keep, None]
    return assign


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=CLUSTERS)
    ap.add_argument("--chunk-tokens", type=int, default=1500)
    ap.add_argument("--every", type=int, default=10)
    ap.add_argument("--gap-tokens", type=int, default=600)
    ap.add_argument("--fold", type=int, default=-1)
    ap.add_argument("--min-count", type=int, default=2)
    ap.add_argument("--contexts", type=int, default=1500)
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--levels", default=",".join(map(str, LEVELS)),
                    help="comma-separated numbers of clusters, coarse to fine")
    args = ap.parse_args(argv)
    if not args.data.is_file():
        print(f"ANERcorp not found at {args.data}; nothing to do.", file=sys.stderr)
        return 2
    sents = stems(corpus(args), args.min_count)
    vocab, emb = vectors(sents, args.min_count, args.contexts, args.dim)
    levels = [int(k) for k in args.levels.split(",")]
    ids = [kmeans(emb, k, args.seed + k) for k in levels]
    lines = [
        f"# ner-clusters: stem, then k-means cluster ids at k={'/'.join(map(str, levels))}",
        f"# {sum(map(len, sents))} tokens, {len(sents)} sentences; see ner-clusters.LICENSE.txt",
    ]
    lines += ["\t".join([w, *(str(int(a[i])) for a in ids)]) for i, w in enumerate(vocab)]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(vocab)} stems from {sum(map(len, sents))} tokens -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
