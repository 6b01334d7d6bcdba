"""Text analysis shared by claim matching: light stems, n-grams, polarity, MinHash signatures."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from claims.text.arabic import normalize
from claims.text.match_lexicon import (
    GAZ_PHRASE_HEADS,
    GAZETTEER,
    NEGATIVE_WORDS,
    NEGATORS,
    OPPOSITES,
    STOPWORDS,
    gaz_key,
    gaz_phrase,
)
from claims.text.minhash import band_keys, min_rows, permuted

__all__ = ["Analysis", "Attachments", "analyze", "attachments", "claim_signature",
           "content_stems", "light_stem", "lsh_band_keys"]


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


@lru_cache(maxsize=1 << 16)
def light_stem(word: str) -> str:
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


@lru_cache(maxsize=1 << 17)
def _word(w: str) -> tuple[str, bool, bool, tuple[tuple[str, int], ...], tuple[str, str] | None]:
    """Stem, negative?, content word?, antonym concepts and gazetteer place of one word."""
    # Cached: words repeat across claims far more than claims do.
    variants = _variants(w)
    negative = any(v in NEGATORS or v in NEGATIVE_WORDS for v in variants)
    content = not any(v in NEGATORS or v in STOPWORDS for v in variants)
    concepts: tuple[tuple[str, int], ...] = ()
    for v in variants:
        hits = OPPOSITES.get(v)
        if hits:
            concepts = tuple(hits)
            break
    place = None
    for v in variants:
        place = GAZETTEER.get(gaz_key(v))
        if place:
            break
    return light_stem(w), negative, content, concepts, place


def _phrase_places(words: tuple[str, ...]) -> dict[int, tuple[int, tuple[str, str]]]:
    """Multi-word gazetteer names (رام الله، الولايات المتحدة): start → (length, (kind, name))."""
    found: dict[int, tuple[int, tuple[str, str]]] = {}
    end = 0
    for i, w in enumerate(words):
        if i < end:
            continue
        # A short head keeps its proclitic off too (وتل أبيب): the next words make it safe.
        heads = _variants(w) if len(w) > 3 or w[:1] not in "وفبلك" else (w, w[1:])
        if not GAZ_PHRASE_HEADS.intersection(heads):
            continue
        hit = gaz_phrase(heads, words[i + 1 :])
        if hit:
            found[i] = hit
            end = i + hit[0]
    return found


@dataclass(frozen=True, slots=True)
class Analysis:
    """What claim matching needs to know about one text."""

    words: tuple[str, ...]  # normalised word tokens, punctuation dropped
    stems: frozenset[str]  # content stems (stopwords and negators out), numbers kept
    grams: dict[str, int]  # character 3- and 4-grams of the stems
    gram_norm: float
    numbers: frozenset[str]
    negations: int  # negators + "refuse/fail/deny" words
    polar: dict[str, tuple[int, str]]  # concept → (sign sum, first surface word)
    places: dict[str, frozenset[str]]  # gazetteer kind → canonical names
    tokens: frozenset[str]  # stems of every word, function words and negators included
    bigrams: frozenset[str]  # consecutive content stems, so word order counts somewhat
    sequence: tuple[str, ...]  # content stems in text order, places as canonical names


@lru_cache(maxsize=65536)
def analyze(text: str) -> Analysis:
    """Analyse a claim text (cached: the same claims are compared again and again)."""
    words = tuple(_WORD_RE.findall(normalize(text)))
    stems: set[str] = set()
    sequence: list[str] = []
    tokens: set[str] = set()
    numbers: set[str] = set()
    negations = 0
    polar: dict[str, tuple[int, str]] = {}
    places: dict[str, set[str]] = {}
    phrases = _phrase_places(words)
    phrase_end = 0
    for i, w in enumerate(words):
        if w[0].isdigit():
            numbers.add(w)
            stems.add(w)
            sequence.append(w)
            continue
        stem, negative, content, concepts, place = _word(w)
        inside = i < phrase_end  # a later word of a multi-word name: the name is counted
        if i in phrases:
            phrase_end = i + phrases[i][0]
            place = phrases[i][1]
        elif inside:
            place = None
        tokens.add(stem)
        negations += negative
        if content:
            stems.add(stem)
        # واشنطن، أمريكا، الأمريكي، الولايات المتحدة are one referent for comparing two claims.
        if i in phrases or (content and not inside):
            sequence.append(place[1] if place else stem)
        for concept, sign in concepts:
            total, first = polar.get(concept, (0, w))
            polar[concept] = (total + sign, first)
        if place:
            places.setdefault(place[0], set()).add(place[1])
    grams: Counter[str] = Counter()
    for s in stems:
        padded = f" {s} "
        for n in (3, 4):
            grams.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    norm = math.sqrt(sum(c * c for c in grams.values()))
    return Analysis(
        words=words,
        stems=frozenset(stems),
        grams=dict(grams),
        gram_norm=norm,
        numbers=frozenset(numbers),
        negations=negations,
        polar=polar,
        places={k: frozenset(v) for k, v in places.items()},
        tokens=frozenset(tokens | numbers),
        bigrams=frozenset(f"{p} {q}" for p, q in itertools.pairwise(sequence)),
        sequence=tuple(sequence),
    )


@dataclass(frozen=True, slots=True)
class Attachments:
    """Which polar word and which negator govern each content stem of a claim."""

    polar: dict[tuple[str, str], int]  # (stem, concept) → sign of the nearest polar word
    negated: frozenset[str]  # stems a negator stands just before


# How far (in words) a polar word or negator reaches: a verb and its subject/object nearby.
_POLAR_REACH, _NEGATION_REACH = 3, 2


_NO_ATTACHMENTS = Attachments({}, frozenset())


@lru_cache(maxsize=65536)
def attachments(text: str) -> Attachments:
    """Polarity and negation of each content stem, by the nearest polar word or negator."""
    # The overall sign count cancels out in "oil up as the dollar falls" against "oil falls as
    # the dollar rises"; tying each sign to the words around it keeps the double flip.
    analysis = analyze(text)
    if not analysis.polar and not analysis.negations:
        return _NO_ATTACHMENTS  # most claims: nothing to attach, and scored by the thousand
    words = analysis.words
    info = [None if w[0].isdigit() else _word(w) for w in words]
    polar = [(i, c, s) for i, x in enumerate(info) if x for c, s in x[3]]
    negators = [i for i, w in enumerate(words) if w in NEGATORS]
    linked: dict[tuple[str, str], int] = {}
    negated: set[str] = set()
    for i, x in enumerate(info):
        if x is None or not x[2] or x[3]:
            continue  # numbers, function words and the polar words themselves
        near = [(abs(i - j), c, s) for j, c, s in polar if 0 < abs(i - j) <= _POLAR_REACH]
        if near:
            _, concept, sign = min(near)
            linked[(x[0], concept)] = sign
        if any(0 < i - j <= _NEGATION_REACH for j in negators):
            negated.add(x[0])
    return Attachments(linked, frozenset(negated))


# --------------------------------------------------------------------------- signatures


@lru_cache(maxsize=1 << 17)
def _content_stem(w: str) -> str | None:
    """The stem ``analyze`` puts in ``stems`` for one word (None: a function word)."""
    if w[0].isdigit():
        return w
    stem, _, content, _, _ = _word(w)
    return stem if content else None


def content_stems(text: str) -> frozenset[str]:
    """``analyze(text).stems`` without the rest of the analysis (bulk loads need only this)."""
    stems = map(_content_stem, _WORD_RE.findall(normalize(text)))
    return frozenset(s for s in stems if s is not None)


@lru_cache(maxsize=1 << 16)
def _stem_row(w: str) -> np.ndarray | None:
    """The permuted hashes of a word's content stem (None: a function word), cached per word."""
    stem = _content_stem(w)
    return None if stem is None else permuted(stem)


# Bounded below _stem_row's cache: the rows are shared with it, the tuples and keys are not,
# and a web worker keeps this for its lifetime.
@lru_cache(maxsize=1 << 15)
def _chunk_rows(chunk: str) -> tuple[np.ndarray, ...]:
    """Hash rows of the content words of one whitespace-free piece of raw text."""
    rows = map(_stem_row, _WORD_RE.findall(normalize(chunk)))
    return tuple(r for r in rows if r is not None)


def claim_signature(text: str) -> list[int]:
    """MinHash signature of the claim's light-stemmed content words (64 ints below 2**61)."""
    # Not through ``analyze``: its cache would fill with every claim of a bulk load or relink.
    # Word to hash row in one cache hit; two words of one stem give the same row, and the
    # minimum ignores repeats, so this equals ``minhash(content_stems(text))``.
    # Whitespace is a word boundary before and after ``normalize`` (which maps each piece on
    # its own: NFKC never composes across a space, the table never deletes one), so the words
    # of the text are those of its whitespace-separated pieces, each normalised once per
    # process instead of once per claim.
    rows = [r for chunk in text.split() for r in _chunk_rows(chunk)]
    return min_rows(rows)


def lsh_band_keys(signature: list[int]) -> list[str]:
    """LSH band keys (16 hex digits each) to store in an indexed table for candidate lookup."""
    return band_keys(signature)  # band_key of each band hash, memoised per band
