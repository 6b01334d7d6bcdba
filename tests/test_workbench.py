"""Workbench pages: ingest form, ranked sentences, one-click claims, matching and conflicts."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from claims.db import session_scope
from claims.models import Claim, ClaimLink, SourceDocument
from claims.services import workbench as workbench_service
from tests.conftest import login_as, make_app, shared_path

ROOT = Path(__file__).resolve().parent.parent
DEMO_TEXT = ROOT / "claims" / "demo" / "article-ar.txt"
HTML_PAGE = ROOT / "tests" / "data" / "article-ar.html"
CRASH = ("الطائرة إمبراير 190 أصيبت بطريق الخطأ بنيران روسية، ثم حاولت الهبوط في غرب كازاخستان، "
         "حيث تحطمت وقتلت 38 من أصل 67 شخصا كانوا على متنها")


def _ingest(client: FlaskClient, **data) -> int:
    response = client.post("/workbench/ingest", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    match = re.fullmatch(r"/workbench/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def _count(app: Flask, model) -> int:
    with app.app_context(), session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_ingest_page_and_errors_next_to_fields(app: Flask, editor_client: FlaskClient) -> None:
    page = editor_client.get("/workbench/ingest").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'id="nav-workbench"' in page
    response = editor_client.post("/workbench/ingest", data={
        "text": "", "url": "ftp:/nope", "title": "عنوان يبقى كما كتب"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="text-error"' in html and 'id="url-error"' in html
    assert "عنوان يبقى كما كتب" in html and "ftp:/nope" in html and "Traceback" not in html
    bad_file = editor_client.post("/workbench/ingest", data={
        "file": (io.BytesIO(b"%PDF"), "report.pdf")}, content_type="multipart/form-data")
    assert bad_file.status_code == 422 and 'id="file-error"' in bad_file.get_data(as_text=True)
    assert _count(app, SourceDocument) == 0


def test_upload_over_the_character_limit_is_refused_next_to_the_file_field(
        app: Flask, editor_client: FlaskClient) -> None:
    app.config["INGEST_MAX_CHARS"] = 1000
    body = ("قال بوتين إن 38 شخصاً قتلوا. " * 40).encode()  # 1,160 characters
    for lang, message in (("ar", "أطول من المسموح (أقصى عدد للأحرف: 1000)"),
                          ("en", "longer than the limit (1000 characters)")):
        with editor_client.session_transaction() as sess:
            sess["lang"] = lang
        response = editor_client.post("/workbench/ingest", data={
            "file": (io.BytesIO(body), "long.txt"), "title": "عنوان يبقى كما كتب",
            "url": "https://news.example/long"}, content_type="multipart/form-data")
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        error = html[html.index('id="file-error"'):][:300]
        assert message in error
        assert "عنوان يبقى كما كتب" in html and "https://news.example/long" in html
    assert _count(app, SourceDocument) == 0


def test_seed_article_from_shared_opens_its_workbench(editor_client: FlaskClient,
                                                      seeded) -> None:
    raw = shared_path("seed", "article-ar.txt").read_text(encoding="utf-8")
    source_id = _ingest(editor_client, text=raw)
    page = editor_client.get(f"/workbench/{source_id}").get_data(as_text=True)
    assert "Exit mobile version" not in page and "شاركها" not in page
    assert 'id="wb-place">موسكو<' in page and 'id="wb-agency">أ ف ب<' in page
    assert ">AFP<" in page


def test_ingest_text_then_html_then_again_opens_one_document(app: Flask,
                                                             editor_client: FlaskClient,
                                                             seeded) -> None:
    text_id = _ingest(editor_client, text=DEMO_TEXT.read_text(encoding="utf-8"))
    response = editor_client.post("/workbench/ingest", data={
        "file": (io.BytesIO(HTML_PAGE.read_bytes()), "article-ar.html")},
        content_type="multipart/form-data", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.request.path == f"/workbench/{text_id}"
    assert "flash-info" in html  # "already here; the stored copy was opened"
    assert "الرابط، الكاتب، تاريخ النشر." in html  # and what the page added to it
    assert 'id="wb-author">سارة المنصوري<' in html
    assert _count(app, SourceDocument) == 2  # the seeded fixture's document and the article
    # A new page of the same site is a separate article; its metadata comes from the page.
    other = HTML_PAGE.read_text(encoding="utf-8").replace(
        "putin-azerbaijan-plane", "other-story").replace("حكم بوتين", "حكم الرئيس")
    response = editor_client.post("/workbench/ingest", data={
        "file": (io.BytesIO(other.encode("utf-8")), "other.html")},
        content_type="multipart/form-data")
    other_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    assert other_id != text_id
    page = editor_client.get(f"/workbench/{other_id}").get_data(as_text=True)
    assert 'id="wb-author">سارة المنصوري<' in page and "أخبار الشرق" in page
    assert "https://akhbar-alsharq.example/2025/10/09/other-story/" in page
    assert "<time dir=\"ltr\" datetime=\"2025-10-09\">" in page


def test_workbench_ranks_highlights_and_makes_a_claim_in_one_click(app: Flask,
                                                                   editor_client: FlaskClient,
                                                                   seeded) -> None:
    source_id = _ingest(editor_client, text=DEMO_TEXT.read_text(encoding="utf-8"))
    page = editor_client.get(f"/workbench/{source_id}").get_data(as_text=True)
    ranked = page[page.index('id="ranked"'):page.index('class="wb-rest"')]
    assert ranked.count('class="wb-sentence wb-top') == 9  # the top third of 27 sentences
    # A news article is analysed and shown whole: every sentence, no pages.
    assert page.count('<article class="wb-sentence') == 27 and 'id="wb-pager"' not in page
    for reason in ("رقم", "إسناد", "كيان", "إحصاء", "مقارنة"):
        assert f">{reason}</span>" in ranked
    assert "صاروخين انفجرا على بعد 10 أمتار" in ranked and "وأدرج تعداد عام 2021" in ranked
    assert 'src="/static/workbench.js"' in page and "<script>" not in page
    # The one-click "open in form" link carries text, span, speaker and source.
    with app.app_context(), session_scope(app) as session:
        stored = session.get(SourceDocument, source_id)
        text = stored.text
        stored.published_date = dt.date(2025, 10, 9)  # claims made from it take its date
        session.commit()
    page = editor_client.get(f"/workbench/{source_id}").get_data(as_text=True)
    start = text.index("الصواريخ التي أطلقتها")
    links = re.findall(r'href="(/claims/new\?[^"]+)"', page)
    prefill = next(link for link in links if f"span_start={start}&" in link)
    form = editor_client.get(prefill.replace("&amp;", "&")).get_data(as_text=True)
    assert 'value="فلاديمير بوتين"' in form and "الصواريخ التي أطلقتها" in form
    assert f'name="span_start" value="{start}"' in form
    assert 'name="claim_date" dir="ltr" placeholder="YYYY-MM-DD" value="2025-10-09"' in form
    assert f'<option value="{source_id}" selected' in form
    # The one-click POST creates the claim with its span and speaker.
    sentence = next(v for v in re.findall(r'<form method="post" action="/workbench/\d+/claims"'
                                          r' class="inline">(.*?)</form>', page, re.S)
                    if f'name="span_start" value="{start}"' in v)
    end = int(re.search(r'name="span_end" value="(\d+)"', sentence).group(1))
    speaker = re.search(r'name="speaker"[^>]* value="([^"]*)"', sentence).group(1)
    assert speaker == "فلاديمير بوتين"
    response = editor_client.post(f"/workbench/{source_id}/claims", data={
        "span_start": start, "span_end": end, "speaker": speaker})
    assert response.status_code == 302
    claim_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    with app.app_context(), session_scope(app) as session:
        claim = session.get(Claim, claim_id)
        assert claim.speaker_id == seeded["putin"] and claim.source_id == source_id
        assert (claim.span_start, claim.span_end) == (start, end)
        assert claim.claim_date == dt.date(2025, 10, 9)
        assert claim.text == text[start:end] and claim.text.startswith("الصواريخ التي")
    again = editor_client.get(f"/workbench/{source_id}").get_data(as_text=True)
    assert f'<a href="/claims/{claim_id}" class="wb-claim-link">' in again
    assert f'<a class="claim-mark status-unstarted" href="/claims/{claim_id}"' in again


def test_selected_part_of_a_sentence_becomes_a_claim(app: Flask, editor_client: FlaskClient,
                                                     seeded) -> None:
    source_id = _ingest(editor_client, text=DEMO_TEXT.read_text(encoding="utf-8"))
    with app.app_context(), session_scope(app) as session:
        text = session.get(SourceDocument, source_id).text
    part = "صاروخين انفجرا على بعد 10 أمتار فقط من طائرة الركاب"
    start = text.index(part)
    # A browser offset that slipped by two characters is re-anchored on the selected text.
    response = editor_client.post(f"/workbench/{source_id}/claims", data={
        "span_start": start + 2, "span_end": start + 2 + len(part), "selected": part,
        "speaker": "بوتين"})
    assert response.status_code == 302
    with app.app_context(), session_scope(app) as session:
        claim = session.scalars(select(Claim)).one()
        assert claim.text == part and claim.span_start == start
        assert claim.speaker_id == seeded["putin"] and claim.claim_type == "quantity"
    bad = editor_client.post(f"/workbench/{source_id}/claims",
                             data={"span_start": "5", "span_end": "999999"})
    assert bad.status_code == 303 and _count(app, Claim) == 1


def test_new_claim_form_accepts_speaker_and_has_the_matching_panel(editor_client, seeded) -> None:
    html = editor_client.get("/claims/new", query_string={
        "speaker": "بوتين", "text": "نص", "source": seeded["source"]}).get_data(as_text=True)
    assert 'id="speaker" name="speaker" dir="auto" value="بوتين"' in html
    assert 'id="match-panel"' in html and 'src="/static/claim-match.js"' in html


def _claim(client: FlaskClient, source_id: int, text: str, **extra) -> int:
    data = {"text": text, "source_id": source_id, "status": "unstarted"} | extra
    response = client.post("/claims/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def test_matching_endpoint_ignores_an_exclude_that_is_no_claim_id(editor_client: FlaskClient,
                                                                  seeded) -> None:
    demo = _claim(editor_client, seeded["source"], CRASH)
    # "²" passes str.isdigit() but not int(); the other is past every database's integer.
    for exclude in ("²", "9" * 30, "-1", "abc"):
        found = editor_client.get("/workbench/match",
                                  query_string={"text": CRASH, "exclude": exclude})
        assert found.status_code == 200, (exclude, found.status_code)
        assert demo in [c["id"] for c in found.json["candidates"]]
    found = editor_client.get("/workbench/match", query_string={"text": CRASH, "exclude": demo})
    assert demo not in [c["id"] for c in found.json["candidates"]]


def test_matching_endpoint_conflicts_side_by_side_and_decisions(app: Flask,
                                                                editor_client: FlaskClient,
                                                                seeded) -> None:
    source = seeded["source"]
    demo = _claim(editor_client, source, CRASH)
    editor_client.post(f"/claims/{demo}/status", data={"status": "true", "version": "1"})
    rival = _claim(editor_client, source, "قتل 39 من أصل 67 شخصا كانوا على متن الطائرة إمبراير 190")
    found = editor_client.get("/workbench/match", query_string={"text": "قتل 39 من أصل 67 شخصا "
                                                                "كانوا على متن الطائرة إمبراير 190",
                                                                "exclude": rival}).json
    by_id = {c["id"]: c for c in found["candidates"]}
    assert by_id[demo]["relation"] == "conflict" and by_id[demo]["score"] > 0
    assert by_id[demo]["status"] == "true" and by_id[demo]["url"] == f"/claims/{demo}"
    assert editor_client.get("/workbench/match?text=x").json == {"candidates": []}
    for one, other in ((rival, demo), (demo, rival)):
        page = editor_client.get(f"/claims/{one}?matches=1").get_data(as_text=True)
        assert f'id="conflict-{other}"' in page
        assert "39≠38" in page or "38≠39" in page
    assert editor_client.post(f"/workbench/claims/{rival}/links", data={
        "other_id": demo, "relation": "conflict"}).status_code == 302
    page = editor_client.get(f"/claims/{demo}").get_data(as_text=True)
    assert f'id="conflict-{rival}"' in page and "مؤكد" in page
    # The same claim again: confirmed as a duplicate, it shows the canonical claim's verdict.
    copy = _claim(editor_client, source, CRASH)
    page = editor_client.get(f"/claims/{copy}?matches=1").get_data(as_text=True)
    assert f'id="candidate-{demo}"' in page
    assert editor_client.post(f"/workbench/claims/{copy}/links", data={
        "other_id": demo, "relation": "duplicate"}).status_code == 302
    page = editor_client.get(f"/claims/{copy}").get_data(as_text=True)
    canonical = page[page.index('id="canonical"'):]
    assert f"#{demo}" in canonical[:400] and 'class="badge status-true"' in canonical[:400]
    with app.app_context(), session_scope(app) as session:
        assert session.get(Claim, copy).duplicate_of_id == demo
    # Dismissing a suggestion hides it from both pages.
    fourth = _claim(editor_client, source, CRASH.replace("غرب كازاخستان", "كازاخستان"))
    assert f'id="candidate-{demo}"' in editor_client.get(f"/claims/{fourth}?matches=1").get_data(
        as_text=True)
    editor_client.post(f"/workbench/claims/{fourth}/links",
                       data={"other_id": demo, "relation": "dismissed"})
    for one, other in ((fourth, demo), (demo, fourth)):
        page = editor_client.get(f"/claims/{one}?matches=1").get_data(as_text=True)
        assert f'id="candidate-{other}"' not in page
    bad = editor_client.post(f"/workbench/claims/{fourth}/links",
                             data={"other_id": fourth, "relation": "duplicate"})
    assert bad.status_code == 303
    with app.app_context(), session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(ClaimLink)) == 3


@pytest.mark.parametrize("path", ["/workbench/ingest", "/workbench/1/claims",
                                  "/workbench/claims/1/links"])
def test_workbench_posts_need_csrf(database_url, _schema, seeded, path: str) -> None:
    app = make_app(database_url, wtf_csrf_enabled=True)
    client = app.test_client()
    login_as(client, app, "editor")
    assert client.post(path, data={"text": "قال بوتين إن 38 شخصاً قتلوا."}).status_code == 400


def test_viewers_read_the_workbench_but_cannot_change_anything(app: Flask, client: FlaskClient,
                                                               seeded) -> None:
    login_as(client, app, "viewer")
    page = client.get(f"/workbench/{seeded['source']}")
    assert page.status_code == 200 and "wb-make" not in page.get_data(as_text=True)
    assert client.get("/workbench/ingest").status_code == 403
    assert client.get("/workbench/match?text=abc").status_code == 403
    assert client.post(f"/workbench/{seeded['source']}/claims", data={}).status_code == 403
    assert client.post("/workbench/ingest", data={"text": "x"}).status_code == 403



def _long_article(copies: int) -> str:
    """The demo article ``copies`` times over, its numbers changed in each copy."""
    text = DEMO_TEXT.read_text(encoding="utf-8").strip()
    return "\n\n".join(re.sub(r"\d+", lambda m, n=n: str(int(m.group()) + n), text)
                        for n in range(copies))


def test_long_article_is_analysed_one_page_of_ranked_sentences_at_a_time(
        app: Flask, editor_client: FlaskClient, seeded, monkeypatch) -> None:
    source_id = _ingest(editor_client, text=_long_article(5))  # 5 × 27 = 135 sentences
    matched: list[str] = []
    real = workbench_service.similar_claims

    def counting(session, text: str, **kwargs):
        matched.append(text)
        return real(session, text, **kwargs)

    monkeypatch.setattr(workbench_service, "similar_claims", counting)
    size = workbench_service.PAGE_SIZE
    assert size == 100
    first = editor_client.get(f"/workbench/{source_id}").get_data(as_text=True)
    assert first.count('<article class="wb-sentence') == size and len(matched) == size
    assert first.count('class="wb-rank"') == size and '>100</span>' in first
    assert first.count('class="wb-sent') - first.count('class="wb-sentence') == 135  # article
    assert 'id="wb-prev"' not in first
    next_url = re.search(r'<a class="btn" rel="next" id="wb-next" href="([^"]+)"', first)
    assert next_url and next_url.group(1) == f"/workbench/{source_id}?page=2#ranked"
    second = editor_client.get(next_url.group(1)).get_data(as_text=True)
    assert second.count('<article class="wb-sentence') == 35 and len(matched) == size + 35
    assert '>101</span>' in second and '>135</span>' in second and '>100</span>' not in second
    assert 'id="wb-next"' not in second and 'id="wb-prev"' in second
    assert "<details class=\"wb-rest\" open>" in second  # ranks 101-135 are below the top third
    # A malformed page number is the first page; one past the end, the last.
    def ranked(query: str) -> str:
        html = editor_client.get(f"/workbench/{source_id}{query}").get_data(as_text=True)
        section = html[html.index('id="ranked"'):html.index('id="article"')]
        # CSRF tokens carry a time; one-time form ids are fresh with every page.
        return re.sub(r'name="(csrf_token|submission)" value="[^"]*"', "", section)

    assert ranked("?page=abc") == ranked("") and ranked("?page=-3") == ranked("?page=1")
    assert ranked("?page=99") == ranked("?page=2")
    assert len(matched) == size + 35  # pages seen before are not matched again
