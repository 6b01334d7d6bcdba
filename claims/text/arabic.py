"""The one adapter over camel-tools: normalisation, tokenisation and optional model backends."""

from __future__ import annotations

import json
import logging
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

# Only the offline-safe parts of camel-tools are imported at module level; the morphology
# and NER packages look for downloaded data on import, so they are imported lazily and only
# when a data catalogue is present (see ``morphology_available``).
from camel_tools.tokenizers.word import simple_word_tokenize
from camel_tools.utils.dediac import dediac_ar

__all__ = [
    "BIDI_CONTROLS",
    "analyse",
    "dediacritize",
    "has_letters",
    "lemmatise",
    "load_camel_ner",
    "morphology_available",
    "ner_available",
    "normalize",
    "strip_controls",
    "tokenize",
    "tokens_with_spans",
]

log = logging.getLogger(__name__)

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


# Accented Latin letters and combining marks: Arabic text has none, so it skips the loop.
_FOLDABLE = re.compile("[\u00c0-\u024f\u1e00-\u1eff\u0300-\u036f]")


def _fold_latin(text: str) -> str:
    if text.isascii() or not _FOLDABLE.search(text):
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


# What normalisation deletes: tatweel is a letter to ``str.isalpha`` but no letter of a word.
_DROPPED = frozenset(code for code, repl in _TABLE.items() if repl is None)


def has_letters(text: str) -> bool:
    """Whether ``text`` holds a letter besides tatweel, diacritics and format characters."""
    return any(ch.isalpha() and ord(ch) not in _DROPPED for ch in text)


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


def _dataset_dir(component: str) -> Path | None:
    """Folder of a catalogue component's default dataset, when it is installed."""
    root = _data_dir()
    if root is None:
        return None
    try:
        catalogue = json.loads((root / "catalogue.json").read_text(encoding="utf-8"))
        entry = catalogue["components"][component]
        path = root / "data" / entry["datasets"][entry["default"]]["path"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return path if path.is_dir() else None


def _morphology_db() -> Path | None:
    """The default morphology database file named by the installed catalogue, if present."""
    folder = _dataset_dir("MorphologyDB")
    path = folder / "morphology.db" if folder else None
    return path if path and path.is_file() else None


def morphology_available() -> bool:
    """True when camel-tools' catalogue and its default morphology database are installed."""
    return _morphology_db() is not None


@lru_cache(maxsize=1)
def _analyzer() -> Any | None:
    """camel-tools' morphological analyser over the installed database, or None."""
    if _morphology_db() is None:
        return None
    try:
        # Imported here: camel_tools.data reads (and would download) the catalogue on import.
        from camel_tools.morphology.analyzer import Analyzer
        from camel_tools.morphology.database import MorphologyDB

        return Analyzer(MorphologyDB.builtin_db(), cache_size=10_000)
    except Exception:  # a damaged database must not break linking
        log.warning("camel-tools morphology failed to load", exc_info=True)
        return None


def analyse(word: str) -> list[dict[str, str]]:
    """Morphological analyses of one word (camel-tools); [] when no database is installed."""
    analyzer = _analyzer()
    if analyzer is None or not word.strip():
        return []
    return [dict(a) for a in analyzer.analyze(word)]


def lemmatise(word: str) -> str | None:
    """Undiacritised lemma of a word's first analysis, or None without a morphology backend."""
    for analysis in analyse(word):
        lex = analysis.get("lex")
        if lex:
            return dediac_ar(lex)
    return None


@lru_cache(maxsize=1)
def load_camel_ner() -> object:
    """camel-tools' pretrained BERT NER; imports torch, so call it only when ner_available()."""
    from camel_tools.ner import NERecognizer

    return NERecognizer.pretrained(use_gpu=False)


def ner_available() -> bool:
    """True when camel-tools' catalogue and its NER model are installed (BERT may be loaded)."""
    return _dataset_dir("NamedEntityRecognition") is not None
