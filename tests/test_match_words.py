"""Rare-word candidates beside the LSH bands: terms, the document-frequency cap, ranking."""

from __future__ import annotations

from claims.text.match_analysis import claim_signature
from claims.text.match_index import MatchIndex
from claims.text.match_words import (
    DF_CAP,
    MAX_TERMS,
    WordIndex,
    claim_terms,
    query_terms,
    rank,
)
from claims.text.minhash import band_hashes

STORED = "أردوغان: القوات التركية قد تدخل عفرين السورية في أي لحظة"
REWORDED = "أعلنت تركيا عن عزمها للتحرك نحو عفرين في أي وقت"


def test_query_terms_are_stripped_content_words_longest_first() -> None:
    terms = query_terms("وبالدولار في سوق الذهب")
    assert "دولار" in terms and "ذهب" in terms
    assert "في" not in terms  # function words carry no topic
    assert terms == sorted(terms, key=lambda t: (-len(t), t))
    assert len(query_terms(" ".join(f"كلمة{i}" for i in range(40)))) <= MAX_TERMS


def test_every_query_term_is_a_word_of_the_stored_full_text_key() -> None:
    # A query word finds the claim whatever clitics either side wrote it with.
    for query, stored in (("الروسية", "والروسية"), ("روسية", "بالروسية"), ("لبنان", "ولبنان")):
        assert set(query_terms(query)) <= claim_terms(stored), (query, stored)


def test_rank_skips_terms_over_the_cap_and_weighs_rare_ones() -> None:
    common = list(range(1000, 1000 + DF_CAP + 1))  # more than DF_CAP: only known to be common
    postings = {"نادر": [7, 8], "اقل": [8, 9, 10], "شائع": common}
    found = rank(postings)
    assert found[0] == 8  # shares both rare terms
    assert set(found) == {7, 8, 9, 10}
    assert rank({"شائع": common}) == []
    assert rank({}) == []


def test_word_index_keeps_bounded_postings() -> None:
    index = WordIndex()
    for i in range(DF_CAP + 50):
        index.add(i, f"خبر عادي رقم {i}")
    index.add(9999, STORED)
    assert all(len(ids) <= DF_CAP + 1 for ids in index._postings.values())
    assert index.candidates(REWORDED)[:1] == [9999]


def test_match_index_finds_a_rewording_that_shares_no_band() -> None:
    # Guard: the two texts collide in no LSH band, so only the word branch can find the pair.
    assert not set(band_hashes(claim_signature(STORED))) & set(
        band_hashes(claim_signature(REWORDED)))
    index = MatchIndex()
    index.add(1, STORED)
    for i, text in enumerate(["ارتفاع أسعار النفط في الأسواق العالمية",
                              "القوات السورية تتقدم في ريف حلب",
                              "تركيا ترفع أسعار الفائدة لوقف انهيار الليرة"], start=2):
        index.add(i, text)
    assert 1 in [c.claim_id for c in index.candidates(REWORDED)]
