"""Claim matching: find stored claims that say the same thing, and flag conflicting ones."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from claims.text.arabic import normalize
from claims.text.minhash import band_hashes, band_key, minhash

__all__ = [
    "CONFLICT_THRESHOLD",
    "SAME_THRESHOLD",
    "Candidate",
    "MatchIndex",
    "claim_signature",
    "detect_conflict",
    "lsh_band_keys",
    "score_pair",
]

# Tuned on ANS stance train.csv only (bench/claim_matching.py); dev.csv is never looked at.
SAME_THRESHOLD: float = 0.48
CONFLICT_THRESHOLD: float = 0.3


@dataclass(frozen=True)
class Candidate:
    """A stored claim proposed as a match for a query text."""

    claim_id: int
    score: float
    relation: str  # "same" | "conflict" | "related"
    reasons: tuple[str, ...] = ()


# --------------------------------------------------------------------------- lexicons


def _norm_set(words: Iterable[str]) -> frozenset[str]:
    return frozenset(normalize(w) for w in words)


# Function words carry no topic, so they are left out of the Jaccard / n-gram comparison;
# negators are kept apart because they flip meaning.
STOPWORDS = _norm_set(
    """في من على إلى الى عن مع أن إن ان أو او ثم قد هذا هذه ذلك تلك التي الذي الذين اللذين
    هو هي هم هما كان كانت يكون تكون بعد قبل حول بين عند منذ خلال ضد كل بعض أي اي ما ماذا
    هل كيف لماذا متى أين اين حتى لدى لها له لهم به بها فيه فيها منه منها عليه عليها وهو وهي
    يا إلا الا أمام امام نحو عبر وفق جراء إثر اثر تجاه لـ بـ و ف ب ل ك ال قال قالت يقول تقول
    أمس اليوم الآن أيضا ايضا""".split()
)
NEGATORS = _norm_set("لا لم لن ليس ليست ليسوا لسنا غير عدم دون بدون رغم برغم".split())


def _verb(past: str, present: str) -> list[str]:
    """Common surface forms of a verb from its past and present stems (no clitics)."""
    return [
        past, past + "ت", past + "وا", past + "ا", past + "ه",
        "ي" + present, "ت" + present, "ن" + present, "أ" + present,
        "ي" + present + "ون", "ي" + present + "ان", "ت" + present + "ان",
    ]  # fmt: skip


# Verbs and nouns whose presence on one side only reverses the claim ("X refuses", "X fails",
# "X denies"): in ANS contradictions they are inserted far more often than a matching antonym.
NEGATIVE_WORDS = _norm_set(
    _verb("رفض", "رفض") + _verb("فشل", "فشل") + _verb("نفى", "نفي") + _verb("تجاهل", "تجاهل")
    + _verb("أخفق", "خفق")
    + "رفض فشل نفي نفى إخفاق تجاهل نفيا رفضا".split()
)  # fmt: skip

# Opposite pairs: (concept, positive forms, negative forms).  A claim with only the positive
# side of a concept against one with only the negative side is a flip.
_OPPOSITES_RAW: list[tuple[str, list[str], list[str]]] = [
    (
        "up/down",
        "ارتفاع ارتفاعا ارتفاعات ارتفعت ارتفع يرتفع ترتفع زيادة زيادات زاد زادت يزيد تزيد "
        "صعود صعد صعدت يصعد تصعد قفزة قفز قفزت يقفز تقفز نمو نما ينمو تنمو مكاسب ربح أرباح "
        "يربح تربح تحسن يتحسن تتحسن رفع يرفع ترفع رفعت أعلى ارتفاعه تضاعف".split(),
        "انخفاض انخفاضا انخفضت انخفض ينخفض تنخفض تراجع تراجعت يتراجع تتراجع تراجعا هبوط "
        "هبط هبطت يهبط تهبط تهوي هوت يهوي انحدار تدهور يتدهور تتدهور خسائر خسارة خسر يخسر "
        "تخسر خسرت نقص تقلص يتقلص تتقلص انكماش خفض يخفض تخفض خفضت أدنى ركود تدني".split(),
    ),
    (
        "accept/reject",
        "قبول يقبل تقبل قبلت موافقة وافق وافقت يوافق توافق تأييد يؤيد تؤيد أيد يدعم تدعم "
        "دعم دعمت يدعمون".split(),
        "معارضة يعارض تعارض عارض عارضت يدين تدين إدانة ينتقد تنتقد انتقد انتقدت".split(),
    ),
    (
        "release/detain",
        "الإفراج إفراج أفرج أفرجت يفرج تفرج إطلاق سراح براءة تبرئة يبرئ تبرئ".split(),
        "اعتقال اعتقل اعتقلت يعتقل تعتقل حبس سجن يسجن تسجن احتجاز احتجز يحتجز تحتجز "
        "توقيف أوقف إدانة يدين تمدد تمديد".split(),
    ),
    (
        "win/lose",
        "فوز فاز فازت يفوز تفوز انتصار انتصر ينتصر تنتصر".split(),
        "هزيمة هزم يهزم تهزم خسر خسرت يخسر تخسر خسارة".split(),
    ),
    (
        "open/close",
        "فتح افتتاح يفتح تفتح فتحت افتتح إعادة_فتح".split(),
        "إغلاق أغلق أغلقت يغلق تغلق غلق".split(),
    ),
    (
        "continue/stop",
        "استمرار يستمر تستمر استمر استمرت مواصلة يواصل تواصل تواصلت متواصل استئناف يستأنف "
        "تستأنف بدء بدأ بدأت يبدأ تبدأ إطلاق".split(),
        "توقف توقفت يتوقف تتوقف وقف يوقف توقيف تعليق يعلق تعلق علقت إيقاف انتهاء انتهى "
        "ينتهي تنتهي إلغاء ألغى ألغت يلغي تلغي تأجيل أجل يؤجل تؤجل".split(),
    ),
    (
        "allow/ban",
        "سماح السماح يسمح تسمح سمح سمحت".split(),
        "حظر يحظر تحظر حظرت منع يمنع تمنع منعت".split(),
    ),
    (
        "calm/escalation",
        "هدوء تهدئة هدنة سلام اتفاق مصالحة استقرار".split(),
        "تصعيد اشتباكات اشتباك حرب صراع خلاف توتر توترات اضطراب اضطرابات".split(),
    ),
    (
        "confirm/deny",
        "يؤكد تؤكد أكد أكدت تأكيد يعترف تعترف اعترف اعترفت اعتراف".split(),
        "ينفي تنفي نفى نفت نفي".split(),
    ),
    (
        "success/failure",
        "نجاح نجح نجحت ينجح تنجح إنجاز".split(),
        "فشل فشلت يفشل تفشل إخفاق".split(),
    ),
    (
        "appoint/dismiss",
        "تعيين عين عينت يعين تعين".split(),
        "إقالة أقال أقالت يقيل تقيل عزل استقالة استقال".split(),
    ),
    (
        "survive/die",
        "نجاة نجا نجت ينجو تنجو".split(),
        "مقتل قتل وفاة توفي مات موت".split(),
    ),
    (
        "ease/tighten",
        "تخفيف يخفف تخفف خفف رفع_العقوبات".split(),
        "تشديد يشدد تشدد شدد فرض يفرض تفرض".split(),
    ),
    (
        "more/less",
        "أكثر أكبر أفضل قوي قوية وفرة ضخ يضخ تضخ ضخت تحسين إيجابي إيجابية".split(),
        "أقل أصغر أسوأ ضعيف ضعيفة ندرة قلة سحب يسحب تسحب سحبت تقليص سلبي سلبية".split(),
    ),
    (
        "welcome/accuse",
        "ترحيب يرحب ترحب رحب رحبت يشيد تشيد أشاد إشادة".split(),
        "اتهام يتهم تتهم اتهم اتهمت تحذير يحذر تحذر حذر".split(),
    ),
    (
        "calm/attack",
        "هدوء تهدئة".split(),
        "هجوم هجمات غارة غارات قصف انفجار تفجير معارك".split(),
    ),
    (
        "freeze/apply",
        "سريان تطبيق تنفيذ يطبق تطبق ينفذ تنفذ".split(),
        "تجميد يجمد تجمد جمد جمدت".split(),
    ),
]
_OPPOSITES: dict[str, list[tuple[str, int]]] = {}
for _concept, _pos, _neg in _OPPOSITES_RAW:
    for _words, _sign in ((_pos, 1), (_neg, -1)):
        for _w in _words:
            _OPPOSITES.setdefault(normalize(_w), []).append((_concept, _sign))

# Small closed gazetteers: a near-paraphrase that swaps one member for another (Syria→Russia,
# dollar→euro, east→west) states a different fact.  One line per referent: its canonical name
# first, then other spellings, demonyms and capitals that mean the same side of a story.
_GAZETTEER_RAW: dict[str, str] = {
    "place": """مصر مصري القاهرة | ليبيا ليبي طرابلس بنغازي | تونس تونسي | الجزائر جزائري |
    المغرب مغربي الرباط | السودان سوداني الخرطوم | موريتانيا موريتاني | السعودية سعودي الرياض
    المملكة | الإمارات إماراتي أبوظبي دبي | قطر قطري الدوحة | الكويت كويتي | البحرين بحريني |
    عمان عماني مسقط | العراق عراقي بغداد | سوريا سورية سوري دمشق حلب إدلب درعا دوما |
    لبنان لبناني بيروت | الأردن أردني | فلسطين فلسطيني غزة رام_الله | إسرائيل إسرائيلي تل_أبيب |
    اليمن يمني صنعاء عدن | إيران إيراني طهران | تركيا تركي أنقرة إسطنبول | روسيا روسي موسكو
    الكرملين | الصين صيني بكين | اليابان ياباني طوكيو | الهند هندي | باكستان باكستاني |
    أفغانستان أفغاني | أمريكا أميركا أمريكي أميركي واشنطن | فرنسا فرنسي باريس | ألمانيا ألماني
    برلين | بريطانيا بريطاني لندن | إيطاليا إيطالي روما | إسبانيا إسباني مدريد | كوريا كوري |
    كندا كندي | البرازيل برازيلي | المكسيك مكسيكي | أستراليا أسترالي | الأرجنتين أرجنتيني |
    إثيوبيا إثيوبي | الفلبين فلبيني | أوروبا أوروبي | إفريقيا أفريقيا إفريقي أفريقي""",
    "currency": """الدولار دولار | اليورو يورو | الين | الإسترليني | الجنيه جنيه | الريال ريال |
    الدرهم درهم | الدينار دينار | الروبل روبل | الليرة ليرة | الذهب ذهب | النفط نفط الخام برنت |
    الغاز غاز | الفضة فضة | بيتكوين البيتكوين""",
    "direction": """شرق الشرقية شرقي | غرب الغربية غربي | شمال الشمالية شمالي | جنوب الجنوبية
    جنوبي""",
}
# Feminine, plural and nisba endings folded before gazetteer lookup (سورية/السوريين → سوري).
_GAZ_SUFFIXES = ("يين", "يون", "يه", "ين", "ون", "ات", "ه")


def _gaz_key(word: str) -> str:
    for s in _GAZ_SUFFIXES:
        if word.endswith(s) and len(word) - len(s) >= 3:
            return word[: -len(s)]
    return word


# --------------------------------------------------------------------------- analysis

# Numbers keep their decimal point; letters and digits are split apart ("الـ67" → ال, 67).
_WORD_RE = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+")
_COMPOUND_PREFIXES = ("وبال", "وكال", "وال", "بال", "فال", "كال", "ولل", "لل", "ال")
_SUFFIXES = ("ات", "ون", "ين", "ان", "ها", "هم", "يه", "ه", "ي", "ا")


def _strip_prefix(word: str) -> str:
    """Remove the article and proclitics (و ف ب ل ك ال), keeping at least three letters."""
    for p in _COMPOUND_PREFIXES:
        if word.startswith(p) and len(word) - len(p) >= 2:
            return word[len(p) :]
    # Single-letter proclitics are ambiguous with root letters (بيروت, لبنان); stripping them
    # the same way on both sides keeps matching consistent, and the length floor limits damage.
    for _ in range(2):
        if word[:1] in "وفبلك" and len(word) >= 4:
            word = word[1:]
            for p in _COMPOUND_PREFIXES:
                if word.startswith(p) and len(word) - len(p) >= 2:
                    return word[len(p) :]
        else:
            break
    return word


def _light_stem(word: str) -> str:
    """Light10-style stem: proclitics off, then up to two plural/feminine/nisba suffixes."""
    if word.isdigit() or not word[:1].isalpha():
        return word
    word = _strip_prefix(word)
    for _ in range(2):
        for s in _SUFFIXES:
            if word.endswith(s) and len(word) - len(s) >= 3:
                word = word[: -len(s)]
                break
        else:
            break
    return word


@lru_cache(maxsize=65536)
def _variants(word: str) -> tuple[str, ...]:
    """Lexicon lookup forms of a word: as written, without a proclitic, without the article."""
    # A tuple in fixed order (not a set) so the first lexicon hit never depends on hash seeds.
    out = [word]
    if word[:1] in "وفبلك" and len(word) > 3:
        out.append(word[1:])
    for v in list(out):
        for p in _COMPOUND_PREFIXES:
            if v.startswith(p) and len(v) - len(p) >= 2:
                out.extend((v[len(p) :], "ال" + v[len(p) :]))
                break
    return tuple(dict.fromkeys(out))


_GAZETTEER: dict[str, tuple[str, str]] = {}
for _kind, _groups in _GAZETTEER_RAW.items():
    for _group in _groups.split("|"):
        _forms = [normalize(w.replace("_", " ")) for w in _group.split()]
        for _f in _forms:
            _GAZETTEER.setdefault(_gaz_key(_f), (_kind, _forms[0]))


@dataclass(frozen=True, slots=True)
class _Analysis:
    words: tuple[str, ...]  # normalised word tokens, punctuation dropped
    stems: frozenset[str]  # content stems (stopwords and negators out), numbers kept
    grams: dict[str, int]  # character 3- and 4-grams of the stems
    gram_norm: float
    numbers: frozenset[str]
    negations: int  # negators + "refuse/fail/deny" words
    polar: dict[str, tuple[int, str]]  # concept → (sign sum, first surface word)
    places: dict[str, frozenset[str]]  # gazetteer kind → canonical names


@lru_cache(maxsize=65536)
def _analyze(text: str) -> _Analysis:
    words = tuple(_WORD_RE.findall(normalize(text)))
    stems: set[str] = set()
    numbers: set[str] = set()
    negations = 0
    polar: dict[str, tuple[int, str]] = {}
    places: dict[str, set[str]] = {}
    for w in words:
        if w[0].isdigit():
            numbers.add(w)
            stems.add(w)
            continue
        variants = _variants(w)
        if any(v in NEGATORS or v in NEGATIVE_WORDS for v in variants):
            negations += 1
        if not any(v in NEGATORS or v in STOPWORDS for v in variants):
            stems.add(_light_stem(w))
        for v in variants:
            hits = _OPPOSITES.get(v)
            if hits:
                for concept, sign in hits:
                    total, first = polar.get(concept, (0, w))
                    polar[concept] = (total + sign, first)
                break
        for v in variants:
            place = _GAZETTEER.get(_gaz_key(v))
            if place:
                places.setdefault(place[0], set()).add(place[1])
                break
    grams: Counter[str] = Counter()
    for s in stems:
        padded = f" {s} "
        for n in (3, 4):
            grams.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    norm = math.sqrt(sum(c * c for c in grams.values()))
    return _Analysis(
        words=words,
        stems=frozenset(stems),
        grams=dict(grams),
        gram_norm=norm,
        numbers=frozenset(numbers),
        negations=negations,
        polar=polar,
        places={k: frozenset(v) for k, v in places.items()},
    )


# --------------------------------------------------------------------------- signatures


def claim_signature(text: str) -> list[int]:
    """MinHash signature of the claim's light-stemmed content words (64 ints below 2**61)."""
    return minhash(_analyze(text).stems)


def lsh_band_keys(signature: list[int]) -> list[str]:
    """LSH band keys (16 hex digits each) to store in an indexed table for candidate lookup."""
    return [band_key(h) for h in band_hashes(signature)]


# --------------------------------------------------------------------------- scoring


def _features(a: _Analysis, b: _Analysis) -> tuple[float, float, float]:
    """Token-set Jaccard, containment (overlap / smaller set) and char n-gram cosine."""
    if not a.stems or not b.stems:
        return 0.0, 0.0, 0.0
    inter = len(a.stems & b.stems)
    jac = inter / len(a.stems | b.stems)
    cont = inter / min(len(a.stems), len(b.stems))
    small, big = (a.grams, b.grams) if len(a.grams) <= len(b.grams) else (b.grams, a.grams)
    dot = sum(c * big.get(g, 0) for g, c in small.items())
    cos = dot / (a.gram_norm * b.gram_norm) if a.gram_norm and b.gram_norm else 0.0
    return jac, cont, cos


# Blend weights, tuned on train.csv with the thresholds (bench/claim_matching.py).
_W_JACCARD, _W_CONTAIN, _W_COSINE = 0.3, 0.2, 0.5
_NUMBER_BONUS, _NUMBER_PENALTY = 0.05, 0.1


def _score(a: _Analysis, b: _Analysis) -> float:
    jac, cont, cos = _features(a, b)
    score = _W_JACCARD * jac + _W_CONTAIN * cont + _W_COSINE * cos
    if a.numbers and b.numbers:
        # Same figures are strong evidence of the same report; different ones are either a
        # different event or a conflict (which detect_conflict names), so they weigh less.
        if a.numbers == b.numbers:
            score += _NUMBER_BONUS
        elif not a.numbers & b.numbers:
            score -= _NUMBER_PENALTY
    return min(1.0, max(0.0, score))


def score_pair(a: str, b: str) -> float:
    """Precise similarity in [0, 1] of two claim texts (symmetric)."""
    return _score(_analyze(a), _analyze(b))


# --------------------------------------------------------------------------- conflicts

_quantities_module: Any = None


def _quantities() -> Any:
    """claims.text.quantities when available, else None (imported lazily: optional peer)."""
    global _quantities_module
    if _quantities_module is None:
        try:
            from claims.text import quantities
        except ImportError:
            _quantities_module = False
        else:
            _quantities_module = quantities
    return _quantities_module or None


@dataclass(frozen=True, slots=True)
class _Q:
    """Minimal quantity used when claims.text.quantities is not importable."""

    value: float
    kind: str
    unit: str = ""
    upper: float | None = None
    total: float | None = None
    approx: bool = False


_NUM_RE = re.compile(r"\d+(?:\.\d+)?")


@lru_cache(maxsize=16384)
def _extract(text: str) -> tuple[Any, ...]:
    mod = _quantities()
    if mod is not None:
        return tuple(mod.extract_quantities(text))
    out = []
    for m in _NUM_RE.finditer(normalize(text)):
        value = float(m.group())
        kind = "year" if m.group().isdigit() and 1900 <= value <= 2100 else "quantity"
        out.append(_Q(value=value, kind=kind))
    return tuple(out)


def _same_unit(a: Any, b: Any) -> bool:
    if a.kind != b.kind:
        return False
    mod = _quantities()
    if mod is not None and mod.same_unit(a, b):
        return True
    # A bare number ("قتل 38 من") and one with a unit ("38 شخصا") are comparable.
    return not a.unit or not b.unit or a.unit == b.unit


def _values(q: Any) -> set[float]:
    return {v for v in (q.value, q.upper, q.total) if v is not None}


def _agrees(a: Any, b: Any) -> bool:
    if a.upper is not None or b.upper is not None:  # ranges: overlap is agreement
        lo_a, hi_a = a.value, a.upper if a.upper is not None else a.value
        lo_b, hi_b = b.value, b.upper if b.upper is not None else b.value
        return lo_a <= hi_b and lo_b <= hi_a
    if a.approx or b.approx:  # "about half a million" vs 480,000
        return abs(a.value - b.value) <= 0.1 * max(abs(a.value), abs(b.value))
    return a.value == b.value


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _quantity_reasons(a: str, b: str) -> list[str]:
    qa, qb = _extract(a), _extract(b)
    if not qa or not qb:
        return []
    all_a = set().union(*(_values(q) for q in qa))
    all_b = set().union(*(_values(q) for q in qb))
    # A figure mentioned anywhere on the other side (as a value, range end or total) is not
    # disputed; only unmatched figures of comparable units on both sides are.
    open_a = [q for q in qa if not any(_agrees(q, o) for o in qb) and q.value not in all_b]
    open_b = [q for q in qb if not any(_agrees(q, o) for o in qa) and q.value not in all_a]
    reasons = []
    used: set[int] = set()
    for x in open_a:
        for i, y in enumerate(open_b):
            if i not in used and _same_unit(x, y):
                used.add(i)
                label = "year" if x.kind in ("year", "date") else "quantity"
                reasons.append(f"{label}:{_fmt(x.value)}≠{_fmt(y.value)}")
                break
    return reasons


def _conflict_analysis(a: str, b: str) -> list[str]:
    reasons = _quantity_reasons(a, b)
    x, y = _analyze(a), _analyze(b)
    flips = []
    for concept in x.polar.keys() & y.polar.keys():
        sx, wx = x.polar[concept]
        sy, wy = y.polar[concept]
        if sx * sy < 0:
            flips.append(f"antonym:{wx}/{wy}")
    negation = x.negations % 2 != y.negations % 2
    # "لم ترتفع" against "انخفضت" is agreement: a negation and an antonym cancel out.
    if negation and not flips:
        reasons.append("negation")
    elif flips and not negation:
        reasons.extend(flips)
    for kind in x.places.keys() & y.places.keys():
        only_x, only_y = x.places[kind] - y.places[kind], y.places[kind] - x.places[kind]
        if only_x and only_y:
            reasons.append(f"{kind}:{min(only_x)}≠{min(only_y)}")
    return reasons


def detect_conflict(a: str, b: str, shared_entities: bool = True) -> tuple[bool, tuple[str, ...]]:
    """Whether two similar claims contradict: disputed figures, negation or antonym flips."""
    if not shared_entities:
        # Different subjects: "38 dead" in one crash does not dispute "39 dead" in another.
        return False, ()
    reasons = tuple(_conflict_analysis(a, b))
    return bool(reasons), reasons


def _relation(a: str, b: str, score: float, shared: bool) -> tuple[str, tuple[str, ...]]:
    if score >= CONFLICT_THRESHOLD:
        conflict, reasons = detect_conflict(a, b, shared)
        if conflict:
            return "conflict", reasons
    if score >= SAME_THRESHOLD:
        return "same", ()
    return "related", ()


# --------------------------------------------------------------------------- index


class MatchIndex:
    """In-memory LSH index over claim signatures; the app keeps the same band keys in SQL."""

    # Candidates ranked by band hits before precise scoring: bounds lookup cost at any size.
    RERANK = 60
    # Recent additions live in a dict; they are merged into sorted numpy arrays in bulk.
    _MERGE_AT = 5000

    def __init__(self) -> None:
        """Create an empty index."""
        self._texts: dict[int, str] = {}
        self._entities: dict[int, frozenset[int]] = {}
        self._keys = np.empty(0, dtype=np.int64)
        self._ids = np.empty(0, dtype=np.int64)
        self._pending: dict[int, list[int]] = {}
        self._pending_count = 0

    def __len__(self) -> int:
        """Number of claims added."""
        return len(self._texts)

    def add(self, claim_id: int, text: str, entity_ids: frozenset[int] = frozenset()) -> None:
        """Index a claim's text (and its linked entity ids, used to gate conflicts)."""
        self._texts[claim_id] = text
        if entity_ids:
            self._entities[claim_id] = frozenset(entity_ids)
        for h in band_hashes(claim_signature(text)):
            self._pending.setdefault(h, []).append(claim_id)
            self._pending_count += 1
        if self._pending_count >= max(self._MERGE_AT, len(self._keys) // 4):
            self._merge()

    def _merge(self) -> None:
        """Fold pending band entries into the sorted arrays (amortised O(n log n))."""
        if not self._pending_count:
            return
        keys = np.fromiter(
            (k for k, ids in self._pending.items() for _ in ids), np.int64, self._pending_count
        )
        ids = np.fromiter(
            (i for lst in self._pending.values() for i in lst), np.int64, self._pending_count
        )
        keys = np.concatenate([self._keys, keys])
        ids = np.concatenate([self._ids, ids])
        order = np.argsort(keys, kind="stable")
        self._keys, self._ids = keys[order], ids[order]
        self._pending.clear()
        self._pending_count = 0

    def _lookup(self, hashes: Sequence[int]) -> Counter[int]:
        """Band-hit counts of every claim sharing at least one band with the query."""
        hits: Counter[int] = Counter()
        if hashes and len(self._keys):
            q = np.asarray(hashes, dtype=np.int64)
            lo = np.searchsorted(self._keys, q, "left")
            hi = np.searchsorted(self._keys, q, "right")
            chunks = [self._ids[s:e] for s, e in zip(lo, hi, strict=True) if e > s]
            if chunks:
                found, counts = np.unique(np.concatenate(chunks), return_counts=True)
                hits.update(dict(zip(found.tolist(), counts.tolist(), strict=True)))
        for h in hashes:
            hits.update(self._pending.get(h, ()))
        return hits

    def candidates(
        self, text: str, entity_ids: frozenset[int] = frozenset(), limit: int = 10
    ) -> list[Candidate]:
        """Stored claims most similar to ``text``, best first, each labelled same/conflict."""
        hits = self._lookup(band_hashes(claim_signature(text)))
        shortlist = [cid for cid, _ in hits.most_common(self.RERANK)]
        query = _analyze(text)
        out = []
        for cid in shortlist:
            other = self._texts[cid]
            score = _score(query, _analyze(other))
            stored = self._entities.get(cid, frozenset())
            # Unknown entities (either side unlinked) do not rule a conflict out.
            shared = not (entity_ids and stored) or bool(entity_ids & stored)
            relation, reasons = _relation(text, other, score, shared)
            out.append(Candidate(cid, round(score, 4), relation, reasons))
        out.sort(key=lambda c: (-c.score, c.claim_id))
        return out[:limit]
