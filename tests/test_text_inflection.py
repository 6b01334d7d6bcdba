"""Suffix inflection of query words for full-text search (dual, sound plurals, past tense)."""

from __future__ import annotations

import pytest

from claims.services.text_match import query_terms
from claims.text.arabic import normalize
from claims.text.inflection import inflected_forms


@pytest.mark.parametrize(("word", "reaches"), [
    ("صاروخ", "صاروخين"),  # dual (accusative/genitive)
    ("صاروخين", "صاروخ"),
    ("صاروخ", "صاروخان"),
    ("تحطم", "تحطمت"),  # feminine past
    ("تحطمت", "تحطم"),
    ("قتلوا", "قتل"),  # masculine plural past
    ("مواطن", "مواطنين"),
    ("انتخابات", "انتخاب"),
    ("حكومة", "حكومات"),  # taa marbuta: plural and dual
    ("حكومة", "حكومتين"),
    ("سنتين", "سنة"),
    ("حملات", "حملة"),
])
def test_regular_suffixes_are_reached_both_ways(word: str, reaches: str) -> None:
    assert normalize(reaches) in inflected_forms(normalize(word))


@pytest.mark.parametrize(("word", "not_reached"), [
    ("بوتين", "بوتان"),  # Putin is not a dual of Bhutan's stem
    ("بوتين", "بوت"),
    ("لبنان", "لبن"),  # nor Lebanon a dual of milk
    ("إيران", "إير"),
    ("بيرو", "بيروت"),  # a past-tense ت only follows a consonant
    ("كانوا", "كانون"),  # a function word's stem is not widened to the month
    ("ثلاثين", "ثلاث"),  # thirty is not a plural of three
    ("سليمان", "سليم"),  # a given name keeps its letters
    ("انتخابات", "انتخاباتان"),  # only bare words are widened
])
def test_names_and_lookalikes_are_not_cut(word: str, not_reached: str) -> None:
    assert normalize(not_reached) not in inflected_forms(normalize(word))


def test_function_words_short_words_and_latin_are_left_alone() -> None:
    for word in ("في", "كان", "عام", "من", "putin", "38"):
        assert inflected_forms(normalize(word)) == (normalize(word),)


def test_query_terms_inflect_the_bare_reading_only() -> None:
    [forms] = query_terms("وتحطمت")
    assert {"وتحطمت", "تحطمت", "تحطم", "تحطموا"} <= set(forms)
    assert "وتحطموا" not in forms  # the key of وتحطموا holds تحطموا already
    [forms] = query_terms("للحكومة")
    assert {"حكومه", "حكومات", "حكومتين"} <= set(forms)
    assert "للحكومات" not in forms
