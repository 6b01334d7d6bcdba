"""Tokens, lookup keys, word context and record types of entity linking (``linking``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any, cast

from claims.text.arabic import has_letters, normalize
from claims.text.clitics import (
    GIVEN_NAMES,
    STOPWORDS,
    TITLES,
    clitic_forms,
    compound_variants,
    demonym_base,
    ending_variants,
    g_variants,
    letter_count,
    skeleton,
)
from claims.text.homographs import (
    CONTEXT_CUES,
    KIN_NOUNS,
    PREPOSITIONS,
    SAID_AFTER,
    SHORT_FUNCTION_WORDS,
    SPEECH_VERBS,
)
from claims.text.link_context import named_month

__all__ = [
    "CONFIDENCE",
    "CUED",
    "REVIEW_CONFIDENCE",
    "SPOKEN",
    "TITLED",
    "TOKEN_RE",
    "UNKNOWN",
    "AliasEntry",
    "Match",
    "MentionRow",
    "Token",
    "alias_key",
    "candidate_keys",
    "context",
    "ends_with_alef_maqsura",
    "key_runs",
    "name_problem",
    "raw_offset",
    "remember",
    "skeleton_key",
    "text_search_key",
    "tokens",
    "tokens_search_key",
]

Token = tuple[str, int, int, bool]  # normalised token, start, end, joins the previous one

# A mention as a plain row: (entity_id, alias_id, start, end, surface, method, confidence,
# is_demonym), what the linker writes; building no Match saves time over a million claims.
MentionRow = tuple[int, int, int, int, str, str, float, bool]
@dataclass(frozen=True)
class AliasEntry:
    """One way of writing an entity's name."""

    alias_id: int
    entity_id: int
    text: str  # alias as written
    kind: str  # "name" | "short" | "demonym" | "translit"
    lang: str  # "ar" | "en" | "other"
    entity_kind: str = "other"  # "person" | "place" | "organisation" | "other"


@dataclass(frozen=True)
class Match:
    """A mention of an entity in a text; offsets index the original text."""

    entity_id: int
    alias_id: int
    start: int
    end: int
    surface: str
    method: str  # "exact" | "clitic" | "variant" | "short_form" | "demonym"
    confidence: float
    is_demonym: bool
    needs_review: bool


# Confidence of a link by its method; homograph or ambiguous links an editor should confirm
# are capped at REVIEW_CONFIDENCE.
CONFIDENCE = {"exact": 1.0, "clitic": 0.95, "demonym": 0.9, "short_form": 0.85, "variant": 0.75}
REVIEW_CONFIDENCE = 0.4

UNKNOWN: Any = object()
_MEMO_SIZE = 200_000  # entries per memo: a long-lived index sees ever new words


def remember(memo: Any, key: Any, value: Any = None) -> Any:
    """Store ``value`` under ``key`` in a dict memo (or add ``key`` to a set), bounded."""
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    if isinstance(memo, set):
        memo.add(key)
    else:
        memo[key] = value
    return value



# Context of a one-word alias: a verb of saying, a relative or a قوله after it (persons
# only: وقال رمضان, أمه هاجر, عن رمضان قوله), a kind cue (صحيفة الحياة) or quotation marks
# around it, a title (الرئيس علي).
SPOKEN, CUED, TITLED = 1, 2, 3
_OPEN_QUOTES, _CLOSE_QUOTES, _DASHES = "«\"“(", "»\"”)", "-\u2013\u2014"

# Word characters plus Arabic marks, tatweel and invisible controls (stripped by normalize).
_WORD_CHARS = (
    r"\w\u0610-\u061a\u061c\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff\u0640"
    r"\u0300-\u036f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\u00ad"
)
TOKEN_RE = re.compile(f"[{_WORD_CHARS}]+")
# Split keeping the tokens: gap, token, gap, ..., gap (lengths give every offset).
_SPLIT_RE = re.compile(f"([{_WORD_CHARS}]+)")
# What may separate two tokens of one multi-word name: spaces, or a dot/hyphen (أ.ف.ب), a
# tatweel standing for one (اف ـ 16), or an ellipsis inside a title (مبدأ حواء .. من أجل).
_JOINABLE_GAP = re.compile(r"\s*(?:[\-\u0640]|[.\u2026](?:\s*[.\u2026])*)?\s*")
_GAP_JOINS: dict[str, bool] = {" ": True}  # gaps are few: ", " ". " " - " ...


@lru_cache(maxsize=200_000)
def _norm(raw: str) -> str:
    return normalize(raw)


def tokens(text: str) -> list[Token]:
    """(normalised token, start, end, joins_previous) for each word of ``text``."""
    # Built with C-level list operations: this runs for every claim on a full re-link.
    parts = _SPLIT_RE.split(text)
    norms = list(map(_norm, parts[1::2]))
    if not norms:
        return []
    if "" in norms:  # a token of marks or controls only: skipped, so gaps widen
        return _tokens_skipping(text)
    bounds = list(accumulate(map(len, parts)))
    joins = [False, *map(_GAP_JOINS.get, parts[2:-1:2])]
    if None in joins:  # a gap not seen yet
        joins = [False, *map(_gap_joins, parts[2:-1:2])]
    return list(zip(norms, bounds[0:-1:2], bounds[1::2], cast("list[bool]", joins),
                    strict=True))


def _tokens_skipping(text: str) -> list[Token]:
    """``tokens`` for a text where some tokens normalise to nothing."""
    out: list[Token] = []
    prev_end = -1
    for m in TOKEN_RE.finditer(text):
        tok = _norm(m.group())
        if not tok:
            continue
        start = m.start()
        joins = prev_end >= 0 and _JOINABLE_GAP.fullmatch(text, prev_end, start) is not None
        out.append((tok, start, m.end(), joins))
        prev_end = m.end()
    return out


def _gap_joins(gap: str) -> bool:
    joins = _GAP_JOINS.get(gap)
    if joins is None:
        joins = _JOINABLE_GAP.fullmatch(gap) is not None
        if len(_GAP_JOINS) > 4096:  # bounded: odd punctuation runs are unbounded in number
            _GAP_JOINS.clear()
            _GAP_JOINS[" "] = True
        _GAP_JOINS[gap] = joins
    return joins


def alias_key(text: str) -> str:
    """Normalised lookup key of an alias (tokens normalised and joined by one space)."""
    return " ".join(tok for tok, *_ in tokens(text))


# A bare proclitic chain (و، ف، ب، ال، وال، بال، لل): never a name on its own.
_PROCLITICS = re.compile(r"[وف]?(?:[بكل]?(?:ال)?|لل)")
# Arabic function words; a given name that is spelled like one (علي) stays allowed. Latin
# ones are left out: two-letter Latin keys are mostly abbreviations (US, UN, EU).
_FUNCTION_WORDS = (STOPWORDS | SHORT_FUNCTION_WORDS) - GIVEN_NAMES


def name_problem(text: str) -> str | None:
    """Why ``text`` cannot name an entity (an error code), or None if its key can.

    A name the key of which holds no letter, is one letter, or is only particles (و، ال، من)
    could never be told apart from ordinary text: as an alias it would match everywhere."""
    key = alias_key(text)
    if not has_letters(key):
        return "no_letters"
    words = key.split(" ")
    if all("\u0621" <= w[0] <= "\u064a" and (_PROCLITICS.fullmatch(w) or w in _FUNCTION_WORDS)
           for w in words):
        return "function_word"
    if len(words) == 1 and letter_count(key) < 2:
        return "too_short"
    return None


def skeleton_key(text: str) -> str:
    """Transliteration skeleton of a text's key, for a secondary variant index."""
    return " ".join(skeleton(tok) for tok in alias_key(text).split(" ") if tok)


def proclitic_keys(key: str) -> list[str]:
    """A name key with its first word's proclitics stripped (وفلاديمير بوتين → فلاديمير بوتين)."""
    toks = key.split(" ")
    return [" ".join([f.form, *toks[1:]]) for f in clitic_forms(toks[0])[1:]]


def candidate_keys(query: str) -> list[str]:
    """Keys to look up for a typed query: itself, clitic-stripped and spelling-variant forms."""
    key = alias_key(query)
    if not key:
        return []
    out = [key, *proclitic_keys(key)]
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
    return tokens_search_key(tokens(text))


# Between a claim's text and its restatement in the key: the full-text indexes read it as a
# word break, and a quoted phrase's pattern (words joined by single spaces) cannot cross it,
# so the text's last word and the restatement's first are never taken for neighbours.
KEY_PART_SEPARATOR = " | "


def claim_search_key(toks: list[Token], restatement: str | None) -> str:
    """A claim's full-text key: its text's (already split by ``tokens``), then its editorial
    restatement's, so a search finds a claim by either wording."""
    key = tokens_search_key(toks)
    extra = text_search_key(restatement) if restatement else ""
    return f"{key}{KEY_PART_SEPARATOR}{extra}" if key and extra else key or extra


def tokens_search_key(toks: list[Token]) -> str:
    """``text_search_key`` of a text already split by ``tokens`` (linking reuses them)."""
    return " ".join([_token_key(tok) for tok, _, _, _ in toks])


@lru_cache(maxsize=65536)
def _token_key(tok: str) -> str:
    return " ".join(_token_words(tok))


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


# Proclitic chains a token may carry before a word of its key (see ``clitic_forms``): an
# optional conjunction, an optional preposition, then optionally the article (ل + ال is لل).
_CONJ_PREP = [c + p for c in ("", "و", "ف") for p in ("", "ب", "ل", "ك")]
_CHAINS = (*_CONJ_PREP, *(chain + "ال" for chain in _CONJ_PREP), "لل", "ولل", "فلل")


def key_runs(forms: Iterable[str]) -> set[tuple[str, ...]]:
    """The runs of words a text's search key holds for one token any of whose key words is
    in ``forms``: ``_token_words`` of every such token (a key is these runs end to end)."""
    wanted = set(forms)
    runs: set[tuple[str, ...]] = set()
    for form in wanted:
        # A token holds a form as itself, clitics removed, or the article also removed;
        # للرئيس holds الرئيس with the article's alef restored.
        heads = {chain + form for chain in _CHAINS}
        if form.startswith("ال"):
            heads.update(conj + "ل" + form[1:] for conj in ("", "و", "ف"))
        for head in heads:
            words = _token_words(head)
            if not wanted.isdisjoint(words):
                runs.add(words)
    return runs


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
    # guillemets either way round (many Arabic texts write » name «: الحاج » إمام «), and a
    # pair of dashes setting a word apart like brackets (محيط - الراي - قرر …)
    quoted = bool(before) and bool(after) and (
        (before in _OPEN_QUOTES and after in _CLOSE_QUOTES) or before + after == "»«"
        or (before == after and before in _DASHES))
    if not quoted and named_month(toks, i, before, after):
        return CUED
    said = i + 1 < len(toks) and toks[i + 1][3] and toks[i + 1][0] in SAID_AFTER
    if i == 0 or not toks[i][3]:
        return CUED if quoted else SPOKEN if said else 0
    readings = clitic_forms(toks[i - 1][0])
    forms = {f.form for f in readings}
    if forms & TITLES:
        return TITLED
    # a preposition does not follow another: في علي, مع علي name a person (see PREPOSITIONS);
    # a word typed twice is a slip (على على موافقة)
    if toks[i][0] in PREPOSITIONS and _after_preposition(toks[i - 1][0], toks[i][0]):
        return TITLED
    # a kind noun heads an idafa only in construct state: صحيفة الحياة, not الجامعة العربية;
    # and what it announces is a name, not a second kind noun (مدرب نادي ...)
    if quoted or ({f.form for f in readings if not f.article_removed} & CONTEXT_CUES
                  and toks[i][0] not in CONTEXT_CUES):
        return CUED
    return SPOKEN if said or forms & (SPEECH_VERBS | KIN_NOUNS) else 0


def _after_preposition(before: str, word: str) -> bool:
    """Whether ``before`` is another preposition, maybe after و or ف (وفي, فمع)."""
    if before[:1] in ("و", "ف") and before[1:] in PREPOSITIONS:
        before = before[1:]
    return before in PREPOSITIONS and before != word


def ends_with_alef_maqsura(raw: str) -> bool:
    letters = [ch for ch in raw if _norm(ch)]
    return bool(letters) and letters[-1] == "ى"
