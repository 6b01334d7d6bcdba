"""Homograph guards for entity linking: common-word lexicon, context cues and hamza seats."""

from __future__ import annotations

from functools import lru_cache

from claims.text.arabic import normalize

__all__ = [
    "COMMON_WORDS",
    "CONTEXT_CUES",
    "DATE_AFTER",
    "DATE_BEFORE",
    "KIN_NOUNS",
    "MONTH_NAMES",
    "PREPOSITIONS",
    "SAID_AFTER",
    "SHORT_FUNCTION_WORDS",
    "SPEECH_VERBS",
    "is_common_word",
    "seat_letters",
    "seats_conflict",
]


def _norm_set(words: str) -> frozenset[str]:
    return frozenset(normalize(w) for w in words.split())


# Frequent Modern Standard Arabic vocabulary (bare forms, written normally): a one-word
# alias equal to one of these, with or without the article, is a homograph of an ordinary
# word (الحياة the newspaper vs. "life", أمين vs. "secretary"), so it links only in context
# or is offered for review. General news vocabulary, not a list of any corpus's errors.
COMMON_WORDS = _norm_set(
    """
    أحد واحد واحدة اثنان اثنين ثلاث ثلاثة أربع أربعة خمس خمسة ست ستة سبع سبعة ثماني
    ثمانية تسع تسعة عشر عشرة مائة مئة ألف مليون مليار أول أولى ثان ثاني ثانية ثالث ثالثة
    رابع رابعة أخير أخيرة آخر أخرى نصف ربع ثلث كل بعض عدة معظم أغلبية
    سنة عام يوم شهر أسبوع ساعة دقيقة صباح مساء ليل ليلة نهار فجر ظهر عصر عشاء أمس غد
    فترة مرحلة وقت زمن عهد قرن تاريخ موسم دورة جولة بداية نهاية
    يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر كانون شباط
    آذار نيسان أيار حزيران تموز آب أيلول تشرين محرم صفر ربيع جمادى رجب شعبان رمضان شوال
    سبت أحد اثنين ثلاثاء أربعاء خميس جمعة
    بأن فإن لأن كأن وإن بأنه فإنه لأنه كأنه أيضا أمام وراء حول عبر ضمن لدى تحت فوق داخل
    خارج لدينا لديه فينا منا لنا بنا علينا عنا فعلا فعليا فقط حاليا جدا أكثر أقل أفضل أحسن كثير قليل
    جيش شعب حكومة دولة حرب سلام سلم أمن مدينة قرية بلد بلاد بلدة وطن بيت منزل طريق كتاب
    حياة مستقبل ماضي حاضر اتفاق اتفاقية اتحاد وحدة شمال جنوب شرق غرب وسط مجلس لجنة حزب
    نظام منطقة قطاع إقليم عالم أرض بحر نهر جبل صحراء سماء نور ماء مياه نار شمس قمر
    ساحل سد طريقة
    رئيس وزير ملك أمير شيخ إمام قائد زعيم سفير نائب مدير أمين عضو جندي ضابط شرطة قوات قوة
    مقاومة ثورة معارضة سلطة رئاسة وزارة إدارة شركة مصرف بنك سوق اقتصاد سياسة تجارة صناعة
    زراعة نفط غاز كهرباء تعليم صحة علم علوم فن ثقافة رياضة كرة فريق منتخب نادي مباراة
    بطولة كأس دوري هدف لاعب مدرب جمهور إعلام صحيفة جريدة مجلة قناة إذاعة خبر أخبار تقرير
    بيان مؤتمر اجتماع قمة زيارة محادثات مفاوضات قرار قانون دستور انتخابات برلمان رأي موقف
    عملية هجوم انفجار قتل حادث أزمة قضية مشكلة حل خطة مشروع برنامج مؤسسة منظمة جمعية
    محافظة جامعة مدرسة مستشفى مسجد كنيسة معبد قصر سجن مطار ميناء شارع ساحة حي مبنى مركز مكتب
    دين حق شريعة سنة عمر عقاب حلم عيون شبه صديق رفيق أخ أب أم ابن بنت رجل امرأة
    طفل أطفال شباب أهل ناس
    حرية عدالة كرامة رحمة أمل نصر فوز هزيمة سعادة كرم شرف مجد عزة نهضة تحرير إعمار إصلاح
    تنمية تقدم مجتمع إنسان حيوان حصان طائر بحيرة جزء شيء أمر مسألة محور قاعدة
    كبير كبيرة صغير صغيرة جديد جديدة قديم قديمة عظيم عظمى كبرى أعلى عليا وطني وطنية دولي
    دولية عالمي عالمية عربي عربية إسلامي إسلامية غربي غربية شرقي شرقية شمالي شمالية جنوبي
    جنوبية أوسط وسطى اقتصادي سياسي عسكري أمني اجتماعي ثقافي تاريخي رسمي شعبي حكومي خاص
    خاصة عامة مختلف مشترك متحدة جميل صالح سعيد كريم عادل حسن شريف ثابت خضراء حمراء
    زرقاء سوداء بيضاء بري مجيد منيع رمزي عزيز ناصر منصور سالم كامل فاضل جمال نور غريب
    قال أكد أعلن أضاف أشار أوضح ذكر اعتبر قرر بدأ عاد أصبح ظل جاء ذهب هاجر رزق حفظ وجد
    كتب عمل قام تم جرى أجرى أودى يحيي مرسى بليون فريد
    """
)

# Words just before a name that say what kind of thing it is (صحيفة الحياة, حزب الأمة):
# a homograph alias right after one of these is a name, not the ordinary word.
CONTEXT_CUES = _norm_set(
    """
    صحيفة جريدة مجلة قناة وكالة إذاعة تلفزيون موقع حزب حركة تنظيم جماعة جبهة تيار ائتلاف
    نادي فريق منتخب شركة مؤسسة مصرف بنك جامعة مدينة بلدة قرية منطقة ولاية محافظة إقليم
    مقاطعة جزيرة نهر جبل بحيرة مخيم حي شارع ميدان مطار ميناء مسجد كنيسة مستشفى فندق
    سيارات سيارة طائرة طائرات مصنع زعيم قائد عناصر مقاتلو مقاتلي أنصار لاعب لاعبو لاعبي
    حارس مدرب مملكة إمبراطورية امبراطورية جمهورية إمارة سلطنة أسرة عائلة سلالة
    سهم غزوة معركة
    """
)

# Prepositions, normalised (so على reads علي, as many writers also type it). One does not
# follow another directly (من على and حتى على aside, hence no من or حتى here): علي right
# after في or مع is the name, not the preposition (مع علي في الكوفة).
PREPOSITIONS = _norm_set("في مع عن إلى على لدى عند منذ بين ضد نحو حول")

# Two-letter function words besides the stopwords of ``clitics``: a verb of saying before
# one is no cue to a name (قال لي, "he told me"), whereas وقال شو introduces a speaker.
SHORT_FUNCTION_WORDS = _norm_set("لي لك بي بك كي كم هل ذا ذو ذي قط مذ ها نا")


# Verbs of saying right before a one-word person alias make it the subject (وقال رمضان).
SPEECH_VERBS = _norm_set(
    """
    قال قالت أكد أكدت أعلن أعلنت أضاف أضافت أشار أشارت أوضح أوضحت صرح صرحت أعرب أعربت
    ذكر ذكرت اعتبر اعتبرت رأى شدد شددت دعا دعت نفى نفت كشف كشفت حذر حذرت تابع تابعت
    أقر أقرت أفاد أفادت اعترف اعترفت يقول تقول يؤكد تؤكد يضيف تضيف يشير تشير يوضح توضح
    """
)

# A relative with a possessive suffix names the person in apposition (أمه هاجر, زوجته سارة).
KIN_NOUNS = _norm_set(
    """
    أبوه أباه أبيه أمه أمها زوجته زوجها ابنه ابنها ابنته ابنتها نجله نجلها شقيقه شقيقها
    شقيقته شقيقتها أخوه أخاه أخيه أخوها أخته أختها توأمه توءمه جده جدته عمه خاله
    """
)


# "X قوله": the reported speaker of news prose (ونقلت الوكالة عن رمضان قوله).
SAID_AFTER = _norm_set("قوله قولها قولهما قولهم")


# Month names that are also names (نيسان the carmaker, تموز): outside a date they name.
MONTH_NAMES = _norm_set(
    """
    يناير فبراير مارس أبريل ابريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر اكتوبر نوفمبر ديسمبر
    كانون شباط آذار نيسان أيار حزيران تموز آب أيلول تشرين
    """
)
# Words before or after a month name that make it a date (في 12 نيسان, نيسان الماضي).
DATE_BEFORE = _norm_set(
    """
    في من منذ حتى إلى الى خلال شهر شهري مطلع أوائل أواسط منتصف أواخر بداية نهاية أول آخر
    قبل بعد يوم ليلة صباح مساء
    """
)
DATE_AFTER = _norm_set(
    """
    الماضي الماضيين المقبل القادم الجاري الحالي المنصرم عام سنة من الثاني الأول
    """
)


def is_common_word(key: str) -> bool:
    """True if a one-word normalised key is ordinary vocabulary (with or without ال)."""
    if key in COMMON_WORDS:
        return True
    return key.startswith("ال") and key[2:] in COMMON_WORDS


# Letters kept apart when comparing an alias with the text: the hamza seats on alef that
# normalisation folds into ا. (Final ى/ي and ة/ه are swapped too freely by writers to tell.)
_KEEP = frozenset("أإآ")


@lru_cache(maxsize=100_000)
def seat_letters(raw: str) -> str:
    """The normalised letters of one raw token, with hamza seats on alef kept as written.

    Returns "" when the raw token does not align letter for letter with its normalised
    form (ligatures), so callers skip the comparison rather than guess.
    """
    out: list[str] = []
    for ch in raw:
        if ch in _KEEP:
            out.append(ch)
            continue
        norm = normalize(ch)
        if len(norm) > 1:
            return ""
        out.append(norm)
    return "".join(out)


def _initial(letters: str, j: int) -> bool:
    """Whether position ``j`` starts the word (or follows the article)."""
    return j == 0 or (j == 2 and letters.startswith("ال"))


def seats_conflict(alias: str, text: str) -> bool:
    """True if two tokens equal after normalisation were written as different words.

    Writers drop hamza but rarely add one: أمام is not إمام, بأن is not the name بان, لجأوا
    is not جاوا. Only seats that the text writes more specifically than the alias (or, in
    short native words, differently) count as a conflict.
    """
    if len(alias) != len(text) or not alias:
        return False
    for j, (a, t) in enumerate(zip(alias, text, strict=True)):
        if a == t:
            continue
        if a == "آ" and t == "أ" and len(alias) >= 4:
            continue  # a madda written as its hamza (آسيا → أسيا); آمن/أمن are shorter
        if a in "أإآ" and t in "أإآ" and len(alias) <= 4:
            return True  # أن/إن, أمام/إمام; longer (foreign) names vary: إسبانيا/أسبانيا
        if a == "ا" and t in "أإ" and not _initial(alias, j):
            return True  # a medial hamza the alias does not have
    return False
