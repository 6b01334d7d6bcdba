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


def loads(text: str | bytes) -> Any:
    """``json.loads`` that raises ValueError (TooDeep) instead of RecursionError or worse."""
    try:
        data = json.loads(text)
    except RecursionError as exc:
        raise TooDeep(f"JSON nested deeper than {MAX_DEPTH} levels") from exc
    if too_deep(data):
        raise TooDeep(f"JSON nested deeper than {MAX_DEPTH} levels")
    return data
