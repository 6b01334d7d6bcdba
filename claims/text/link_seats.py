"""Hamza-seat guard of entity linking: a placed mention whose text writes another seat."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from claims.text.homographs import seat_letters, seats_conflict
from claims.text.link_keys import TOKEN_RE, remember

if TYPE_CHECKING:
    from claims.text.link_keys import AliasEntry, Token

__all__ = ["SeatGuard"]

# Raw token → its hamza seats (pure; mentions of the same names repeat across claims).
_seat_letters = lru_cache(maxsize=65536)(seat_letters)


class SeatGuard:
    """Whether a mention's text writes a hamza seat that its alias does not have."""

    def __init__(self, aliases: dict[int, AliasEntry]) -> None:
        self._aliases = aliases  # the index's own table, filled as it is built
        self._alias_seats: dict[int, tuple[str, ...]] = {}
        self._memo: dict[tuple[int, int, str], bool] = {}

    def differ(self, text: str, toks: list[Token], i: int, n: int, alias_id: int,
               cut: int) -> bool:
        """Whether tokens ``i``..``i + n`` (the first less ``cut`` letters) conflict."""
        # the tokens of the mention's stretch of text are all the answer depends on
        memo = (alias_id, cut, text[toks[i][1]:toks[i + n - 1][2]])
        known = self._memo.get(memo)
        if known is None:
            known = remember(self._memo, memo, self._differ(text, toks, i, n, alias_id, cut))
        return known

    def _differ(self, text: str, toks: list[Token], i: int, n: int, alias_id: int,
                cut: int) -> bool:
        alias = self._alias_seats.get(alias_id)
        if alias is None:
            raw = self._aliases[alias_id].text
            alias = tuple(seat_letters(m.group()) for m in TOKEN_RE.finditer(raw))
            self._alias_seats[alias_id] = alias
        if len(alias) != n:
            return False  # a compound or inflected key: no letter-for-letter alignment
        for j in range(n):
            _, start, end, _ = toks[i + j]
            written = _seat_letters(text[start:end])
            if seats_conflict(alias[j], written[cut:] if j == 0 else written):
                return True
        return False
