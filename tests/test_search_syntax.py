"""Search syntax: "quoted phrases" (consecutive words, each in its forms) and -exclusions."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from claims.db import session_scope
from claims.services.search import (
    ClaimFilters,
    _branches,
    _hits,
    filtered_query,
    matched_entities,
    search_claims,
)
from claims.services.search_syntax import MAX_EXCLUDED, MAX_PHRASES, parse_query
from tests.conftest import login_as

TEXTS = (
    "وقال بوتين إن صاروخين انفجرا على بعد 10 أمتار من الطائرة",  # 0
    "قال الرئيس الروسي بوتين إن الطائرة تحطمت",  # 1: قال … بوتين, not consecutive
    "بوتين قال إن أوكرانيا أطلقت صاروخين انفجرا قرب غروزني",  # 2: بوتين قال, reversed
    "أكد مسؤول أن صاروخين انفجرا فوق غروزني",  # 3: no بوتين
    "Putin: صاروخين انفجرا فوق البحر",  # 4: Putin only by his English alias
    "Putin: صاروخين انفجرا فوق أوكرانيا",  # 5: the same, and أوكرانيا
    "قال، بوتين، إن الانفجار وقع ليلا",  # 6: punctuation between قال and بوتين
    "انفجرا صاروخين في تجربة",  # 7: the phrase's words in the other order
    "قال الرئيس إن الطائرة أسقطت",  # 8: الرئيس and الطائرة one word apart
)


@pytest.fixture
def claims_in(app: Flask, seeded: dict[str, int], client: FlaskClient) -> FlaskClient:
    """The claims of TEXTS, linked to the seeded entities, and an editor's client."""
    login_as(client, app, "editor")
    for text in TEXTS:
        assert client.post("/claims/new", data={"text": text, "source_id": seeded["source"],
                                                "status": "unstarted"}).status_code == 302
    return client


def _found(session: Session, q: str) -> set[int]:
    """Indexes into TEXTS of the claims a search finds (search and export must agree)."""
    paged = {TEXTS.index(c.text) for c in search_claims(session, ClaimFilters(q=q)).claims}
    exported = {TEXTS.index(c.text)
                for c in session.scalars(filtered_query(session, ClaimFilters(q=q))[0])}
    assert paged == exported, q
    return paged


def test_a_quote_finds_its_words_consecutive_and_in_order(app: Flask, claims_in) -> None:
    expected = {
        # وقال holds قال; punctuation is no gap (the key holds no punctuation)
        '"قال بوتين"': {0, 6},
        "«قال بوتين»": {0, 6},
        "“قال بوتين”": {0, 6},
        '"قال الرئيس"': {1, 8},
        '"صاروخين انفجرا"': {0, 2, 3, 4, 5},
        '"انفجرا صاروخين"': {7},
        '"صاروخ انفجرا"': {0, 2, 3, 4, 5},  # each word still in its forms (the dual)
        '"بوتين قال"': {2},
        '"قال الرئيس الروسي بوتين"': {1},
        '"الرئيس بوتين"': set(),
        # (PostgreSQL's <-> between ORs of unequal phrases would take this one-word gap)
        '"الرئيس الطائرة"': set(),
        '"الرئيس إن الطائرة"': {8},
        # unquoted: Putin however named (قال is a function word and asks nothing more)
        "قال بوتين": {0, 1, 2, 4, 5, 6},
    }
    with app.app_context(), session_scope(app) as session:
        for q, want in expected.items():
            assert _found(session, q) == want, q


def test_a_minus_leaves_claims_with_that_word_out(app: Flask, claims_in) -> None:
    expected = {
        "صاروخين -أوكرانيا": {0, 3, 4, 7},
        "صاروخين \u2212أوكرانيا": {0, 3, 4, 7},
        "صاروخين -الطائرة": {2, 3, 4, 5, 7},
        "الرئيس -طائرات": set(),  # any form: الطائرة is طائرة with the article
        "صاروخين -طائرات": {2, 3, 4, 5, 7},  # a plural is a form of the same word
        'انفجرا -"قال بوتين"': {2, 3, 4, 5, 7},  # a phrase can be left out too
        # a name leaves out the claims naming its entity, however written (Putin), as the
        # name alone finds them; quoted, it is the word only
        "صاروخين -بوتين": {3, 7},
        "صاروخين -لبوتين": {3, 7},
        "صاروخين -Putin": {3, 7},
        'صاروخين -"بوتين"': {3, 4, 5, 7},
        "لا-يوجد-شيء": set(),  # a hyphen inside a word is no exclusion
    }
    with app.app_context(), session_scope(app) as session:
        for q, want in expected.items():
            assert _found(session, q) == want, q


def test_an_english_possessive_asks_for_no_word_s(app: Flask, claims_in) -> None:
    # "Putin's" (pasted from an English report) names Putin; its 's is no word to look for.
    with app.app_context(), session_scope(app) as session:
        for q in ("Putin's", "PUTIN’S"):
            assert _found(session, q) == {0, 1, 2, 4, 5, 6}, q
        assert _found(session, "Putin's أوكرانيا") == {2, 5}


def test_a_name_and_a_word_find_the_name_however_written(app: Flask, claims_in) -> None:
    # The word narrows the claims naming Putin in any spelling, not those spelling him as
    # the query does (SQLite bound the whole query's match to the narrowing word's too).
    with app.app_context(), session_scope(app) as session:
        for q in ("بوتين أوكرانيا", "Putin أوكرانيا", "لبوتين أوكرانيا"):
            assert _found(session, q) == {2, 5}, q


def test_a_phrase_does_not_run_from_the_text_into_the_restatement(
        app: Flask, seeded: dict[str, int], client: FlaskClient) -> None:
    """The text's last word and the restatement's first are not neighbours in any sentence."""
    login_as(client, app, "editor")
    assert client.post("/claims/new", data={
        "text": "قال المتحدث إن الطائرة أسقطت", "restatement": "صاروخان انفجرا قرب الطائرة",
        "source_id": seeded["source"], "status": "unstarted"}).status_code == 302
    with app.app_context(), session_scope(app) as session:
        def found(q: str) -> int:
            return len(search_claims(session, ClaimFilters(q=q)).claims)

        assert found('"الطائرة أسقطت"') == 1  # inside the text
        assert found('"صاروخان انفجرا"') == 1  # inside the restatement
        assert found('"أسقطت صاروخان"') == 0  # across the two
        assert found('انفجرا -"أسقطت صاروخان"') == 1


def test_an_excluded_name_leaves_out_what_its_entity_said(
        app: Flask, seeded: dict[str, int], client: FlaskClient) -> None:
    login_as(client, app, "editor")
    for speaker in ("بوتين", "علييف", ""):
        assert client.post("/claims/new", data={
            "text": "انفجر صاروخان فوق البحر", "speaker": speaker,
            "source_id": seeded["source"], "status": "unstarted"}).status_code == 302
    with app.app_context(), session_scope(app) as session:
        said = [c.speaker.name_ar if c.speaker else None
                for c in search_claims(session, ClaimFilters(q="صاروخان -لبوتين")).claims]
    assert sorted(said, key=str) == sorted(["إلهام علييف", None], key=str)


def test_quotes_and_exclusions_apply_to_every_entity_branch(app: Flask, claims_in) -> None:
    with app.app_context(), session_scope(app) as session:
        # Claims 4 and 5 name Putin only as "Putin": found through his mentions, not the text.
        assert _found(session, "بوتين") == {0, 1, 2, 4, 5, 6}
        assert _found(session, 'بوتين "صاروخين انفجرا"') == {0, 2, 4, 5}
        assert _found(session, 'بوتين "صاروخين انفجرا" -أوكرانيا') == {0, 4}
        assert _found(session, '"صاروخين انفجرا" بوتين -أوكرانيا -البحر') == {0}
        # asked again, a search runs its cached SQL text straight on the driver
        assert _found(session, 'بوتين "صاروخين انفجرا" -أوكرانيا') == {0, 4}
        result = search_claims(session, ClaimFilters(q='بوتين "صاروخين انفجرا" -أوكرانيا'))
        assert [e.name_ar for e in result.entities] == ["فلاديمير بوتين"]
        # A quoted name is words of the text, not the entity: Putin's mentions are not read.
        assert _found(session, '"بوتين"') == {0, 1, 2, 6}
        # Two phrases with a name: both must hold, on every branch.
        assert _found(session, 'بوتين "صاروخين انفجرا" "فوق البحر"') == {4}
        assert _found(session, 'بوتين "صاروخين انفجرا" «قرب غروزني»') == {2}
        assert _found(session, 'بوتين "صاروخين انفجرا" "غروزني قرب"') == set()


def test_only_exclusions_find_nothing_and_say_why(app: Flask, claims_in) -> None:
    with app.app_context(), session_scope(app) as session:
        for q in ("-أوكرانيا", "-أوكرانيا -\"قال بوتين\"", "!! -بوتين"):
            result = search_claims(session, ClaimFilters(q=q))
            assert (result.claims, result.total) == ([], 0), q
    page = claims_in.get("/claims", query_string={"q": "-أوكرانيا"}).get_data(as_text=True)
    assert "أضف كلمة تبحث عنها" in page
    body = claims_in.get("/api/v1/claims", query_string={"q": "-أوكرانيا"}).json
    assert body["total"] == 0 and body["items"] == []
    assert 'id="search-dropped"' not in page


def test_phrases_and_exclusions_past_the_limits_are_said_to_be_left_out(
        app: Flask, claims_in) -> None:
    many = "صاروخين " + " ".join(f"-ك{i}" for i in range(MAX_EXCLUDED + 2))
    assert parse_query(many).dropped == 2
    page = claims_in.get("/claims", query_string={"q": many}).get_data(as_text=True)
    assert 'id="search-dropped"' in page and "أول 6 كلمات مستبعدة" in page
    fine = claims_in.get("/claims", query_string={"q": 'صاروخين "قال بوتين" -أوكرانيا'})
    assert 'id="search-dropped"' not in fine.get_data(as_text=True)


MALFORMED = ('"قال بوتين', 'قال "بوتين" "', "-", " - ", '""', "«»", '"في من"', '"' * 200,
             '"ا" ' * 50, "-" * 200, "--بوتين", '-""', '"\u064b\u0640"', "\u2212",
             " ".join(f'"ص {i}"' for i in range(25)), " ".join(f"-ك{i}" for i in range(40)))


def test_malformed_syntax_never_fails(app: Flask, claims_in) -> None:
    for q in MALFORMED:
        assert claims_in.get("/claims", query_string={"q": q}).status_code == 200, q
        assert claims_in.get("/api/v1/search", query_string={"q": q}).status_code == 200, q
    with app.app_context(), session_scope(app) as session:
        # An unpaired quotation mark is punctuation: the words are plain words.
        assert _found(session, '"قال بوتين') == _found(session, "قال بوتين")
        assert _found(session, 'صاروخين "انفجرا') == {0, 2, 3, 4, 5, 7}
        # A quote of function words only is its words in any order (cheap, never empty).
        assert _found(session, '"إن قال"') == {0, 1, 2, 6, 8}


def test_parsing_bounds_and_edge_cases() -> None:
    assert parse_query('بوتين "صاروخين انفجرا" -أوكرانيا') == parse_query(
        "بوتين «صاروخين انفجرا» \u2212أوكرانيا")
    parsed = parse_query('بوتين "صاروخين انفجرا" -أوكرانيا')
    assert (parsed.plain, parsed.phrases, parsed.excluded) == (
        "بوتين", (("صاروخين", "انفجرا"),), (("اوكرانيا",),))
    many = parse_query(" ".join(f'"صاروخين {i}" -كلمة{i}' for i in range(40)))
    assert len(many.phrases) == MAX_PHRASES and len(many.excluded) == MAX_EXCLUDED
    for q in ("لا-يوجد-شيء", "F-16", '""', "-", '"قال بوتين', "بوتين"):
        assert parse_query(q).plain == q and not parse_query(q).has_syntax, q
    assert parse_query('"في من"').ordered == ()
    assert parse_query("-أوكرانيا").only_excludes
    assert not parse_query('"قال بوتين" -أوكرانيا').only_excludes


# The SQL a plain query (no quote, no leading minus) compiled to before this syntax existed,
# per engine: a plain search must cost exactly what it did.  When search SQL changes on
# purpose, rewrite the file with CLAIMS_UPDATE_PLAIN_SQL=1 on each engine and review its diff.
_PLAIN_SQL = Path(__file__).parent / "data" / "plain_search_sql.json"


def _compiled(session: Session, q: str) -> list[Any]:
    filters = ClaimFilters(q=q, status="false")
    entities = matched_entities(session, q, limit=10)
    dialect = session.get_bind().dialect
    out = []
    for stmt in (_hits(_branches(session, filters, entities), 200),
                 filtered_query(session, filters)[0]):
        compiled = stmt.compile(dialect=dialect)
        out.append([str(compiled), {k: repr(v) for k, v in compiled.params.items()}])
    return out


def test_plain_queries_compile_to_the_same_sql_as_before(app: Flask, seeded) -> None:
    with app.app_context(), session_scope(app) as session:
        stored = json.loads(_PLAIN_SQL.read_text())
        dialect = session.get_bind().dialect.name
        if os.environ.get("CLAIMS_UPDATE_PLAIN_SQL") == "1":
            stored[dialect] = {q: _compiled(session, q) for q in stored[dialect]}
            _PLAIN_SQL.write_text(json.dumps(stored, ensure_ascii=False, indent=1) + "\n")
        for q, sql in stored[dialect].items():
            assert _compiled(session, q) == sql, q


@given(st.sets(st.text(alphabet="بتث ", min_size=1, max_size=6), min_size=1, max_size=8),
       st.lists(st.text(alphabet="بتث ", max_size=6), max_size=10))
@settings(max_examples=300, deadline=None)
def test_a_phrase_words_alternation_matches_exactly_its_strings(strings: set[str],
                                                                others: list[str]) -> None:
    from claims.services.phrase_match import _alternation

    pattern = re.compile("(?:" + _alternation(strings) + ")")
    for candidate in [*strings, *others]:
        assert (pattern.fullmatch(candidate) is not None) == (candidate in strings), candidate
