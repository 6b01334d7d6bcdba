"""Context that settles a one-word homograph: a month outside a date, a list of names."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from claims.text.clitics import clitic_forms
from claims.text.homographs import DATE_AFTER, DATE_BEFORE, MONTH_NAMES

if TYPE_CHECKING:
    from claims.text.link_keys import Token

__all__ = [
    "Placed",
    "confirmed",
    "coordinated",
    "named_in_full",
    "named_month",
    "nationality_named",
    "spelled_as_word",
]

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


def confirmed(text: str, toks: Sequence[Token], placed: Sequence[Placed],
              nisba_of_place: Callable[[str], bool]) -> set[int]:
    """Indexes of homograph mentions that their context settles as names (see below)."""
    found = set(coordinated(text, toks, placed)) | set(named_in_full(toks, placed))
    found.update(idx for idx, (i, _, _, confident, confirmable) in enumerate(placed)
                 if not confident and confirmable and nationality_named(toks, i, nisba_of_place))
    return found


def named_in_full(toks: Sequence[Token], placed: Sequence[Placed]) -> list[int]:
    """Indexes of one-word person homographs that repeat a name the text gives in full.

    نبيه بري … وقال بري, الحسن بن علي … ليلحق بالحسن: once a person is named in full, his
    given name or family name alone refers to him, ordinary word or not.
    """
    ends: set[str] = set()
    for i, n, kind, confident, _ in placed:
        if confident and n > 1 and kind == "person":
            ends |= _forms(toks[i][0])
            ends.add(toks[i + n - 1][0])
    if not ends:
        return []
    return [idx for idx, (i, _, kind, confident, confirmable) in enumerate(placed)
            if not confident and confirmable and kind == "person" and _forms(toks[i][0]) & ends]


def nationality_named(toks: Sequence[Token], i: int,
                      nisba_of_place: Callable[[str], bool]) -> bool:
    """An indefinite homograph qualified by a definite nisba of a known place is a name.

    تعادل ليل الفرنسي: a common noun without the article cannot take a definite adjective,
    so ليل here is the club, named with its country as clubs and firms are (شل البريطانية).
    With the article it is a noun and its adjective (الجيش الأميركي, السفير القطري).
    """
    # definite in any reading (الشعب, للشعب = ل + الشعب): a noun and its adjective
    if any(f.startswith("ال") for f in _forms(toks[i][0])):
        return False
    if i + 1 >= len(toks) or not toks[i + 1][3]:
        return False
    nxt = toks[i + 1][0]
    if not nxt.startswith("ال"):
        return False
    # البريطانية: the feminine nisba, ة normalised to ه
    return nisba_of_place(nxt) or (nxt.endswith("يه") and nisba_of_place(nxt[:-1]))


# A word ending in ي shows a writer who keeps ي and ى apart (not فى, الذى, المصرى).
_YA_SPELLED = re.compile(r"ي(?!\w)")


def spelled_as_word(text: str, raw: str, alias: str) -> bool:
    """Whether ``raw``, written with a final ى, is the function word and not a name in ي.

    Normalisation folds ى into ي, so على reads like the name علي; but a text that spells في,
    الذي or any other word with a final ي writes the preposition على with ى and the name
    with ي: there "اتفق مع الملك على الحاجة" has no name after the title. (Texts that write
    ى for every final ي, فى عهد محمد على, keep no such distinction, and are left alone.)
    """
    return (_last_letter(raw) == "ى" and _last_letter(alias) == "ي"
            and _YA_SPELLED.search(text) is not None)


def _last_letter(word: str) -> str:
    """The last letter of ``word``, past harakat, tatweel and punctuation (عليّ → ي)."""
    for ch in reversed(word):
        if ch.isalpha() and ch != "\u0640":
            return ch
    return ""
