"""Quoted phrases and excluded words as full-text conditions on a claim's search key.

A claim's key (``claim_search_key``) is, token after token, the run of words each token of its
text contributes: the token itself, then its clitic-stripped and article-stripped forms when
it has them (وقال → "وقال قال", والرئيس → "والرئيس الرئيس رئيس", بوتين → "بوتين وتين").  A word
therefore sits one to three key positions after the previous token's first word, and no
fixed distance (FTS5 NEAR, PostgreSQL ``<N>``) says "the next token".  Instead each phrase
word is widened to every run of key words a token matching it contributes (``key_runs``), and
the phrase asks for those runs end to end: the next run starts where one ends, which is the
next token.  PostgreSQL tests that on the stored tsvector with ``<->`` (phrase positions,
checked by the GIN index's recheck); SQLite's FTS5 cannot put alternatives inside a phrase,
so it finds the claims holding every word and a regular expression over ``text_key`` tests
the order on those rows only.

"Consecutive" is consecutive in the key: punctuation between the words does not part them
(قال، بوتين), and the last word of a claim's text is followed by the first of its editorial
restatement.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, literal_column, not_

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
    steps = [_alternatives(key_runs(forms)) for forms in query_terms(" ".join(words))]
    if dialect == "postgresql":
        expr = " <-> ".join(
            "(" + " | ".join(" <-> ".join(["(" + " | ".join(heads) + ")", *tail])
                             for heads, tail in step) + ")"
            for step in steps)
        return tsv_matches(func.to_tsquery(literal_column("'simple'"), expr))
    # Other engines (SQLite: SQLAlchemy's REGEXP, Python's re) test the key's text.
    pattern = " ".join(
        "(?:" + "|".join(" ".join(["(?:" + "|".join(map(re.escape, heads)) + ")",
                                   *map(re.escape, tail)])
                         for heads, tail in step) + ")"
        for step in steps)
    return Claim.text_key.regexp_match(f"(?:^| ){pattern}(?: |$)")


def _word(dialect: str, word: str) -> Any:
    """The claims row's key holds ``word`` in one of its forms."""
    terms = query_terms(word)
    forms = terms[0] if terms else [word]
    if dialect == "postgresql":
        expr = " | ".join(forms)
        return tsv_matches(func.to_tsquery(literal_column("'simple'"), expr))
    pattern = "|".join(map(re.escape, forms))
    return Claim.text_key.regexp_match(f"(?:^| )(?:{pattern})(?: |$)")
