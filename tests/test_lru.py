"""The bounded LRU maps behind the per-process caches."""

from __future__ import annotations

from sqlalchemy import create_engine

from claims.lru import LRU, PerEngine


def test_lru_evicts_least_recently_used_by_count_and_weight() -> None:
    cache: LRU[str, str] = LRU(3)
    for key in "abc":
        cache.put(key, key.upper())
    assert cache.get("a") == "A"  # now the most recent
    cache.put("d", "D")
    assert (cache.get("b"), cache.get("a"), len(cache)) == (None, "A", 3)
    heavy: LRU[int, str] = LRU(100, len, max_weight=10)
    heavy.put(1, "x" * 6)
    heavy.put(2, "y" * 6)
    assert (heavy.get(1), heavy.get(2)) == (None, "y" * 6)
    heavy.put(3, "z" * 50)  # alone over the weight bound: kept, the others go
    assert (len(heavy), heavy.get(3)) == (1, "z" * 50)


def test_each_engine_has_its_own_cache() -> None:
    caches: PerEngine[str, int] = PerEngine(10)
    first, second = create_engine("sqlite://"), create_engine("sqlite://")
    caches(first).put("k", 1)
    assert (caches(first).get("k"), caches(second).get("k")) == (1, None)
    caches.clear()
    assert caches(first).get("k") is None
