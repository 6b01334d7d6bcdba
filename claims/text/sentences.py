"""Sentence splitting for Arabic (and Latin) news text, with character offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Sentence", "split_sentences"]


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``text == source[start:end]``; ``paragraph`` counts from 0."""

    start: int
    end: int
    text: str
    paragraph: int


# Characters that can end a sentence.  The Arabic comma and decimal separator are not here:
# "،" joins clauses and "٫" sits inside numbers (٣٫٥).
_TERMINATORS = ".!?؟؛…"
# Closing marks that belong to the sentence they follow (“...”. or “...؟”).
_CLOSERS = "”»\"’')]}›"
_OPENERS = {"“": "”", "«": "»"}
# Invisible marks: Word and many sites put a right-to-left mark after punctuation, so they
# belong to the stop before them and are trimmed from a sentence's ends like spaces.
_INVISIBLE = frozenset("\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                       "\u2060\u2066\u2067\u2068\u2069\ufeff")
# Latin abbreviations that take a full stop without ending a sentence (compared casefolded).
_LATIN_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "inc", "ltd", "co", "corp", "vs",
        "etc", "e.g", "i.e", "u.s", "u.k", "u.n", "no", "gen", "col", "lt", "sgt", "rev",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "approx", "est", "fig", "vol", "p", "pp",
    }
)
# Arabic abbreviations written with a full stop: د. (doctor), م. (engineer / AD), ق.م (BC),
# أ.د (professor), ص.ب (PO box); any single letter before a dot is an abbreviation too.
_ARABIC_ABBREVIATIONS = frozenset({"د", "م", "ق.م", "أ.د", "ا.د", "ص.ب", "ه", "هـ", "ج", "ت"})
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v\u00a0]*\n\s*")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_WORD_CHAR = re.compile(r"[\w.]")
# How far back from a full stop the abbreviation test looks.  Searching the whole text
# before each stop made splitting quadratic (11 s for a 190,000-character report); no
# abbreviation or dotted acronym is this long, so a longer word is simply not one.
_WORD_WINDOW = 64


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Blank-line separated blocks; a text without blank lines has one block per line."""
    splitter = _PARAGRAPH_BREAK if _PARAGRAPH_BREAK.search(text) else re.compile(r"\n\s*")
    spans = []
    pos = 0
    for match in splitter.finditer(text):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the full stop at ``dot`` closes an abbreviation rather than a sentence."""
    window = max(0, dot - _WORD_WINDOW)
    match = _WORD_BEFORE.search(text, window, dot)
    if not match or (match.start() == window and window and _WORD_CHAR.match(text, window - 1)):
        return False
    word = match.group(1)
    if word.casefold() in _LATIN_ABBREVIATIONS or word in _ARABIC_ABBREVIATIONS:
        return True
    stripped = word.replace(".", "")
    # Initials and dotted acronyms: "J. Smith", "U.S.A.", "أ.ف.ب".
    if len(stripped) == 1 and stripped.isalpha():
        return True
    return "." in word and all(len(part) <= 1 for part in word.split("."))


def _is_boundary(text: str, i: int, end: int) -> bool:
    """Decide whether the terminator at ``text[i]`` may end a sentence."""
    ch = text[i]
    nxt = text[i + 1] if i + 1 < end else ""
    prev = text[i - 1] if i > 0 else ""
    if ch == ".":
        if prev.isdigit() and nxt.isdigit():  # 2.5, 1.200
            return False
        if nxt == ".":  # part of "..." - the last dot decides
            return False
        if nxt and nxt.isalnum():  # example.com, U.S.A inside a token
            return False
        if _is_abbreviation(text, i):
            return False
        # A list number at the start of a line ("1. ...") is not a sentence.
        line_start = text.rfind("\n", 0, i) + 1
        if text[line_start:i].strip().isdigit():
            return False
    elif ch in "!?؟" and nxt in "!?؟":
        return False
    return True


def _quote_balance_ok(segment: str) -> bool:
    """Straight double quotes only count as open/close pairs when they pair up."""
    return segment.count('"') % 2 == 0


def _split_paragraph(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside one paragraph (single newlines also end a sentence)."""
    spans: list[tuple[int, int]] = []
    seg_start = start
    stack: list[str] = []
    straight_pairs = _quote_balance_ok(text[start:end])
    in_straight = False
    i = start
    while i < end:
        ch = text[i]
        if ch == "\n":
            spans.append((seg_start, i))
            seg_start, stack, in_straight = i + 1, [], False
            i += 1
            continue
        if ch in _OPENERS:
            stack.append(_OPENERS[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
        elif ch == '"' and straight_pairs:
            in_straight = not in_straight
        elif ch in _TERMINATORS and not stack and not in_straight and _is_boundary(text, i, end):
            j = i + 1
            # Absorb doubled terminators and closing quotes/brackets: “...”. stays together.
            while j < end and (text[j] in _TERMINATORS or text[j] in _CLOSERS
                               or text[j] in _INVISIBLE):
                if text[j] == '"' and straight_pairs:
                    break  # an opening straight quote of the next sentence
                j += 1
            if j >= end or text[j].isspace():
                spans.append((seg_start, j))
                seg_start = j
                i = j
                continue
        i += 1
    spans.append((seg_start, end))
    return spans


def _unclosed_quote(text: str, start: int, end: int) -> bool:
    """True when a “ or « opened in the paragraph never closes (do not trust quote depth)."""
    depth: list[str] = []
    for ch in text[start:end]:
        if ch in _OPENERS:
            depth.append(_OPENERS[ch])
        elif depth and ch == depth[-1]:
            depth.pop()
    return bool(depth)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in _INVISIBLE):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _INVISIBLE):
        end -= 1
    return start, end


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences whose offsets index into ``text``."""
    sentences: list[Sentence] = []
    for paragraph, (p_start, p_end) in enumerate(_paragraph_spans(text)):
        if _unclosed_quote(text, p_start, p_end):
            # A stray opening quote would otherwise swallow the whole paragraph: split
            # the paragraph as if it had no curly quotes at all.
            masked = text[:p_start] + "".join(
                " " if c in _OPENERS else c for c in text[p_start:p_end]
            ) + text[p_end:]
            spans = _split_paragraph(masked, p_start, p_end)
        else:
            spans = _split_paragraph(text, p_start, p_end)
        for s, e in spans:
            s, e = _trim(text, s, e)
            if s < e and any(c.isalnum() for c in text[s:e]):
                sentences.append(Sentence(s, e, text[s:e], paragraph))
            elif s < e and sentences and sentences[-1].paragraph == paragraph:
                # Lone punctuation ("..." or a closing quote) belongs to the sentence before.
                last = sentences[-1]
                sentences[-1] = Sentence(last.start, e, text[last.start:e], paragraph)
    return sentences
