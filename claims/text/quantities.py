"""Structured quantities (numbers, units, ranges, bounds, dates, years) in Arabic claim text."""

from __future__ import annotations

from dataclasses import dataclass

from claims.text.numbers import NumParse, Tok, parse_number, split_clitic
from claims.text.quantity_lexicon import (
    AFTER_CUES,
    ARABIC_WORD_RE,
    CURRENCY_ADJ,
    DIGIT_RE,
    DUALS,
    GLUE,
    LABELS,
    MONTHS,
    PHRASE_UNITS,
    TWO_WORD_MONTHS,
    UNITS,
    cues_ending,
    dual_word,
    raw_may_start,
    scan,
    unit_word,
    year_word,
)

__all__ = ["Quantity", "extract_quantities", "same_unit"]


@dataclass(frozen=True)
class Quantity:
    """One quantity mention; offsets index the original text."""

    start: int
    end: int
    surface: str
    value: float
    upper: float | None
    total: float | None
    unit: str
    approx: bool
    bound: str | None  # "gt" | "ge" | "lt" | "le" | "up_to" | None
    kind: str  # "quantity" | "date" | "year"


_AFTER_FIRST = frozenset(words[0] for words in AFTER_CUES)


def _word(toks: list[Tok], k: int) -> str | None:
    return toks[k].key if 0 <= k < len(toks) and toks[k].kind == "word" else None



def _cue_before(toks: list[Tok], i: int) -> tuple[bool, str | None, int | None]:
    """Approximation/bound cue ending just before token ``i``: (approx, bound, start)."""
    k = i - 1
    while k >= 0 and toks[k].kind == "word" and toks[k].key in GLUE:
        k -= 1
    for words, approx, bound in cues_ending(_word(toks, k)):
        n = len(words)
        first = k - n + 1
        if first < 0 or any(_word(toks, first + m) != words[m] for m in range(1, n)):
            continue
        key = _word(toks, first)
        hit = split_clitic(key, {words[0]}) if key else None
        if hit is not None:
            return approx, bound, toks[first].off(hit[0])
    return False, None, None


def _unit_at(toks: list[Tok], j: int) -> tuple[str, float, int] | None:
    """Unit starting at token ``j``: (unit id, factor, index after it)."""
    key = toks[j].key if j < len(toks) and toks[j].kind != "num" else None
    if key is None:
        return None
    if (key, _word(toks, j + 1)) in PHRASE_UNITS:
        return PHRASE_UNITS[(key, toks[j + 1].key)], 1.0, j + 2
    if key not in UNITS:
        # Nisba plurals name people: "3 فلسطينيين", "7 عسكريين".
        return ("person", 1.0, j + 1) if key.endswith(("يين", "يون")) and len(key) > 5 else None
    unit, factor = UNITS[key]
    adj = _word(toks, j + 1)
    if unit in CURRENCY_ADJ and adj:
        stem = adj.removesuffix("ا").removesuffix("ه")
        if stem in CURRENCY_ADJ[unit]:
            return CURRENCY_ADJ[unit][stem], factor, j + 2
    return unit, factor, j + 1


def _month_at(toks: list[Tok], j: int) -> tuple[int, int] | None:
    """Month number and index after a month name (and its "/alternative" name)."""
    key = _word(toks, j)
    if key is None:
        return None
    if (key, _word(toks, j + 1)) in TWO_WORD_MONTHS:
        month, j = TWO_WORD_MONTHS[(key, toks[j + 1].key)], j + 2
    elif key in MONTHS or (key[:1] == "و" and key[1:] in MONTHS):
        month, j = MONTHS.get(key) or MONTHS[key[1:]], j + 1
    else:
        return None
    alt = _month_at(toks, j + 1) if j < len(toks) and toks[j].key == "/" else None
    return month, alt[1] if alt else j


def _is_year(p: NumParse, toks: list[Tok]) -> bool:
    key = toks[p.i].key
    return p.digits and p.j == p.i + 1 and len(key) == 4 and key.isdigit() and (
        1000 <= p.value <= 2999)


def _bare_year(p: NumParse, toks: list[Tok]) -> bool:
    """A lone 4-digit number reads as a year only in a plausible modern range."""
    return _is_year(p, toks) and 1800 <= p.value <= 2100


def _make(text: str, start: int, end: int, value: float, unit: str, kind: str, *,
          upper: float | None = None, total: float | None = None, approx: bool = False,
          bound: str | None = None) -> Quantity:
    return Quantity(start, end, text[start:end], value, upper, total, unit, approx, bound, kind)


def _date_or_year(text: str, toks: list[Tok], i: int) -> tuple[Quantity, int] | None:
    """"عام 2022", "ديسمبر 2024" and "25 ديسمبر/كانون الأول 2024" at token ``i``."""
    key = _word(toks, i)
    if key is not None:
        hit = year_word(key)
        nxt = parse_number(toks, i + 1) if hit else None
        if hit and nxt and _is_year(nxt, toks) and _unit_at(toks, nxt.j) is None:
            start = toks[i].off(hit[0])
            return _make(text, start, nxt.end, nxt.value, "year_date", "year"), nxt.j
        month = _month_at(toks, i)
        nxt = parse_number(toks, month[1]) if month else None
        if month and nxt and _is_year(nxt, toks):
            value = nxt.value * 10000 + month[0] * 100
            return _make(text, toks[i].start, nxt.end, value, "date", "date"), nxt.j
        return None
    day = parse_number(toks, i)
    month = _month_at(toks, day.j) if day else None
    if day is None or month is None or not (1 <= day.value <= 31 and day.value % 1 == 0):
        return None
    j, end, value = month[1], toks[month[1] - 1].end, month[0] * 100 + day.value
    year = parse_number(toks, j)
    if year and _is_year(year, toks):
        j, end, value = year.j, year.end, value + year.value * 10000
    return _make(text, day.start, end, value, "date", "date"), j


def _range_at(toks: list[Tok], j: int, x: NumParse, between: bool) -> NumParse | None:
    """Upper end of "X-Y", "X إلى Y", "من X حتى Y" or "بين X وY" starting at token ``j``."""
    key = toks[j].key if j < len(toks) else None
    if key in ("-", "–") or key in ("الي", "حتي"):
        y = parse_number(toks, j + 1)
    elif between and key == "و":
        y = parse_number(toks, j + 1)
    elif between and key and key.startswith("و") and toks[j].kind == "word":
        y = parse_number(toks, j)
    else:
        return None
    return y if y is not None and y.value > x.value else None


def _quantity(text: str, toks: list[Tok], i: int) -> tuple[Quantity, int] | None:
    """A number phrase at token ``i`` with its unit, range, total and cues."""
    x = parse_number(toks, i)
    if x is None:
        return None
    prev = toks[i - 1] if i else None
    if prev is not None and prev.key in ("-", "–") and i >= 2:
        prev = toks[i - 2]  # "كوفيد-19", "S-300"
    # A run of tatweel standing alone ("الأسعار ـ 38٪", a dash in news copy) is a word with
    # an empty key, not a label; one glued to a number (٤٩ـ٠٧١) still parts nothing.
    if prev is not None and prev.kind == "word" and (
            prev.key in LABELS or prev.key.isascii()) and not (
            prev.key == "" and text[prev.start - 1:prev.start].isspace()
            and not text[prev.start:prev.end].strip("\u0640")):
        return None
    value, upper, total, j = x.value, None, None, x.j
    unit_hit = _unit_at(toks, j)
    # Arabic puts "one" and "two" after the counted noun: "شخص واحد".
    noun = _unit_at(toks, i - 1) if i and not x.digits and value <= 2 else None
    if i and toks[i].key.startswith("ال") and 3 <= value <= 10 and not x.digits:
        # "السنوات الثلاث": a definite cardinal follows its definite noun.
        prev_key = _word(toks, i - 1)
        hit = unit_word(prev_key) if prev_key else None
        noun = (*UNITS[hit[1]], i) if hit and hit[0] else None
    if unit_hit is None and x.approx and _word(toks, j):
        # "ملايين الدولارات", "عشرات القتلى": the magnitude is construct with its noun.
        hit = unit_word(toks[j].key)
        unit_hit = (*UNITS[hit[1]], j + 1) if hit and hit[0] else None
    start = toks[i - 1].start if noun and noun[2] == i else x.start
    if noun and noun[2] == i and unit_hit is None:
        unit_hit = (noun[0], noun[1], j)
    elif value == 1 and not x.digits and unit_hit is None:
        return None  # a bare "واحد" is "one of", "في آن واحد"…, not an amount
    between = _word(toks, i - 1) in ("بين", "وبين")
    after_unit = unit_hit[2] if unit_hit else j
    y = _range_at(toks, after_unit, x, between)
    if y is not None:
        upper, j = y.value, y.j
        if y.scaled and not x.scaled:
            for scale in (1e12, 1e9, 1e6, 1e3):  # "بين 2 و3 ملايين": both ends in millions
                if y.value >= scale:
                    value *= scale
                    break
        after = _unit_at(toks, j)
        unit_hit, j = (after, after[2]) if after else (unit_hit, j)
        if between or _word(toks, i - 1) == "من":
            start = toks[i - 1].off(0 if toks[i - 1].key in ("بين", "من") else 1)
    elif unit_hit:
        j = unit_hit[2]
    if _word(toks, j) == "من" and _word(toks, j + 1) in ("اصل", "اجمالي", "مجموع"):
        z = parse_number(toks, j + 2)
        if z is not None:
            total, j = z.value, z.j
            unit_hit = unit_hit or _unit_at(toks, j)
            j = unit_hit[2] if unit_hit and unit_hit[2] > j else j
    if unit_hit is None and x.frac:
        return None  # "نصف السكان", "ضعف الدولار": a fraction with no amount to scale
    end = toks[j - 1].end
    unit, factor = (unit_hit[0], unit_hit[1]) if unit_hit else ("count", 1.0)
    if unit_hit is None and _word(toks, j) == "من" and toks[j + 1:j + 2]:
        # "45 من عناصر التنظيم": the counted noun follows من.
        hit = unit_word(toks[j + 1].key)
        unit = UNITS[hit[1]][0] if hit and UNITS[hit[1]][1] == 1 else unit
    approx, bound, cue_start = _cue_before(toks, i if start == x.start else i - 1)
    approx = approx or x.approx
    # Most quantities are followed by no cue: test its first word before the whole phrase.
    for words, (a_approx, a_bound) in AFTER_CUES.items() if _word(toks, j) in _AFTER_FIRST else ():
        if all(_word(toks, j + m) == w for m, w in enumerate(words)):
            approx, bound, end = approx or a_approx, bound or a_bound, toks[j + len(words) - 1].end
            break
    if cue_start is not None:
        start = min(start, cue_start)
    if _bare_year(x, toks) and upper is None and total is None and (
            unit_hit is None or (unit == "metre" and toks[x.j].key == "م")) and (
            bound in (None, "up_to") and not approx):
        end = toks[x.j].end if unit_hit else x.end  # "2024 م" is a Gregorian year
        return _make(text, x.start, end, value, "year_date", "year"), (unit_hit or (0, 0, x.j))[2]
    value = float(f"{value * factor:.12g}")  # 8.2 * 1e6 is 8199999.999999999
    upper = None if upper is None else float(f"{upper * factor:.12g}")
    return _make(text, start, end, value, unit, "quantity", upper=upper, total=total,
                 approx=approx, bound=bound), j


def _dual(text: str, toks: list[Tok], i: int) -> tuple[Quantity, int] | None:
    """A dual noun counts two on its own: "صاروخين" = 2 missiles, "عقدين" = 20 years."""
    key = _word(toks, i)
    hit = dual_word(key) if key else None
    if hit is not None:
        unit, value = DUALS[hit[1]]
    elif key and text[toks[i].start:toks[i].end].endswith("يْن") and key[:-2] in UNITS:
        # A written sukun marks the dual, not the plural: "صحفييْن" = two journalists.
        hit, (unit, value) = (0, key), (UNITS[key[:-2]][0], 2.0)
    else:
        return None
    approx, bound, cue_start = _cue_before(toks, i)
    start = toks[i].off(hit[0])
    start = start if cue_start is None else cue_start
    return _make(text, start, toks[i].end, value, unit, "quantity", approx=approx,
                 bound=bound), i + 1


def extract_quantities(text: str) -> list[Quantity]:
    """All quantities, dates and years in ``text``, in order of appearance."""
    # Most sentences hold no digit and no number, dual, month or year word: skip tokenizing.
    if not DIGIT_RE.search(text) and not any(map(raw_may_start, ARABIC_WORD_RE.findall(text))):
        return []
    toks, starts = scan(text)
    found: list[Quantity] = []
    after = 0  # a quantity may not start inside the previous one
    # Symbols and ordinary words never start a quantity: visit only the candidate tokens.
    for i in starts:
        if i < after:
            continue
        hit = (_date_or_year(text, toks, i) or _quantity(text, toks, i)
               or _dual(text, toks, i))
        if hit is not None:
            found.append(hit[0])
            after = max(hit[1], i + 1)
    return found


# Units that count the same things: a citizen is a person.
_FAMILY = {"citizen": "person"}


def same_unit(a: Quantity, b: Quantity) -> bool:
    """True when two quantities measure the same kind of thing and can be compared."""
    return _FAMILY.get(a.unit, a.unit) == _FAMILY.get(b.unit, b.unit)
