"""Entity linking: alias mentions in text, with clitic, spelling-variant and homograph rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from claims.text.clitics import (
    COMMON_WORD_NAMES,
    STOPWORDS,
    CliticForm,
    clitic_forms,
    compound_variants,
    demonym_inflections,
    derived_short_form,
    ending_variants,
    letter_count,
    skeleton,
    variant_ok,
)
from claims.text.homographs import SHORT_FUNCTION_WORDS, is_common_word
from claims.text.link_context import confirmed, spelled_as_word
from claims.text.link_hits import Cand, Hit, Plan, hit_match, hit_span
from claims.text.link_keys import (
    CONFIDENCE,
    CUED,
    REVIEW_CONFIDENCE,
    SPOKEN,
    TITLED,
    UNKNOWN,
    AliasEntry,
    Match,
    MentionRow,
    Token,
    alias_key,
    candidate_keys,
    claim_search_key,
    ends_with_alef_maqsura,
    key_runs,
    name_problem,
    proclitic_keys,
    remember,
    skeleton_key,
    text_search_key,
    tokens,
    tokens_search_key,
)
from claims.text.link_keys import context as word_context
from claims.text.link_lookup import lookup
from claims.text.link_seats import SeatGuard

__all__ = [
    "CONFIDENCE",
    "REVIEW_CONFIDENCE",
    "AliasEntry",
    "AliasIndex",
    "Match",
    "MentionRow",
    "alias_key",
    "candidate_keys",
    "claim_search_key",
    "key_runs",
    "name_problem",
    "proclitic_keys",
    "skeleton_key",
    "text_search_key",
    "tokens",
    "tokens_search_key",
]

_TIER_ORDER = {"name": 0, "demonym": 1, "short": 2}


class AliasIndex:
    """Token n-gram dictionaries over alias keys; exact keys win over skeleton variants."""

    def __init__(self, aliases: Iterable[AliasEntry]) -> None:
        self.aliases: dict[int, AliasEntry] = {}
        self._exact: dict[str, list[Cand]] = {}
        self._skel: dict[str, list[Cand]] = {}
        self._skel_keys: dict[tuple[str, int], list[str]] = {}  # (skeleton, alias) → keys
        self._first: set[str] = set()
        self._first_skel: set[str] = set()
        # every multi-token prefix of a key: a scan stops growing a key once it leaves them
        self._prefixes: set[str] = set()
        self._prefixes_skel: set[str] = set()
        self._max_len = 1
        self._ending_stems: set[str] = set()  # one-word keys ending in ا/ه, minus that letter
        # token → its readings that may start an alias (see _plan); most tokens start none
        self._plans: dict[str, Plan] = {}
        self._no_start: set[str] = set()
        # memos of pure steps that repeat across texts (names recur): bounded, see remember
        self._resolved: dict[tuple[CliticForm, str, int, bool, str], Hit | None] = {}
        self._seats = SeatGuard(self.aliases)
        derived: list[tuple[str, Cand]] = []
        for entry in aliases:
            self.aliases[entry.alias_id] = entry
            key = alias_key(entry.text)
            if not key or (" " not in key and letter_count(key) < 2):
                continue
            if entry.kind == "demonym":
                cand = Cand(entry.alias_id, entry.entity_id, "demonym")
                for k in [key, *demonym_inflections(key)]:
                    self._add(self._exact, self._first, k, cand)
                continue
            tier = "short" if entry.kind == "short" else "name"
            cand = Cand(entry.alias_id, entry.entity_id, tier)
            for k in [key, *compound_variants(key)]:
                self._add(self._exact, self._first, k, cand)
                skel = " ".join(skeleton(t) for t in k.split(" "))
                if letter_count(skel) >= 4:
                    keys = self._skel_keys.setdefault((skel, entry.alias_id), [])
                    if not keys:
                        self._add(self._skel, self._first_skel, skel, cand)
                    keys.append(k)
            short = derived_short_form(key, entry.entity_kind, entry.kind)
            if short:
                derived.append((short, cand._replace(tier="short")))
        for short, cand in derived:
            if self._names_a_place(short):
                continue  # التركي, السويدي: a nisba of a known place reads as an adjective
            if not any(c.entity_id == cand.entity_id for c in self._exact.get(short, ())):
                self._add(self._exact, self._first, short, cand)

    def _add(self, table: dict[str, list[Cand]], first: set[str], key: str, cand: Cand) -> None:
        table.setdefault(key, []).append(cand)
        if table is self._exact and " " not in key and key[-1:] in ("ا", "ه"):
            self._ending_stems.add(key[:-1])
        toks = key.split(" ")
        first.add(toks[0])
        prefixes = self._prefixes if table is self._exact else self._prefixes_skel
        prefixes.update(" ".join(toks[:m]) for m in range(2, len(toks) + 1))
        self._max_len = max(self._max_len, len(toks))

    def _names_a_place(self, word: str) -> bool:
        """Whether ``word`` is a nisba (…ي) of a name in the index (تركي ← تركيا)."""
        bare = word.removeprefix("ال")
        if not bare.endswith("ي") or len(bare) < 4:
            return False
        stem = bare[:-1]
        return any(k in self._exact for k in (stem, "ال" + stem, stem + "يا", stem + "ا"))

    def _is_variant(self, skel: str, cand: Cand, plain: str) -> bool:
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

    def _resolve(self, cands: list[Cand], form: CliticForm, key: str, n: int,
                 ctx: Callable[[], int], variant: bool, table_key: str) -> Hit | None:
        """The hit of ``key`` (a text's n tokens, first as ``form``) among these candidates."""
        # The candidates follow from ``key`` and the ``table_key`` they were looked up
        # under, so a result that did not look at the context is remembered under those.
        memo = (form, key, n, variant, table_key)
        hit = self._resolved.get(memo, UNKNOWN)
        if hit is not UNKNOWN:
            return hit
        hit, used_context = self._resolve_new(cands, form, key, n, ctx, variant)
        if not used_context:
            remember(self._resolved, memo, hit)
        return hit

    def _resolve_new(self, cands: list[Cand], form: CliticForm, key: str, n: int,
                     ctx: Callable[[], int], variant: bool) -> tuple[Hit | None, bool]:
        if form.article_removed:
            cands = [c for c in cands if c.tier == "demonym"]
        if not cands:
            return None, False
        review = False
        if len(cands) > 1 and len({c.entity_id for c in cands}) > 1:
            strong = [c for c in cands if c.tier != "short"]
            if not strong:
                return None, False  # a short form shared by several entities: too ambiguous
            review = len({c.entity_id for c in strong}) > 1
            cands = strong
        cand = cands[0] if len(cands) == 1 else min(
            cands, key=lambda c: (_TIER_ORDER[c.tier], c.alias_id))
        # context is looked at only for one-word homographs; والشعب after الملك is a
        # conjunct, not the name that the title announces
        stop = n == 1 and (key in STOPWORDS or (  # an all-letter key counts its length
            len(key) <= 2 if key.isalnum() else letter_count(key) <= 2))
        common = n == 1 and (key in COMMON_WORD_NAMES or is_common_word(key))
        looks = (stop or common) and not form.cut
        context = ctx() if looks else 0
        # a two-letter name after its kind noun or in quotes is no function word (بشركة شل),
        # nor a person's after a verb of saying (وقال شو), unless it is one (قال لي)
        if stop and context < (TITLED if key in STOPWORDS else CUED) and not (
                context == SPOKEN and key not in SHORT_FUNCTION_WORDS
                and key not in STOPWORDS
                and self.aliases[cand.alias_id].entity_kind == "person"):
            return None, looks
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
        return Hit(n, round(score, 3), cand, method, review, form.cut), looks

    def _best_at(self, toks: list[Token], i: int, span: int, plan: Plan,
                 ctx: Callable[[], int]) -> Hit | None:
        """Best hit starting at token ``i``, whose readings that may start an alias are ``plan``."""
        exact, variants = plan
        best = self._scan(toks, i, span, ctx, exact, False) if exact else None
        if best is not None:
            return best  # exact keys always win over spelling variants
        for form, by_skeleton in variants:
            if by_skeleton:
                hit = self._scan(toks, i, span, ctx, (form,), True)
            else:
                # a final alef / taa marbuta swap on a one-word name (سورية → سوريا)
                alts = [self._exact.get(alt) for alt in ending_variants(form.form)]
                cands = [c for group in alts if group for c in group]
                hit = (self._resolve(cands, form, form.form, 1, ctx, True, form.form)
                       if cands else None)
            if hit and (best is None or (hit.n, hit.score) > (best.n, best.score)):
                best = hit
        return best

    def _plan(self, token: str) -> Plan | None:
        """Readings of ``token`` that may start an exact key and a variant; None: neither."""
        known = self._plans.get(token)
        if known is not None or token in self._no_start:
            return known
        forms = clitic_forms(token)
        exact = tuple(f for f in forms if f.form in self._first)
        variants: list[tuple[CliticForm, bool]] = []
        for f in forms:
            if f.article_removed:
                continue
            if skeleton(f.form) in self._first_skel:
                variants.append((f, True))
            elif f.form[:-1] in self._ending_stems:
                variants.append((f, False))
        if not exact and not variants:
            remember(self._no_start, token)
            return None
        plan: Plan = remember(self._plans, token, (exact, tuple(variants)))
        return plan

    def _scan(self, toks: list[Token], i: int, span: int,
              ctx: Callable[[], int],
              forms: tuple[CliticForm, ...], variant: bool) -> Hit | None:
        """Longest exact (or skeleton) n-gram key starting with one of ``forms`` at ``i``."""
        best: Hit | None = None
        if variant:
            table, first, prefixes = self._skel, self._first_skel, self._prefixes_skel
        else:
            table, first, prefixes = self._exact, self._first, self._prefixes
        for form in forms:
            head = skeleton(form.form) if variant else form.form
            if head not in first:
                continue
            keys = [head]  # keys[n - 1]: the n-token key; longer ones are in no table
            for t in toks[i + 1 : i + span]:
                key = f"{keys[-1]} {skeleton(t[0]) if variant else t[0]}"
                if key not in prefixes:
                    break
                keys.append(key)
            for n in range(len(keys), 0, -1):
                key = keys[n - 1]
                cands = table.get(key)
                if cands is None:
                    continue
                plain = " ".join([form.form, *(t[0] for t in toks[i + 1 : i + n])])
                if variant:
                    cands = [c for c in cands if self._is_variant(key, c, plain)]
                    if not cands:
                        continue
                hit = self._resolve(cands, form, plain, n, ctx, variant, key)
                if hit:
                    if best is None or (hit.n, hit.score) > (best.n, best.score):
                        best = hit
                    break
        return best

    def find(self, text: str, toks: list[Token] | None = None) -> list[Match]:
        """All non-overlapping entity mentions in ``text``; longest alias wins; by start."""
        toks = tokens(text) if toks is None else toks
        return [hit_match(text, toks, i, hit) for i, hit in self._placed(text, toks)]

    def find_rows(self, text: str, toks: list[Token] | None = None) -> list[MentionRow]:
        """``find`` as plain rows (``MentionRow``); ``toks`` are ``tokens(text)`` if given."""
        toks = tokens(text) if toks is None else toks
        rows: list[MentionRow] = []
        for i, hit in self._placed(text, toks):
            start, end = hit_span(text, toks, i, hit)
            rows.append((hit.cand.entity_id, hit.cand.alias_id, start, end, text[start:end],
                         hit.method, hit.score, hit.cand.tier == "demonym"))
        return rows

    def _placed(self, text: str, toks: list[Token]) -> list[tuple[int, Hit]]:
        """(token index, hit) of every mention ``find`` returns, in text order."""
        ntok = len(toks)
        no_start, max_len = self._no_start, self._max_len
        hits: list[tuple[int, Hit]] = []
        # most tokens are known to start no alias: one set lookup each
        for i in [i for i, t in enumerate(toks) if t[0] not in no_start]:
            plan = self._plan(toks[i][0])
            if plan is None:
                continue
            j, stop = i + 1, min(ntok, i + max_len)
            while j < stop and toks[j][3]:  # tokens joinable into one name
                j += 1
            hit = self._best_at(toks, i, j - i, plan, partial(word_context, text, toks, i))
            if hit:
                hits.append((i, hit))
        if not hits:
            return hits
        at = dict(hits)
        hits.sort(key=lambda ih: (-ih[1].n, -ih[1].score, ih[0]))
        used = [False] * ntok
        out: list[tuple[int, Hit]] = []
        for i, hit in hits:
            if any(used[i : i + hit.n]) or self._seats_differ(text, toks, i, hit):
                continue
            if hit.cand.tier == "demonym" and ends_with_alef_maqsura(
                    text[toks[i][1]:toks[i + hit.n - 1][2]]):
                continue  # اليمنى / مجرى: a word in ى is not a nisba adjective in ي
            if hit.n == 1 and toks[i][0] in STOPWORDS and spelled_as_word(
                    text, text[toks[i][1]:toks[i][2]], self.aliases[hit.cand.alias_id].text):
                continue  # الملك على الحاجة … في: the preposition, where ي and ى differ
            for j in range(i, i + hit.n):
                used[j] = True
            out.append((i, hit))
            out.extend(self._nested(text, toks, i, hit, at))
        # a mention's start lies inside its first token, so token order is text order
        out.sort(key=lambda ih: ih[0])
        if not any(h.needs_review for _, h in out):
            return out  # the usual case on a re-link: nothing for a list to settle
        kinds = [self.aliases[h.cand.alias_id].entity_kind for _, h in out]
        for idx in confirmed(text, toks, [
                (i, h.n, kind, not h.needs_review and h.cand.tier == "name"
                 and h.method in ("exact", "clitic"),
                 h.n == 1 and h.method in ("exact", "clitic"))
                for (i, h), kind in zip(out, kinds, strict=True)], self._names_a_place):
            i, h = out[idx]
            out[idx] = (i, h._replace(needs_review=False, score=CONFIDENCE[h.method]))
        return out

    def _nested(self, text: str, toks: list[Token], i: int, hit: Hit,
                at: dict[int, Hit]) -> list[tuple[int, Hit]]:
        """Names inside a longer name that the text is also about: a place closing a phrase
        headed by a common noun (قطاع غزة → غزة), a demonym closing an organisation's name
        (الخطوط الجوية الأذربيجانية → أذربيجان) and the maker opening a product's name
        (إمبراير 190 → إمبراير).

        حزب الله is not about الله, nor جورج بوش a mention of another بوش, nor a nisba closing
        a person's name (أبو حمزة المصري) a mention of Egypt.
        """
        outer_kind = self.aliases[hit.cand.alias_id].entity_kind
        if outer_kind == "other" and hit.n > 1:
            lead = self._leading(text, toks, i, hit)
            return [(i, lead)] if lead is not None else []
        last = i + hit.n
        # the head may carry a proclitic: وقطاع غزة is قطاع غزة after و
        headed = any(is_common_word(f.form) for f in clitic_forms(toks[i][0]))
        tiers = {"name"} if headed else set()
        if outer_kind == "organisation":
            tiers.add("demonym")
        if not tiers:
            return []
        for k in range(i + 1, last):
            inner = at.get(k)
            if (inner is not None and k + inner.n == last and inner.cand.tier in tiers
                    and self._inner_link(text, toks, k, inner, hit, "place")):
                return [(k, inner)]
        return []

    def _leading(self, text: str, toks: list[Token], i: int, hit: Hit) -> Hit | None:
        """The organisation whose name opens the longer name ``hit`` at token ``i``, if any."""
        plan = self._plan(toks[i][0])
        if plan is None:
            return None
        lead = self._best_at(toks, i, hit.n - 1, plan, partial(word_context, text, toks, i))
        if (lead is not None and lead.cand.tier == "name"
                and self._inner_link(text, toks, i, lead, hit, "organisation")):
            return lead
        return None

    def _inner_link(self, text: str, toks: list[Token], k: int, inner: Hit, outer: Hit,
                    kind: str) -> bool:
        """Whether a confident name of ``kind`` inside ``outer`` is linked as well."""
        return (not inner.needs_review and inner.method in ("exact", "clitic", "demonym")
                and inner.cand.entity_id != outer.cand.entity_id
                and self.aliases[inner.cand.alias_id].entity_kind == kind
                and not self._seats_differ(text, toks, k, inner))

    def _seats_differ(self, text: str, toks: list[Token], i: int, hit: Hit) -> bool:
        """Whether the text writes a hamza seat that the alias does not have."""
        return self._seats.differ(text, toks, i, hit.n, hit.cand.alias_id, hit.cut)

    def lookup(self, query: str) -> list[tuple[int, float]]:
        """Entities (with best confidence) that a typed search query names, best first."""
        return lookup(query, self._exact, self._skel, self._is_variant,
                      lambda q: [(m.entity_id, m.confidence) for m in self.find(q)])
