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
(قال، بوتين), and the last word of a claim's text is followed by the first of its editorial
restatement.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, literal_column, not_

from claims.models import Claim
from claims.services.search_syntax import SearchQuery
from claims.services.text_match import Extra, query_terms, tsv_matches
from claims.text.linking import key_runs


def syntax_extra(dialect: str, query: SearchQuery) -> Extra | None:
    """What ``query``'s phrases and exclusions add to a text match, or None (no syntax)."""
    if not query.has_syntax:
        return None
    terms = [forms for words in query.phrases for forms in query_terms(" ".join(words))]
    conds = [_phrase(dialect, words) for words in query.ordered]
    conds += [not_(_phrase(dialect, words) if len(words) > 1 else _word(dialect, words[0]))
              for words in query.excluded]
    return Extra(terms, conds)


def syntax_conditions(dialect: str, query: SearchQuery) -> list[Any]:
    """The row conditions of ``query``'s phrase order and exclusions (none without syntax)."""
    extra = syntax_extra(dialect, query)
    return extra.conds if extra is not None else []


def _alternatives(runs: set[tuple[str, ...]]) -> list[tuple[list[str], tuple[str, ...]]]:
    """Runs grouped by what follows their first word (وقال and فقال both go on with قال), so an
    expression names each shared tail once: (first words, tail)."""
    by_tail: dict[tuple[str, ...], list[str]] = {}
    for run in sorted(runs):
        by_tail.setdefault(run[1:], []).append(run[0])
    return [(heads, tail) for tail, heads in sorted(by_tail.items())]


def _phrase(dialect: str, words: tuple[str, ...]) -> Any:
    """The claims row's key holds, for each word in turn, the run of a token matching it."""
    terms = query_terms(" ".join(words))
    steps = [_alternatives(key_runs(forms)) for forms in terms]
    # Key words are \w runs (no metacharacter): one pattern serves Python's re and PostgreSQL.
    pattern = " ".join(
        "(?:" + "|".join(" ".join(["(?:" + "|".join(heads) + ")", *tail])
                         for heads, tail in step) + ")"
        for step in steps)
    ordered = Claim.text_key.regexp_match(f"(?:^| ){pattern}(?: |$)")
    if dialect != "postgresql":
        return ordered
    # PostgreSQL's regular expressions cost ~25-150 µs a claim here; first, on the stored
    # tsvector, the first word's token followed by the second's (a token of n key words is
    # n positions before the next token), which leaves few claims for the pattern to read.
    return and_(tsv_matches(func.to_tsquery(literal_column("'simple'"),
                                            _next_token(terms[0], terms[1]))), ordered)


def _next_token(first: list[str], second: list[str]) -> str:
    """A tsquery: a token matching ``first`` forms, then one matching ``second``.  Single
    words at a fixed distance <n> each: between ORs of phrases of unequal length ``<->``
    misplaces the shorter ones."""
    by_length: dict[int, set[str]] = {}
    for run in key_runs(first):
        by_length.setdefault(len(run), set()).add(run[0])
    then = " | ".join(sorted({run[0] for run in key_runs(second)}))
    return " | ".join(f"({' | '.join(sorted(heads))}) <{n}> ({then})"
                      for n, heads in sorted(by_length.items()))


def _word(dialect: str, word: str) -> Any:
    """The claims row's key holds ``word`` in one of its forms."""
    terms = query_terms(word)
    forms = terms[0] if terms else [word]
    if dialect == "postgresql":
        expr = " | ".join(forms)
        return tsv_matches(func.to_tsquery(literal_column("'simple'"), expr))
    return Claim.text_key.regexp_match(f"(?:^| )(?:{'|'.join(forms)})(?: |$)")
