"""PROVISIONAL minimal linker (exact and clitic matches); the full engine replaces this file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from claims.text.arabic import normalize, tokens_with_spans

_PREFIXES = ("وبال", "فبال", "وكال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال",
             "و", "ف", "ب", "ل", "ك")


@dataclass(frozen=True)
class AliasEntry:
    alias_id: int
    entity_id: int
    text: str
    kind: str
    lang: str
    entity_kind: str = "other"


@dataclass(frozen=True)
class Match:
    entity_id: int
    alias_id: int
    start: int
    end: int
    surface: str
    method: str
    confidence: float
    is_demonym: bool
    needs_review: bool


def alias_key(text: str) -> str:
    return normalize(text)


def _variants(token: str) -> list[str]:
    out = [token]
    for prefix in _PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 3:
            rest = token[len(prefix):]
            out.append(rest)
            if prefix.endswith("لل"):
                out.append("ال" + rest)
    return out


def candidate_keys(query: str) -> list[str]:
    key = normalize(query)
    if not key:
        return []
    words = key.split()
    keys = [key]
    for variant in _variants(words[0])[1:]:
        keys.append(" ".join([variant, *words[1:]]))
    return keys


def text_search_key(text: str) -> str:
    out: list[str] = []
    for token in normalize(text).split():
        for variant in _variants(token):
            if variant not in out[-4:]:
                out.append(variant)
    return " ".join(out)


class AliasIndex:
    def __init__(self, aliases: Iterable[AliasEntry]) -> None:
        self._by_key: dict[tuple[str, ...], list[AliasEntry]] = {}
        self._max = 1
        for alias in aliases:
            words = tuple(alias_key(alias.text).split())
            if words:
                self._by_key.setdefault(words, []).append(alias)
                self._max = max(self._max, len(words))

    def find(self, text: str) -> list[Match]:
        tokens = [(normalize(t), s, e) for t, s, e in tokens_with_spans(text)]
        matches: list[Match] = []
        i = 0
        while i < len(tokens):
            found = None
            for n in range(min(self._max, len(tokens) - i), 0, -1):
                words = [t for t, _, _ in tokens[i:i + n]]
                for first in _variants(words[0]):
                    entries = self._by_key.get(tuple([first, *words[1:]]))
                    if entries:
                        found = (n, entries[0], first != words[0])
                        break
                if found:
                    break
            if found:
                n, alias, clitic = found
                start, end = tokens[i][1], tokens[i + n - 1][2]
                matches.append(Match(alias.entity_id, alias.alias_id, start, end, text[start:end],
                                     "demonym" if alias.kind == "demonym" else
                                     ("clitic" if clitic else "exact"), 1.0,
                                     alias.kind == "demonym", False))
                i += n
            else:
                i += 1
        return matches

    def lookup(self, query: str) -> list[tuple[int, float]]:
        result: dict[int, float] = {}
        for key in candidate_keys(query):
            for alias in self._by_key.get(tuple(key.split()), []):
                result[alias.entity_id] = 1.0
        return list(result.items())
