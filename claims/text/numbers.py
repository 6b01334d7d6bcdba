"""Arabic number parsing: offset-keeping tokens, digit strings in any script, number words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from functools import lru_cache
from typing import NamedTuple

__all__ = ["DIGITS", "LETTERS", "SCAN_RE", "TOKEN_RE", "NumParse", "Tok", "fold_word",
           "number_word", "parse_digits", "parse_number", "scan_pattern", "split_clitic",
           "tokenize"]

DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Harakat, superscript alef, Quranic marks and tatweel: dropped from lookup keys only.
_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي",
                       "ة": "ه", "ۀ": "ه", "ک": "ك"})
# Digits never belong to a word: Arabic-Indic digits and separators sit inside the Arabic
# block, so the letter class skips U+0660-U+066D and U+06F0-U+06F9 explicitly.  Text
# copied from a PDF keeps the presentation forms (U+FB50-FDFF, U+FE70-FEFC, less the
# ornate parentheses), which are letters too and fold to the plain ones.
_BASE_LETTERS = "\u0621-\u065f\u066e-\u06d3\u06d5-\u06ed\u06fa-\u06ff"
_PRESENTATION = "\ufb50-\ufd3d\ufd40-\ufdff\ufe70-\ufefc"
LETTERS = _BASE_LETTERS + _PRESENTATION
# Invisible characters: joiners and the soft hyphen inside a word are part of it (شخ‍صاً);
# bidi marks and other zero-width characters (editors put an RLM beside a number) are
# spaces, so they part no number from its unit.
_JOINERS = "\u200c\u200d\u2060\u00ad"
_INVISIBLE = "\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
_NUM = "[0-9٠-٩۰-۹]+(?:[.,٫٬][0-9٠-٩۰-۹]+)*"
_WORD = f"[{LETTERS}]+(?:[{_JOINERS}]+[{LETTERS}]+)*|[A-Za-z]+"
_SYM = f"[^\\s{_JOINERS}{_INVISIBLE}]"
_TOKEN_WIDE = re.compile(rf"[{_JOINERS}{_INVISIBLE}]*(?:(?P<num>{_NUM})|(?P<word>{_WORD})"
                         rf"|(?P<sym>{_SYM}))")
# The same tokens, each with the whitespace before it: matches are contiguous, so offsets
# follow from lengths and ``findall`` spares a match object per token (bulk extraction).
_SCAN_WIDE = re.compile(rf"([\s{_JOINERS}{_INVISIBLE}]*)(?:({_NUM})|({_WORD})|({_SYM}))")
# Most texts hold none of those characters: for them the narrower patterns give the same
# tokens ~6% faster.
_UNUSUAL = re.compile(f"[{_JOINERS}{_INVISIBLE}{_PRESENTATION}]")
_PLAIN_WORD = f"[{_BASE_LETTERS}]+|[A-Za-z]+"
TOKEN_RE = re.compile(rf"(?P<num>{_NUM})|(?P<word>{_PLAIN_WORD})|(?P<sym>\S)")
SCAN_RE = re.compile(rf"(\s*)(?:({_NUM})|({_PLAIN_WORD})|(\S))")


def scan_pattern(text: str) -> re.Pattern[str]:
    """``SCAN_RE``, or its wider form when ``text`` holds presentation forms or invisibles."""
    return _SCAN_WIDE if _UNUSUAL.search(text) else SCAN_RE


# What sends a word down the slow path of ``fold_word``: marks, joiners, presentation forms.
_SLOW = re.compile(f"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640{_JOINERS}"
                   f"{_PRESENTATION}]")


class Tok(NamedTuple):
    """One token with its offsets in the original text and a folded lookup key."""

    # A named tuple, not a frozen dataclass: built ~60 times per claim, 20x cheaper to make.

    kind: str  # "num" | "word" | "sym"
    start: int
    end: int
    key: str  # folded letters (words), ASCII digits (numbers) or the symbol itself
    rel: tuple[int, ...] | None  # offset of each key character in the token (None: 0..n)

    def off(self, k: int) -> int:
        """Original text offset of key character ``k`` (``len(key)``: the token's end)."""
        # Offsets are computed on demand: only a quantity's first token ever needs them.
        return self.start + (k if self.rel is None else self.rel[k])


@lru_cache(maxsize=1 << 16)
def fold_word(word: str) -> tuple[str, tuple[int, ...] | None]:
    """Folded key of one word and the relative offset of each key character (None: 0..n)."""
    # Cached: words are Zipfian, so most tokens of a corpus hit the cache.
    if not _SLOW.search(word):
        return word.translate(_FOLD), None
    chars: list[str] = []
    offs: list[int] = []
    for k, raw in enumerate(word):
        # A presentation form is its plain letter(s): ﻻ is لا, ﷲ is الله (each at offset k).
        for ch in unicodedata.normalize("NFKC", raw) if raw >= "\ufb50" else raw:
            if _MARKS.match(ch) or ch in _JOINERS or ch.isspace():
                continue
            chars.append(ch.translate(_FOLD))
            offs.append(k)
    offs.append(len(word))
    return "".join(chars), tuple(offs)


def tokenize(text: str) -> list[Tok]:
    """Split ``text`` into number, word and symbol tokens keeping original offsets."""
    out: list[Tok] = []
    for m in (_TOKEN_WIDE if _UNUSUAL.search(text) else TOKEN_RE).finditer(text):
        kind = m.lastgroup or "sym"
        start, end = m.span(kind)  # past any invisible characters before the token
        if kind == "word":
            key, rel = fold_word(m.group(kind))
        else:
            key, rel = m.group(kind).translate(DIGITS), None
        out.append(Tok(kind, start, end, key, rel))
    return out


@lru_cache(maxsize=1 << 14)
def parse_digits(key: str) -> float:
    """Value of an ASCII-digit string with thousands/decimal separators (٬ ٫ , .)."""
    seps = re.findall(r"[.,٫٬]", key)
    groups = re.split(r"[.,٫٬]", key)
    if not seps:
        return float(key)
    if "٫" in seps:
        decimal: str | None = "٫"
    elif "," in seps and "." in seps:
        decimal = seps[-1]  # "1,200.5" and "1.200,5": the last separator is the decimal one
    elif len(seps) > 1 or seps[0] == "٬":
        decimal = None  # repeated separators can only group thousands
    elif seps[0] == "," and len(groups[1]) == 3:
        decimal = None  # "1,200"
    else:
        decimal = seps[0]  # "2.5", "9,5"
    if decimal is None:
        return float("".join(groups))
    head, _, tail = key.rpartition(decimal)
    return float(re.sub(r"\D", "", head) + "." + tail)


# category: unit (1-10), teenpre (only before عشر), tens, hundred, hundreds, scale,
# scale2 (dual scale word), plural (approximate magnitude), frac.
_WORDS: dict[str, tuple[float, str]] = {}


def _add(cat: str, value: float, *forms: str) -> None:
    for form in forms:
        _WORDS[form] = (value, cat)


_add("unit", 1, "واحد", "واحده")
_add("unit", 2, "اثنان", "اثنين", "اثنتان", "اثنتين")
_add("teenpre", 1, "احد", "احدي")
_add("teenpre", 2, "اثنا", "اثني", "اثنتا", "اثنتي")
for _v, _forms in enumerate(
    [("ثلاث", "ثلاثه"), ("اربع", "اربعه"), ("خمس", "خمسه"), ("ست", "سته"),
     ("سبع", "سبعه"), ("ثمان", "ثماني", "ثمانيه"), ("تسع", "تسعه"), ("عشر", "عشره")], start=3):
    _add("unit", _v, *_forms)
for _v, _stem in enumerate(["عشر", "ثلاث", "اربع", "خمس", "ست", "سبع", "ثمان", "تسع"], start=2):
    _add("tens", _v * 10, _stem + "ون", _stem + "ين")
_add("hundred", 100, "مئه", "مائه", "ميه", "مئة")
_add("hundreds", 200, "مئتان", "مئتين", "مائتان", "مائتين", "مئتا", "مئتي", "مائتا", "مائتي")
for _v, _stem in enumerate(["ثلاث", "اربع", "خمس", "ست", "سبع", "ثمان", "تسع"], start=3):
    _add("hundreds", _v * 100, _stem + "مئه", _stem + "مائه")
_add("hundreds", 800, "ثمانيمئه", "ثمانمائه")
_add("scale", 1e3, "الف", "الفا")
_add("scale", 1e6, "مليون", "مليونا")
_add("scale", 1e9, "مليار", "مليارا", "بليون")
_add("scale", 1e12, "تريليون", "ترليون")
_add("scale2", 2e3, "الفان", "الفين", "الفي")
_add("scale2", 2e6, "مليونان", "مليونين", "مليوني")
_add("scale2", 2e9, "ملياران", "مليارين", "ملياري")
_add("plural", 10, "عشرات")
_add("plural", 100, "مئات", "مئاة")
_add("plural", 1e3, "الاف", "الوف")
_add("plural", 1e6, "ملايين")
_add("plural", 1e9, "مليارات")
_add("frac", 0.5, "نصف")
_add("frac", 0.25, "ربع")
_add("frac", 1 / 3, "ثلث")
_add("frac", 2 / 3, "ثلثي", "ثلثا")
_add("frac", 2, "ضعف", "ضعفي")

_PROCLITICS = ("وب", "ول", "وك", "فب", "فل", "و", "ف", "ب", "ل", "ك")
_DEFINITE_HEADS = ("ال", "لل", "ولل", *(p + "ال" for p in ("و", "ب", "ف", "ك", "وب")),
                   *_PROCLITICS)


def split_clitic(key: str, known: Container[str], definite: bool = False,
                 ) -> tuple[int, str] | None:
    """Strip a proclitic (و ف ب ل ك, and ال when ``definite``) so the stem is in ``known``."""
    if key in known:
        return 0, key
    for head in _DEFINITE_HEADS if definite else _PROCLITICS:
        # Two-letter stems after a clitic are mostly other words: لست "I am not" is not ل+ست.
        if key.startswith(head):
            stem = key[len(head):]
            if stem in known and (len(stem) > 2 or head == "و"):
                return len(head), stem
    return None


@lru_cache(maxsize=1 << 16)
def number_word(key: str, definite: bool = True) -> tuple[int, str] | None:
    """``split_clitic`` against the number words, cached per word (words are Zipfian)."""
    return split_clitic(key, _WORDS, definite)


class NumParse(NamedTuple):
    """A number phrase: its value, token range [i, j) and offsets."""

    # A named tuple for the same reason as Tok: made for every number-like token.

    value: float
    i: int
    j: int
    start: int
    end: int
    approx: bool  # started with عشرات/مئات/آلاف/ملايين: a magnitude, not a count
    scaled: bool  # carried a scale word (ألف، مليون…), which a range's lower end may share
    digits: bool  # a bare digit string (no words): candidate year
    frac: bool  # a bare fraction/multiple (نصف، ضعف): needs a unit or scale to count


def _atom(toks: list[Tok], j: int, first: bool) -> tuple[float, str, int] | None:
    """(value, category, start offset) of the number atom at token ``j``."""
    if j >= len(toks):
        return None
    tok = toks[j]
    if tok.kind == "num":
        return parse_digits(tok.key), "digits", tok.start
    if tok.kind != "word":
        return None
    hit = number_word(tok.key)
    if hit is None:
        return None
    cut, stem = hit
    value, cat = _WORDS[stem]
    head = tok.key[:cut]
    # Definite 3-10 after a noun are cardinals ("الدول الأربع"); ordinals have other forms.
    if head.endswith(("ال", "لل")) and not (cat == "plural" or (cat == "unit" and value >= 3)):
        return None  # "الخمسين" after a noun is an ordinal; only العشرات/الآلاف… count
    if first and cat == "teenpre" and not _is_teen(toks, j + 1):
        return None  # "إحدى" alone means "one of"
    return value, cat, tok.off(cut)


def _is_teen(toks: list[Tok], j: int) -> bool:
    return j < len(toks) and toks[j].kind == "word" and toks[j].key in ("عشر", "عشره")


def parse_number(toks: list[Tok], i: int) -> NumParse | None:
    """Parse the longest number phrase starting at token ``i`` (digits and/or words)."""
    atom = _atom(toks, i, first=True)
    if atom is None:
        return None
    value, cat, start = atom
    i0 = i
    total, current, approx, scaled = 0.0, 0.0, False, False
    last_scale = 0.0  # magnitude the next "و" group must stay under
    only_digits = cat == "digits"
    frac = cat == "frac"
    if cat in ("scale", "scale2"):
        total, last_scale, scaled = value, value / (2 if cat == "scale2" else 1), True
    elif cat == "plural":
        current, approx = value, True
    else:
        current = value
    if cat in ("unit", "teenpre") and _is_teen(toks, i + 1):
        current, cat, i = value + 10, "teen", i + 1
    if cat in ("hundred", "hundreds"):
        last_scale = 100
    j = i + 1
    while j < len(toks):
        nxt = _atom(toks, j, first=False)
        if nxt and nxt[1] in ("scale", "plural") and toks[j].kind == "word":
            total += (current or 1) * nxt[0]
            current, last_scale, scaled, frac, only_digits = 0.0, nxt[0], True, False, False
            j += 1
            continue
        if nxt and nxt[1] == "hundred" and cat == "unit" and 3 <= current <= 9:
            current, last_scale, only_digits = current * 100, 100, False
            j += 1
            continue
        # "و" continuation: "مليون و800 ألف", "ثلاثة وعشرون", "مئة وخمسون", "مليون ونصف".
        tok = toks[j]
        if tok.kind != "word" or not tok.key.startswith("و") or j == i:
            break
        if tok.key == "و":
            nj, nxt = j + 1, _atom(toks, j + 1, first=False)
        else:
            nj = j
            hit = number_word(tok.key[1:], False)
            nxt = None
            if hit is not None and hit[0] == 0:
                nv, ncat = _WORDS[hit[1]]
                nxt = (nv, ncat, tok.off(1))
        if nxt is None:
            break
        nv, ncat, _ = nxt
        if ncat == "frac" and nv == 0.5 and last_scale >= 1000 and current == 0:
            total += 0.5 * last_scale
        elif ncat == "tens" and cat == "unit" and current < 10:
            current += nv
        elif last_scale and ncat in ("digits", "unit", "tens", "hundred", "hundreds") and (
                nv < last_scale):
            current = (current + nv) if ncat != "hundred" else current + 100
        else:
            break
        cat, only_digits, frac = ncat, False, False
        if ncat in ("hundred", "hundreds"):
            last_scale = 100
        j = nj + 1
    return NumParse(total + current, i0, j, start, toks[j - 1].end,
                    approx, scaled, only_digits, frac)
