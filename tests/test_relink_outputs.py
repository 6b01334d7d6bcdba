"""Entity links and search keys stay exactly what the engine gave before its speed-ups.

The fixture holds ~2,300 Arabic sentences (synthetic bench claims, ANS headlines and CLEF
debate lines, ANERcorp sentences, the linking tests' literals, and noisy mixes of alias names,
clitics, marks and separators), three alias tables, and the text key digest and every mention
that the code before the speed-ups produced; regenerate it only for an intended change:
``PYTHONPATH=<old tree> .venv/bin/python tests/test_relink_outputs.py --write``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).parent / "data" / "linking-outputs.json.gz"


def _digest(key: str) -> str:
    return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


def _index(rows: list[list[Any]]) -> Any:
    from claims.text.linking import AliasEntry, AliasIndex

    return AliasIndex(AliasEntry(*row) for row in rows)


def _mentions(index: Any, text: str) -> list[list[Any]]:
    out = []
    for m in index.find(text):
        assert m.surface == text[m.start:m.end]
        out.append([m.entity_id, m.alias_id, m.start, m.end, m.method, m.confidence,
                    m.is_demonym, m.needs_review])
    return out


@pytest.fixture(scope="module")
def stored() -> dict[str, Any]:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def test_text_keys_identical_to_stored(stored: dict[str, Any]) -> None:
    from claims.text.linking import text_search_key

    diffs = [t for t, d in zip(stored["sentences"], stored["keys"], strict=True)
             if _digest(text_search_key(t)) != d]
    assert not diffs, diffs[:3]


@pytest.mark.parametrize("name", ["gazetteer", "bench", "tests"])
def test_mentions_identical_to_stored(stored: dict[str, Any], name: str) -> None:
    index = _index(stored["aliases"][name])
    expected = stored["found"][name]
    for _ in range(2):  # the second pass runs on the index's warm memos
        diffs = [(t, e) for t, e in zip(stored["sentences"], expected, strict=True)
                 if _mentions(index, t) != e]
        assert not diffs, diffs[:3]
    assert sum(map(len, expected)) > 400  # the sample really links


def test_row_and_token_forms_agree_with_find(stored: dict[str, Any]) -> None:
    from claims.text.linking import text_search_key, tokens, tokens_search_key

    index = _index(stored["aliases"]["bench"])
    for text in stored["sentences"][::3]:
        toks = tokens(text)
        assert tokens_search_key(toks) == text_search_key(text)
        assert index.find_rows(text, toks) == [
            (m.entity_id, m.alias_id, m.start, m.end, m.surface, m.method, m.confidence,
             m.is_demonym) for m in index.find(text)]


def test_memo_order_does_not_matter(stored: dict[str, Any]) -> None:
    rows = stored["aliases"]["gazetteer"]
    forward, backward = _index(rows), _index(rows)
    texts = stored["sentences"][1::4]
    first = [_mentions(forward, t) for t in texts]
    second = [_mentions(backward, t) for t in reversed(texts)]
    assert first == second[::-1]


# -- regenerating the fixture ---------------------------------------------------------------

_SEPARATORS = [" ", " ", " ", " ", "  ", " ـ ", " \u200b ", " \u064e ", ".", "-", " - ", ". ",
               "، ", "\u200b", "ـ", " «", "» ", "\"", "\n", " (", ") ", "\u064e ", "/", "\t",
               ": ", "؟ "]
_PREFIXES = ["", "", "", "و", "ب", "ل", "ف", "ك", "وب", "ول", "ال", "لل", "وال", "بال", "فل"]
_CUES = ["الرئيس", "قال", "وقال", "صحيفة", "الشيخ", "السيد", "أكد", "مدينة", "قطاع", "جنوب",
         "حزب", "الملك", "الوزير", "على", "إلى", "في", "من", "أن", "عن", "اليوم", "الأول",
         "Mr", "the", "President", "said", "١٢", "2024", "٪"]


def _noisy(names: list[str], vocab: list[str], n: int) -> list[str]:
    """Mixes of alias names (with clitics, dropped or added letters, marks), cues and words."""
    rng = random.Random(20261126)
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 14)):
            r = rng.random()
            if r < 0.35:
                toks = rng.choice(names).split(" ")
                toks[0] = rng.choice(_PREFIXES) + toks[0]
                if rng.random() < 0.2:
                    toks = [t.replace("ا", "", 1) if rng.random() < 0.5 else t + "ه"
                            for t in toks]
                if rng.random() < 0.15:
                    toks = [t.replace("ة", "ه").replace("أ", "ا").replace("ي", "ى") for t in toks]
                if rng.random() < 0.1:
                    toks = [t[:1] + "\u0651" + t[1:] + "\u0640" for t in toks]
                parts.append(rng.choice([" ", " ", ".", "-", "  "]).join(toks))
            else:
                parts.append(rng.choice(_CUES) if r < 0.55 else rng.choice(vocab))
            parts.append(rng.choice(_SEPARATORS))
        out.append("".join(parts[:-1]) + rng.choice(["", ".", "»", " "]))
    return out


def _write_fixture() -> None:
    """Compute the fixture with whatever ``claims`` is first on the path."""
    import ast

    from bench import corpus_gen
    from claims.text.linking import text_search_key

    root = Path(__file__).resolve().parents[1]
    bench_rows: list[list[Any]] = []
    for eid, (_, kind, ar, en, aliases) in enumerate(corpus_gen.entity_specs(), 1):
        for text, alias_kind, lang in [(ar, "name", "ar"), *([(en, "name", "en")] if en else []),
                                       *aliases]:
            bench_rows.append([len(bench_rows) + 1, eid, text, alias_kind, lang, kind])
    gazetteer = json.loads((root / "claims/data/gazetteer.json").read_text(encoding="utf-8"))
    gaz_rows: list[list[Any]] = []
    for eid, item in enumerate(gazetteer["entities"]):
        names = [{"text": item["name_ar"], "kind": "name", "lang": "ar"},
                 *([{"text": item["name_en"], "kind": "name", "lang": "en"}]
                   if item.get("name_en") else []), *item["aliases"]]
        for alias in names:
            gaz_rows.append([len(gaz_rows), eid, alias["text"], alias["kind"], alias["lang"],
                             item["kind"]])
    from tests import test_text_homographs, test_text_linking

    test_rows = [[e.alias_id, e.entity_id, e.text, e.kind, e.lang, e.entity_kind]
                 for e in test_text_linking._index().aliases.values()]
    test_rows += [[1000 + e.alias_id, 1000 + e.entity_id, e.text, e.kind, e.lang,
                   e.entity_kind] for e in test_text_homographs.INDEX.aliases.values()]
    names = [r[2] for r in bench_rows + gaz_rows]
    people = list(dict.fromkeys(r[1] for r in bench_rows if r[5] == "person"))
    first = [(r[1], r[2]) for r in bench_rows]
    sentences = [corpus_gen.make_claim(i, first, people)["text"] for i in range(600)]
    with gzip.open(root / "tests/data/text-derivations.json.gz", "rt", encoding="utf-8") as fh:
        sentences += [r["t"] for r in json.load(fh)[4::6]]
    anercorp = root.parent / "shared/data/anercorp/ANERCorp-train.txt"
    words: list[str] = []
    for line in anercorp.read_text(encoding="utf-8").splitlines()[:60_000]:
        word = line.rsplit(" ", 1)[0]
        if not word:
            continue
        words.append(word)
        if word == "." and len(words) > 3:
            sentences.append(" ".join(words))
            words = []
    sentences = sentences[:1300] + sentences[1300::8]
    for module in (test_text_linking, test_text_homographs):
        tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
        sentences += [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                      and isinstance(n.value, str) and any("\u0600" <= c <= "\u06ff"
                                                           for c in n.value)]
    sentences += _noisy(names, corpus_gen.WORDS + corpus_gen.LAST, 500)
    sentences = list(dict.fromkeys(sentences))
    aliases = {"gazetteer": gaz_rows, "bench": bench_rows, "tests": test_rows}
    data = {"sentences": sentences, "keys": [_digest(text_search_key(t)) for t in sentences],
            "aliases": aliases,
            "found": {name: [_mentions(_index(rows), t) for t in sentences]
                      for name, rows in aliases.items()}}
    with gzip.open(FIXTURE, "wt", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
    import claims.text.linking as linking

    print(f"{FIXTURE} by {linking.__file__}: {len(sentences)} sentences, "
          f"{sum(len(f) for v in data['found'].values() for f in v)} mentions")


if __name__ == "__main__" and "--write" in sys.argv:
    _write_fixture()
