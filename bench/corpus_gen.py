"""The synthetic claim generator of bench/corpus.py: vocabulary, entities and make_claim."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import random
from collections.abc import Sequence
from typing import Any

SEED = 20261125
STATUSES = {"unstarted": 35, "in_progress": 15, "false": 15, "mostly_false": 8,
            "misleading": 8, "mixed": 5, "mostly_true": 5, "true": 6, "unverifiable": 3}
TYPES = {"quantity": 30, "other": 25, "prediction": 10, "rule": 8, "personal": 8,
         "correlation": 7, "voting": 6, "opinion": 6}
PEOPLE = [("فلاديمير بوتين", "Vladimir Putin", "بوتين"), ("إلهام علييف", "Ilham Aliyev", "علييف"),
          ("رجب طيب أردوغان", "Recep Tayyip Erdogan", "أردوغان"),
          ("عبد الفتاح السيسي", "Abdel Fattah el-Sisi", "السيسي"),
          ("دونالد ترامب", "Donald Trump", "ترامب"), ("جو بايدن", "Joe Biden", "بايدن"),
          ("فولوديمير زيلينسكي", "Volodymyr Zelensky", "زيلينسكي"),
          ("بنيامين نتنياهو", "Benjamin Netanyahu", "نتنياهو"),
          ("إيمانويل ماكرون", "Emmanuel Macron", "ماكرون"), ("قيس سعيد", "Kais Saied", "سعيد"),
          ("عبد المجيد تبون", "Abdelmadjid Tebboune", "تبون"),
          ("محمد بن سلمان", "Mohammed bin Salman", "بن سلمان")]
PLACES = [("أذربيجان", "Azerbaijan"), ("روسيا", "Russia"), ("مصر", "Egypt"), ("غزة", "Gaza"),
          ("السودان", "Sudan"), ("لبنان", "Lebanon"), ("سوريا", "Syria"), ("العراق", "Iraq"),
          ("تونس", "Tunisia"), ("الجزائر", "Algeria"), ("المغرب", "Morocco"),
          ("الأردن", "Jordan"), ("اليمن", "Yemen"), ("ليبيا", "Libya"), ("قطر", "Qatar"),
          ("الكويت", "Kuwait"), ("أوكرانيا", "Ukraine"), ("تركيا", "Turkey"),
          ("إيران", "Iran"), ("فرنسا", "France"), ("القاهرة", "Cairo"), ("بغداد", "Baghdad"),
          ("دمشق", "Damascus"), ("بيروت", "Beirut"), ("الخرطوم", "Khartoum"),
          ("غروزني", "Grozny"), ("أكتاو", "Aktau"), ("موسكو", "Moscow")]
ORGS = ["الأمم المتحدة", "البنك الدولي", "صندوق النقد الدولي", "منظمة الصحة العالمية",
        "جامعة الدول العربية", "الاتحاد الأوروبي", "حلف الناتو", "الصليب الأحمر",
        "وزارة الصحة", "وزارة الدفاع", "البنك المركزي", "الكرملين"]
FIRST = ["محمد", "أحمد", "علي", "حسن", "خالد", "عمر", "يوسف", "سارة", "فاطمة", "ليلى", "مريم",
         "إبراهيم", "مصطفى", "نور", "هدى", "سامي", "كريم", "رانيا", "طارق", "زينب", "عادل",
         "منى", "جمال", "سلمى", "ياسر", "هالة", "ماجد", "دينا", "وليد", "أمل"]
LAST = ["العلي", "الحسيني", "المصري", "الشامي", "العتيبي", "القحطاني", "الزعبي", "الخطيب",
        "النجار", "الحداد", "البغدادي", "التونسي", "الجزائري", "المغربي", "السوداني",
        "الكبيسي", "الدوري", "الراشد", "الفاسي", "البيطار", "العمري", "الساعدي", "الربيعي",
        "الهاشمي", "الكردي", "الطائي", "الشمري", "الأنصاري", "الخوري", "حداد", "منصور",
        "عيسى", "جابر", "سليمان", "يعقوب", "الصباغ", "القاسم", "الدباغ", "المحمود", "الحلبي"]
SAY = ["قال", "أكد", "زعم", "صرح", "أعلن", "ادعى", "كتب", "نشر", "أفاد"]
WORDS = ("الحكومة الرئيس الوزير البرلمان الجيش الشرطة المواطنين الأسعار التضخم البطالة "
         "الاقتصاد الانتخابات الصحة المستشفيات اللقاحات المدارس الجامعات الطلاب الكهرباء "
         "المياه الوقود القمح الخبز الموازنة الديون الضرائب الرواتب الاستثمار الصادرات "
         "الواردات السياحة الزراعة الصناعة النفط الغاز الطاقة الطائرة المطار الحدود اللاجئين "
         "المهاجرين الحرب الهجوم القصف الصواريخ المسيرات الضحايا المصابين القتلى الجرحى "
         "المساعدات الإغاثة الفيضانات الزلزال الجفاف المناخ التلوث الغابات الطرق الجسور "
         "الإسكان الإيجارات العقارات البنوك العملة الدولار الذهب الأسهم البورصة الفقر الأطفال "
         "النساء الشباب العمال الفلاحين الأطباء المعلمين القضاة المحكمة الدستور القانون "
         "الفساد الرشوة التحقيق التقرير الدراسة الإحصاءات الأرقام النسبة الزيادة الانخفاض "
         "ارتفع انخفض تضاعف تراجع بلغ تجاوز سجل شهد أعلن رفض وافق قرر منع سمح خفض رفع "
         "العام الماضي الشهر الأسبوع اليوم أمس خلال منذ حتى بعد قبل نحو أكثر أقل من في على "
         "إلى عن مع بين أن لم لن قد كان كانت يكون هذا هذه ذلك التي الذي جميع كل بعض أول "
         "آخر جديد جديدة كبير كبيرة أعلى أدنى رسمي رسمية حكومي دولي محلي وطني مرة مرات").split()
UNITS = ["شخصاً", "مليون دولار", "مليار دولار", "في المئة", "طناً", "كيلومتراً", "ألف شخص",
         "مليون نسمة", "مدرسة", "مستشفى", "يوماً", "عاماً"]
TAGS = ("انتخابات اقتصاد صحة حرب لاجئين تعليم طاقة مناخ فساد أمن زراعة نقل إسكان عملة "
        "سياحة رياضة ثقافة تكنولوجيا إعلام قضاء").split()
HARAKAT = "\u064e\u064f\u0650\u0652\u0651\u064b"
OUTLETS = ["أ ف ب", "رويترز", "الجزيرة", "بي بي سي عربي", "سكاي نيوز عربية", "الشرق الأوسط"]


def weighted(rng: random.Random, table: dict[str, int]) -> str:
    """One key of ``table`` drawn with its weight."""
    return rng.choices(list(table), weights=list(table.values()))[0]


def clitic(rng: random.Random, word: str) -> str:
    """The word, sometimes with a proclitic (و ب ل ف، لل for ال)."""
    roll = rng.random()
    if roll < 0.6:
        return word
    if word.startswith("ال"):
        return rng.choice(["و", "ب", "وب", "ف", "ك"]) + word if roll < 0.85 else "لل" + word[2:]
    return rng.choice(["و", "ب", "ل", "وب", "ف", "ول"]) + word


def vary(rng: random.Random, word: str) -> str:
    """Diacritics, tatweel or a bare alef on some words (stored text keeps them)."""
    return _vary(rng, word, rng.random())


def _vary(rng: random.Random, word: str, roll: float) -> str:
    if roll < 0.08:
        letters = list(word)
        for i in sorted(rng.sample(range(len(letters)), k=min(2, len(letters))), reverse=True):
            letters.insert(i + 1, rng.choice(HARAKAT))
        return "".join(letters)
    if roll < 0.10 and len(word) > 3:
        return word[:2] + "\u0640" + word[2:]
    if roll < 0.14:
        return word.replace("أ", "ا").replace("إ", "ا")
    return word


def entity_specs() -> list[tuple[str, str, str, str | None, list[tuple[str, str, str]]]]:
    """(key, kind, name_ar, name_en, aliases) for ~1,300 entities, famous ones first."""
    specs: list[tuple[str, str, str, str | None, list[tuple[str, str, str]]]] = []
    for i, (ar, en, short) in enumerate(PEOPLE):
        specs.append((f"bench:p{i}", "person", ar, en, [(short, "short", "ar")]))
    for i, (ar, en) in enumerate(PLACES):
        specs.append((f"bench:l{i}", "place", ar, en, []))
    for i, ar in enumerate(ORGS):
        specs.append((f"bench:o{i}", "organisation", ar, None, []))
    for i, first in enumerate(FIRST):
        for j, last in enumerate(LAST):
            specs.append((f"bench:s{i}_{j}", "person", f"{first} {last}", None, []))
    return specs


@functools.cache
def _zipf(size: int) -> list[float]:
    return list(itertools.accumulate(1 / (rank + 5) for rank in range(1, size + 1)))


_FIRST_NAMES: dict[int, tuple[Sequence[tuple[int, str]], dict[int, str]]] = {}


def _first_name(names: Sequence[tuple[int, str]]) -> dict[int, str]:
    """Entity id → its first name in ``names`` (a scan per claim cost as much as a derivation)."""
    held = _FIRST_NAMES.get(id(names))
    if held is None or held[0] is not names:  # the id of a dead list can be reused
        first: dict[int, str] = {}
        for entity_id, name in names:
            first.setdefault(entity_id, name)
        held = _FIRST_NAMES[id(names)] = (names, first)
    return held[1]


def _cumulative(table: dict[str, int]) -> tuple[list[str], list[int], float]:
    """What ``rng.choices(list(table), weights=list(table.values()))`` computes per call."""
    cum = list(itertools.accumulate(table.values()))
    return list(table), cum, cum[-1] + 0.0


_STATUS_CUM, _TYPE_CUM = _cumulative(STATUSES), _cumulative(TYPES)
_ARABIC_DIGITS = {ord(d): chr(0x0660 + int(d)) for d in "0123456789"}
_TAG_COUNTS = [0, 1, 1, 2, 3]


def make_claim(i: int, names: Sequence[tuple[int, str]], people: Sequence[int]) -> dict[str, Any]:
    """The i-th synthetic claim (deterministic in i): text, speaker, status, type, tags.

    The draws are those of ``random.Random``'s ``choice``, ``choices``, ``randint`` and
    ``randrange`` (CPython 3.11+), inlined: the same calls of ``random()`` and
    ``getrandbits`` in the same order, so the same claims, at a third less time (the bulk
    load makes one per claim); tests/test_bench_corpus_fast.py checks them against the calls.
    """
    rng = random.Random(SEED * 1_000_003 + i)
    rand, bits = rng.random, rng.getrandbits

    def below(n: int) -> int:  # Random._randbelow_with_getrandbits
        k = n.bit_length()
        r = bits(k)
        while r >= n:
            r = bits(k)
        return r

    # Zipf-Mandelbrot popularity (s = 1, q = 5): a few entities in many claims, most in few.
    name_cum, people_cum = _zipf(len(names)), _zipf(len(people))
    name_total, name_hi = name_cum[-1] + 0.0, len(names) - 1
    speaker = people[bisect.bisect(people_cum, rand() * (people_cum[-1] + 0.0), 0,
                                   len(people) - 1)] if rand() < 0.6 else None
    speaker_name = _first_name(names).get(speaker) if speaker is not None else None
    words = [SAY[below(len(SAY))], clitic(rng, speaker_name) if speaker_name else "مصدر", "إن"]
    n_words = len(WORDS)
    for _ in range(1 + below(3)):
        body = [WORDS[below(n_words)] for _ in range(4 + below(9))]
        at = below(len(body) + 1)  # drawn before the name, as insert's arguments were
        body.insert(at, clitic(rng, names[bisect.bisect(name_cum, rand() * name_total, 0,
                                                        name_hi)][1]))
        if rand() < 0.45:
            low, high = 2 + below(98), 100 + below(99900)
            number = str((low, high)[below(2)])
            if rand() < 0.2:
                number = number.translate(_ARABIC_DIGITS)
            at = below(len(body) + 1)
            body.insert(at, f"{number} {UNITS[below(len(UNITS))]}")
        words.extend(body)
    varied = []
    for w in words:  # vary(), its common case (no change) inlined
        roll = rand()
        varied.append(w if roll >= 0.14 else _vary(rng, w, roll))
    text_ = " ".join(varied) + "."
    status_keys, status_cum, status_total = _STATUS_CUM
    status = status_keys[bisect.bisect(status_cum, rand() * status_total, 0, len(status_keys) - 1)]
    type_keys, type_cum, type_total = _TYPE_CUM
    claim_type = type_keys[bisect.bisect(type_cum, rand() * type_total, 0, len(type_keys) - 1)]
    tags = sorted(set(rng.sample(TAGS, k=_TAG_COUNTS[below(len(_TAG_COUNTS))])))
    return {"text": text_, "speaker_id": speaker, "status": status, "claim_type": claim_type,
            "tags": tags}


def created_at(i: int, n: int) -> dt.datetime:
    """Creation times spread over five years, increasing with i."""
    start = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
    return start + dt.timedelta(seconds=int(i * (5 * 365 * 86400) / max(n, 1)))
