"""Context that settles a one-word homograph: a month outside a date, a list of names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from claims.text.clitics import clitic_forms
from claims.text.homographs import DATE_AFTER, DATE_BEFORE, MONTH_NAMES

if TYPE_CHECKING:
    from claims.text.link_keys import Token

__all__ = ["Placed", "coordinated", "named_month"]

# Between two names of one list: a conjunction, a comma or a slash (مكة والمدينة, مكة ،
# المدينة, فولكسفاغن / أودي).
_LIST_GAPS = frozenset({"و", "،", ",", "/"})
_QUOTE_MARKS = "«»\"“”"


def _forms(token: str) -> set[str]:
    return {f.form for f in clitic_forms(token)}


def named_month(toks: Sequence[Token], i: int, before: str, after: str) -> bool:
    """A month name between two ordinary words names something (قافلة نيسان للدفع الرباعي).

    ``before`` and ``after`` are the characters next to it; a date has a day, a year, a
    preposition of time or a second calendar's name beside it (أبريل / نيسان 2004). A
    quotation mark counts as an ordinary word's side: (من « نيسان أورفان »).
    """
    # "" (the text's edge) is in every string: a month there is not taken for a name
    if not _forms(toks[i][0]) & MONTH_NAMES or before in "/()" or after in "/()":
        return False
    # a quotation mark beside it bounds a quoted name (« نيسان أورفان »): no date that side
    left = before in _QUOTE_MARKS or (
        i > 0 and toks[i][3] and _ordinary(toks[i - 1][0], DATE_BEFORE))
    right = after in _QUOTE_MARKS or (
        i + 1 < len(toks) and toks[i + 1][3] and _ordinary(toks[i + 1][0], DATE_AFTER))
    return left and right


def _ordinary(word: str, date_words: frozenset[str]) -> bool:
    """Whether a neighbour of a month name is neither a number nor a word of dates."""
    return not word.isdigit() and not _forms(word) & (date_words | MONTH_NAMES)


# (first token, tokens covered, entity kind, confident, may be confirmed) of a placed mention
Placed = tuple[int, int, str, bool, bool]


def coordinated(text: str, toks: Sequence[Token], placed: Sequence[Placed]) -> list[int]:
    """Indexes of homograph mentions listed next to a confident name of the same kind.

    مكة والمدينة, السنة والشيعة: a list joins names of one kind, so the homograph beside a
    name is a name too.  Only the immediate neighbours count, joined by و or a comma.
    """
    confirmed = []
    for idx, (i, n, kind, confident, confirmable) in enumerate(placed):
        if confident or not confirmable:
            continue
        for nb in (idx - 1, idx + 1):
            if not 0 <= nb < len(placed):
                continue
            k, m, other_kind, other_confident, _ = placed[nb]
            if not other_confident or other_kind != kind:
                continue
            (a, a_n), b = ((k, m), i) if k < i else ((i, n), k)
            gap = text[toks[a + a_n - 1][2]:toks[b][1]]
            joined = gap.strip() in _LIST_GAPS or (
                gap.isspace() and text[toks[b][1]:toks[b][2]].startswith("و"))
            if joined:
                confirmed.append(idx)
                break
    return confirmed
