"""Train (or evaluate) the CRF entity tagger on ANERcorp with a document-level held-out split.

Usage::

    .venv/bin/python bench/train_ner.py              # train, write claims/data/ner-crf.model, eval
    .venv/bin/python bench/train_ner.py --eval-only  # evaluate the shipped model
    .venv/bin/python bench/train_ner.py --tune --tune-only --jobs 2 --grid "0.01,0.01;0.02,0.01"
                                                     # inner CV of some c1,c2 cells only

Split. The CAMeL Lab release of ANERcorp has no document markers, and its articles run on
without a reliable boundary signal, so pseudo-documents are contiguous blocks of sentences:
sentences are grouped in order into chunks of at least ``--chunk-tokens`` tokens (default
1500, about three news articles), and every ``--every``-th chunk (default 10th, starting at
the 10th) is held out. An article can still straddle a chunk edge, so training also drops a
guard band of ``--gap-tokens`` tokens (default 600, more than an average article) on each
side of every held-out chunk. ANERcorp also repeats a few articles verbatim, so any training
sentence whose token sequence also occurs in the held-out set is dropped. The split is
deterministic; no sentence-level shuffling is ever done.

The shipped model is the one trained on the training side of this split, so ``--eval-only``
reproduces the held-out figures honestly. Hyper-parameters are chosen with ``--tune``: a
3-fold cross-validation inside the training side only (contiguous blocks of
``--chunk-tokens`` tokens, block number mod 3), so the held-out chunks never influence them.

Labels are trained as BILOU (``claims.text.ner.to_bilou``: last and one-token names get
labels of their own) and read back as BIO; scoring is conlleval-style on BIO spans.

``--cv`` holds out every residue of the same chunking in turn (10 document-level splits, the
default one among them) and prints each fold, their mean and the pooled figures.

Scoring tags each held-out pseudo-document as a whole, as ``claims.text.ner`` tags an
article: after Viterbi, names tagged in one sentence are propagated to their untagged
repeats in the others (``--no-propagate`` scores plain Viterbi).

The features read ``claims/data/ner-clusters.tsv`` (word clusters learnt by
``bench/ner_clusters.py`` from unlabelled text: ANS and this split's training side only);
rebuild it before training if the split or the corpus changes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pycrfsuite

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claims.text.ner import tag_segments, to_bilou  # noqa: E402
from claims.text.ner_features import sentence_features  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "anercorp" / "ANERCorp-train.txt"
MODEL = ROOT / "claims" / "data" / "ner-crf.model"
TYPES = ("PERS", "LOC", "ORG", "MISC")

Sentence = list[tuple[str, str]]


def read_corpus(path: Path) -> list[Sentence]:
    """Sentences of ``token TAG`` lines, split after each ``.`` token; repairs stray I- tags."""
    sentences: list[Sentence] = []
    current: Sentence = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        parts = raw.rsplit(" ", 1)
        if len(parts) != 2 or not parts[0].strip():
            continue
        token, tag = parts[0].strip(), parts[1].strip()
        if tag != "O" and (len(tag) < 3 or tag[2:] not in TYPES):
            tag = "O"
        current.append((token, tag))
        if token == ".":
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def split_documents(
    sentences: list[Sentence], chunk_tokens: int, every: int, gap_tokens: int, fold: int = -1
) -> tuple[list[Sentence], list[Sentence], dict[str, int]]:
    """Deterministic pseudo-document split into (train, held-out) with guard bands and dedup."""
    chunk_of: list[int] = []
    chunk, size = 0, 0
    for sent in sentences:
        chunk_of.append(chunk)
        size += len(sent)
        if size >= chunk_tokens:
            chunk, size = chunk + 1, 0
    n_chunks = chunk_of[-1] + 1 if chunk_of else 0
    held_chunks = {c for c in range(n_chunks) if c % every == fold % every}
    held_idx = [i for i, c in enumerate(chunk_of) if c in held_chunks]
    held_set = set(held_idx)
    guard: set[int] = set()
    for i in held_idx:
        for step in (-1, 1):
            if 0 <= i + step < len(sentences) and (i + step) not in held_set:
                j, covered = i + step, 0
                while 0 <= j < len(sentences) and j not in held_set and covered < gap_tokens:
                    guard.add(j)
                    covered += len(sentences[j])
                    j += step
    held = [sentences[i] for i in held_idx]
    held_keys = {tuple(t for t, _ in s) for s in held}
    train, dup = [], 0
    for i, sent in enumerate(sentences):
        if i in held_set or i in guard:
            continue
        if tuple(t for t, _ in sent) in held_keys:
            dup += 1
            continue
        train.append(sent)
    stats = {
        "chunks": n_chunks,
        "held_chunks": len(held_chunks),
        "guard_sentences": len(guard),
        "dropped_duplicates": dup,
    }
    return train, held, stats


def chunks(tags: Iterable[str]) -> set[tuple[int, int, str]]:
    """Entity spans (start, end, type) from BIO tags, conlleval-style (a stray I- opens one)."""
    spans: set[tuple[int, int, str]] = set()
    start, kind = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, typ = (tag[:1], tag[2:]) if tag != "O" else ("O", "")
        if kind and (prefix in ("O", "B") or typ != kind):
            spans.add((start, i, kind))
            kind = ""
        if prefix == "B" or (prefix == "I" and not kind):
            start, kind = i, typ
    return spans


def documents(sentences: list[Sentence], chunk_tokens: int) -> list[list[Sentence]]:
    """Regroup contiguous sentences into the pseudo-documents they were chunked from."""
    docs: list[list[Sentence]] = [[]]
    size = 0
    for sent in sentences:
        docs[-1].append(sent)
        size += len(sent)
        if size >= chunk_tokens:
            docs.append([])
            size = 0
    return [d for d in docs if d]


def evaluate(tagger: pycrfsuite.Tagger, held: list[Sentence], chunk_tokens: int = 1500,
             propagate: bool = True) -> dict[str, tuple[float, ...]]:
    """Entity-level (exact span and type) P/R/F1 and support per type, tagging by document."""
    tp: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    # Held-out chunks (and inner-CV blocks) are whole runs of >= chunk_tokens tokens, so
    # re-chunking them restores the documents that the tagger's name propagation works on.
    pairs: list[tuple[Sentence, list[str]]] = []
    for doc in documents(held, chunk_tokens):
        doc_labels, _scores = tag_segments(tagger, [[t for t, _ in s] for s in doc], propagate)
        pairs.extend(zip(doc, doc_labels, strict=True))
    for sent, labels in pairs:
        gold = chunks(tag for _, tag in sent)
        pred = chunks(labels)
        for spans, counter in ((gold, n_gold), (pred, n_pred)):
            for _s, _e, typ in spans:
                counter[typ] += 1
                counter["ALL"] += 1
        for _s, _e, typ in gold & pred:
            tp[typ] += 1
            tp["ALL"] += 1
    out: dict[str, tuple[float, ...]] = {}
    for typ in (*TYPES, "ALL"):
        p = tp[typ] / n_pred[typ] if n_pred[typ] else 0.0
        r = tp[typ] / n_gold[typ] if n_gold[typ] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out[typ] = (p, r, f, n_gold[typ], n_pred[typ])
    return out


def print_table(scores: dict[str, tuple[float, ...]]) -> None:
    """Print a conlleval-like table."""
    print(f"{'type':<8}{'prec':>8}{'rec':>8}{'F1':>8}{'gold':>8}{'pred':>8}")
    for typ, (p, r, f, g, n) in scores.items():
        print(f"{typ:<8}{p:8.3f}{r:8.3f}{f:8.3f}{int(g):8d}{int(n):8d}")


def train(data: list[Sentence], model: Path, args: argparse.Namespace) -> None:
    """Fit the CRF with L-BFGS and elastic-net regularisation and write ``model``."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for sent in data:
        trainer.append(sentence_features([t for t, _ in sent]), to_bilou([tag for _, tag in sent]))
    trainer.set_params(
        {
            "c1": args.c1,
            "c2": args.c2,
            "max_iterations": args.max_iter,
            "feature.minfreq": args.minfreq,
            "feature.possible_transitions": True,
        }
    )
    model.parent.mkdir(parents=True, exist_ok=True)
    tmp = model.with_suffix(".tmp")
    trainer.train(str(tmp))
    tmp.replace(model)


def _cv_fold(job: tuple[list[Sentence], argparse.Namespace, int]) -> tuple[float, ...]:
    sentences, args, fold = job
    train_set, held, _ = split_documents(
        sentences, args.chunk_tokens, args.every, args.gap_tokens, fold
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fold{fold}.model"
        train(train_set, path, args)
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        return evaluate(tagger, held, args.chunk_tokens, args.propagate)["ALL"]


def cross_validate(sentences: list[Sentence], args: argparse.Namespace) -> None:
    """Hold out every residue of the same chunking in turn (``--jobs`` folds at a time).

    Each fold is a document-level held-out split like the default one (guard bands, repeats
    dropped), so the mean over all folds estimates held-out F1 with a tenth of the variance
    of one fold.
    """
    jobs = [(sentences, args, fold) for fold in range(args.every)]
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(_cv_fold, jobs))
    for fold, (p, r, f, g, n) in enumerate(results):
        print(f"fold {fold}: P={p:.3f} R={r:.3f} F1={f:.3f} gold={int(g)} predicted={int(n)}")
    scores = [f for _p, _r, f, _g, _n in results]
    mean = sum(scores) / len(scores)
    spread = (sum((x - mean) ** 2 for x in scores) / len(scores)) ** 0.5
    print(f"cross-validated overall F1 {mean:.3f} ± {spread:.3f} over {len(scores)} folds")
    # Micro-average: every held-out entity of every fold counted once.
    tp = sum(p * n for p, _r, _f, _g, n in results)
    gold, pred = sum(r[3] for r in results), sum(r[4] for r in results)
    p_all, r_all = tp / pred if pred else 0.0, tp / gold if gold else 0.0
    f_all = 2 * p_all * r_all / (p_all + r_all) if p_all + r_all else 0.0
    print(f"pooled over the folds: P={p_all:.3f} R={r_all:.3f} F1={f_all:.3f} "
          f"({int(gold)} gold entities)")


GRID = [(c1, c2) for c1 in (0.005, 0.01, 0.02, 0.05) for c2 in (0.01, 0.05)]


def inner_folds(train_set: list[Sentence], chunk_tokens: int, k: int = 3
                ) -> list[tuple[list[Sentence], list[Sentence]]]:
    """(fit, score) pairs over contiguous blocks of the training side, block number mod k."""
    block, size, blocks = 0, 0, []
    for sent in train_set:
        blocks.append(block)
        size += len(sent)
        if size >= chunk_tokens:
            block, size = block + 1, 0
    return [([s for s, b in zip(train_set, blocks, strict=True) if b % k != fold],
             [s for s, b in zip(train_set, blocks, strict=True) if b % k == fold])
            for fold in range(k)]


def _fold_f1(job: tuple[list[Sentence], list[Sentence], argparse.Namespace, int]) -> float:
    fit, score, args, fold = job
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fold.model"
        if args.keep_folds:  # for decoding experiments on the same inner folds
            path = args.keep_folds / f"c1={args.c1}_c2={args.c2}_fold{fold}.model"
            path.parent.mkdir(parents=True, exist_ok=True)
        train(fit, path, args)
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        return evaluate(tagger, score, args.chunk_tokens, args.propagate)["ALL"][2]


def tune(train_set: list[Sentence], args: argparse.Namespace) -> tuple[float, float]:
    """Pick (c1, c2) from GRID by 3-fold CV inside the training side; print every cell."""
    folds = inner_folds(train_set, args.chunk_tokens)
    best: tuple[float, float, float] | None = None
    grid = GRID if not args.grid else [
        (float(c1), float(c2)) for cell in args.grid.split(";") for c1, c2 in [cell.split(",")]]
    with ProcessPoolExecutor(args.jobs) as pool:
        for c1, c2 in grid:
            cell = argparse.Namespace(**{**vars(args), "c1": c1, "c2": c2})
            jobs = [(fit, score, cell, k) for k, (fit, score) in enumerate(folds)]
            f1s = list(pool.map(_fold_f1, jobs))
            mean = sum(f1s) / len(f1s)
            print(f"tune c1={c1} c2={c2}: inner-CV F1 {mean:.4f} "
                  f"(folds {' '.join(f'{f:.3f}' for f in f1s)})", flush=True)
            if best is None or mean > best[0]:
                best = (mean, c1, c2)
    assert best is not None
    print(f"chosen c1={best[1]} c2={best[2]} (inner-CV F1 {best[0]:.4f})")
    return best[1], best[2]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--model", type=Path, default=MODEL)
    ap.add_argument("--eval-only", action="store_true", help="evaluate the existing model")
    ap.add_argument("--chunk-tokens", type=int, default=1500)
    ap.add_argument("--every", type=int, default=10)
    ap.add_argument("--gap-tokens", type=int, default=600)
    ap.add_argument("--fold", type=int, default=-1, help="held-out chunk residue (default last)")
    ap.add_argument("--cv", action="store_true", help="also report all folds (~8 min)")
    ap.add_argument("--tune", action="store_true",
                    help="choose c1/c2 by 3-fold CV inside the training side first")
    ap.add_argument("--jobs", type=int, default=1, help="processes for --tune and --cv")
    ap.add_argument("--grid", default="",
                    help="c1,c2 cells for --tune separated by ';' (default: the built-in grid)")
    ap.add_argument("--keep-folds", type=Path, default=None,
                    help="directory to keep the --tune fold models in")
    ap.add_argument("--tune-only", action="store_true",
                    help="stop after --tune: no model written, the held-out side never scored")
    ap.add_argument("--c1", type=float, default=0.01)
    ap.add_argument("--c2", type=float, default=0.01)
    ap.add_argument("--minfreq", type=float, default=1)
    ap.add_argument("--max-iter", type=int, default=200)
    ap.add_argument("--no-propagate", dest="propagate", action="store_false",
                    help="score plain Viterbi, without the tagger's document-level propagation")
    args = ap.parse_args(argv)
    if not args.data.is_file():
        print(f"ANERcorp not found at {args.data}; nothing to do.", file=sys.stderr)
        return 2
    sentences = read_corpus(args.data)
    train_set, held, stats = split_documents(
        sentences, args.chunk_tokens, args.every, args.gap_tokens, args.fold
    )
    n_train = sum(map(len, train_set))
    n_held = sum(map(len, held))
    print(
        f"ANERcorp: {len(sentences)} sentences; {stats['chunks']} pseudo-documents of "
        f">={args.chunk_tokens} tokens; held out every {args.every}th "
        f"({stats['held_chunks']} chunks, {len(held)} sentences, {n_held} tokens); "
        f"train {len(train_set)} sentences, {n_train} tokens "
        f"(guard band {stats['guard_sentences']} sentences, "
        f"{stats['dropped_duplicates']} duplicated sentences dropped)"
    )
    if args.tune and not args.eval_only:
        args.c1, args.c2 = tune(train_set, args)
        if args.tune_only:
            return 0
    if not args.eval_only:
        started = time.perf_counter()
        train(train_set, args.model, args)
        print(f"trained in {time.perf_counter() - started:.1f}s (c1={args.c1}, c2={args.c2})")
    tagger = pycrfsuite.Tagger()
    tagger.open(str(args.model))
    print(f"model {args.model.name}: {args.model.stat().st_size / 1e6:.2f} MB")
    print_table(evaluate(tagger, held, args.chunk_tokens, args.propagate))
    if args.cv:
        cross_validate(sentences, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
