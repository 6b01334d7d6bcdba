"""Tokens, lookup keys and word context for entity linking (used by ``linking``)."""

from __future__ import annotations

import re
from functools import lru_cache

from claims.text.arabic import normalize
from claims.text.clitics import (
    TITLES,
    clitic_forms,
    compound_variants,
    demonym_base,
    ending_variants,
    g_variants,
    skeleton,
)
from claims.text.homographs import CONTEXT_CUES, SPEECH_VERBS

__all__ = [
    "CUED",
    "SPOKEN",
    "TITLED",
    "TOKEN_RE",
    "Token",
    "alias_key",
    "candidate_keys",
    "context",
    "ends_with_alef_maqsura",
    "raw_offset",
    "skeleton_key",
    "text_search_key",
    "tokens",
]

Token = tuple[str, int, int, bool]  # normalised token, start, end, joins the previous one

# Context of a one-word alias: a verb of saying (persons only: وقال رمضان), a kind cue
# (صحيفة الحياة) or quotation marks around it, a title (الرئيس علي).
SPOKEN, CUED, TITLED = 1, 2, 3
_OPEN_QUOTES, _CLOSE_QUOTES = "«\"“(", "»\"”)"

# Word characters plus Arabic marks, tatweel and invisible controls (stripped by normalize).
TOKEN_RE = re.compile(
    r"[\w\u0610-\u061a\u061c\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff\u0640"
    r"\u0300-\u036f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\u00ad]+"
)
# What may separate two tokens of one multi-word name: spaces, or a dot/hyphen (أ.ف.ب).
_JOINABLE_GAP = re.compile(r"\s*[.\-]?\s*")


@lru_cache(maxsize=200_000)
def _norm(raw: str) -> str:
    return normalize(raw)


def tokens(text: str) -> list[Token]:
    """(normalised token, start, end, joins_previous) for each word of ``text``."""
    out: list[Token] = []
    prev_end = -1
    for m in TOKEN_RE.finditer(text):
        tok = _norm(m.group())
        if not tok:
            continue
        start = m.start()
        joins = prev_end >= 0 and (
            (start == prev_end + 1 and text[prev_end] == " ")
            or _JOINABLE_GAP.fullmatch(text, prev_end, start) is not None)
        out.append((tok, start, m.end(), joins))
        prev_end = m.end()
    return out


def alias_key(text: str) -> str:
    """Normalised lookup key of an alias (tokens normalised and joined by one space)."""
    return " ".join(tok for tok, *_ in tokens(text))


def skeleton_key(text: str) -> str:
    """Transliteration skeleton of a text's key, for a secondary variant index."""
    return " ".join(skeleton(tok) for tok in alias_key(text).split(" ") if tok)


def candidate_keys(query: str) -> list[str]:
    """Keys to look up for a typed query: itself, clitic-stripped and spelling-variant forms."""
    key = alias_key(query)
    if not key:
        return []
    toks = key.split(" ")
    out = [key]
    out += [" ".join([f.form, *toks[1:]]) for f in clitic_forms(toks[0])[1:]]
    for k in list(out):
        parts = k.split(" ")
        base = demonym_base(parts[-1]) if len(parts) == 1 else None
        if base:
            out.append(base)
        out += [" ".join([*parts[:-1], v]) for v in ending_variants(parts[-1])]
        out += [" ".join([*parts[:j], v, *parts[j + 1 :]])
                for j, p in enumerate(parts) for v in g_variants(p)]
        out += compound_variants(k)
    return list(dict.fromkeys(out))


def text_search_key(text: str) -> str:
    """Normalised, clitic-aware key of a whole text for a shadow full-text column.

    Each token contributes its normalised form, its form without conjunction/preposition
    proclitics and its bare form without the article, so وبالروسية indexes الروسيه and روسيه.
    """
    out: list[str] = []
    for tok, *_ in tokens(text):
        out.extend(_token_words(tok))
    return " ".join(out)


@lru_cache(maxsize=65536)
def _token_words(tok: str) -> tuple[str, ...]:
    """The words one token adds to a search key (cached: word frequencies are Zipfian)."""
    forms = clitic_forms(tok)
    words = [tok]
    kept = [f for f in forms[1:] if not f.article_removed]
    if kept:
        words.append(max(kept, key=lambda f: f.cut).form)
    bare = [f for f in forms[1:] if f.article_removed]
    if bare:
        words.append(max(bare, key=lambda f: f.cut).form)
    return tuple(dict.fromkeys(words))


def raw_offset(raw: str, letters: int) -> int:
    """Offset in ``raw`` after its first ``letters`` normalised letters (and their marks)."""
    count = 0
    i = 0
    while i < len(raw) and count < letters:
        count += len(_norm(raw[i]))
        i += 1
    while i < len(raw) and not _norm(raw[i]):
        i += 1
    return i


def context(text: str, toks: list[Token], i: int) -> int:
    """How strongly the words around token ``i`` announce a name (see ``CUED``)."""
    before = text[:toks[i][1]].rstrip()[-1:]
    after = text[toks[i][2]:].lstrip()[:1]
    quoted = bool(before) and before in _OPEN_QUOTES and bool(after) and after in _CLOSE_QUOTES
    if i == 0 or not toks[i][3]:
        return CUED if quoted else 0
    readings = clitic_forms(toks[i - 1][0])
    forms = {f.form for f in readings}
    if forms & TITLES:
        return TITLED
    # a kind noun heads an idafa only in construct state: صحيفة الحياة, not الجامعة العربية
    if quoted or {f.form for f in readings if not f.article_removed} & CONTEXT_CUES:
        return CUED
    return SPOKEN if forms & SPEECH_VERBS else 0


def ends_with_alef_maqsura(raw: str) -> bool:
    letters = [ch for ch in raw if _norm(ch)]
    return bool(letters) and letters[-1] == "ى"
