"""Search-box syntax: "quoted phrases" and -excluded words, told apart from the plain words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from claims.text.arabic import normalize
from claims.text.clitics import STOPWORDS
from claims.text.link_keys import TOKEN_RE

# Quotation marks a phrase may be typed between: ASCII, guillemets and typographic quotes,
# in any pairing (Arabic keyboards and pasted text mix them: «قال بوتين», ”...“).
QUOTES = frozenset('"«»“”')
# A hyphen-minus or a minus sign leading a word (never one inside it: لا-يوجد, F-16).
_MINUS = re.compile(r"(?:^|(?<=\s))[-\u2212]")
_WORD_RE = re.compile(r"\w+")
# Bounds in the spirit of MAX_QUERY_WORDS: each phrase word widens to a few hundred key runs,
# each exclusion adds a row test; more than this adds cost, not precision.
MAX_PHRASES = 3
MAX_PHRASE_WORDS = 6
MAX_EXCLUDED = 6


@dataclass(frozen=True)
class SearchQuery:
    """A search query divided: the plain words (the query itself when it uses no syntax), the
    quoted phrases' words, and the excluded words or phrases (normalised words each)."""

    plain: str
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[tuple[str, ...], ...] = ()
    # Phrases and exclusions past MAX_PHRASES / MAX_EXCLUDED, left out (the user is told).
    dropped: int = 0
    # The unquoted excluded words as typed (-وبوتين): each may name entities, whose claims
    # are then left out however they name them; a quoted exclusion is its words only.
    excluded_names: tuple[str, ...] = ()

    @property
    def has_syntax(self) -> bool:
        """Whether the query quotes or excludes anything (else it is searched as before)."""
        return bool(self.phrases or self.excluded)

    @property
    def ordered(self) -> tuple[tuple[str, ...], ...]:
        """The phrases whose words must be consecutive: two words or more, not all function
        words (a quote of only في من is searched as its words, in any order: testing the
        order of words found in most claims would read most of the archive)."""
        return tuple(p for p in self.phrases
                     if len(p) > 1 and not all(word in STOPWORDS for word in p))

    @property
    def only_excludes(self) -> bool:
        """Whether the query excludes words but asks for none (it finds nothing)."""
        asks = bool(self.phrases) or _WORD_RE.search(normalize(self.plain)) is not None
        return bool(self.excluded) and not asks


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD_RE.findall(normalize(text)))


@lru_cache(maxsize=1024)
def parse_query(q: str) -> SearchQuery:
    """Split ``q`` into plain words, "phrases" and -exclusions; never fails.

    An unpaired quotation mark (the last of an odd number) is punctuation, so its words are
    plain words; a minus before a quotation mark excludes the phrase; a lone minus, an empty
    quote and anything past the MAX_* bounds are dropped."""
    marks = [i for i, ch in enumerate(q) if ch in QUOTES]
    if len(marks) % 2:
        marks.pop()
    phrases: list[tuple[str, ...]] = []
    excluded: list[tuple[str, ...]] = []
    pieces: list[str] = []
    last = 0
    for start, end in zip(marks[::2], marks[1::2], strict=True):
        before = q[last:start]
        negated = _MINUS.match(before, len(before) - 1) is not None if before else False
        pieces += [before[:-1] if negated else before, " "]
        words = _words(q[start + 1:end])[:MAX_PHRASE_WORDS]
        if words:
            (excluded if negated else phrases).append(words)
        last = end + 1
    pieces.append(q[last:])
    rest = "".join(pieces)
    plain: list[str] = []
    names: list[str] = []
    last = 0
    for minus in _MINUS.finditer(rest):
        token = TOKEN_RE.match(rest, minus.end())
        if token is None:  # a lone minus: punctuation
            continue
        plain.append(rest[last:minus.start()])
        last = token.end()
        if words := _words(token.group()):
            if len(excluded) < MAX_EXCLUDED:
                names.append(token.group())
            excluded.append(words)
    plain.append(rest[last:])
    if not phrases and not excluded:
        return SearchQuery(q)
    dropped = max(0, len(phrases) - MAX_PHRASES) + max(0, len(excluded) - MAX_EXCLUDED)
    return SearchQuery(" ".join(" ".join(plain).split()), tuple(phrases[:MAX_PHRASES]),
                       tuple(excluded[:MAX_EXCLUDED]), dropped, tuple(names))
