"""The app's rare-word candidate branch (full-text index) beside the LSH bands in SQL."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from claims.db import session_scope
from claims.models import User
from claims.services import claims as service
from claims.services import word_candidates as words
from claims.services import workbench_links as links
from claims.text import match_words
from claims.text.match_analysis import claim_signature
from claims.text.match_words import WORD_CANDIDATES as LIMIT
from claims.text.match_words import WordIndex
from claims.text.minhash import band_hashes

STORED = "أردوغان: القوات التركية قد تدخل عفرين السورية في أي لحظة"
REWORDED = "الجيش التركي قد يدخل عفرين السورية في أي وقت"
OTHERS = [
    "ارتفاع أسعار النفط في الأسواق العالمية",
    "القوات السورية تتقدم في ريف حلب",
    "تركيا ترفع أسعار الفائدة لوقف انهيار الليرة",
    "الأمم المتحدة تحذر من كارثة إنسانية في عفرين",
    "أسعار الذهب تتراجع مع صعود الدولار",
]


def _add(app: Flask, source: int, texts: list[str]) -> list[int]:
    with app.app_context(), session_scope(app) as session:
        editor = session.scalars(select(User).where(User.username == "editor")).one()
        ids = [service.create_claim(session, editor, {
            "text": t, "source_id": str(source), "status": "unstarted"}).id for t in texts]
        session.commit()
    return ids


def test_rewording_without_a_shared_band_is_found_through_full_text(
        app: Flask, seeded: dict[str, int]) -> None:
    assert not set(band_hashes(claim_signature(STORED))) & set(
        band_hashes(claim_signature(REWORDED)))
    stored_id, *_ = _add(app, seeded["source"], [STORED, *OTHERS])
    with app.app_context(), session_scope(app) as session:
        assert stored_id in words.word_candidates(session, REWORDED, LIMIT)
        assert stored_id not in words.word_candidates(session, REWORDED, LIMIT,
                                                      exclude_id=stored_id)
        found = {r.claim.id: r for r in links.candidates_for_text(session, REWORDED)}
        assert found[stored_id].relation == "same"


def test_sql_branch_ranks_as_the_in_memory_index(
        app: Flask, seeded: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    # A tiny cap, so the SQL reads also stop at DF_CAP + 1 postings for a common word.
    monkeypatch.setattr(match_words, "DF_CAP", 2)
    monkeypatch.setattr(words, "DF_CAP", 2)
    texts = [STORED, *OTHERS, "عفرين تحت القصف", "أسعار القمح في عفرين"]
    ids = _add(app, seeded["source"], texts)
    memory = WordIndex()
    for claim_id, text in zip(ids, texts, strict=True):
        memory.add(claim_id, text)
    with app.app_context(), session_scope(app) as session:
        for query in (REWORDED, "أسعار النفط والذهب", "حلب وعفرين", "لا شيء مشترك هنا"):
            assert words.word_candidates(session, query, LIMIT) == memory.candidates(
                query, LIMIT), query
