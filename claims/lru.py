"""Thread-safe bounded least-recently-used maps, one per database engine where needed."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy import Engine

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """At most ``max_entries`` values (and, with ``weigh``, at most ``max_weight`` in total)."""

    def __init__(self, max_entries: int, weigh: Callable[[V], int] | None = None,
                 max_weight: int = 0) -> None:
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries, self._weigh, self._max_weight = max_entries, weigh, max_weight
        self._weight = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        """The value for ``key``, marked as recently used, or None."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> None:
        """Store ``value``, evicting the least recently used beyond the bounds."""
        weigh = self._weigh or (lambda _: 0)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._weight -= weigh(old)
            self._items[key] = value
            self._weight += weigh(value)
            while len(self._items) > self._max_entries or (
                    self._max_weight and self._weight > self._max_weight
                    and len(self._items) > 1):
                _, dropped = self._items.popitem(last=False)
                self._weight -= weigh(dropped)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()
            self._weight = 0


class PerEngine(Generic[K, V]):
    """One LRU per engine: tests and tools run several apps (databases) in one process."""

    def __init__(self, max_entries: int, weigh: Callable[[V], int] | None = None,
                 max_weight: int = 0) -> None:
        self._make = lambda: LRU[K, V](max_entries, weigh, max_weight)
        self._caches: weakref.WeakKeyDictionary[Engine, LRU[K, V]] = (
            weakref.WeakKeyDictionary())
        self._lock = threading.Lock()

    def __call__(self, engine: Engine) -> LRU[K, V]:
        """The cache of this engine (created on first use)."""
        with self._lock:
            found = self._caches.get(engine)
            if found is None:
                found = self._caches[engine] = self._make()
            return found

    def clear(self) -> None:
        """Forget every engine's cache."""
        with self._lock:
            self._caches.clear()
