"""Check-worthiness: score how checkable a sentence is, and say why."""

from __future__ import annotations

import re
from dataclasses import dataclass

from claims.text.arabic import normalize
from claims.text.sentences import Sentence

__all__ = ["REASONS", "WEIGHTS", "Score", "rank_sentences", "score_sentence"]


@dataclass(frozen=True)
class Score:
    """A check-worthiness score and the ids of the cues that produced it."""

    value: float
    reasons: tuple[str, ...]


# A number is the strongest sign of a checkable fact; quotes on their own are mostly opinion,
# so they weigh least.  Weights are hand-set and checked against the demo article's ranking.
WEIGHTS: dict[str, float] = {
    "quantity": 2.0,
    "statistic": 1.5,
    "comparison": 1.0,
    "superlative": 0.75,
    "attribution": 1.0,
    "entity": 0.75,
    "date": 0.5,
    "quote": 0.25,
}
REASONS = tuple(WEIGHTS)
# Hedged, wishful or first-person speech is rarely a checkable statement of fact.
_OPINION_PENALTY = 0.75
_QUESTION_PENALTY = 0.5

# All word lists are in normalize()d form (أ/إ/آ -> ا, ة -> ه, ى -> ي, no harakat).
_NUMBER_WORDS = frozenset(
    "واحد واحده اثنان اثنين اثنتان اثنتين ثلاث ثلاثه اربع اربعه خمس خمسه ست سته سبع سبعه "
    "ثمان ثماني ثمانيه تسع تسعه عشر عشره عشرات عشرون عشرين ثلاثون ثلاثين اربعون اربعين "
    "خمسون خمسين ستون ستين سبعون سبعين ثمانون ثمانين تسعون تسعين مئه مائه مئات مئتان مئتين "
    "الف الاف الفا الفين مليون ملايين مليونا مليونين مليار مليارات ملياري تريليون "
    "نصف ربع ثلث خمس ضعف اضعاف اغلبيه غالبيه".split()
)
_ATTRIBUTION = frozenset(
    "قال قالت قالوا يقول تقول يقولون اضاف اضافت يضيف تضيف مضيفا مضيفه اكد اكدت يؤكد تؤكد "
    "مؤكدا اعلن اعلنت يعلن تعلن معلنا اشار اشارت يشير تشير مشيرا وفق وفقا حسب بحسب حسبما "
    "نقلت نقلا ذكر ذكرت يذكر تذكر صرح صرحت اوضح اوضحت يوضح موضحا افاد افادت زعم زعمت "
    "ادعي كشف كشفت نفي نفت اعترف اعترفت "
    # Speech acts that put a claim in someone's mouth: accusing, blaming, criticising.
    "اتهم اتهمت يتهم تتهم متهما اتهام حمل حملت يحمل تحمل محملا انتقد انتقدت ينتقد تنتقد "
    "حذر حذرت يحذر تحذر محذرا طالب طالبت يطالب تطالب".split()
)
# Elative adjectives (أفعل): "أكبر من" compares, "أكبر مدينة" is a superlative.
_ELATIVES = frozenset(
    "اكثر اقل اكبر اصغر اعلي ادني اطول اقصر اسرع ابطا اغني افقر اهم افضل اسوا اشد اخطر "
    "اقدم احدث".split()
)
_COMPARISON = frozenset(
    "اكثريه مقارنه مقارنا قياسا تجاوز يتجاوز متجاوزا يفوق فاق ارتفع ارتفعت ارتفاع انخفض "
    "انخفضت انخفاض تراجع تراجعت زياده زاد زادت تضاعف ضعفي "
    # Trends are comparisons with the past ("of growing importance", "a rising share").
    "متزايد متزايده متزايدا تزايد يتزايد تتزايد تنامي متنامي متناميه متراجع متراجعه".split()
)
_SUPERLATIVE = frozenset(
    "الاول الاولي اول الاكبر الاصغر الاعلي الادني الاكثر الاقل الاطول الاقدم الاحدث الافضل "
    "الاسوا الاهم الاخطر الاسرع الوحيد الوحيده قياسي قياسيه غير_مسبوق "
    # "A major partner", "the main market": a ranking among others, as checkable as a first.
    "رئيسي رئيسيا رئيسيه الرئيسي الرئيسيه ابرز الابرز".split()
)
_STATISTIC = frozenset(
    "تعداد احصاء احصاءات احصائيات احصائيه نسبه معدل معدلات بالمئه بالمائه المئه المائه "
    "متوسط استطلاع تقديرات التقديرات ارقام الارقام بيانات ميزانيه الناتج التضخم البطاله "
    "حصيله العدد".split()
)
_TITLES = frozenset(
    "الرئيس الرئيسه رئيس رئيسه الوزير الوزيره وزير وزيره وزاره الملك الامير الشيخ السفير "
    "المتحدث المتحدثه الناطق الحكومه السلطات الجيش البرلمان الامم المنظمه منظمه وكاله "
    "شركه الزعيم الجنرال المستشار النائب المدعي المحكمه البنك الشرطه".split()
)
_MONTHS = frozenset(
    "يناير فبراير مارس ابريل مايو يونيو يوليو اغسطس سبتمبر اكتوبر نوفمبر ديسمبر "
    "كانون شباط اذار نيسان ايار حزيران تموز اب ايلول تشرين "
    "السبت الاحد الاثنين الثلاثاء الاربعاء الخميس الجمعه".split()
)
# Countries, capitals standing for their governments, and blocs: a sentence where states act
# on each other ("Turkey became Russia's partner", "Baku accused Moscow") is a checkable
# claim about the world even without a number.  (name, demonym stem); demonym forms added.
_STATES_RAW = (
    "روسيا:روسي موسكو الكرملين | اوكرانيا:اوكراني كييف | اذربيجان:اذربيجاني باكو | "
    "تركيا:تركي انقره | ايران:ايراني طهران | طاجيكستان:طاجيكي دوشنبه دوشانبي | "
    "كازاخستان:كازاخستاني استانا | ارمينيا:ارميني يريفان | جورجيا:جورجي تبليسي | "
    "الصين:صيني بكين | اليابان:ياباني طوكيو | الهند:هندي نيودلهي | باكستان:باكستاني | "
    "الولايات_المتحده:امريكي واشنطن امريكا اميركا | بريطانيا:بريطاني لندن | "
    "فرنسا:فرنسي باريس | المانيا:الماني برلين | ايطاليا:ايطالي روما | اسبانيا:اسباني | "
    "مصر:مصري القاهره | السعوديه:سعودي الرياض | الامارات:اماراتي ابوظبي | قطر:قطري الدوحه | "
    "الكويت:كويتي | العراق:عراقي بغداد | سوريا:سوري دمشق | لبنان:لبناني بيروت | "
    "الاردن:اردني عمان | فلسطين:فلسطيني غزه | اسرائيل:اسرائيلي | اليمن:يمني صنعاء | "
    "ليبيا:ليبي طرابلس | تونس:تونسي | الجزائر:جزائري | المغرب:مغربي الرباط | "
    "السودان:سوداني الخرطوم | اثيوبيا:اثيوبي | الاتحاد_الاوروبي:اوروبي بروكسل | "
    "الناتو:الاطلسي | الامم_المتحده:اممي"
)
_STATES: dict[str, str] = {}
for _group in _STATES_RAW.split("|"):
    _head, *_rest = _group.split()
    _name, _, _stem = _head.partition(":")
    for _form in (_name, *_rest):
        _STATES[_form.replace("_", " ")] = _name
    if _stem:
        for _suffix in ("", "ه", "ين", "ون", "يين"):
            _STATES[_stem + _suffix] = _name
_OPINION = frozenset("امل نامل اتمني نتمني اود نود اعتقد نعتقد ربما يجب علينا".split())
# Leading clitics that may stick to any of the words above (و، ف، ب، ل، ك and ال).
_CLITIC_RE = re.compile(r"^(?:و|ف)?(?:ب|ل|ك)?(?:ال)?")
_DIGIT_RE = re.compile(r"\d")
_YEAR_RE = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_PERCENT_RE = re.compile(r"[%٪]")
_QUOTE_RE = re.compile(r"[“«][^”»]{2,}[”»]|\"[^\"]{2,}\"")
# Definite أفعل (الأكبر، الأقدم): three root letters after the alif, no long vowel inside.
_SUPERLATIVE_RE = re.compile(r"^(?:و|ف|ب|ل)?الا[^\Wاوي][^\Wاوي][^\W\d]$")
_NOT_SUPERLATIVE = frozenset("الاردن الاقصي الاربع الاحد الاسد الاكراد الامن الاخري".split())
# Month names that contain "الأول" (كانون الأول = December) are dates, not superlatives.
_MONTH_PHRASE_RE = re.compile(r"(كانون|تشرين|ربيع|جمادي)\s+(?:الاول|الاولي|الثاني|الاخره)")


def _word_forms(token: str) -> set[str]:
    """The token and its clitic-stripped variants, all in normalised form."""
    forms = {token}
    stripped = _CLITIC_RE.sub("", token)
    if len(stripped) >= 2:
        forms.add(stripped)
    if token[:1] in "وف" and len(token) > 3:
        forms.add(token[1:])
    if token.startswith("لل") and len(token) > 4:  # للكرملين -> الكرملين
        forms.add("ال" + token[2:])
    return forms


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[^\w%٪]+", text) if t]


def _has(words: list[set[str]], lexicon: frozenset[str]) -> bool:
    return any(forms & lexicon for forms in words)


def _quantity(text: str, words: list[set[str]]) -> bool:
    """Digits in any script or number words, not counting years and day numbers of dates."""
    without_dates = _YEAR_RE.sub(" ", text)
    # "25 ديسمبر" is a date, not a quantity; drop a number that directly precedes a month.
    without_dates = re.sub(
        r"\d{1,2}\s+(?=" + "|".join(sorted(_MONTHS)) + r")", " ", normalize(without_dates)
    )
    if _DIGIT_RE.search(without_dates):
        return True
    # A dual noun such as صاروخين (two missiles) is a count too, but too noisy to detect
    # without morphology, so only explicit number words count.
    return _has(words, _NUMBER_WORDS)


def _states(words: list[set[str]], norm: str) -> int:
    """Distinct states, capitals and blocs named in the sentence (any spelling, clitics off)."""
    found = {_STATES[f] for forms in words for f in forms if f in _STATES}
    found.update(name for key, name in _STATES.items() if " " in key and key in norm)
    return len(found)


def score_sentence(text: str, entity_count: int = 0) -> Score:
    """Score one sentence's check-worthiness; ``entity_count`` is a hint from NER."""
    norm_tokens = _tokens(normalize(text))
    norm = normalize(text)
    # Strip month phrases and "بالنسبة لـ" (= "regarding", not a ratio) before matching.
    plain = _MONTH_PHRASE_RE.sub(r" \1 ", norm).replace("بالنسبه ل", " ")
    words = [_word_forms(t) for t in _tokens(plain)]
    found: list[str] = []
    bonus = 0.0

    if _quantity(text, words):
        found.append("quantity")
        if _PERCENT_RE.search(text):
            bonus += 0.5  # a percentage is almost always a checkable figure
    title_hits = sum(1 for forms in words if forms & _TITLES)
    states = _states(words, plain)
    if entity_count > 0 or title_hits or states:
        found.append("entity")
        bonus += 0.25 * min(max(entity_count, title_hits, states) - 1, 2)
    if _has(words, _ATTRIBUTION) or "وفقا ل" in norm or "نقلا عن" in norm:
        found.append("attribution")
    plain_tokens = _tokens(plain)
    elative_next = [
        plain_tokens[i + 1] if i + 1 < len(plain_tokens) else ""
        for i, forms in enumerate(words)
        if forms & _ELATIVES
    ]
    if _has(words, _COMPARISON) or "من" in elative_next:
        found.append("comparison")
    if _has(words, _SUPERLATIVE) or any(n not in {"من", ""} for n in elative_next) or any(
        _SUPERLATIVE_RE.match(t) and t not in _NOT_SUPERLATIVE for t in plain_tokens
    ):
        found.append("superlative")
    if _has(words, _STATISTIC) or _PERCENT_RE.search(text) or "في المئه" in norm:
        found.append("statistic")
    if _YEAR_RE.search(text) or _has(words, _MONTHS):
        found.append("date")
    if _QUOTE_RE.search(text):
        found.append("quote")

    value = sum(WEIGHTS[r] for r in found) + bonus
    if _has(words, _OPINION):
        value -= _OPINION_PENALTY
    if text.rstrip().rstrip("”»\"").endswith(("?", "؟")):
        value -= _QUESTION_PENALTY
    # Very short sentences rarely carry a whole checkable statement.
    if len(norm_tokens) < 5:
        value *= 0.5
    return Score(round(max(value, 0.0), 3), tuple(found))


def rank_sentences(
    sentences: list[Sentence], entity_counts: dict[int, int] | None = None
) -> list[tuple[Sentence, Score]]:
    """Sentences with their scores, most check-worthy first (ties keep document order).

    ``entity_counts`` maps a sentence's index in ``sentences`` to its entity count.
    """
    counts = entity_counts or {}
    scored = [
        (i, sentence, score_sentence(sentence.text, counts.get(i, 0)))
        for i, sentence in enumerate(sentences)
    ]
    scored.sort(key=lambda item: (-item[2].value, item[0]))
    return [(sentence, score) for _, sentence, score in scored]
