"""Search at scale: bounded newest-first pages, exact-or-estimated counts, filters together."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench import corpus
from claims.db import get_engine, session_scope
from claims.models import Claim, Entity
from claims.services.search import COUNT_SAMPLE, ClaimFilters, filtered_query, search_claims
from tests.conftest import login_as

CLAIMS = 3000


def _reference(session: Session, filters: ClaimFilters) -> list[int]:
    """Every matching id, newest first, the slow way (the unbounded CSV-export query)."""
    stmt, _ = filtered_query(session, filters)
    rows = stmt.subquery()
    return list(session.scalars(select(rows.c.id).order_by(rows.c.id.desc())))


def _check(session: Session, filters: ClaimFilters, page_size: int = 20) -> None:
    expected = _reference(session, filters)
    result = search_claims(session, filters, page_size)
    start = (result.page - 1) * page_size
    assert [c.id for c in result.claims] == expected[start:start + page_size], filters
    if len(expected) < COUNT_SAMPLE:
        assert result.exact and result.total == len(expected), filters
    else:
        assert not result.exact, filters
        assert 0.7 * len(expected) <= result.total <= 1.3 * len(expected), (filters, result.total)


def test_pages_and_counts_match_the_unbounded_query(app: Flask) -> None:
    corpus.light_load(get_engine(app), CLAIMS)
    with app.app_context(), session_scope(app) as session:
        putin = session.scalar(select(Entity.id).where(Entity.key == "bench:p0"))
        cases = [
            ClaimFilters(q="الحكومة"), ClaimFilters(q="بوتين"), ClaimFilters(q="Putin"),
            ClaimFilters(q="وبوتين", page=3), ClaimFilters(q="الحكومة الأسعار"),
            ClaimFilters(q="في", status="false"), ClaimFilters(q="الحكومة", tag="صحة"),
            ClaimFilters(q="الحكومة", entity=putin), ClaimFilters(entity=putin, page=2),
            ClaimFilters(status="true", speaker=putin), ClaimFilters(),
            ClaimFilters(status="mixed", page=4), ClaimFilters(q="بوتين", demonyms=False),
            ClaimFilters(q="لا-يوجد-شيء"), ClaimFilters(q="بوتين الحكومة"),
            ClaimFilters(q="بوتين xyzzy"), ClaimFilters(q="الحكومة وبوتين", status="false"),
            # the cursor: pages and estimates of the claims older than it
            ClaimFilters(before=1500), ClaimFilters(q="في", before=2000),
            ClaimFilters(q="بوتين", before=1200), ClaimFilters(entity=putin, before=2500),
            ClaimFilters(q="الحكومة -بوتين", before=2200), ClaimFilters(q="في", before=90),
        ]
        for filters in cases:
            _check(session, filters)
        # A page past the end shows the last page.
        last = search_claims(session, ClaimFilters(q="الحكومة الأسعار", page=999), 20)
        assert last.claims and last.page == last.pages


def test_list_and_api_say_when_a_count_is_estimated(app: Flask, client) -> None:
    corpus.light_load(get_engine(app), 4000)  # "في" is in about 16% of them
    login_as(client, app, "viewer")
    page = client.get("/claims", query_string={"q": "في"}).get_data(as_text=True)
    count = page[page.index('id="result-count"'):][:80]
    assert "نحو" in count  # "about N claims"
    body = client.get("/api/v1/search", query_string={"q": "في"}).json
    assert body["total_exact"] is False and body["total"] >= COUNT_SAMPLE
    rare = client.get("/api/v1/search", query_string={"q": "الحكومة الأسعار"}).json
    with app.app_context(), session_scope(app) as session:
        expected = _reference(session, ClaimFilters(q="الحكومة الأسعار"))
        assert session.get(Claim, expected[0]) is not None
    assert rare["total_exact"] is (len(expected) < COUNT_SAMPLE)


def test_a_query_with_no_searchable_word_finds_nothing(app: Flask, seeded) -> None:
    with app.app_context(), session_scope(app) as session:
        for q in ("\u0083\u0080", "\u064b\u0640", "!!"):
            result = search_claims(session, ClaimFilters(q=q))
            assert (result.claims, result.total, result.pages) == ([], 0, 1), q


def test_an_entity_query_narrowed_by_another_entity(app: Flask, seeded, client) -> None:
    login_as(client, app, "editor")
    for text in ("قال بوتين إن علييف اعتذر", "قال بوتين إن 38 شخصاً قتلوا"):
        assert client.post("/claims/new", data={"text": text, "source_id": seeded["source"],
                                                "status": "unstarted"}).status_code == 302
    with app.app_context(), session_scope(app) as session:
        both = search_claims(session, ClaimFilters(q="بوتين", entity=seeded["aliyev"]))
        assert [c.text for c in both.claims] == ["قال بوتين إن علييف اعتذر"]


def test_other_words_and_names_narrow_an_entity_query(app: Flask, seeded, client) -> None:
    login_as(client, app, "editor")
    texts = ("قال بوتين إن علييف اعتذر عن الحادث", "قال بوتين إن 38 شخصاً قتلوا",
             "قال علييف إن الطائرة أسقطت فوق غروزني", "أكد مسؤول أن عاماً مضى على الحادث")
    for text in texts:
        assert client.post("/claims/new", data={"text": text, "source_id": seeded["source"],
                                                "status": "unstarted"}).status_code == 302
    expected = {
        "بوتين": {texts[0], texts[1]},
        "بوتين xyzzy": set(),  # a word no claim has is not dropped for the name's sake
        "بوتين قتلوا": {texts[1]},
        "وبوتين علييف": {texts[0]},  # two names: claims naming both
        "علييف في": {texts[0], texts[2]},  # function words ask nothing more
        "شخص": {texts[1]},  # the bare word finds its accusative (شخصاً)
        "عام": {texts[3]},
    }
    with app.app_context(), session_scope(app) as session:
        for q, want in expected.items():
            found = search_claims(session, ClaimFilters(q=q))
            assert {c.text for c in found.claims} == want, q
            assert {c.text for c in session.scalars(filtered_query(session, ClaimFilters(
                q=q))[0])} == want, q  # the export's unbounded query agrees


def test_text_search_reaches_regular_inflections(app: Flask, seeded, client) -> None:
    login_as(client, app, "editor")
    texts = ("مضيفًا أن صاروخين انفجرا على بعد 10 أمتار فقط من طائرة الركاب",
             "حاولت الطائرة الهبوط في غرب كازاخستان حيث تحطمت وقتلت 38 شخصا",
             "أجريت الانتخابات في موعدها", "وقع الحادث في ديسمبر/كانون الأول")
    for text in texts:
        assert client.post("/claims/new", data={"text": text, "source_id": seeded["source"],
                                                "status": "unstarted"}).status_code == 302
    expected = {
        "صاروخ": {texts[0]},  # the dual صاروخين
        "الصاروخان": {texts[0]},
        "تحطم": {texts[1]},  # the feminine past تحطمت
        "انتخاب": {texts[2]},
        "كانوا": set(),  # a function word is not widened to the month كانون
    }
    with app.app_context(), session_scope(app) as session:
        for q, want in expected.items():
            found = search_claims(session, ClaimFilters(q=q))
            assert {c.text for c in found.claims} == want, q


def test_a_claim_is_found_by_its_editorial_restatement(app: Flask, seeded, client) -> None:
    from claims.db import begin_write
    from claims.services import linker

    login_as(client, app, "editor")
    assert client.post("/claims/new", data={
        "text": "قال بوتين إن الدفاع الجوي الروسي مسؤول عن إسقاط الطائرة",
        "restatement": "Putin admits Russian air defence downed the airliner",
        "source_id": seeded["source"], "status": "unstarted"}).status_code == 302

    def found(q: str) -> int:
        with app.app_context(), session_scope(app) as session:
            return search_claims(session, ClaimFilters(q=q)).total

    assert found("airliner") == 1 and found("الدفاع الجوي") == 1
    with app.app_context(), session_scope(app) as session:
        claim = session.scalars(select(Claim)).one()
        claim_id, version = claim.id, claim.version
    assert client.post(f"/claims/{claim_id}/edit", data={
        "text": "قال بوتين إن الدفاع الجوي الروسي مسؤول عن إسقاط الطائرة",
        "restatement": "بوتين يقر بمسؤولية روسيا عن إسقاط الطائرة الأذربيجانية",
        "source_id": seeded["source"], "version": version}).status_code == 302
    assert found("airliner") == 0 and found("يقر") == 1  # the edit re-keys the restatement
    with app.app_context(), session_scope(app) as session:
        before = session.get(Claim, claim_id).text_key
        begin_write(session)
        linker.relink_claims(session, [claim_id], keys=True)  # `claims relink` keeps it too
        session.commit()
        assert session.get(Claim, claim_id).text_key == before
