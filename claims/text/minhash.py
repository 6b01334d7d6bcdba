"""Deterministic MinHash signatures and LSH band keys for near-duplicate claim lookup."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

__all__ = [
    "BANDS",
    "NUM_PERM",
    "ROWS",
    "band_hashes",
    "band_key",
    "band_keys",
    "min_rows",
    "minhash",
    "permuted",
    "shingle_hash",
]

# 64 permutations in 32 bands of 2 rows: a pair of short headlines whose stem sets have
# Jaccard 0.3 collides in at least one band with p = 1 - (1 - 0.3**2)**32 ≈ 0.95, at 0.5 with
# p ≈ 1.0, while unrelated claims sharing one frequent word (J ≈ 0.1) collide with p ≈ 0.27
# and are then ranked away by band-hit counts before precise scoring.
NUM_PERM = 64
ROWS = 2
BANDS = NUM_PERM // ROWS

# Mersenne prime 2**61 - 1: (a*x + b) mod p is a universal hash family, and every value fits a
# signed 64-bit BIGINT column.
_PRIME = (1 << 61) - 1
_MAX_HASH = _PRIME - 1
# A fixed seed (never Python's randomised ``hash``) keeps signatures identical across
# processes, machines and releases: they are stored in the database.
_rng = random.Random(20241225)  # noqa: S311 - not for security, only reproducible coefficients
_COEFFS: tuple[tuple[int, int], ...] = tuple(
    (_rng.randrange(1, _PRIME), _rng.randrange(0, _PRIME)) for _ in range(NUM_PERM)
)
# The empty set gets an all-max signature; it has no band keys, so it never matches anything.
EMPTY_SIGNATURE: tuple[int, ...] = (_MAX_HASH,) * NUM_PERM


def shingle_hash(shingle: str) -> int:
    """Stable 61-bit hash of one shingle (blake2b, so independent of PYTHONHASHSEED)."""
    digest = hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % _PRIME


@lru_cache(maxsize=65536)
def permuted(shingle: str) -> np.ndarray:
    """The NUM_PERM permuted hashes of one shingle; words repeat, so caching saves most work."""
    x = shingle_hash(shingle)
    # Exact big-int arithmetic (a*x overflows 64 bits); the result fits uint64.
    return np.array([(a * x + b) % _PRIME for a, b in _COEFFS], dtype=np.uint64)


def minhash(shingles: Iterable[str]) -> list[int]:
    """MinHash signature (NUM_PERM ints below 2**61) of a set of string shingles."""
    return min_rows([permuted(s) for s in set(shingles)])


def min_rows(rows: list[np.ndarray]) -> list[int]:
    """Element-wise minimum of permuted-hash rows as a signature; a repeated row changes nothing."""
    if not rows:
        return list(EMPTY_SIGNATURE)
    # ``tolist`` gives Python ints, as ``int(v)`` per element did, in one C call.
    return np.minimum.reduce(rows).tolist() if len(rows) > 1 else rows[0].tolist()


def _band_hash(number: int, rows: tuple[int, ...]) -> int:
    """63-bit hash of one band: its number as a leading byte (so equal rows in two bands never
    collide), then its rows as 8-byte big-endian words, through blake2b."""
    data = bytes((number,)) + b"".join([int(v).to_bytes(8, "big") for v in rows])
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big") >> 1


# (band number, its rows) -> (band hash, band key): common words set most minima, so across
# claims a band's rows recur (≈ 5 uses per distinct band at 20,000 claims) and a dict hit
# replaces a blake2b and the formatting.  Cleared when full, so a worker's memory stays bounded.
_BANDS_SEEN: dict[tuple[int, ...], tuple[int, str]] = {}
_BANDS_SEEN_MAX = 1 << 16


def _bands(signature: list[int] | tuple[int, ...]) -> list[tuple[int, str]]:
    """(hash, key) of each LSH band of a signature; none for the empty signature."""
    if len(signature) != NUM_PERM:
        raise ValueError(f"signature must have {NUM_PERM} values, got {len(signature)}")
    if tuple(signature) == EMPTY_SIGNATURE:
        return []
    seen = _BANDS_SEEN
    out = []
    # (number, row, row, ...) per band, straight from the signature.
    for band in zip(range(BANDS), *[iter(signature)] * ROWS, strict=True):
        found = seen.get(band)
        if found is None:
            if len(seen) >= _BANDS_SEEN_MAX:
                seen.clear()
            band_hash = _band_hash(band[0], band[1:])
            found = seen[band] = (band_hash, band_key(band_hash))
        out.append(found)
    return out


def band_hashes(signature: list[int] | tuple[int, ...]) -> list[int]:
    """One 63-bit integer per LSH band; the band number is mixed in so bands never collide."""
    return [band_hash for band_hash, _key in _bands(signature)]


def band_keys(signature: list[int] | tuple[int, ...]) -> list[str]:
    """``[band_key(h) for h in band_hashes(signature)]``: the keys stored in claim_bands."""
    return [key for _hash, key in _bands(signature)]


def band_key(band_hash: int) -> str:
    """Text form of a band hash for an indexed VARCHAR column (fixed width, 16 hex digits)."""
    return f"{band_hash:016x}"
