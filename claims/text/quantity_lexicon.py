"""Lexicons of quantity extraction (units, months, cues) and their cached per-word lookups."""

from __future__ import annotations

import re
from functools import lru_cache

from claims.text.numbers import (
    DIGITS,
    LETTERS,
    Tok,
    fold_word,
    number_word,
    scan_pattern,
    split_clitic,
)

__all__ = ["AFTER_CUES", "ARABIC_WORD_RE", "CUES", "CURRENCY_ADJ", "DIGIT_RE", "DUALS", "GLUE",
           "LABELS", "MONTHS", "MONTH_FIRST_WORDS", "PHRASE_UNITS", "TWO_WORD_MONTHS", "UNITS",
           "YEAR_WORDS", "cues_ending", "dual_word", "may_start", "raw_may_start", "scan",
           "unit_word", "year_word"]

# ---- lexicons (keys are folded: no diacritics, ا for أ/إ/آ, ي for ى, ه for ة) ----------
UNITS: dict[str, tuple[str, float]] = {}
DUALS: dict[str, tuple[str, float]] = {}


def _units(unit: str, forms: str, duals: str = "", factor: float = 1.0) -> None:
    for form in forms.split():
        UNITS[form] = (unit, factor)
    for form in duals.split():
        DUALS[form] = (unit, 2.0 * factor)


_units("person",
       "شخص اشخاص شخصا اشخاصا نسمه قتيل قتيلا قتلي ضحيه ضحايا راكب ركاب راكبا مسافر مسافرين"
       " مسافرا عامل عمال عاملا جندي جنود جنديا طفل اطفال طفلا امراه نساء رجل رجال تلميذ"
       " تلاميذ تلميذا طالب طلاب طالبا مهاجر مهاجرين مهاجرا نازح نازحين نازحا لاجئ لاجئين"
       " لاجئا مدني مدنيين مدنيا جريح جرحي مصاب مصابين مصابا معتقل معتقلين معتقلا سائح سياح"
       " سواح سائحا متظاهر متظاهرين متظاهرا مدان مدانين مدانا مخالف مخالفين مخالفا شرطي"
       " عنصر عناصر عنصرا مقاتل مقاتلين مقاتلا مقاتلي صحفي صحفيين صحفيا فرد افراد فردا شهيد"
       " شهداء شهيدا اسير اسري اسيرا موظف موظفين موظفا مريض مرضي مسلح مسلحين مسلحا ناخب"
       " ناخبين عاملين طالبه طالبات عسكري عسكريين عسكريا ناشط ناشطين ناشطا سيده سيدات سائحين"
       " جريحا مريضا رجلا شرطيا ناخبا جثه جثث",
       "شخصان شخصين قتيلان قتيلين جنديان جنديين طفلان طفلين راكبان راكبين")
_units("citizen", "مواطن مواطنين مواطنا مواطنون مواطنه مواطنات")
_units("missile", "صاروخ صواريخ صاروخا", "صاروخان صاروخين")
_units("aircraft", "طائره طائرات طاءره", "طائرتان طائرتين")
_units("drone", "مسيره مسيرات")
_units("metre", "متر امتار مترا م", "متران مترين")
_units("kilometre", "كيلومتر كيلومترات كيلومترا كم كلم", "كيلومتران كيلومترين")
_units("centimetre", "سنتيمتر سنتيمترات سم")
_units("kilogram", "كيلوغرام كيلوجرام كيلوغراما كيلوغرامات كغ كجم كيلو")
_units("tonne", "طن اطنان طنا")
_units("barrel", "برميل براميل برميلا")
_units("litre", "لتر لترات لترا")
_units("year", "عام اعوام عاما سنه سنوات سنين سنه سنة", "عامان عامين سنتان سنتين")
_units("year", "عقد عقود", "عقدان عقدين", factor=10)
_units("year", "قرن قرون قرنا", "قرنان قرنين", factor=100)
_units("month", "شهر اشهر شهور شهرا", "شهران شهرين")
_units("week", "اسبوع اسابيع اسبوعا", "اسبوعان اسبوعين")
_units("day", "يوم ايام يوما", "يومان يومين")
_units("hour", "ساعه ساعات", "ساعتان ساعتين")
_units("minute", "دقيقه دقائق", "دقيقتان دقيقتين")
_units("second", "ثانيه ثوان ثواني")
_units("percent", "% ٪ بالمئه بالمائه بالميه")
_units("usd", "دولار دولارا دولارات")
_units("eur", "يورو")
_units("aed", "درهم دراهم درهما")
_units("rub", "روبل روبلات روبلا")
_units("sar", "ريال ريالات ريالا")
_units("dinar", "دينار دنانير دينارا")
_units("egp", "جنيه جنيهات جنيها")
_units("gbp", "استرليني")
_units("lira", "ليره ليرات")
_units("cny", "يوان")
_units("ils", "شيكل شيكلات شيكلا")

# A country adjective after the currency name picks the exact currency.
CURRENCY_ADJ: dict[str, dict[str, str]] = {
    "dinar": {"كويتي": "kwd", "عراقي": "iqd", "اردني": "jod", "بحريني": "bhd", "ليبي": "lyd",
              "جزائري": "dzd", "تونسي": "tnd"},
    "sar": {"قطري": "qar", "ايراني": "irr", "عماني": "omr", "يمني": "yer", "سعودي": "sar"},
    "egp": {"استرليني": "gbp", "سوداني": "sdg", "مصري": "egp"},
    "lira": {"تركي": "try", "لبناني": "lbp", "سوري": "syp"},
    "aed": {"مغربي": "mad", "اماراتي": "aed"},
    "usd": {"كندي": "cad", "استرالي": "aud", "امريكي": "usd", "اميركي": "usd"},
}
PHRASE_UNITS = {("في", "المئه"): "percent", ("في", "المائه"): "percent",
                ("في", "الميه"): "percent"}

MONTHS: dict[str, int] = {}
for _n, _names in enumerate(
    ["يناير جانفي", "فبراير فيفري شباط", "مارس اذار", "ابريل افريل نيسان", "مايو ماي ايار",
     "يونيو يونيه جوان حزيران", "يوليو يوليه جويليه تموز", "اغسطس اوت اب", "سبتمبر ايلول",
     "اكتوبر", "نوفمبر", "ديسمبر"], start=1):
    MONTHS.update(dict.fromkeys(_names.split(), _n))
TWO_WORD_MONTHS = {("كانون", "الثاني"): 1, ("كانون", "الاول"): 12,
                   ("تشرين", "الاول"): 10, ("تشرين", "الثاني"): 11}

MONTH_FIRST_WORDS = frozenset(w for w, _ in TWO_WORD_MONTHS)

CUES: list[tuple[tuple[str, ...], bool, str | None]] = []
for _group, _approx, _bound in [
    ("نحو|حوالي|قرابه|زهاء|تقريبا|ما يقرب من|يقرب من|ما يقارب|يقارب|ما يناهز|يناهز|في حدود",
     True, None),
    ("اكثر من|ما يزيد علي|ما يزيد عن|يزيد علي|يزيد عن|ازيد من|ما يربو علي|يربو علي|يتجاوز"
     "|تتجاوز|تجاوز|تجاوزت|يتخطي|تتخطي|تخطي|يفوق|تفوق|فوق", False, "gt"),
    ("اقل من|ما دون|دون|يقل عن|تقل عن", False, "lt"),
    ("ما لا يقل عن|لا يقل عن|لا تقل عن|علي الاقل", False, "ge"),
    ("ما لا يزيد عن|ما لا يزيد علي|لا يزيد عن|لا يزيد علي|لا يتجاوز|لا تتجاوز", False, "le"),
    ("ما يصل الي|يصل الي|تصل الي|حتي", False, "up_to"),
]:
    CUES += [(tuple(p.split()), _approx, _bound) for p in _group.split("|")]
CUES.sort(key=lambda c: -len(c[0]))  # longest first: "لا يقل عن" before "يقل عن"
AFTER_CUES = {("تقريبا",): (True, None), ("علي", "الاقل"): (False, "ge"),
              ("علي", "الاكثر"): (False, "le"), ("كحد", "اقصي"): (False, "le"),
              ("كحد", "ادني"): (False, "ge")}
# Words a cue may be separated from its number by: "يتخطى حاجز الـ80 دولارا".
GLUE = {"", "ال", "ب", "ل", "و", "حاجز", "عتبه", "مستوي"}
# A number right after these names a thing (Embraer 190, S-300, article 5), not an amount.
LABELS = {"امبراير", "بوينغ", "بوينج", "ايرباص", "اس", "اف", "ميغ", "ميج", "سوخوي", "كوفيد",
          "رقم", "الماده", "القرار", "البند", "الفقره", "الساعه", "الفصل", "الصفحه", "مجموعه"}
YEAR_WORDS = {"عام", "سنه"}


@lru_cache(maxsize=1 << 14)
def cues_ending(key: str | None) -> tuple[tuple[tuple[str, ...], bool, str | None], ...]:
    """The cues (longest first) whose last word can be ``key``; most words end none."""
    if key is None:
        return ()
    return tuple(c for c in CUES if (len(c[0]) > 1 and c[0][-1] == key) or (
        len(c[0]) == 1 and split_clitic(key, {c[0][0]}) is not None))


@lru_cache(maxsize=1 << 16)
def year_word(key: str) -> tuple[int, str] | None:
    """``split_clitic`` against the year words (عام، سنة), with the article; cached."""
    return split_clitic(key, YEAR_WORDS, definite=True)


@lru_cache(maxsize=1 << 16)
def unit_word(key: str) -> tuple[int, str] | None:
    """``split_clitic`` against the unit nouns, with the article; cached per word."""
    return split_clitic(key, UNITS, definite=True)


@lru_cache(maxsize=1 << 16)
def dual_word(key: str) -> tuple[int, str] | None:
    """``split_clitic`` against the dual nouns (صاروخين); cached per word."""
    return split_clitic(key, DUALS)


@lru_cache(maxsize=1 << 16)
def may_start(key: str) -> bool:
    """Whether a quantity, date or year can start at a word with this key (a superset)."""
    return (number_word(key) is not None or year_word(key) is not None
            or key in MONTHS or (key[:1] == "و" and key[1:] in MONTHS)
            or key in MONTH_FIRST_WORDS
            or dual_word(key) is not None or key[:-2] in UNITS)


@lru_cache(maxsize=1 << 16)
def raw_may_start(word: str) -> bool:
    """``may_start`` of a word as written (marks, hamza forms), before tokenizing."""
    return may_start(fold_word(word)[0])


# The pre-check of extract_quantities: any digit, or any word that may start a quantity.
DIGIT_RE = re.compile("[0-9٠-٩۰-۹]")
ARABIC_WORD_RE = re.compile(f"[{LETTERS}]+")


@lru_cache(maxsize=1 << 16)
def _word_entry(word: str) -> tuple[str, tuple[int, ...] | None, bool]:
    """Folded key, key offsets and ``may_start`` of a word as written, in one cache hit."""
    key, rel = fold_word(word)
    return key, rel, may_start(key)


_new_tok = tuple.__new__  # Tok without its Python-level __new__: half the cost per token


def scan(text: str) -> tuple[list[Tok], list[int]]:
    """``tokenize(text)`` and the indices of the tokens a quantity may start at."""
    # One pass does both, so extract_quantities visits only the few candidate tokens.
    toks: list[Tok] = []
    starts: list[int] = []
    pos = 0
    for space, num, word, sym in scan_pattern(text).findall(text):
        start = pos + len(space)
        if word:
            pos = start + len(word)
            key, rel, may = _word_entry(word)
            if may:
                starts.append(len(toks))
            toks.append(_new_tok(Tok, ("word", start, pos, key, rel)))
        elif num:
            pos = start + len(num)
            starts.append(len(toks))
            toks.append(_new_tok(Tok, ("num", start, pos, num.translate(DIGITS), None)))
        else:
            pos = start + len(sym)
            toks.append(_new_tok(Tok, ("sym", start, pos, sym, None)))
    return toks, starts
