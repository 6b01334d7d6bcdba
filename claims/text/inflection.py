"""Light suffix inflection of normalised Arabic words, for full-text query expansion.

A claim's search key holds each word as written (clitics aside), so a query for صاروخ would
miss صاروخين (two missiles) and one for تحطم would miss تحطمت.  Rather than re-keying every
claim with a stemmer, a query word is widened to the regular suffixed forms it can take
(dual, sound plurals, past-tense endings) and, for a suffixed query word, to its stem.
Broken plurals (صاروخ / صواريخ) need a morphological analyser and are not covered.
"""

from __future__ import annotations

from functools import lru_cache

from claims.text.clitics import GIVEN_NAMES, STOPWORDS

__all__ = ["inflected_forms"]

# Noun endings: dual (ان، ين), sound masculine plural (ون، ين), sound feminine plural (ات).
_NOUN_ENDINGS = ("ان", "ين", "ون", "ات")
# Past-tense endings: feminine singular (ت), masculine plural (وا).
_VERB_ENDINGS = ("ت", "وا")
# Feminine words ending in taa marbuta (ه once normalised): plural, then dual, endings.
_FEMININE_ENDINGS = ("ات", "تان", "تين")
# Shortest stem a word is widened from, or cut down to, by each kind of ending: cutting
# ين/ان/ون off a shorter word names another word too often (بوتين، لبنان، ايران، طهران).
_MIN_WIDEN = 3
_MIN_NOUN_STEM = 4
_MIN_VERB_STEM = 3
# A past-tense ت or وا only follows a consonant: بيرو is no verb whose feminine is بيروت.
_VOWEL_LETTERS = "اويه"
# Tens whose stem is another number (ثلاثين is not a plural of ثلاث), kept whole.
_DECADES = frozenset("عشرين ثلاثين اربعين خمسين ستين سبعين ثمانين تسعين".split())


def _is_arabic(word: str) -> bool:
    return all("\u0621" <= ch <= "\u064a" for ch in word)


def _stems(word: str) -> list[tuple[str, bool]]:
    """The bare forms a suffixed word may come from (صاروخين → صاروخ, انتخابات → انتخاب),
    each with whether it may be widened again."""
    if word in _DECADES or word in GIVEN_NAMES:
        return []
    stems: list[tuple[str, bool]] = []
    for ending in ("تان", "تين"):
        if word.endswith(ending) and len(word) - 3 >= 2:
            # سنتين → سنه; a two-letter base is not widened, as بوتين → بوه would reach بوتان
            stems.append((word[:-3] + "ه", len(word) - 3 >= _MIN_WIDEN))
    if word.endswith("ات") and len(word) - 2 >= _MIN_VERB_STEM:
        stems.append((word[:-2] + "ه", True))  # حملات → حمله
    for ending in _NOUN_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_NOUN_STEM:
            stems.append((word[: -len(ending)], True))
    for ending in _VERB_ENDINGS:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= _MIN_VERB_STEM \
                and stem[-1] not in _VOWEL_LETTERS:
            stems.append((stem, True))
    return stems


def _widened(stem: str) -> list[str]:
    """The regular suffixed forms of a bare word (صاروخ → صاروخان، صاروخين …)."""
    if len(stem) < _MIN_WIDEN:
        return []
    if stem.endswith("ه"):
        return [stem[:-1] + ending for ending in _FEMININE_ENDINGS]
    forms = [stem + ending for ending in _NOUN_ENDINGS]
    if stem[-1] not in _VOWEL_LETTERS:
        forms += [stem + ending for ending in _VERB_ENDINGS]
    return forms


@lru_cache(maxsize=16384)
def inflected_forms(word: str) -> tuple[str, ...]:
    """A normalised word, its stems and their regular suffixed forms, the word first."""
    if len(word) < _MIN_WIDEN or not _is_arabic(word) or word in STOPWORDS:
        return (word,)
    stems = _stems(word)
    forms = [word, *(stem for stem, _ in stems)]
    # Only bare words are widened (انتخابات gives no انتخاباتان), and never a function word
    # (كانوا → كان, but not on to the month كانون).
    for base, widen in stems or [(word, True)]:
        if widen and base not in STOPWORDS:
            forms += _widened(base)
    return tuple(dict.fromkeys(forms))
