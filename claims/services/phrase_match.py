"""Quoted phrases and excluded words as full-text conditions on a claim's search key.

A claim's key (``claim_search_key``) is, token after token, the run of words each token of its
text contributes: the token itself, then its clitic-stripped and article-stripped forms when
it has them (وقال → "وقال قال", والرئيس → "والرئيس الرئيس رئيس", بوتين → "بوتين وتين").  A word
therefore sits one to three key positions after the previous token's first word, and no
fixed distance (FTS5 NEAR, PostgreSQL ``<N>``) says "the next token".  Instead each phrase
word is widened to every run of key words a token matching it contributes (``key_runs``), and
the phrase asks for those runs end to end: the next run starts where one ends, which is the
next token.  The index finds the claims holding every word (FTS5; the stored tsvector), and a
regular expression over ``text_key`` tests the order on those rows only (SQLite: SQLAlchemy's
REGEXP, Python's re; PostgreSQL: ``~``, after a tsquery has kept the claims where the first
two words' tokens follow each other).  PostgreSQL's ``<->`` alone cannot do it: between ORs of
phrases of unequal length it misplaces the shorter ones (on PostgreSQL 15, ``(a <-> b | b) <->
(c <-> d)`` matches "a b x c d"), and FTS5 puts no alternatives inside a phrase.

"Consecutive" is consecutive in the key: punctuation between the words does not part them
(قال، بوتين); the break between a claim's text and its editorial restatement
(``KEY_PART_SEPARATOR``) does.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise
from typing import Any

from sqlalchemy import and_, func, literal_column, not_

from claims.models import Claim
from claims.services.search_syntax import SearchQuery
from claims.services.text_match import Extra, fts5_expression, fts_ids, query_terms, tsv_matches
from claims.text.linking import key_runs


def syntax_extra(dialect: str, query: SearchQuery) -> Extra | None:
    """What ``query``'s phrases and exclusions add to a text match, or None (no syntax)."""
    if not query.has_syntax:
        return None
    terms = [forms for words in query.phrases for forms in query_terms(" ".join(words))]
    conds = [_phrase(dialect, words) for words in query.ordered]
    conds += [not_(_phrase(dialect, words) if len(words) > 1 else _word(dialect, words[0]))
              for words in query.excluded]
    near = tuple(group for words in query.ordered for group in _near_groups(words)) \
        if dialect == "sqlite" else ()
    return Extra(terms, conds, near)


# More NEAR groups than this for one pair of words cost FTS5 more than they save.
MAX_NEAR_GROUPS = 400


@lru_cache(maxsize=512)
def _near_groups(words: tuple[str, ...]) -> tuple[str, ...]:
    """FTS5 groups each pair of a phrase's neighbouring words must satisfy: the last key word
    of a token matching the first, then within two key words a form of the second (a token's
    run is at most three words).  FTS5 tests this on its position lists, so the regular
    expression reads only claims where the words stand together, not every claim holding
    them somewhere."""
    terms = query_terms(" ".join(words))
    groups = []
    for first, second in pairwise(terms):
        ends = sorted({run[-1] for run in key_runs(first)})
        # A word next to itself (the same key word on both sides) is no NEAR test: FTS5 lets
        # one occurrence stand for both, so such a pair is left to the regular expression.
        if len(ends) * len(second) > MAX_NEAR_GROUPS or not set(ends).isdisjoint(second):
            continue
        groups.append("(" + " OR ".join(f'NEAR("{end}" "{form}", 2)' for end in ends
                                        for form in second) + ")")
    return tuple(groups)


def syntax_conditions(dialect: str, query: SearchQuery) -> list[Any]:
    """The row conditions of ``query``'s phrase order and exclusions (none without syntax),
    for claims found another way (through a name)."""
    extra = syntax_extra(dialect, query)
    if extra is None:
        return []
    if dialect != "sqlite" or not extra.terms:
        return extra.conds
    # SQLite tests a regular expression in Python, ~50 µs a claim: a big entity's claims
    # would each be read; the full-text index first names the few where the words stand
    # together (the statement runs once, not per claim).
    return [Claim.id.in_(fts_ids(fts5_expression(extra.terms, extra), "phrase")),
            *extra.conds]


def _alternation(strings: set[str]) -> str:
    """One regular expression for any of ``strings`` (key words and spaces, no metacharacter),
    their shared endings written once: the runs of a word differ mostly in the proclitics
    before it (والرئيس، فالرئيس، بالرئيس …), and a pattern listing each in full took Python
    ~50 ms to compile for a three-word phrase."""
    trie: dict[str, Any] = {}
    for string in strings:
        node = trie
        for char in reversed(string):
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        """What may come before the ending that leads to ``node``."""
        parts = [emit(child) + char for char, child in sorted(node.items()) if char]
        if not parts:
            return ""
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        if "" in node:  # the ending alone is one of the strings too
            return body + "?" if len(parts) > 1 or len(body) == 1 else f"(?:{body})?"
        return body

    return emit(trie)


@lru_cache(maxsize=512)
def _pattern(words: tuple[str, ...]) -> str:
    """The regular expression of a phrase over keys (one search builds it for every branch)."""
    # Key words are \w runs (no metacharacter): one pattern serves Python's re and PostgreSQL.
    pattern = " ".join("(?:" + _alternation({" ".join(run) for run in key_runs(forms)}) + ")"
                       for forms in query_terms(" ".join(words)))
    return f"(?:^| ){pattern}(?: |$)"


def _phrase(dialect: str, words: tuple[str, ...]) -> Any:
    """The claims row's key holds, for each word in turn, the run of a token matching it."""
    ordered = Claim.text_key.regexp_match(_pattern(words))
    if dialect != "postgresql":
        return ordered
    terms = query_terms(" ".join(words))
    # PostgreSQL's regular expressions cost ~25-150 µs a claim here; first, on the stored
    # tsvector, each word's token followed by the next word's, which leaves few claims for
    # the pattern to read.
    steps = " & ".join(f"({_next_token(first, second)})" for first, second in pairwise(terms))
    return and_(tsv_matches(func.to_tsquery(literal_column("'simple'"), steps)), ordered)


def _next_token(first: list[str], second: list[str]) -> str:
    """A tsquery: the last key word of a token matching ``first``, then within its next token
    (one to three key words on) a form of ``second``.  Few words each side, single words at
    a fixed distance <n> (between ORs of phrases of unequal length ``<->`` misplaces the
    shorter ones): the run's proclitic variants would make it hundreds of GIN lookups."""
    ends = " | ".join(sorted({run[-1] for run in key_runs(first)}))
    then = " | ".join(sorted(second))
    return " | ".join(f"({ends}) <{n}> ({then})" for n in (1, 2, 3))


def _word(dialect: str, word: str) -> Any:
    """The claims row's key holds ``word`` in one of its forms."""
    terms = query_terms(word)
    forms = terms[0] if terms else [word]
    if dialect == "postgresql":
        expr = " | ".join(forms)
        return tsv_matches(func.to_tsquery(literal_column("'simple'"), expr))
    return Claim.text_key.regexp_match(f"(?:^| )(?:{'|'.join(forms)})(?: |$)")
