"""Normalisation and tokenisation of Arabic text (claims.text.arabic)."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from claims.text.arabic import normalize, strip_controls, tokenize, tokens_with_spans

_ARABIC_ALPHABET = st.sampled_from(
    [chr(c) for c in range(0x0600, 0x0700)]
    + [chr(c) for c in range(0x08D3, 0x0900)]
    + [chr(c) for c in range(0xFB50, 0xFB60)]
    + [chr(c) for c in range(0xFE70, 0xFF00)]
    + [chr(c) for c in range(0x0300, 0x0370)]
    + [" ", "\u00a0", "\u200c", "\u200f", "\u202e", "İ", "ß", "É", "Ω"]
)


@settings(max_examples=400)
@given(st.text(_ARABIC_ALPHABET) | st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


def test_diacritics_removed() -> None:
    assert normalize("بُوتِين") == "بوتين"
    assert normalize("هٰذا") == "هذا"  # superscript alef


def test_lam_alef_ligature() -> None:
    assert normalize("ﻻ") == "لا"


def test_digits() -> None:
    assert normalize("٣٨") == "38"
    assert normalize("۳۸") == "38"
    assert normalize("إمبراير ١٩٠") == "امبراير 190"


def test_alef_variants_yaa_taa() -> None:
    assert normalize("أإآٱ") == "اااا"
    assert normalize("على") == "علي"
    assert normalize("سورية") == "سوريه"


def test_tatweel_and_decomposed_hamza() -> None:
    assert normalize("بوتـــين") == "بوتين"
    assert normalize("ا\u0654ذربيجان") == normalize("أذربيجان") == "اذربيجان"
    assert normalize("ا\u0655يران") == "ايران"


def test_bidi_and_zero_width_controls_removed() -> None:
    assert normalize("\u202bبوتين\u202c\u200f") == "بوتين"
    assert normalize("بو\u200cتين") == "بوتين"
    assert strip_controls("a\u202eb\u2066c") == "abc"


def test_latin_casefold_and_accents() -> None:
    assert normalize("  Erdoğan  PUTIN ") == "erdogan putin"


def test_tokens_with_spans_point_into_text() -> None:
    text = "قال بوتين، (أ ف ب) ١٩٠"
    for tok, start, end in tokens_with_spans(text):
        assert text[start:end] == tok
    assert tokenize("وقال بوتين.")[-1] == "."


def test_import_does_not_load_models() -> None:
    code = (
        "import sys, claims.text.arabic\n"
        "bad = [m for m in sys.modules if m.startswith(('camel_tools.morphology', "
        "'camel_tools.ner', 'torch'))]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
