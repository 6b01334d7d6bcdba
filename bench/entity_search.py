"""Entity-search benchmark on ANERcorp: which sentences mention each gold entity, per method."""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claims.text.arabic import normalize  # noqa: E402
from claims.text.linking import AliasEntry, AliasIndex  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "anercorp" / "ANERCorp-train.txt"
KINDS = {"PERS": "person", "LOC": "place", "ORG": "organisation", "MISC": "other"}

Sentence = list[str]
Pair = tuple[str, int]


Spans = list[tuple[int, int, str]]


def read_corpus(path: Path, limit: int | None) -> tuple[list[Sentence], list[Spans]]:
    """Sentences (raw tokens) and their gold spans (start, end, type).

    A "." ends a sentence unless it is tagged inside a name (إف . بي . آي): ANERcorp has no
    sentence marks, and a split there would cut one gold name into several.
    """
    sentences: list[Sentence] = []
    spans: list[Spans] = []
    toks: Sentence = []
    cur: Spans = []
    open_span: list[int | str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        token, tag = parts[0], parts[-1]
        if tag.startswith("I-") and open_span is not None and open_span[2] == tag[2:]:
            open_span[1] = len(toks) + 1
        else:
            if open_span is not None:
                cur.append((int(open_span[0]), int(open_span[1]), str(open_span[2])))
                open_span = None
            if tag[:2] in ("B-", "I-"):
                open_span = [len(toks), len(toks) + 1, tag[2:]]
        toks.append(token)
        # a full stop tagged inside a name is part of it (إف . بي . آي), not a sentence end
        if token == "." and not tag.startswith("I-"):
            if open_span is not None:
                cur.append((int(open_span[0]), int(open_span[1]), str(open_span[2])))
                open_span = None
            sentences.append(toks)
            spans.append(cur)
            toks, cur = [], []
            if limit and len(sentences) >= limit:
                break
    if toks:
        sentences.append(toks)
        spans.append(cur)
    return sentences, spans


# -- gold grouping: hand-checked clitic rules, written here on purpose (not linking.py) ------

def _join_compounds(toks: list[str]) -> list[str]:
    """عبد الله → عبدالله, ابو ظبي → ابوظبي: one name whether or not the space is written."""
    out: list[str] = []
    for tok in toks:
        if out and (out[-1].endswith("عبد") or out[-1] == "ابو"):
            out[-1] += tok
        else:
            out.append(tok)
    return out


def _span_tokens(words: list[str]) -> list[str]:
    """Normalised tokens of a gold span without glued punctuation (–صنعاء, سي.أن.أن, ـ)."""
    toks: list[str] = []
    for w in words:
        for part in _PUNCT_RE.split(normalize(w)):
            if part:
                toks.append(part)
    return toks


_PUNCT_RE = re.compile(r"[^\w]+")


def canonical(words: list[str], attested: set[str]) -> tuple[str, bool]:
    """Normalised entity form with proclitics removed, and whether one was removed.

    وال/فال/بال/كال → ال; (و|ف)?لل → ال; a one- or two-letter و ف ب ل ك prefix is removed only
    when the remainder is itself attested as a gold entity form (so لبنان stays لبنان), the
    longer prefix first (وبأفريقيا → أفريقيا, not the attested بأفريقيا). Punctuation glued to
    a token is not part of the name, and عبد/أبو compounds are one name with or without the
    space (the issue's own example of a spelling that must match).
    """
    norm = _span_tokens(words)
    if not norm:
        return "", False
    head, rest = norm[0], norm[1:]
    for pre in ("وال", "فال", "بال", "كال"):
        if head.startswith(pre) and len(head) > len(pre) + 2:
            return " ".join(_join_compounds([head[len(pre) - 2:], *rest])), True
    for pre in ("ولل", "فلل", "لل"):
        if head.startswith(pre) and len(head) > len(pre) + 2:
            return " ".join(_join_compounds(["ال" + head[len(pre):], *rest])), True
    for cut in (2, 1):
        if len(head) - cut >= 3 and all(ch in "وفبلك" for ch in head[:cut]):
            form = " ".join([head[cut:], *rest])
            if form in attested:
                return " ".join(_join_compounds(form.split(" "))), True
    return " ".join(_join_compounds(norm)), False


def gold_entities(sentences: list[Sentence], spans: list[Spans]):
    """Gold (entity, sentence) pairs, each entity's raw query surface and its majority type."""
    plain = {" ".join(_span_tokens(s[a:b])) for s, sp in zip(sentences, spans, strict=True)
             for a, b, _ in sp}
    pairs: set[Pair] = set()
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    types: dict[str, Counter[str]] = defaultdict(Counter)
    for sid, (sent, sp) in enumerate(zip(sentences, spans, strict=True)):
        for a, b, typ in sp:
            form, stripped = canonical(sent[a:b], plain)
            if not form:
                continue
            pairs.add((form, sid))
            types[form][typ] += 1
            if not stripped:
                surfaces[form][" ".join(sent[a:b])] += 1
    query = {f: (surfaces[f].most_common(1)[0][0] if surfaces[f] else f) for f in types}
    kind = {f: types[f].most_common(1)[0][0] for f in types}
    return pairs, query, kind


# -- baselines: token-sequence match after a per-token transform -------------------------

def lucene_normalize(w: str) -> str:
    """Lucene ArabicNormalizer: alef forms → ا, ى → ي, ة → ه, no tatweel or harakat."""
    out = []
    for ch in w:
        if ch in "آأإ":
            out.append("ا")
        elif ch == "ى":
            out.append("ي")
        elif ch == "ة":
            out.append("ه")
        elif ch == "\u0640" or "\u064b" <= ch <= "\u0652":
            continue
        else:
            out.append(ch)
    return "".join(out)


_L_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
_L_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")


def lucene_stem(w: str) -> str:
    """Lucene ArabicStemmer (Larkey light10): one prefix, then each suffix in turn."""
    for p in _L_PREFIXES:
        if (len(w) >= 4 if len(p) == 1 else len(w) >= len(p) + 2) and w.startswith(p):
            w = w[len(p):]
            break
    for s in _L_SUFFIXES:
        if len(w) >= len(s) + 2 and w.endswith(s):
            w = w[: -len(s)]
    return w


def token_method(transform: Callable[[str], str]):
    """A retrieval method: transform query and sentence tokens alike, match token sequences."""
    def run(sentences: list[Sentence], query: dict[str, str], kind: dict[str, str]) -> set[Pair]:
        table: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for ent, q in query.items():
            key = tuple(transform(w) for w in q.split())
            if key and all(key):
                table[key].append(ent)
        longest = max((len(k) for k in table), default=1)
        found: set[Pair] = set()
        for sid, sent in enumerate(sentences):
            toks = [transform(w) for w in sent]
            for i in range(len(toks)):
                for n in range(1, min(longest, len(toks) - i) + 1):
                    for ent in table.get(tuple(toks[i:i + n]), ()):
                        found.add((ent, sid))
        return found
    return run


REVIEW_METHODS = ("variant", "short_form")  # lower-confidence links an editor confirms


def ours(sentences: list[Sentence], query: dict[str, str], kind: dict[str, str],
         review: dict[str, set[Pair]] | None = None, every: set[Pair] | None = None,
         seen: dict[Pair, str] | None = None) -> set[Pair]:
    """AliasIndex with one name alias per gold entity: its confident links per sentence.

    Links that the engine offers for review (variant and short-form methods, homographs and
    ambiguous names flagged ``needs_review``) are collected in ``review`` by reason and in
    ``every`` with the confident ones, and scored apart; ``seen`` gets each link's text
    in context, for the diagnostic listings.
    """
    names = sorted(query)
    index = AliasIndex(AliasEntry(i, i, query[e], "name", "ar", KINDS.get(kind[e], "other"))
                       for i, e in enumerate(names))
    found: set[Pair] = set()
    for sid, sent in enumerate(sentences):
        text = " ".join(sent)
        for m in index.find(text):
            pair = (names[m.entity_id], sid)
            if seen is not None:
                seen[pair] = (f"{text[max(0, m.start - 40):m.start]}[[{m.surface}]]"
                              f"{text[m.end:m.end + 40]} ({m.method} {m.confidence})")
            if every is not None:
                every.add(pair)
            reason = m.method if m.method in REVIEW_METHODS else (
                "homograph/ambiguous" if m.needs_review else "")
            if not reason:
                found.add(pair)
            elif review is not None:
                review.setdefault(reason, set()).add(pair)
    return found


def score(found: set[Pair], gold: set[Pair]) -> tuple[float, float, float]:
    tp = len(found & gold)
    p = tp / len(found) if found else 0.0
    r = tp / len(gold) if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=None, help="only the first N sentences")
    ap.add_argument("--misses", action="store_true",
                    help="list gold pairs that ours does not link confidently")
    ap.add_argument("--false-positives", action="store_true",
                    help="list confident links of ours that are not gold pairs")
    args = ap.parse_args(list(argv) if argv is not None else None)
    if not CORPUS.is_file():
        print(f"SKIP: {CORPUS} not found (the read-only ../shared data is absent)")
        return 0
    import Stemmer  # PyStemmer: the Snowball Arabic stemmer PostgreSQL's "arabic" config uses

    snow = Stemmer.Stemmer("arabic")
    sentences, spans = read_corpus(CORPUS, args.limit)
    gold, query, kind = gold_entities(sentences, spans)
    ntok = sum(len(s) for s in sentences)
    print(f"ANERcorp train: {len(sentences)} sentences, {ntok} tokens, {len(query)} gold entities, "
          f"{len(gold)} gold (entity, sentence) pairs")
    review: dict[str, set[Pair]] = {}
    every: set[Pair] = set()
    # link texts for the listings only: building them would slow the timed run
    seen: dict[Pair, str] | None = {} if args.misses or args.false_positives else None
    methods: list[tuple[str, Callable[..., set[Pair]]]] = [
        ("raw exact tokens", token_method(lambda w: w)),
        ("normalised exact", token_method(normalize)),
        ("Snowball arabic (PostgreSQL)", token_method(snow.stemWord)),
        ("Lucene ArabicNormalizer+Stemmer",
         token_method(lambda w: lucene_stem(lucene_normalize(w)))),
        ("ours (AliasIndex), confident links", lambda s, q, k: ours(s, q, k, review, every, seen)),
    ]
    # CPU seconds of this process: one core's throughput, whatever else shares the machine
    print(f"{'method':36} {'precision':>9} {'recall':>7} {'F1':>6} {'tokens/s':>10}")
    for name, run in methods:
        t0 = time.process_time()
        found = run(sentences, query, kind)
        dt = time.process_time() - t0
        p, r, f = score(found, gold)
        print(f"{name:36} {p:9.4f} {r:7.4f} {f:6.4f} {ntok / dt:10,.0f}")
        confident = found  # the last method is ours
    p, r, f = score(every, gold)
    print(f"{'ours, also links for review':36} {p:9.4f} {r:7.4f} {f:6.4f} {'':>10}")
    print("links for review (not in the headline; an editor confirms or rejects them):")
    for reason in (*REVIEW_METHODS, "homograph/ambiguous"):
        pairs = review.get(reason, set())
        ok = len(pairs & gold)
        prec = f"{ok / len(pairs):.4f}" if pairs else "n/a"
        print(f"  {reason:22} {len(pairs):5} pairs, precision {prec}")
    seen = seen or {}
    if args.misses:
        in_review = {pair: reason for reason, pairs in review.items() for pair in pairs}
        where = _gold_context(sentences, spans)
        print(f"MISS: {len(gold - confident)}")
        for pair in sorted(gold - confident):
            note = f" [review: {in_review[pair]}]" if pair in in_review else ""
            print(f"MISS\t{pair[0]}\t{query[pair[0]]}{note}\t{pair[1]}\t{where.get(pair, '')}"
                  f"\t{seen.get(pair, '')}")
    if args.false_positives:
        print(f"FP: {len(confident - gold)}")
        for pair in sorted(confident - gold):
            print(f"FP\t{pair[0]}\t{query[pair[0]]}\t{pair[1]}\t{seen.get(pair, '')}")
    return 0


def _gold_context(sentences: list[Sentence], spans: list[Spans]) -> dict[Pair, str]:
    """Each gold pair's span in its sentence, bracketed, with five tokens either side."""
    plain = {" ".join(_span_tokens(s[a:b])) for s, sp in zip(sentences, spans, strict=True)
             for a, b, _ in sp}
    out: dict[Pair, str] = {}
    for sid, (sent, sp) in enumerate(zip(sentences, spans, strict=True)):
        for a, b, typ in sp:
            form, _ = canonical(sent[a:b], plain)
            out.setdefault((form, sid), " ".join(
                [*sent[max(0, a - 5):a], "[[", *sent[a:b], f"]]{typ}", *sent[b:b + 5]]))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
