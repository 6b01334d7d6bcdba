"""Word lists for claim matching: function words, negators, antonym pairs, closed gazetteers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from claims.text.arabic import normalize

__all__ = ["GAZETTEER", "GAZ_PHRASE_HEADS", "NEGATIVE_WORDS", "NEGATORS", "OPPOSITES", "STOPWORDS",
           "gaz_key", "gaz_phrase"]


def _norm_set(words: Iterable[str]) -> frozenset[str]:
    """Normalised forms of the words."""
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
        "معارضة يعارض تعارض عارض عارضت يدين تدين إدانة ينتقد تنتقد انتقد انتقدت "
        "استنكار يستنكر تستنكر استنكر استنكرت شجب يشجب تشجب".split(),
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
    # General opposites of news verbs (not picked from corpus errors): arrival/withdrawal,
    # appearance, start/end, building/destruction, adoption/cancellation, strength.
    (
        "enter/leave",
        "دخول يدخل تدخل عودة يعود تعود عاد عادت وصول يصل تصل وصل وصلت".split(),
        _verb("انسحب", "نسحب") + _verb("غادر", "غادر") + _verb("خرج", "خرج")
        + "انسحاب مغادرة خروج رحيل".split(),
    ),
    (
        "appear/vanish",
        _verb("ظهر", "ظهر") + _verb("حضر", "حضر") + "ظهور حضور".split(),
        _verb("اختفى", "ختفي") + _verb("غاب", "غيب") + "اختفاء غياب".split(),
    ),
    (
        "start/end",
        _verb("بدأ", "بدأ") + "بدء انطلاق استئناف".split(),
        _verb("انتهى", "نتهي") + "انتهاء إنهاء ينهي تنهي".split(),
    ),
    (
        "build/destroy",
        "بناء يبني تبني إعمار".split(),
        "هدم يهدم تهدم تدمير دمر يدمر تدمر".split(),
    ),
    (
        "adopt/cancel",
        "إقرار يقر تقر أقر أقرت اعتماد يعتمد تعتمد".split(),
        _verb("ألغى", "لغي") + "إلغاء".split(),
    ),
    (
        "strengthen/weaken",
        "تعزيز يعزز تعزز عزز عززت انتعاش ينتعش تنتعش انتعش انتعشت".split(),
        "إضعاف يضعف تضعف أضعف أضعفت انهيار ينهار تنهار انهار انهارت تهاوي يتهاوى "
        "تتهاوى".split(),
    ),
]
OPPOSITES: dict[str, list[tuple[str, int]]] = {}
for _concept, _pos, _neg in _OPPOSITES_RAW:
    for _words, _sign in ((_pos, 1), (_neg, -1)):
        for _w in _words:
            OPPOSITES.setdefault(normalize(_w), []).append((_concept, _sign))

# Small closed gazetteers: a near-paraphrase that swaps one member for another (Syria→Russia,
# dollar→euro, east→west) states a different fact.  One line per referent: its canonical name
# first, then other spellings, demonyms and capitals that mean the same side of a story.
# Multi-word names are written with _ (رام_الله); see ``gaz_phrase``.
_GAZETTEER_RAW: dict[str, str] = {
    "place": """مصر مصري القاهرة | ليبيا ليبي طرابلس بنغازي | تونس تونسي | الجزائر جزائري |
    المغرب مغربي الرباط | السودان سوداني الخرطوم | موريتانيا موريتاني | السعودية سعودي الرياض
    المملكة | الإمارات إماراتي أبوظبي دبي | قطر قطري الدوحة | الكويت كويتي | البحرين بحريني |
    عمان عماني مسقط | العراق عراقي بغداد | سوريا سورية سوري دمشق حلب إدلب درعا دوما |
    لبنان لبناني بيروت | الأردن أردني | فلسطين فلسطيني غزة رام_الله | إسرائيل إسرائيلي تل_أبيب |
    اليمن يمني صنعاء عدن | إيران إيراني طهران | تركيا تركي أنقرة إسطنبول | روسيا روسي موسكو
    الكرملين | الصين صيني بكين | اليابان ياباني طوكيو | الهند هندي | باكستان باكستاني |
    أفغانستان أفغاني | أمريكا أميركا أمريكي أميركي واشنطن الولايات_المتحدة | فرنسا فرنسي
    باريس | ألمانيا ألماني برلين | بريطانيا بريطاني لندن المملكة_المتحدة | إيطاليا إيطالي
    روما | إسبانيا إسباني مدريد | كوريا كوري |
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


def gaz_key(word: str) -> str:
    """The word without a feminine, plural or nisba ending, for gazetteer lookup."""
    for s in _GAZ_SUFFIXES:
        if word.endswith(s) and len(word) - len(s) >= 3:
            return word[: -len(s)]
    return word


GAZETTEER: dict[str, tuple[str, str]] = {}
for _kind, _groups in _GAZETTEER_RAW.items():
    for _group in _groups.split("|"):
        _forms = [normalize(w.replace("_", " ")) for w in _group.split()]
        for _f in _forms:
            GAZETTEER.setdefault(gaz_key(_f), (_kind, _forms[0]))

# Multi-word names (رام الله، الولايات المتحدة) are looked up over consecutive words, longest
# first, so المملكة المتحدة is Britain although المملكة alone is Saudi Arabia.
_PHRASE_LENGTHS = sorted({k.count(" ") + 1 for k in GAZETTEER if " " in k}, reverse=True)
GAZ_PHRASE_HEADS = frozenset(k.split(" ", 1)[0] for k in GAZETTEER if " " in k)


def gaz_phrase(heads: Iterable[str], rest: Sequence[str]) -> tuple[int, tuple[str, str]] | None:
    """The longest multi-word gazetteer name starting here: (word count, (kind, canonical)).

    ``heads`` are lookup forms of the first word (clitics off, with and without the article),
    ``rest`` the normalised words after it; the name's last word may carry a gazetteer ending.
    """
    known = [h for h in heads if h in GAZ_PHRASE_HEADS]
    for n in _PHRASE_LENGTHS:
        if n - 1 > len(rest) or not known:
            continue
        tail = " ".join(rest[: n - 1])
        for h in known:
            hit = GAZETTEER.get(gaz_key(f"{h} {tail}"))
            if hit:
                return n, hit
    return None
