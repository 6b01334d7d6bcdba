"""The fast paths of the text derivations give exactly what the code gave before them."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from claims.text.match_analysis import analyze, claim_signature, content_stems, lsh_band_keys
from claims.text.minhash import _COEFFS, _PRIME, EMPTY_SIGNATURE, minhash, shingle_hash
from claims.text.quantities import extract_quantities

# ~4,000 sentences (synthetic bench claims, ANS headlines, CLEF debate lines, the quantity and
# matching tests' literals) with the quantities and band keys of the code before the fast
# paths; regenerate only for an intended change: bench/derive_profile.py --write-fixture.
FIXTURE = Path(__file__).parent / "data" / "text-derivations.json.gz"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    with gzip.open(FIXTURE, "rt", encoding="utf-8") as fh:
        data: list[dict[str, Any]] = json.load(fh)
    return data


def _quantity_json(text: str) -> str:
    # JSON text, so 38 and 38.0 or True and 1 would differ as they would in stored rows.
    return json.dumps([[q.start, q.end, q.surface, q.value, q.upper, q.total, q.unit, q.approx,
                        q.bound, q.kind] for q in extract_quantities(text)], ensure_ascii=False)


def test_quantities_identical_to_stored(rows: list[dict[str, Any]]) -> None:
    diffs = [r["t"] for r in rows
             if _quantity_json(r["t"]) != json.dumps(r["q"], ensure_ascii=False)]
    assert not diffs, diffs[:5]
    assert sum(1 for r in rows if r["q"]) > 1000  # the sample really exercises quantities


def test_band_keys_identical_to_stored(rows: list[dict[str, Any]]) -> None:
    def digest(text: str) -> str:
        keys = " ".join(lsh_band_keys(claim_signature(text)))
        return hashlib.blake2b(keys.encode(), digest_size=8).hexdigest()

    diffs = [r["t"] for r in rows if digest(r["t"]) != r["b"]]
    assert not diffs, diffs[:5]


def test_content_stems_are_the_analysis_stems(rows: list[dict[str, Any]]) -> None:
    for r in rows[::7]:
        assert content_stems(r["t"]) == analyze(r["t"]).stems


def _reference_minhash(shingles: set[str]) -> list[int]:
    """The textbook definition, in exact integers: min over shingles of (a*x + b) mod p."""
    if not shingles:
        return list(EMPTY_SIGNATURE)
    xs = [shingle_hash(s) for s in shingles]
    return [min((a * x + b) % _PRIME for x in xs) for a, b in _COEFFS]


@pytest.mark.parametrize("shingles", [set(), {"واحد"}, {"حكومه", "2024", "اسعار", "قمح"},
                                      {f"w{i}" for i in range(300)}])
def test_minhash_matches_reference(shingles: set[str]) -> None:
    got = minhash(shingles)
    assert got == _reference_minhash(shingles)
    assert all(type(v) is int for v in got)


def test_empty_text_has_no_band_keys() -> None:
    assert lsh_band_keys(claim_signature("")) == []
    assert lsh_band_keys(claim_signature("في من على")) == []
