"""Speaker attribution: who a sentence says is speaking, from reporting cues."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from claims.text.arabic import normalize, strip_controls, tokens_with_spans

__all__ = ["SpeakerGuess", "detect_speaker"]


@dataclass(frozen=True)
class SpeakerGuess:
    """A speaker name as written, its span, the cue that introduced it, and a confidence.

    ``start``/``end`` index into the sentence given to ``detect_speaker`` - or, when the
    speaker was inherited from the previous sentence, into ``previous``.
    """

    name: str
    start: int
    end: int
    cue: str
    confidence: float


# Word lists are normalize()d (أ/إ/آ -> ا, ة -> ه, ى -> ي, no harakat).
# Reporting verbs whose subject follows them: "قال بوتين", "وأضافت الوزارة".
_VERBS = frozenset(
    "قال قالت قالوا يقول تقول يقولون اضاف اضافت يضيف تضيف اكد اكدت يؤكد تؤكد اعلن اعلنت "
    "يعلن تعلن اشار اشارت يشير تشير ذكر ذكرت يذكر تذكر صرح صرحت يصرح اوضح اوضحت يوضح "
    "نقلت افاد افادت زعم زعمت ادعي تابع تابعت اردف كشف كشفت نفي نفت حذر حذرت اعترف اعترفت "
    "اعرب اعربت تساءل".split()
)
# Weaker cues: verbs of stance or response whose subject is usually the one speaking.
_WEAK_VERBS = frozenset(
    "رد ردت شكر شكرت اشاد اشادت انتقد انتقدت اعتذر اعتذرت تعهد تعهدت دعا دعت طالب طالبت "
    "وصف وصفت اتهم اتهمت".split()
)
# Participles ("مضيفا أن") and first/second-person forms never carry their own subject.
_SUBJECTLESS = frozenset(
    "مضيفا مضيفه مؤكدا مؤكده مشيرا مشيره موضحا موضحه معلنا معربا متابعا قلت قلنا قلتم "
    "اقول نقول تقولين".split()
)
# Prepositional attribution: "بحسب وزارة الدفاع", "وفقا لـ...", "نقلا عن ...".
_SOURCE_CUES = frozenset("بحسب حسب وفق وفقا طبقا نقلا".split())
_NEEDS_LAM = frozenset("وفق وفقا طبقا".split())  # these take لـ before the source
# Titles and offices stripped from the front of a person's name.  "Construct" titles take a
# complement (وزير الخارجية, المتحدث باسم الكرملين) that is skipped along with them.
_TITLES = frozenset(
    "الرئيس الرئيسه الوزير الوزيره الملك الملكه الامير الاميره الشيخ الشيخه السيد السيده "
    "الدكتور الدكتوره السفير السفيره الجنرال العقيد اللواء العميد المرشح المرشحه الزعيم "
    "المستشار المستشاره النائب النائبه المتحدث المتحدثه الناطق الناطقه القائد السناتور "
    "السيناتور الحاكم العمده البابا الامام الاستاذ المهندس المحامي الصحفي الكاتب الخبير "
    "حاكم عمده المقدم المقدمه".split()
)
_CONSTRUCT_TITLES = frozenset(
    "رئيس رئيسه وزير وزيره نائب نائبه مدير مديره امين امينه سفير سفيره قائد متحدث ناطق "
    "باسم عضو مستشار مستشاره زعيم حاكم عمده محافظ مقدم مقدمه ولي خادم".split()
)
# Titles abbreviated with a full stop before a name: د. (doctor), م. (engineer), أ.د. (professor).
_ABBREVIATED_TITLES = frozenset({"د", "م", "ا"})
# Words that cannot end a name: a name cut after them lost its end ("عبد العزيز بن").
_NAME_LINKS = frozenset({"بن", "بنت", "ابن", "ابو", "عبد", "ال"})
# Words that end a name: complementisers, prepositions, time words, "also"...
_STOP = frozenset(
    "ان انه انها انهم انهن بان بانه بانها لان في على علي عن من الي الى خلال امام مع بعد "
    "قبل عبر حول ضد منذ يوم اليوم امس غدا مساء صباح ليله ايضا بدوره بدورها كذلك "
    "السبت الاحد الاثنين الثلاثاء الاربعاء الخميس الجمعه ما ماذا لكن لكنه ثم حيث الذي "
    "التي الذين هو هي هم وهو وهي انما قد لقد لم لن لا كان كانت فان وان لي له لها لهم لنا "
    "لك لكم انا انت نحن انني انك انكم اننا انهما هذا هذه ذلك تلك هؤلاء هولاء الكثير كثير كل "
    "بعض جميع معظم هل كم لماذا متي كيف اين لذا لذلك عندما كما لانه لانها لكنها وربما ربما "
    "تقريبا وقد مرارا بشده باستمرار فعلا حقا دائما ابدا فقط الان حسنا بالطبع للتو تماما "
    "شيئا".split()
)
# Particles before an imperfect or negated verb: "هل تقول", "أن تقول", "لن يقول" have a
# pronoun subject, so the next word is an object.
# Likewise after a pronoun or relative subject: "أنها قالت", "التي ذكرت", "لقد قالت".
_PRONOUN_PARTICLES = frozenset(
    "هل ان لن لا لم سوف لقد هو هي هم انه انها انهم لانه لانها الذي التي الذين".split()
)
# Matched on the raw token, where ة (وزارة) is still distinct from the pronoun ه (والدته).
_OBJECT_SUFFIX_RE = re.compile(r"^ل.{2,}(?:ه|ها|ك|كم|هم|نا|ي)$")  # لوالدته، لنفسك
# Prefixes ل/لل on the next word mark an addressee ("للصحفيين", "لوكالة"), not a name.
_ADDRESSEE = frozenset("لوكاله لقناه لصحيفه لتلفزيون لموقع لاذاعه لشبكه لمجله".split())
# Sentence adverbials that may stand between a clause-initial subject and its verb
# ("علييف في هذه الأثناء انتقد", "بوتين، من جهته، قال"), normalised.
# Longest first, so "بدوره ايضا" is skipped whole.
_ADVERBIALS = tuple(sorted((tuple(p.split()) for p in (
    "في هذه الاثناء", "في الاثناء", "في المقابل", "في الوقت نفسه", "في الوقت ذاته",
    "من جهته", "من جهتها", "من جانبه", "من جانبها", "من ناحيته", "من ناحيتها",
    "بدوره", "بدورها", "بدورهم", "ايضا", "بدوره ايضا")), key=len, reverse=True))
# Time nouns that open a sentence without being its subject ("الأسبوع الماضي انتقد ...").
_TIME_NOUNS = frozenset("الاسبوع الشهر العام السنه الماضي الماضيه المقبل الجاري".split())
_QUOTE_PAIRS = {"“": "”", "«": "»", '"': '"'}
_MAX_NAME_TOKENS = 5
_CONFIDENCE = {"verb": 0.9, "source": 0.75, "svo": 0.7, "weak": 0.5}
_INHERIT_FACTOR = 0.6
_PREFIX_RE = re.compile(r"^[وف]")


def _quote_ranges(text: str) -> list[tuple[int, int]]:
    """Spans of quoted speech, so reporting verbs quoted inside them are ignored."""
    ranges = []
    i = 0
    while i < len(text):
        closer = _QUOTE_PAIRS.get(text[i])
        if closer:
            j = text.find(closer, i + 1)
            if j < 0:
                break
            ranges.append((i, j + 1))
            i = j + 1
        else:
            i += 1
    return ranges


def _verb_kind(norm: str) -> str | None:
    """Classify a normalised token as a reporting cue, after its و/ف conjunction."""
    for form in (norm, _PREFIX_RE.sub("", norm)):
        if form in _SUBJECTLESS:
            return "subjectless"
        if form in _VERBS:
            return "verb"
        if form in _WEAK_VERBS:
            return "weak"
        if form in _SOURCE_CUES:
            return "source"
    return None


def _needs_lam(norm: str) -> bool:
    return norm in _NEEDS_LAM or norm[1:] in _NEEDS_LAM  # "وفقا" and "ووفقا"


def _is_stop(norm: str) -> bool:
    """A stop word, also behind the conjunction و/ف ("ولكن", "وعندما"); ولي (العهد) is a title."""
    if norm in _CONSTRUCT_TITLES:
        return False
    return norm in _STOP or (norm[:1] in ("و", "ف") and norm[1:] in _STOP)


def _is_word(token: str) -> bool:
    return any(ch.isalpha() for ch in token)


def _name_tokens(
    tokens: list[tuple[str, int, int]], norms: list[str], first: int
) -> list[int]:
    """Indices of the name that starts at ``first``: words up to a stop word or punctuation."""
    picked: list[int] = []
    # Room for a long title before the name ("وزير الطاقة السعودي الأمير"); _guess_after
    # holds the name itself to _MAX_NAME_TOKENS.
    for k in range(first, min(first + _MAX_NAME_TOKENS + 6, len(tokens))):
        norm = norms[k]
        if not _is_word(tokens[k][0]) or _is_stop(norm) or norm in _ADDRESSEE:
            break
        if norm.startswith(("لل", "بال")) or (
            not picked and _OBJECT_SUFFIX_RE.match(tokens[k][0])
        ):
            break  # "للصحفيين", "بالعلاقات", "لوالدته": an addressee or object has begun
        if picked and norm.startswith("و") and len(norm) > 3:
            if norm.startswith("وال") and _title_length(norms, picked) == len(picked):
                picked.append(k)  # "وزير الثقافة والسياحة": the title's complement goes on
                continue
            break  # "دونالد ويتساءلون": a coordinated clause, not the rest of the name
        if norm.isdigit():
            break
        picked.append(k)
    return picked


def _title_length(norms: list[str], picked: list[int]) -> int:
    """How many of the ``picked`` words are leading titles and their complements."""
    k = 0
    saw_title = False
    while k < len(picked):
        norm = norms[picked[k]]
        if norm in _TITLES:
            saw_title = True
            k += 1
        elif norm in _CONSTRUCT_TITLES:
            saw_title = True
            k += 2  # the title and its complement: وزير الخارجية، المتحدث باسم الكرملين
        elif saw_title and norm.startswith(("ال", "وال")):
            k += 1  # an adjective or coordinated complement: الروسي، والسياحة
        else:
            break
    return k


def _strip_titles(norms: list[str], picked: list[int]) -> list[int]:
    """Drop leading titles and their complements: "الرئيس الأذربيجاني إلهام علييف" -> 2 words.

    Institutions ("السلطات الأذربيجانية", "وزارة الدفاع") have no personal name after the
    title words, so they are kept whole.
    """
    k = _title_length(norms, picked)
    return picked[k:] if 0 < k < len(picked) else picked


def _guess_after(
    text: str, tokens: list[tuple[str, int, int]], norms: list[str], cue: int, kind: str
) -> SpeakerGuess | None:
    """The name that follows the cue at ``cue`` (VSO order, or a source after بحسب)."""
    first = cue + 1
    if kind == "source" and first < len(tokens):
        if norms[first] in {"ل", "لـ", "عن"}:  # "وفقا لـ الوزارة", "نقلا عن ..."
            first += 1
    # "قال د. محمد", "وقالت أ.د. هالة": the abbreviated title and its stop are not the name.
    while (first + 2 < len(tokens) and norms[first] in _ABBREVIATED_TITLES
           and tokens[first + 1][0] == "."):
        first += 2
    picked = _name_tokens(tokens, norms, first)
    if not picked:
        return None
    if kind == "weak" and norms[picked[0]].startswith(("بب", "بال")):
        return None  # "أشاد ببوتين": the praised, not the speaker (but بوتين is a name)
    if kind == "weak" and norms[picked[0]] not in _TITLES | _CONSTRUCT_TITLES:
        # After a stance verb the object follows the subject directly ("شكر علييف بوتين"),
        # so only the first word is trusted.
        picked = picked[:1]
    # After its titles, a name ("سلمان بن عبد العزيز آل سعود") or an institution's name is
    # a few words long, and ends on no link word such as بن.
    picked = _strip_titles(norms, picked)[:_MAX_NAME_TOKENS + 2]
    while len(picked) > 1 and norms[picked[-1]] in _NAME_LINKS:
        picked = picked[:-1]
    start = tokens[picked[0]][1]
    if kind == "source" and picked[0] == first and _needs_lam(norms[cue]):
        # "وفقًا لوزارة الصحة": the ل is a clitic preposition, not part of the name.
        token = tokens[first][0]
        if token.startswith("ل") and len(token) > 2:
            start += 2 if token.startswith("لـ") else 1
    end = tokens[picked[-1]][2]
    name = text[start:end].strip()
    if len(name) < 2:
        return None
    cue_text = text[tokens[cue][1]:tokens[cue][2]]
    return SpeakerGuess(name, start, end, cue_text, _CONFIDENCE[kind])


def _skip_commas(tokens: list[tuple[str, int, int]], k: int) -> int:
    while k >= 0 and tokens[k][0].strip() in {"،", ","}:
        k -= 1
    return k


def _before_adverbial(tokens: list[tuple[str, int, int]], norms: list[str], k: int
                      ) -> int | None:
    """Index of the last token before a sentence adverbial (and its commas) ending at ``k``,
    or None when no adverbial ends there."""
    k = _skip_commas(tokens, k)
    for phrase in _ADVERBIALS:
        n = len(phrase)
        if k - n + 1 >= 0 and tuple(norms[k - n + 1:k + 1]) == phrase:
            return _skip_commas(tokens, k - n)
    return None


def _guess_before(
    text: str, tokens: list[tuple[str, int, int]], norms: list[str], cue: int
) -> SpeakerGuess | None:
    """SVO order at the start of a clause: "بوتين قال إن ...", "وشون هانيتي قال", or with a
    sentence adverbial between: "علييف في هذه الأثناء انتقد موسكو"."""
    k = _before_adverbial(tokens, norms, cue - 1)
    k = cue - 1 if k is None else k
    picked: list[int] = []
    while k >= 0 and len(picked) < 3 and _is_word(tokens[k][0]) and not _is_stop(norms[k]):
        picked.insert(0, k)
        k -= 1
    if not picked or (k >= 0 and _is_word(tokens[k][0])):
        return None  # only a whole clause-initial subject counts
    if any(norms[j] in _TIME_NOUNS for j in picked):
        return None  # "الأسبوع الماضي انتقد ...": a time, not a subject
    picked = _strip_titles(norms, picked)
    start, end = tokens[picked[0]][1], tokens[picked[-1]][2]
    first_norm = norms[picked[0]]
    if first_norm.startswith("و") and len(first_norm) > 3 and k < 0:
        start += 1  # the conjunction و of a sentence-initial subject: "وشون" -> "شون"
    cue_text = text[tokens[cue][1]:tokens[cue][2]]
    return SpeakerGuess(text[start:end], start, end, cue_text, _CONFIDENCE["svo"])


def detect_speaker(sentence: str, previous: str | None = None) -> SpeakerGuess | None:
    """Guess who speaks in ``sentence``; "وقال:" with no name inherits from ``previous``."""
    text = strip_controls(sentence) if sentence != strip_controls(sentence) else sentence
    tokens = tokens_with_spans(text)
    norms = [normalize(tok) for tok, _, _ in tokens]
    quoted = _quote_ranges(text)
    best: SpeakerGuess | None = None
    pronoun_cue: str | None = None
    for i, (token, start, _) in enumerate(tokens):
        if any(qs <= start < qe for qs, qe in quoted):
            continue  # a verb inside quoted speech belongs to someone else's sentence
        kind = _verb_kind(norms[i])
        if kind is None:
            continue
        if kind in {"verb", "weak"} and i and norms[i - 1] in _PRONOUN_PARTICLES:
            kind = "subjectless"
        if kind == "subjectless":
            pronoun_cue = pronoun_cue or token
            continue
        # After a stance verb a clause-initial subject comes first: in "علييف انتقد موسكو"
        # the name after the verb is its object.
        guess = _guess_before(text, tokens, norms, i) if kind == "weak" else None
        guess = guess or _guess_after(text, tokens, norms, i, kind)
        if guess is None and kind in {"verb", "weak"}:
            guess = _guess_before(text, tokens, norms, i)
        if guess is None:
            if kind == "verb":
                pronoun_cue = pronoun_cue or token
            continue
        if best is None or guess.confidence > best.confidence:
            best = guess
        if best.confidence >= _CONFIDENCE["verb"]:
            break
    if best is not None:
        return best
    if pronoun_cue and previous:
        inherited = detect_speaker(previous)
        if inherited is not None:
            return replace(
                inherited,
                cue=pronoun_cue,
                confidence=round(inherited.confidence * _INHERIT_FACTOR, 3),
            )
    return None
