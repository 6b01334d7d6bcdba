"""Entity linking: alias mentions in text, with clitic, spelling-variant and homograph rules."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from claims.text.arabic import normalize
from claims.text.clitics import (
    COMMON_WORD_NAMES,
    GIVEN_NAMES,
    NAME_CONNECTORS,
    STOPWORDS,
    TITLES,
    CliticForm,
    clitic_forms,
    compound_variants,
    demonym_base,
    demonym_inflections,
    ending_variants,
    g_variants,
    letter_count,
    skeleton,
    variant_ok,
)

__all__ = [
    "AliasEntry",
    "AliasIndex",
    "Match",
    "alias_key",
    "candidate_keys",
    "skeleton_key",
    "text_search_key",
]

CONFIDENCE = {"exact": 1.0, "clitic": 0.95, "demonym": 0.9, "short_form": 0.85, "variant": 0.75}
REVIEW_CONFIDENCE = 0.4  # ambiguous or homograph links that an editor should confirm


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


# Word characters plus Arabic marks, tatweel and invisible controls (stripped by normalize).
_TOKEN_RE = re.compile(
    r"[\w\u0610-\u061a\u061c\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff\u0640"
    r"\u0300-\u036f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\u00ad]+"
)
# What may separate two tokens of one multi-word name: spaces, or a dot/hyphen (أ.ف.ب).
_JOINABLE_GAP = re.compile(r"\s*[.\-]?\s*")


@lru_cache(maxsize=200_000)
def _norm(raw: str) -> str:
    return normalize(raw)


def _tokens(text: str) -> list[tuple[str, int, int, bool]]:
    """(normalised token, start, end, joins_previous) for each word of ``text``."""
    out: list[tuple[str, int, int, bool]] = []
    prev_end = -1
    for m in _TOKEN_RE.finditer(text):
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
    return " ".join(tok for tok, *_ in _tokens(text))


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
    for tok, *_ in _tokens(text):
        forms = clitic_forms(tok)
        words = [tok]
        kept = [f for f in forms[1:] if not f.article_removed]
        if kept:
            words.append(max(kept, key=lambda f: f.cut).form)
        bare = [f for f in forms[1:] if f.article_removed]
        if bare:
            words.append(max(bare, key=lambda f: f.cut).form)
        out.extend(dict.fromkeys(words))
    return " ".join(out)


def _raw_offset(raw: str, letters: int) -> int:
    """Offset in ``raw`` after its first ``letters`` normalised letters (and their marks)."""
    count = 0
    i = 0
    while i < len(raw) and count < letters:
        count += len(_norm(raw[i]))
        i += 1
    while i < len(raw) and not _norm(raw[i]):
        i += 1
    return i


def _ends_with_alef_maqsura(raw: str) -> bool:
    letters = [ch for ch in raw if _norm(ch)]
    return bool(letters) and letters[-1] == "ى"


class _Cand(NamedTuple):
    alias_id: int
    entity_id: int
    tier: str  # "name" | "short" | "demonym"


class _Hit(NamedTuple):
    n: int  # tokens covered
    score: float
    cand: _Cand
    method: str
    needs_review: bool
    cut: int


class AliasIndex:
    """Token n-gram dictionaries over alias keys; exact keys win over skeleton variants."""

    def __init__(self, aliases: Iterable[AliasEntry]) -> None:
        self.aliases: dict[int, AliasEntry] = {}
        self._exact: dict[str, list[_Cand]] = {}
        self._skel: dict[str, list[_Cand]] = {}
        self._skel_keys: dict[tuple[str, int], list[str]] = {}  # (skeleton, alias) → keys
        self._first: set[str] = set()
        self._first_skel: set[str] = set()
        self._max_len = 1
        self._ending_stems: set[str] = set()  # one-word keys ending in ا/ه, minus that letter
        derived: list[tuple[str, _Cand]] = []
        for entry in aliases:
            self.aliases[entry.alias_id] = entry
            key = alias_key(entry.text)
            if not key or (" " not in key and letter_count(key) < 2):
                continue
            if entry.kind == "demonym":
                cand = _Cand(entry.alias_id, entry.entity_id, "demonym")
                for k in [key, *demonym_inflections(key)]:
                    self._add(self._exact, self._first, k, cand)
                continue
            tier = "short" if entry.kind == "short" else "name"
            cand = _Cand(entry.alias_id, entry.entity_id, tier)
            for k in [key, *compound_variants(key)]:
                self._add(self._exact, self._first, k, cand)
                skel = " ".join(skeleton(t) for t in k.split(" "))
                if letter_count(skel) >= 4:
                    keys = self._skel_keys.setdefault((skel, entry.alias_id), [])
                    if not keys:
                        self._add(self._skel, self._first_skel, skel, cand)
                    keys.append(k)
            short = self._derived_short(entry, key)
            if short:
                derived.append((short, cand._replace(tier="short")))
        for short, cand in derived:
            if not any(c.entity_id == cand.entity_id for c in self._exact.get(short, ())):
                self._add(self._exact, self._first, short, cand)

    def _add(self, table: dict[str, list[_Cand]], first: set[str], key: str, cand: _Cand) -> None:
        table.setdefault(key, []).append(cand)
        if table is self._exact and " " not in key and key[-1:] in ("ا", "ه"):
            self._ending_stems.add(key[:-1])
        toks = key.split(" ")
        first.add(toks[0])
        self._max_len = max(self._max_len, len(toks))

    @staticmethod
    def _derived_short(entry: AliasEntry, key: str) -> str | None:
        """A person's distinctive family name (محمود عباس → عباس), if it is safe to derive."""
        toks = key.split(" ")
        if entry.entity_kind != "person" or entry.kind not in ("name", "translit") or len(toks) < 2:
            return None
        last, before = toks[-1], toks[-2]
        if before in NAME_CONNECTORS or last in GIVEN_NAMES or last in STOPWORDS:
            return None
        return last if letter_count(last) >= 4 else None

    def _is_variant(self, skel: str, cand: _Cand, plain: str) -> bool:
        """Whether ``plain`` is a genuine spelling variant of one of the alias's keys."""
        words = plain.split(" ")
        for key in self._skel_keys.get((skel, cand.alias_id), ()):
            pairs = list(zip(key.split(" "), words, strict=False))
            if len(pairs) == len(words) and all(
                a == b or (len(a.removeprefix("ال")) >= 5 and variant_ok(a, b)) for a, b in pairs
            ):
                return True
        return False

    # -- matching -------------------------------------------------------------------------

    def _resolve(self, cands: list[_Cand], form: CliticForm, key: str, n: int,
                 titled: bool, variant: bool) -> _Hit | None:
        if form.article_removed:
            cands = [c for c in cands if c.tier == "demonym"]
        if not cands:
            return None
        review = False
        if len({c.entity_id for c in cands}) > 1:
            strong = [c for c in cands if c.tier != "short"]
            if not strong:
                return None  # a short form shared by several entities: too ambiguous
            review = len({c.entity_id for c in strong}) > 1
            cands = strong
        order = {"name": 0, "demonym": 1, "short": 2}
        cand = min(cands, key=lambda c: (order[c.tier], c.alias_id))
        if n == 1 and not titled:
            if key in STOPWORDS or letter_count(key) <= 2:
                return None
            if key in COMMON_WORD_NAMES:
                review = True
        if variant:
            method = "variant"
        elif cand.tier == "demonym":
            method = "demonym"
        elif cand.tier == "short":
            method = "short_form"
        else:
            method = "clitic" if form.stripped or form.article_removed else "exact"
        score = CONFIDENCE[method] * (0.9 if variant and cand.tier == "short" else 1.0)
        if cand.tier != "name" and form.stripped and not variant:
            score *= 0.97
        if review:
            score = min(score, REVIEW_CONFIDENCE)
        return _Hit(n, round(score, 3), cand, method, review, form.cut)

    def _best_at(self, toks: list[tuple[str, int, int, bool]], i: int, span: int,
                 titled: bool) -> _Hit | None:
        forms = clitic_forms(toks[i][0])
        best = self._scan(toks, i, span, titled, forms, False)
        if best is not None:
            return best  # exact keys always win over spelling variants
        for form in forms:
            if form.article_removed:
                continue
            if skeleton(form.form) in self._first_skel:
                hit = self._scan(toks, i, span, titled, (form,), True)
            elif form.form[:-1] in self._ending_stems:
                # a final alef / taa marbuta swap on a one-word name (سورية → سوريا)
                alts = [self._exact.get(alt) for alt in ending_variants(form.form)]
                cands = [c for group in alts if group for c in group]
                hit = self._resolve(cands, form, form.form, 1, titled, True) if cands else None
            else:
                continue
            if hit and (best is None or (hit.n, hit.score) > (best.n, best.score)):
                best = hit
        return best

    def _scan(self, toks: list[tuple[str, int, int, bool]], i: int, span: int, titled: bool,
              forms: tuple[CliticForm, ...], variant: bool) -> _Hit | None:
        """Longest exact (or skeleton) n-gram key starting with one of ``forms`` at ``i``."""
        best: _Hit | None = None
        table, first = (self._skel, self._first_skel) if variant else (self._exact, self._first)
        for form in forms:
            head = skeleton(form.form) if variant else form.form
            if head not in first:
                continue
            rest = [skeleton(t[0]) if variant else t[0] for t in toks[i + 1 : i + span]]
            for n in range(span, 0, -1):
                key = " ".join([head, *rest[: n - 1]]) if n > 1 else head
                cands = table.get(key)
                if cands is None:
                    continue
                plain = " ".join([form.form, *(t[0] for t in toks[i + 1 : i + n])])
                if variant:
                    cands = [c for c in cands if self._is_variant(key, c, plain)]
                    if not cands:
                        continue
                hit = self._resolve(cands, form, plain, n, titled, variant)
                if hit:
                    if best is None or (hit.n, hit.score) > (best.n, best.score):
                        best = hit
                    break
        return best

    def find(self, text: str) -> list[Match]:
        """All non-overlapping entity mentions in ``text``; longest alias wins; by start."""
        toks = _tokens(text)
        ntok = len(toks)
        hits: list[tuple[int, _Hit]] = []
        run_end = [0] * ntok  # index one past the last token joinable with token i
        for i in range(ntok - 1, -1, -1):
            run_end[i] = run_end[i + 1] if i + 1 < ntok and toks[i + 1][3] else i + 1
        for i in range(ntok):
            span = min(self._max_len, run_end[i] - i)
            titled = i > 0 and toks[i][3] and any(
                f.form in TITLES for f in clitic_forms(toks[i - 1][0]))
            hit = self._best_at(toks, i, span, titled)
            if hit:
                hits.append((i, hit))
        hits.sort(key=lambda ih: (-ih[1].n, -ih[1].score, ih[0]))
        used = [False] * ntok
        out: list[Match] = []
        for i, hit in hits:
            if any(used[i : i + hit.n]):
                continue
            _, tstart, tend, _ = toks[i]
            end = toks[i + hit.n - 1][2]
            if hit.cand.tier == "demonym" and _ends_with_alef_maqsura(text[tstart:end]):
                continue  # اليمنى / مجرى: a word in ى is not a nisba adjective in ي
            for j in range(i, i + hit.n):
                used[j] = True
            start = tstart + _raw_offset(text[tstart:tend], hit.cut) if hit.cut else tstart
            out.append(Match(
                entity_id=hit.cand.entity_id, alias_id=hit.cand.alias_id, start=start, end=end,
                surface=text[start:end], method=hit.method, confidence=hit.score,
                is_demonym=hit.cand.tier == "demonym", needs_review=hit.needs_review,
            ))
        out.sort(key=lambda m: m.start)
        return out

    def lookup(self, query: str) -> list[tuple[int, float]]:
        """Entities (with best confidence) that a typed search query names, best first."""
        best: dict[int, float] = {}

        def note(cands: list[_Cand], score: float, demonym_only: bool = False) -> None:
            ents = {c.entity_id for c in cands if not demonym_only or c.tier == "demonym"}
            for c in cands:
                if demonym_only and c.tier != "demonym":
                    continue
                s = score * {"name": 1.0, "demonym": 0.9, "short": 0.85}[c.tier]
                if len(ents) > 1:
                    s = min(s, REVIEW_CONFIDENCE)
                best[c.entity_id] = max(best.get(c.entity_id, 0.0), round(s, 3))

        key = alias_key(query)
        if not key:
            return []
        toks = key.split(" ")
        for form in clitic_forms(toks[0]):
            k = " ".join([form.form, *toks[1:]])
            base = demonym_base(k) if len(toks) == 1 else None
            for kk in (k, base) if base else (k,):
                if kk in self._exact:
                    note(self._exact[kk], 1.0 if kk == key else 0.95, form.article_removed)
        if not best:
            for k in candidate_keys(query)[1:]:
                if k in self._exact:
                    note(self._exact[k], CONFIDENCE["variant"])
            skel = " ".join(skeleton(t) for t in toks)
            cands = [c for c in self._skel.get(skel, ()) if self._is_variant(skel, c, key)]
            if not best and cands:
                note(cands, CONFIDENCE["variant"])
        if not best:
            for m in self.find(query):
                best[m.entity_id] = max(best.get(m.entity_id, 0.0), m.confidence)
        return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
