"""The one adapter over camel-tools: normalisation, tokenisation and optional model backends."""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

# Only the offline-safe parts of camel-tools are imported at module level; the morphology
# and NER packages look for downloaded data on import, so they are imported lazily and only
# when a data catalogue is present (see ``morphology_available``).
from camel_tools.tokenizers.word import simple_word_tokenize
from camel_tools.utils.dediac import dediac_ar

__all__ = [
    "BIDI_CONTROLS",
    "dediacritize",
    "load_camel_ner",
    "morphology_available",
    "ner_available",
    "normalize",
    "strip_controls",
    "tokenize",
    "tokens_with_spans",
]

# Zero-width and bidirectional control characters: never meaningful in a search key, and a
# display hazard (Trojan-Source style reordering) in rendered user text.
BIDI_CONTROLS = (
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_CONTROL_RE = re.compile(f"[{BIDI_CONTROLS}{ZERO_WIDTH}]")

# Harakat, superscript alef, Quranic annotation marks (incl. Arabic Extended-A), and tatweel.
_MARKS = (
    [chr(c) for c in range(0x0610, 0x061B)]
    + [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670"]
    + [chr(c) for c in range(0x06D6, 0x06DD)]
    + [chr(c) for c in range(0x06DF, 0x06E5)]
    + [chr(c) for c in range(0x06E7, 0x06E9)]
    + [chr(c) for c in range(0x06EA, 0x06EE)]
    + [chr(c) for c in range(0x08D3, 0x08E2)]
    + [chr(c) for c in range(0x08E3, 0x0900)]
    + ["\u0640"]
)


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(ch): None for ch in _MARKS}
    table.update({ord(ch): None for ch in BIDI_CONTROLS + ZERO_WIDTH})
    for src, dst in {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
        "ى": "ي", "ی": "ي", "ې": "ي", "ة": "ه", "ۀ": "ه", "ە": "ه", "ک": "ك",
        "٫": ".", "٬": ",", "٪": "%", "،": ",", "؛": ";", "؟": "?",
    }.items():
        table[ord(src)] = dst
    for i in range(10):
        table[0x0660 + i] = str(i)
        table[0x06F0 + i] = str(i)
    return table


_TABLE = _build_table()
_SPACE_RE = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def _fold_latin_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fold_latin(text: str) -> str:
    if text.isascii():
        return text
    out = []
    for ch in text:
        # Latin letters with accents live below U+0250 and in Latin Extended Additional.
        if "\u00c0" <= ch <= "\u024f" or "\u1e00" <= ch <= "\u1eff":
            out.append(_fold_latin_char(ch))
        elif "\u0300" <= ch <= "\u036f":
            continue
        else:
            out.append(ch)
    return "".join(out)


def normalize(text: str) -> str:
    """Return the search-key form of ``text``; stored text is never replaced by this."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _fold_latin(text.casefold())
    text = text.translate(_TABLE)
    return _SPACE_RE.sub(" ", text).strip()


def strip_controls(text: str) -> str:
    """Remove bidi overrides and zero-width characters, leaving everything else as given."""
    return _CONTROL_RE.sub("", text)


def dediacritize(text: str) -> str:
    """Remove Arabic diacritics with camel-tools' rules."""
    return dediac_ar(text)


def tokenize(text: str) -> list[str]:
    """Split text into words and punctuation with camel-tools' word tokenizer."""
    return list(simple_word_tokenize(text))


def tokens_with_spans(text: str) -> list[tuple[str, int, int]]:
    """Tokens of ``text`` with their character offsets in ``text``."""
    spans: list[tuple[str, int, int]] = []
    pos = 0
    for token in simple_word_tokenize(text):
        start = text.find(token, pos)
        if start < 0:  # the tokenizer never rewrites characters, but stay safe
            continue
        end = start + len(token)
        spans.append((token, start, end))
        pos = end
    return spans


def _data_dir() -> Path | None:
    configured = os.environ.get("CAMELTOOLS_DATA")
    root = Path(configured) if configured else Path.home() / ".camel_tools"
    return root if (root / "catalogue.json").is_file() else None


def morphology_available() -> bool:
    """True when camel-tools data (and so its morphology database) is installed locally."""
    return _data_dir() is not None


@lru_cache(maxsize=1)
def load_camel_ner() -> object:
    """camel-tools' pretrained BERT NER; imports torch, so call it only when ner_available()."""
    from camel_tools.ner import NERecognizer

    return NERecognizer.pretrained(use_gpu=False)


def ner_available() -> bool:
    """True when camel-tools' data catalogue is installed, so its BERT NER may be loaded."""
    return _data_dir() is not None
