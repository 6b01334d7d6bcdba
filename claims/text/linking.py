"""Entity linking: alias mentions in text, with clitic, spelling-variant and homograph rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from claims.text.clitics import (
    COMMON_WORD_NAMES,
    GIVEN_NAMES,
    NAME_CONNECTORS,
    STOPWORDS,
    CliticForm,
    clitic_forms,
    compound_variants,
    demonym_base,
    demonym_inflections,
    ending_variants,
    letter_count,
    skeleton,
    variant_ok,
)
from claims.text.homographs import is_common_word, seat_letters, seats_conflict
from claims.text.link_keys import (
    CUED,
    SPOKEN,
    TITLED,
    TOKEN_RE,
    Token,
    alias_key,
    candidate_keys,
    ends_with_alef_maqsura,
    raw_offset,
    skeleton_key,
    text_search_key,
    tokens,
)
from claims.text.link_keys import context as word_context

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


def _match(text: str, toks: list[Token], i: int, hit: _Hit) -> Match:
    """The mention of ``hit`` at token ``i``, with offsets into ``text``."""
    _, tstart, tend, _ = toks[i]
    end = toks[i + hit.n - 1][2]
    start = tstart + raw_offset(text[tstart:tend], hit.cut) if hit.cut else tstart
    return Match(
        entity_id=hit.cand.entity_id, alias_id=hit.cand.alias_id, start=start, end=end,
        surface=text[start:end], method=hit.method, confidence=hit.score,
        is_demonym=hit.cand.tier == "demonym", needs_review=hit.needs_review,
    )


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
        self._alias_seats: dict[int, tuple[str, ...]] = {}
        self._exact: dict[str, list[_Cand]] = {}
        self._skel: dict[str, list[_Cand]] = {}
        self._skel_keys: dict[tuple[str, int], list[str]] = {}  # (skeleton, alias) → keys
        self._first: set[str] = set()
        self._first_skel: set[str] = set()
        self._max_len = 1
        self._ending_stems: set[str] = set()  # one-word keys ending in ا/ه, minus that letter
        self._starts: dict[str, bool] = {}  # token → can an alias start here (see _may_start)
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
            if self._names_a_place(short):
                continue  # التركي, السويدي: a nisba of a known place reads as an adjective
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
        if last in COMMON_WORD_NAMES or is_common_word(last):
            return None  # محمد صديق is not found by every صديق ("friend")
        return last if letter_count(last) >= 4 else None

    def _names_a_place(self, word: str) -> bool:
        """Whether ``word`` is a nisba (…ي) of a name in the index (تركي ← تركيا)."""
        bare = word.removeprefix("ال")
        if not bare.endswith("ي") or len(bare) < 4:
            return False
        stem = bare[:-1]
        return any(k in self._exact for k in (stem, "ال" + stem, stem + "يا", stem + "ا"))

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
                 ctx: Callable[[], int], variant: bool) -> _Hit | None:
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
        # context is looked at only for one-word homographs; والشعب after الملك is a
        # conjunct, not the name that the title announces
        stop = n == 1 and (key in STOPWORDS or letter_count(key) <= 2)
        common = n == 1 and (key in COMMON_WORD_NAMES or is_common_word(key))
        context = ctx() if (stop or common) and not form.cut else 0
        if stop and context < TITLED:
            return None
        if common:
            # a definite word after a definite title is its adjective (الوزير الأول)
            titled = context == TITLED and not key.startswith("ال")
            person = self.aliases[cand.alias_id].entity_kind == "person"
            review = review or not (titled or context == CUED or (context == SPOKEN and person))
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

    def _best_at(self, toks: list[Token], i: int, span: int,
                 ctx: Callable[[], int]) -> _Hit | None:
        token = toks[i][0]
        forms = clitic_forms(token)
        if not self._may_start(token, forms):
            return None
        best = self._scan(toks, i, span, ctx, forms, False)
        if best is not None:
            return best  # exact keys always win over spelling variants
        for form in forms:
            if form.article_removed:
                continue
            if skeleton(form.form) in self._first_skel:
                hit = self._scan(toks, i, span, ctx, (form,), True)
            elif form.form[:-1] in self._ending_stems:
                # a final alef / taa marbuta swap on a one-word name (سورية → سوريا)
                alts = [self._exact.get(alt) for alt in ending_variants(form.form)]
                cands = [c for group in alts if group for c in group]
                hit = self._resolve(cands, form, form.form, 1, ctx, True) if cands else None
            else:
                continue
            if hit and (best is None or (hit.n, hit.score) > (best.n, best.score)):
                best = hit
        return best

    def _may_start(self, token: str, forms: tuple[CliticForm, ...]) -> bool:
        """Whether any alias can start at this token (cached: most tokens start none)."""
        known = self._starts.get(token)
        if known is None:
            known = any(f.form in self._first or (not f.article_removed and (
                skeleton(f.form) in self._first_skel or f.form[:-1] in self._ending_stems))
                for f in forms)
            if len(self._starts) > 200_000:  # bounded: a long-lived index sees new words
                self._starts.clear()
            self._starts[token] = known
        return known

    def _scan(self, toks: list[Token], i: int, span: int,
              ctx: Callable[[], int],
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
                hit = self._resolve(cands, form, plain, n, ctx, variant)
                if hit:
                    if best is None or (hit.n, hit.score) > (best.n, best.score):
                        best = hit
                    break
        return best

    def find(self, text: str) -> list[Match]:
        """All non-overlapping entity mentions in ``text``; longest alias wins; by start."""
        toks = tokens(text)
        ntok = len(toks)
        hits: list[tuple[int, _Hit]] = []
        run_end = [0] * ntok  # index one past the last token joinable with token i
        for i in range(ntok - 1, -1, -1):
            run_end[i] = run_end[i + 1] if i + 1 < ntok and toks[i + 1][3] else i + 1
        for i in range(ntok):
            span = min(self._max_len, run_end[i] - i)
            hit = self._best_at(toks, i, span, partial(word_context, text, toks, i))
            if hit:
                hits.append((i, hit))
        at = dict(hits)
        hits.sort(key=lambda ih: (-ih[1].n, -ih[1].score, ih[0]))
        used = [False] * ntok
        out: list[Match] = []
        for i, hit in hits:
            if any(used[i : i + hit.n]) or self._seats_differ(text, toks, i, hit):
                continue
            if hit.cand.tier == "demonym" and ends_with_alef_maqsura(
                    text[toks[i][1]:toks[i + hit.n - 1][2]]):
                continue  # اليمنى / مجرى: a word in ى is not a nisba adjective in ي
            for j in range(i, i + hit.n):
                used[j] = True
            out.append(_match(text, toks, i, hit))
            out.extend(_match(text, toks, k, at[k]) for k in self._nested(text, toks, i, hit, at))
        out.sort(key=lambda m: m.start)
        return out

    def _nested(self, text: str, toks: list[Token], i: int, hit: _Hit,
                at: dict[int, _Hit]) -> list[int]:
        """Starts of names closing a longer name as its genitive (قطاع غزة → غزة).

        Only a place closing a phrase headed by a common noun (قطاع, جنوب, مدينة) counts:
        حزب الله is not about الله, nor جورج بوش a mention of another بوش.
        """
        found: list[int] = []
        last = i + hit.n
        if not is_common_word(toks[i][0]):
            return found
        for k in range(i + 1, last):
            inner = at.get(k)
            if (inner is not None and k + inner.n == last and inner.cand.tier == "name"
                    and not inner.needs_review and inner.method in ("exact", "clitic")
                    and inner.cand.entity_id != hit.cand.entity_id
                    and self.aliases[inner.cand.alias_id].entity_kind == "place"
                    and not self._seats_differ(text, toks, k, inner)):
                found.append(k)
                break
        return found

    def _seats_differ(self, text: str, toks: list[Token], i: int,
                      hit: _Hit) -> bool:
        """Whether the text writes a hamza seat, ى or ة that the alias does not have."""
        alias = self._alias_seats.get(hit.cand.alias_id)
        if alias is None:
            raw = self.aliases[hit.cand.alias_id].text
            alias = tuple(seat_letters(m.group()) for m in TOKEN_RE.finditer(raw))
            self._alias_seats[hit.cand.alias_id] = alias
        if len(alias) != hit.n:
            return False  # a compound or inflected key: no letter-for-letter alignment
        for j in range(hit.n):
            _, start, end, _ = toks[i + j]
            written = seat_letters(text[start:end])
            if seats_conflict(alias[j], written[hit.cut:] if j == 0 else written):
                return True
        return False

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
