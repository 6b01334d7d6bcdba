"""JSON from users, parsed with a bound on nesting depth."""

from __future__ import annotations

import json
from typing import Any

# Real bodies, ClaimReview feeds and JSON-LD blocks nest a few levels; a few hundred levels
# would overflow the recursion of the parser or of the code that walks the result.
MAX_DEPTH = 64


class TooDeep(ValueError):
    """The JSON nests deeper than MAX_DEPTH."""


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects nest deeper than ``limit`` (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class DuplicateName(ValueError):
    """An object names a member twice (RFC 8259 §4: which value is meant is anyone's guess)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name!r} is named twice")
        self.name = name


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value in pairs:
        if name in found:
            raise DuplicateName(name)
        found[name] = value
    return found


def _not_json(constant: str) -> Any:
    # Python's parser takes NaN and Infinity; JSON has no such numbers.
    raise ValueError(f"{constant} is not a JSON number")


def loads(text: str | bytes, *, strict: bool = False) -> Any:
    """``json.loads`` that raises ValueError (TooDeep) instead of RecursionError or worse;
    ``strict``: JSON as RFC 8259 has it, refusing a name given twice (DuplicateName), NaN and
    Infinity (ValueError)."""
    try:
        data = json.loads(text, object_pairs_hook=_unique if strict else None,
                          parse_constant=_not_json if strict else None)
    except RecursionError as exc:
        raise TooDeep(f"JSON nested deeper than {MAX_DEPTH} levels") from exc
    if too_deep(data):
        raise TooDeep(f"JSON nested deeper than {MAX_DEPTH} levels")
    return data
