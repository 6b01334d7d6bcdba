"""Arabic proclitic stripping, demonym inflection, spelling skeletons and guard word lists."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from claims.text.homographs import is_common_word

__all__ = [
    "COMMON_WORD_NAMES",
    "GIVEN_NAMES",
    "MIN_STEM",
    "NAME_CONNECTORS",
    "STOPWORDS",
    "TITLES",
    "CliticForm",
    "clitic_forms",
    "compound_variants",
    "demonym_base",
    "demonym_inflections",
    "derived_short_form",
    "ending_variants",
    "g_variants",
    "letter_count",
    "skeleton",
    "variant_ok",
]

# A stripped remainder must keep at least this many letters (so بلد never becomes لد).
MIN_STEM = 3

# Function words that collide with names after normalisation (على→علي, إن/أن→ان, الـ→ال).
STOPWORDS = frozenset(
    """
    ال علي الي من ما ان عن لا هو هي قد في لم لن كان كانت يكون هذا هذه ذلك تلك الذي التي الذين
    بين بعد قبل عند مع كل او ام ثم حتي اذا اذ لو لكن بل غير سوي منذ كما مثل حيث ايضا انه انها
    نحن هم هن انت انا له لها لهم به بها فيه فيها منه منها عليه عليها اليه ولا ولم وقد وما ومن
    قال قالت يا الا اما اي ايه هنا هناك كيف متي لماذا ماذا ليس ليست عام يوم امس اليوم نعم
    بينما فيما عندما حينما كلما ربما انما مما بما لما علما حاليا اخري اخر خلال ضد نحو لدي
    the of and to in on at by for with from as is it an or be us we he she me my no so do
    """.split()
)

# Surnames that are also ordinary vocabulary: alone they only link after a title word,
# otherwise they are offered for review.
COMMON_WORD_NAMES = frozenset(
    """
    سلام عون الشرع سعيد امين نور جميل كريم الامير الملك حسان حسن عادل كامل صالح سالم
    منصور ناصر فاضل عزيز الحق الهدي جمال السلام مالي غريب البرهان المنفي عثماني السوداني رشيد
    الاحمد الشيخ العالم الامل
    """.split()
)

# Ordinals and frequent given names: never derived as a person's "distinctive" short form.
GIVEN_NAMES = frozenset(
    """
    الاول الثاني الثالث الرابع الخامس السادس السابع الثامن التاسع العاشر الاكبر الابن
    محمد احمد محمود مصطفي علي حسن حسين حسان عمر عثمان خالد يوسف ابراهيم اسماعيل ادريس موسي
    عيسي سليمان صالح سعيد سعد كامل جمال طارق زايد راشد حمد سلمان فيصل فهد نايف سلطان طلال
    عادل سامي رشيد عبدالله عبدالرحمن عبدالعزيز يحيي زكريا ياسين طه مهدي عمار
    رشيد الكبير الصغير الكامل الجديد الاكبر الاصغر المصري العربي الامريكي الاميركي العراقي
    السوري اللبناني الفلسطيني الاردني السعودي اليمني الليبي التونسي المغربي الجزائري السوداني
    jr sr ii iii iv
    """.split()
)

# Tokens that bind to the next name token (عبد الله, محمد بن سلمان, آل ثاني, bin, de, van).
NAME_CONNECTORS = frozenset(
    "بن ابن بنت ال ابو ابي ام عبد ولد bin ibn bint al el abu abd de da di van von der la le".split()
)

# Title words after which a homograph alias may link (الرئيس علي ..., الشيخ ...).
TITLES = frozenset(
    """
    الرئيس رئيس الرئيسه السيد السيده سيد الشيخ شيخ الشيخه الملك ملك الملكه الامير امير الاميره
    الوزير وزير الوزيره الامام الدكتور الدكتوره د المستشار المستشاره الجنرال العقيد اللواء
    الفريق المشير العاهل السلطان سلطان القائد الزعيم النائب القاضي الحاج البابا الكاردينال
    الحاخام المرشد الاستاذ الاستاذه مولاي president mr mrs ms dr sheikh king prince minister sultan
    """.split()
)


class CliticForm(NamedTuple):
    """One reading of a token: the remainder, how many letters were cut, and how."""

    form: str
    cut: int  # leading letters of the normalised token left out of the mention's span
    stripped: bool  # a conjunction/preposition (و ف ب ل ك) was removed
    article_removed: bool  # the definite article was removed too (demonym readings only)


def letter_count(text: str) -> int:
    """Letters and digits in ``text`` (spaces and punctuation are not counted)."""
    return sum(1 for ch in text if ch.isalnum())


def _core(form: str) -> str:
    return form[2:] if form.startswith("ال") else form


@lru_cache(maxsize=200_000)
def clitic_forms(token: str) -> tuple[CliticForm, ...]:
    """Readings of a normalised token: itself, then with proclitic chains removed.

    Chains are an optional conjunction (و ف), an optional preposition (ب ل ك) and an
    optional article (ال); ل + ال is written لل (للرئيس → الرئيس). No reading leaves fewer
    than ``MIN_STEM`` letters after the article, which guards against false splits.
    """
    out: list[CliticForm] = [CliticForm(token, 0, False, False)]
    seen = {token}

    def add(form: str, cut: int, stripped: bool, article_removed: bool) -> None:
        if form in seen or len(_core(form)) < MIN_STEM:
            return
        seen.add(form)
        out.append(CliticForm(form, cut, stripped, article_removed))

    if not token or not ("\u0621" <= token[0] <= "\u064a"):
        return tuple(out)
    # واحد is "one", not و + أحد: a token that is itself a common word keeps its letters.
    whole_word = is_common_word(token)
    for conj in ("", "و", "ف"):
        if not token.startswith(conj):
            continue
        rest1 = token[len(conj):]
        for prep in ("", "ب", "ل", "ك"):
            if not rest1.startswith(prep):
                continue
            rest2 = rest1[len(prep):]
            cut = len(conj) + len(prep)
            if (conj or prep) and whole_word:
                continue
            if conj or prep:
                add(rest2, cut, True, False)
            if rest2.startswith("ال"):
                add(rest2[2:], cut, bool(conj or prep), True)
            if prep == "ل" and rest2.startswith("ل") and not rest2.startswith("لل"):
                # لل = ل + ال with the alef dropped: للرئيس → الرئيس / رئيس
                add("ا" + rest2, cut - 1, True, False)
                add(rest2[1:], cut - 1, True, True)
    return tuple(out)


# Second words of compound names (نصر الله، صلاح الدين، سيف الاسلام): never a family name
# alone, and الله is God in every other sentence (الله أكبر، إن شاء الله، ﷲ).
_COMPOUND_ENDS = frozenset({"الله", "الدين", "الاسلام"})


def derived_short_form(key: str, entity_kind: str, alias_kind: str) -> str | None:
    """A person's distinctive family name (محمود عباس → عباس), if it is safe to derive."""
    toks = key.split(" ")
    if entity_kind != "person" or alias_kind not in ("name", "translit") or len(toks) < 2:
        return None
    last, before = toks[-1], toks[-2]
    if last in _COMPOUND_ENDS:
        # The family name is the compound (حسن نصر الله → نصر الله); a two-word name is one.
        compound = len(toks) > 2 and before not in NAME_CONNECTORS
        return f"{before} {last}" if compound else None
    if before in NAME_CONNECTORS or last in GIVEN_NAMES or last in STOPWORDS:
        return None
    if last in COMMON_WORD_NAMES or is_common_word(last):
        return None  # محمد صديق is not found by every صديق ("friend")
    return last if letter_count(last) >= 4 else None


_DEMONYM_ENDINGS = ("ه", "ون", "ين", "ات", "ان", "تان", "تين")


def demonym_inflections(masculine: str) -> list[str]:
    """Feminine, dual and plural forms of a normalised masculine demonym (روسي → روسيه ...)."""
    if not masculine.endswith("ي") or " " in masculine:
        return []
    return [masculine + ending for ending in _DEMONYM_ENDINGS]


def demonym_base(form: str) -> str | None:
    """Masculine demonym behind an inflected normalised form (اذربيجانيه → اذربيجاني)."""
    for ending in sorted(_DEMONYM_ENDINGS, key=len, reverse=True):
        if form.endswith("ي" + ending):
            base = form[: -len(ending)]
            if len(base) >= 4:
                return base
    return None


def ending_variants(token: str) -> list[str]:
    """Final alef / taa marbuta alternations of a name (سوريا ↔ سوريه)."""
    if len(token) < 4 or token[-1] not in "اه":
        return []
    return [token[:-1] + end for end in "اه" if end != token[-1]]


_G_LETTERS = "غجق"


def g_variants(token: str) -> list[str]:
    """Spellings of a foreign /g/ (غ ج ق): كونغرس → كونجرس, كونقرس."""
    if len(token) < 4 or not any(ch in _G_LETTERS for ch in token):
        return []
    out = []
    for target in _G_LETTERS:
        variant = "".join(target if ch in _G_LETTERS else ch for ch in token)
        if variant != token:
            out.append(variant)
    return out


_CLASS_MAP = str.maketrans({"ج": "غ", "ق": "غ", "گ": "غ", "چ": "غ", "ڤ": "ف", "پ": "ب"})
_VOWELS = "اوي"


def _classed(token: str) -> str:
    mapped = token.translate(_CLASS_MAP)
    return mapped[:-1] + "ا" if mapped[-1] in "اه" else mapped


def variant_ok(alias: str, text: str) -> bool:
    """True if two normalised tokens differ only as transliteration spellings do.

    Allowed: the /g/ letters غ ج ق interchange, a final ا or ه, and (in names of six letters
    or more without the article, as native words differ by vowel pattern) one long vowel
    (ا و ي) written after a consonant in one spelling and dropped in the other, but never
    just before the last letter (العالمي is not العالمية).
    """
    if alias == text:
        return True
    a, b = _classed(alias), _classed(text)
    if a == b:
        return True
    if abs(len(a) - len(b)) != 1 or alias.startswith("ال") or len(alias) < 6:
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    for j in range(1, len(long_) - 2):
        if long_[j] in _VOWELS and long_[j - 1] not in _VOWELS:
            if long_[:j] + long_[j + 1 :] == short:
                return True
    return False


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """Consonant skeleton of one normalised Arabic token for transliteration variants.

    /g/ letters share a class, medial long vowels (ا و ي) are dropped, a final ا ه ي becomes
    one vowel class, and doubled letters collapse. Non-Arabic tokens are returned unchanged.
    """
    if not token or not ("\u0621" <= token[0] <= "\u06ff"):
        return token
    mapped = token.translate(_CLASS_MAP)
    final = "ا" if mapped[-1] in "اهي" else mapped[-1]
    body = mapped[0] + "".join(ch for ch in mapped[1:-1] if ch not in "اوي")
    out: list[str] = []
    for ch in body + final if len(mapped) > 1 else mapped:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def compound_variants(key: str) -> list[str]:
    """عبد الله ↔ عبدالله and ابو ظبي ↔ ابوظبي spellings of one key."""
    toks = key.split(" ")
    out = []
    for i, tok in enumerate(toks):
        if tok in ("عبد", "ابو") and i + 1 < len(toks):
            out.append(" ".join([*toks[:i], tok + toks[i + 1], *toks[i + 2 :]]))
        for head in ("عبد", "ابو"):
            if tok.startswith(head) and len(tok) >= len(head) + 3:
                out.append(" ".join([*toks[:i], head, tok[len(head) :], *toks[i + 1 :]]))
    return out
