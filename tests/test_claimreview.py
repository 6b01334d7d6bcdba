"""ClaimReview out (validated against schema.org and Google's rules) and in (real and written
documents, label mapping, Unicode normalisation, idempotency), plus a full round trip."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from claims.db import session_scope
from claims.models import Claim, Entity, ExternalReview, SourceDocument
from claims.services.claimreview import published_claims
from tests.conftest import SHARED, _clean, shared_path

SCHEMAORG = ("data", "schemaorg", "schemaorg-current-https.jsonld")
FATABYYANO = ("data", "claimreview", "fatabyyano-page.json")
# Google Search's fact-check markup: required on ClaimReview, and on its reviewRating.
GOOGLE_REQUIRED = ("claimReviewed", "reviewRating", "url", "author")
GOOGLE_RATING_REQUIRED = ("alternateName",)


@lru_cache(maxsize=1)
def _vocabulary(path: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """schema.org classes (with their superclasses) and properties (with their domains)."""
    graph = json.loads(Path(path).read_text("utf-8"))["@graph"]

    def ids(value: Any) -> set[str]:
        items = value if isinstance(value, list) else [value] if value else []
        return {i["@id"].removeprefix("schema:") for i in items}

    parents: dict[str, set[str]] = {}
    domains: dict[str, set[str]] = {}
    for node in graph:
        kinds = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
        name = node["@id"].removeprefix("schema:")
        if "rdfs:Class" in kinds:
            parents[name] = ids(node.get("rdfs:subClassOf"))
        if "rdf:Property" in kinds:
            domains[name] = ids(node.get("schema:domainIncludes"))
    return parents, domains


def _ancestors(kind: str, parents: dict[str, set[str]]) -> set[str]:
    seen, todo = {kind}, [kind]
    while todo:
        for parent in parents.get(todo.pop(), set()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def schema_problems(node: Any, path: str = "$") -> list[str]:
    """Every unknown type, unknown property, or property used on a type that does not allow it."""
    parents, domains = _vocabulary(str(shared_path(*SCHEMAORG)))
    problems: list[str] = []
    if isinstance(node, list):
        for i, item in enumerate(node):
            problems += schema_problems(item, f"{path}[{i}]")
        return problems
    if not isinstance(node, dict):
        return problems
    kind = node.get("@type")
    if kind is None:
        problems.append(f"{path}: no @type")
        return problems
    if kind not in parents:
        return [f"{path}: unknown type {kind}"]
    lineage = _ancestors(kind, parents)
    for key, value in node.items():
        if key.startswith("@"):
            continue
        if key not in domains:
            problems.append(f"{path}.{key}: unknown property")
        elif not domains[key] & lineage:
            problems.append(f"{path}.{key}: not allowed on {kind}")
        problems += schema_problems(value, f"{path}.{key}")
    return problems


def google_problems(review: dict[str, Any]) -> list[str]:
    """Google's required fact-check properties and value rules."""
    missing = [f"missing {k}" for k in GOOGLE_REQUIRED if not review.get(k)]
    rating = review.get("reviewRating") or {}
    missing += [f"missing reviewRating.{k}" for k in GOOGLE_RATING_REQUIRED if not rating.get(k)]
    if "ratingValue" in rating and not rating["worstRating"] <= rating["ratingValue"] \
            <= rating["bestRating"]:
        missing.append("ratingValue outside worstRating..bestRating")
    if not str(review.get("url", "")).startswith("http"):
        missing.append("url is not absolute")
    return missing


def _claim(client: FlaskClient, seeded: dict[str, int], text: str, status: str,
           speaker: str = "بوتين", **extra: str) -> int:
    data = {"text": text, "source_id": seeded["source"], "speaker": speaker,
            "status": "unstarted", "claim_date": "2024-12-26"} | extra
    response = client.post("/claims/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    claim_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    if status != "unstarted":
        done = client.post(f"/claims/{claim_id}/status",
                           data={"status": status, "version": "1", "note": "حكم"})
        assert done.status_code == 302
    return claim_id


@pytest.fixture
def published(app: Flask, editor_client: FlaskClient, seeded: dict[str, int]) -> dict[str, int]:
    with app.app_context(), session_scope(app) as session:
        entity = session.get(Entity, seeded["putin"])
        entity.wikidata_id = "Q7747"
        source = session.get(SourceDocument, seeded["source"])
        source.url = "https://www.afp.com/ar/report-1"
        session.commit()
    return {
        "false": _claim(editor_client, seeded, "قال بوتين إن 38 شخصاً قتلوا </script><b>", "false"),
        "mixed": _claim(editor_client, seeded, "قال علييف إن الطائرة أسقطت", "mixed",
                        speaker="علييف"),
        "unverifiable": _claim(editor_client, seeded, "قال بوتين إن الطقس سيئ", "unverifiable"),
        "open": _claim(editor_client, seeded, "قال بوتين إن التحقيق مستمر", "in_progress"),
    }


def test_the_public_review_page_says_when_on_what_and_by_whom(
        app: Flask, editor_client: FlaskClient, published) -> None:
    claim_id = published["false"]
    added = editor_client.post(f"/claims/{claim_id}/evidence", data={
        "title": "بيان وزارة الطوارئ", "publisher": "وزارة الطوارئ", "stance": "refutes",
        "url": "https://mchs.example/statement"})
    assert added.status_code == 302
    page = app.test_client().get(f"/reviews/{claim_id}").get_data(as_text=True)
    review = json.loads(app.test_client().get(f"/claims/{claim_id}/claimreview.json").data)
    assert f'id="review-date">{review["datePublished"]}<' in page
    evidence = page[page.index('id="review-evidence"'):]
    assert "بيان وزارة الطوارئ" in evidence and "يدحض" in evidence
    assert 'href="https://mchs.example/statement"' in evidence
    assert 'href="https://www.afp.com/ar/report-1"' in page[page.index('id="review-appearances"'):]
    shown = page[page.index("</head>"):]  # the JSON-LD keeps the configured name
    assert "مكتب التحقق من الادعاءات" in shown and "Claims Desk" not in shown  # Arabic page
    assert "&lt;/script&gt;&lt;b&gt;" in page  # the claim's text, escaped


def test_claimreview_is_public_complete_and_valid(app: Flask, published) -> None:
    anonymous = app.test_client()
    for status in ("false", "mixed", "unverifiable"):
        response = anonymous.get(f"/claims/{published[status]}/claimreview.json")
        assert response.status_code == 200 and response.mimetype == "application/ld+json"
        review = json.loads(response.get_data(as_text=True))
        assert schema_problems(review) == [], status
        assert google_problems(review) == [], status
        assert review["inLanguage"] == "ar" and review["author"]["name"] == "Claims Desk"
        item = review["itemReviewed"]
        assert item["@type"] == "Claim" and item["datePublished"] == "2024-12-26"
        assert item["firstAppearance"]["url"] == "https://www.afp.com/ar/report-1"
        assert item["appearance"][0]["url"] == "https://www.afp.com/ar/report-1"
        assert anonymous.get(review["url"].replace("http://localhost", "")).status_code == 200
    false = json.loads(anonymous.get(f"/claims/{published['false']}/claimreview.json").data)
    assert false["reviewRating"] == {"@type": "Rating", "alternateName": "زائف",
                                     "ratingValue": 1, "bestRating": 5, "worstRating": 1}
    assert false["itemReviewed"]["author"] == {
        "@type": "Person", "name": "فلاديمير بوتين", "alternateName": "Vladimir Putin",
        "sameAs": "https://www.wikidata.org/wiki/Q7747"}
    assert false["claimReviewed"].endswith("</script><b>")
    assert anonymous.get(f"/claims/{published['open']}/claimreview.json").status_code == 404
    assert anonymous.get(f"/reviews/{published['open']}").status_code == 404
    feed = json.loads(anonymous.get("/claimreview.json").data)
    assert {r["claimReviewed"][:10] for r in feed["@graph"]} and len(feed["@graph"]) == 3
    assert schema_problems(feed["@graph"]) == []
    # Newest first across the final statuses (each read on its own index walk), then capped.
    newest = [published[s] for s in ("unverifiable", "mixed", "false")]
    assert [r["url"].rsplit("/", 1)[1] for r in feed["@graph"]] == [str(i) for i in newest]
    with app.app_context(), session_scope(app) as session:
        assert [c.id for c in published_claims(session, limit=2)] == newest[:2]


def test_the_first_appearance_is_the_earliest_and_later_edits_are_dated(
        app: Flask, editor_client: FlaskClient, published) -> None:
    import datetime as dt

    claim_id = published["false"]  # its source is undated; the claim is dated 2024-12-26
    assert editor_client.post(f"/claims/{claim_id}/appearances", data={
        "url": "https://t.example/v/1", "title": "مقطع", "published_date": "2024-12-20",
    }).status_code == 302
    with app.app_context(), session_scope(app) as session:
        claim = session.get(Claim, claim_id)
        claim.updated_at = claim.updated_at + dt.timedelta(days=3)  # edited after the verdict
        session.commit()
    anonymous = app.test_client()
    review = anonymous.get(f"/claims/{claim_id}/claimreview.json").get_json()
    assert review["itemReviewed"]["firstAppearance"]["url"] == "https://t.example/v/1"
    assert review["dateModified"] > review["datePublished"]
    assert schema_problems(review) == [] and google_problems(review) == []
    form = editor_client.get(f"/claims/{claim_id}/edit").get_data(as_text=True)
    assert 'id="published-note"' in form  # the editor is told the wording is published
    assert 'id="published-note"' not in editor_client.get(
        f"/claims/{published['open']}/edit").get_data(as_text=True)
    unpublished = anonymous.get(f"/claims/{published['open']}/claimreview.json")
    assert unpublished.status_code == 404 and unpublished.is_json


def test_published_reviews_point_at_the_configured_public_address(database_url, published
                                                                  ) -> None:
    from claims.config import ConfigError
    from claims.db import get_engine
    from tests.conftest import make_app

    public = make_app(database_url, public_url="https://factcheck.example.org/")
    try:
        anonymous = public.test_client()
        review = json.loads(anonymous.get(f"/claims/{published['false']}/claimreview.json",
                                          base_url="http://10.0.0.5:8000").data)
        assert review["url"] == f"https://factcheck.example.org/reviews/{published['false']}"
        feed = json.loads(anonymous.get("/claimreview.json", headers={"Host": "evil.example"}
                                        ).data)
        assert all(r["url"].startswith("https://factcheck.example.org/reviews/")
                   for r in feed["@graph"])
    finally:
        get_engine(public).dispose()
    with pytest.raises(ConfigError, match="public_url"):
        make_app(database_url, public_url="factcheck.example.org")


def test_feed_is_cached_revalidated_and_rebuilt_when_a_verdict_changes(
        database_url, published, editor_client, seeded) -> None:
    from claims.db import get_engine
    from tests.conftest import make_app

    public = make_app(database_url, feed_max_age=3600)
    try:
        anonymous = public.test_client()
        first = anonymous.get("/claimreview.json")
        assert first.status_code == 200 and first.headers["ETag"]
        assert first.cache_control.public and 3590 <= first.cache_control.max_age <= 3600
        again = anonymous.get("/claimreview.json",
                              headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
        # An edit that moves neither a status nor a claim text waits for max-age…
        with public.app_context(), session_scope(public) as session:
            session.get(SourceDocument, seeded["source"]).title = "عنوان جديد"
            session.commit()
        assert anonymous.get("/claimreview.json").data == first.data
        # …a verdict given shows at once (any worker sees the history move).
        newest = _claim(editor_client, seeded, "قال بوتين إن 40 طائرة سقطت", "false")
        feed = json.loads(anonymous.get("/claimreview.json").data)
        assert feed["@graph"][0]["url"].endswith(f"/reviews/{newest}")
        assert feed["@graph"][1]["itemReviewed"]["appearance"][0]["name"] == "عنوان جديد"
    finally:
        get_engine(public).dispose()


def test_claim_page_jsonld_names_the_address_of_each_request(app: Flask, editor_client,
                                                             published) -> None:
    def review_url(host: str) -> str:
        login = editor_client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        assert login is not None
        editor_client.set_cookie(login.key, login.value, domain=host.split(":")[0])
        html = editor_client.get(f"/claims/{published['false']}", headers={"Host": host}
                                 ).get_data(as_text=True)
        block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert block is not None
        return str(json.loads(block.group(1))["url"])

    # The cached part of the page is not shared between two addresses of the same app.
    assert review_url("desk.example").startswith("http://desk.example/reviews/")
    assert review_url("10.0.0.5:8000").startswith("http://10.0.0.5:8000/reviews/")


def test_claim_page_embeds_escaped_jsonld(app: Flask, editor_client, published) -> None:
    html = editor_client.get(f"/claims/{published['false']}").get_data(as_text=True)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1 and "</" not in blocks[0]
    assert json.loads(blocks[0])["claimReviewed"].endswith("</script><b>")
    assert "<script>" not in html.replace('<script type="application/ld+json">', "")
    assert 'id="public-review"' in html
    open_page = editor_client.get(f"/claims/{published['open']}").get_data(as_text=True)
    assert "application/ld+json" not in open_page


def test_published_text_carries_no_bidi_controls(app: Flask, editor_client: FlaskClient,
                                                 seeded: dict[str, int]) -> None:
    """Search results and other readers show claimReviewed as is: an override there would
    reorder it as the HTML pages (which strip them) never do."""
    claim_id = _claim(editor_client, seeded, "قال بوتين إن \u202e83\u202c شخصاً قتلوا", "false",
                      restatement="\u2067بوتين\u2069: 38 قتيلاً")
    for path in (f"/claims/{claim_id}/claimreview.json", "/claimreview.json",
                 f"/reviews/{claim_id}"):
        body = editor_client.get(path).get_data(as_text=True)
        assert "قال بوتين إن 83 شخصاً قتلوا" in body, path
        assert not set(body) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), path


def _import(runner, path: Path) -> str:
    result = runner.invoke(args=["import", "claimreview", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def test_real_fatabyyano_page_imports_once(app: Flask, runner, tmp_path: Path) -> None:
    page = shared_path(*FATABYYANO)
    assert "created 1 claim, 0 already present" in _import(runner, page)
    with app.app_context(), session_scope(app) as session:
        claim = session.scalars(select(Claim)).one()
        assert claim.text.startswith("طائره عمانية")  # hamza composed (U+0626), not U+064A U+0654
        assert "\u0654" not in claim.text and claim.text == unicodedata.normalize("NFC", claim.text)
        assert claim.status == "false" and claim.claim_date.isoformat() == "2022-08-21"
        assert claim.source.url == "https://www.facebook.com/Quicknews12/videos/3829470550510217/"
        assert claim.speaker is not None and claim.speaker.kind == "person"
        review = session.scalars(select(ExternalReview)).one()
        assert review.rating_label == "زائف" and review.publisher_name == "Fatabyyano Platform"
        assert review.review_url.startswith("https://fatabyyano.net/")
        assert claim.import_key and claim.history[0].to_status == "false"
    assert "created 0 claims, 1 already present" in _import(runner, page)
    with app.app_context(), session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Claim)) == 1
        assert session.scalar(select(func.count()).select_from(ExternalReview)) == 1


OTHER_PUBLISHERS: dict[str, tuple[str, list[tuple[str, str, str | None]]]] = {
    # name: (document, [(claim text prefix, expected status, raw label)])
    "graph.jsonld": (json.dumps({"@context": "https://schema.org", "@graph": [
        {"@type": "WebPage", "name": "x"},
        {"@type": "ClaimReview", "url": "https://misbar.example/r/1",
         "claimReviewed": "Video shows the plane burning in the air",
         "author": {"@type": "Organization", "name": "Misbar"},
         "reviewRating": {"@type": "Rating", "alternateName": "Misleading"},
         "itemReviewed": {"@type": "Claim", "author": {"@type": "Organization",
                                                        "name": "Some page"},
                          "appearance": ["https://x.example/post/1"]}},
        {"@type": ["ClaimReview"], "@id": "https://misbar.example/r/2",
         "claimReviewed": "ﺍﻟﺤﻜﻮﻣﺔ ﺭﻓﻌﺖ ﺍﻟﺮﻭﺍﺗﺐ",  # Arabic presentation forms
         "reviewRating": {"@type": "Rating", "ratingValue": "4", "bestRating": "5",
                          "worstRating": "1", "alternateName": "Label nobody uses"}},
    ]}), [("Video shows", "misleading", "Misleading"), ("الحكومة رفعت", "mostly_true",
                                                       "Label nobody uses")]),
    "page.html": ("""<html><head><script type="application/ld+json">{"broken": </script>
<script type='application/ld+json'>[{"@context":"https://schema.org","@type":"ClaimReview",
"url":"https://akeed.example/a","claimReviewed":"قال الوزير إن البطالة انخفضت إلى النصف",
"reviewRating":{"@type":"Rating","alternateName":"مُضلِّل"},
"itemReviewed":{"@type":"Claim","firstAppearance":{"@type":"CreativeWork",
"url":"https://tv.example/clip"}}}]</script></head><body>x</body></html>""",
                  [("قال الوزير", "misleading", "مُضلِّل")]),
    # Google's DataFeed wrapper, full-IRI types, a bare-string claimant, a timestamped date.
    "datafeed.json": (json.dumps({"@context": "http://schema.org", "@type": "DataFeed",
                                  "dataFeedElement": [{"@type": "DataFeedItem", "item": [{
                                      "@type": "http://schema.org/ClaimReview",
                                      "url": "https://teyit.example/analiz/1",
                                      "claimReviewed": "أُسقطت الطائرة بصاروخين",
                                      "datePublished": "2025-01-02T10:00:00+03:00",
                                      "reviewRating": {"@type": "Rating",
                                                       "alternateName": "صحيح"},
                                      "itemReviewed": {"@type": "Claim",
                                                       "author": "حساب على تلغرام"}}]}]}),
                      [("أُسقطت الطائرة", "true", "صحيح")]),
    "factcheck-api.json": (json.dumps({"claims": [{
        "text": "5G towers spread the virus", "claimant": "Viral post",
        "claimDate": "2020-04-01T00:00:00Z", "claimReview": [{
            "publisher": {"name": "AFP Fact Check", "site": "factcheck.afp.com"},
            "url": "https://factcheck.afp.com/x", "title": "No", "reviewDate": "2020-04-03",
            "textualRating": "False", "languageCode": "en"}]}]}),
        [("5G towers", "false", "False")]),
}


@pytest.mark.parametrize("name", sorted(OTHER_PUBLISHERS))
def test_other_publishers(app: Flask, runner, tmp_path: Path, name: str) -> None:
    document, expected = OTHER_PUBLISHERS[name]
    path = tmp_path / name
    path.write_text(document, "utf-8")
    _import(runner, path)
    _import(runner, path)
    with app.app_context(), session_scope(app) as session:
        claims = session.scalars(select(Claim).order_by(Claim.id)).all()
        assert len(claims) == len(expected)
        for claim, (prefix, status, label) in zip(claims, expected, strict=True):
            assert claim.text.startswith(prefix) and claim.status == status, claim.text
            review = session.scalar(select(ExternalReview).where(
                ExternalReview.claim_id == claim.id))
            assert review is not None and review.rating_label == label


def test_every_appearance_is_kept_and_published(app: Flask, runner, tmp_path: Path) -> None:
    review = {"@context": "https://schema.org", "@type": "ClaimReview",
              "url": "https://misbar.example/r/9", "claimReviewed": "قُتل 39 شخصاً في الحادث",
              "author": {"@type": "Organization", "name": "Misbar"},
              "reviewRating": {"@type": "Rating", "alternateName": "زائف"},
              "itemReviewed": {"@type": "Claim",
                               "firstAppearance": {"@type": "CreativeWork",
                                                   "url": "https://x.example/post/1"},
                               "appearance": [
                                   {"@type": "CreativeWork", "url": "https://x.example/post/1"},
                                   {"@type": "CreativeWork", "url": "https://t.example/v/2",
                                    "name": "مقطع متداول", "datePublished": "2024-12-27"},
                                   "https://f.example/p/3", "javascript:alert(1)"]}}
    path = tmp_path / "review.jsonld"
    path.write_text(json.dumps(review, ensure_ascii=False), "utf-8")
    _import(runner, path)
    _import(runner, path)
    with app.app_context(), session_scope(app) as session:
        claim = session.scalars(select(Claim)).one()
        assert claim.source.url == "https://x.example/post/1"
        assert [(a.url, a.title) for a in claim.appearances] == [
            ("https://t.example/v/2", "مقطع متداول"), ("https://f.example/p/3", None)]
        assert claim.appearances[0].published_date.isoformat() == "2024-12-27"
        claim_id = claim.id
    out = app.test_client().get(f"/claims/{claim_id}/claimreview.json").get_json()
    item = out["itemReviewed"]
    assert [a["url"] for a in item["appearance"]] == [
        "https://x.example/post/1", "https://t.example/v/2", "https://f.example/p/3"]
    assert item["firstAppearance"]["url"] == "https://x.example/post/1"
    if SHARED.joinpath(*SCHEMAORG).exists():  # vocabulary check only where ../shared is
        assert schema_problems(out) == []


def test_our_own_feed_read_back_in_imports_nothing(app: Flask, editor_client: FlaskClient,
                                                   published) -> None:
    import io

    feed = app.test_client().get("/claimreview.json").get_data()
    before = _claims_count(app)
    response = editor_client.post("/import/claimreview", data={
        "file": (io.BytesIO(feed), "feed.jsonld")}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "ادعاءات أُنشئت: 0 · موجودة مسبقًا: 3." in response.get_data(as_text=True)
    assert _claims_count(app) == before


def _claims_count(app: Flask) -> int:
    with app.app_context(), session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(Claim)) or 0


def test_upload_form(app: Flask, editor_client: FlaskClient) -> None:
    import io

    page = editor_client.get("/import")
    assert page.status_code == 200 and 'id="claimreview-import"' in page.get_data(as_text=True)
    document = OTHER_PUBLISHERS["page.html"][0].encode()
    response = editor_client.post("/import/claimreview", data={
        "file": (io.BytesIO(document), "page.html")}, content_type="multipart/form-data")
    assert response.status_code == 200 and 'id="cr-report"' in response.get_data(as_text=True)
    bad = editor_client.post("/import/claimreview", data={
        "file": (io.BytesIO(b"<html>nothing</html>"), "x.html")},
        content_type="multipart/form-data")
    assert bad.status_code == 422
    assert "لم نجد أي ClaimReview في الملف." in bad.get_data(as_text=True)
    # A JSON file cut short is named as broken JSON, with where, not as holding no review.
    broken = editor_client.post("/import/claimreview", data={
        "file": (io.BytesIO('{"@type": "ClaimReview",\n "claimReviewed": "قال'.encode()),
                 "feed.json")}, content_type="multipart/form-data")
    page = broken.get_data(as_text=True)
    assert broken.status_code == 422
    assert "الملف ليس JSON سليمًا (السطر 2، العمود 19)" in page and "لم نجد" not in page


def test_round_trip_through_an_empty_database(app: Flask, published, runner,
                                              tmp_path: Path) -> None:
    """create → export ClaimReview → import into an empty database → same claims."""
    def snapshot() -> set[tuple[Any, ...]]:
        with app.app_context(), session_scope(app) as session:
            return {(c.text, c.status, c.claim_date,
                     c.speaker.name_ar if c.speaker else None,
                     c.speaker.wikidata_id if c.speaker else None,
                     c.source.url, c.source.title, c.source.published_date,
                     tuple(a.url for a in c.appearances))
                    for c in session.scalars(select(Claim)) if c.status != "in_progress"}

    with app.app_context(), session_scope(app) as session:
        session.scalars(select(SourceDocument)).one().published_date = dt.date(2024, 12, 26)
        session.commit()
    before = snapshot()
    feed = app.test_client().get("/claimreview.json").get_data(as_text=True)
    path = tmp_path / "feed.jsonld"
    path.write_text(feed, "utf-8")
    _clean(app)
    with app.app_context(), session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Claim)) == 0
    assert "created 3 claims" in _import(runner, path)
    assert snapshot() == before and len(before) == 3
    assert "created 0 claims, 3 already present" in _import(runner, path)


def test_the_source_is_named_and_dated_by_its_appearance_not_the_fact_checker(
        app: Flask, runner, tmp_path: Path) -> None:
    """The claim's source is where it appeared (a post, an article): the publisher of the
    review is not its title, and the appearance's own name and date are kept."""
    reviews = [{"@type": "ClaimReview", "url": f"https://misbar.example/r/{i}",
                "claimReviewed": text, "author": {"@type": "Organization", "name": "Misbar"},
                "reviewRating": {"@type": "Rating", "alternateName": "زائف"},
                "itemReviewed": {"@type": "Claim", "appearance": [appearance]}}
               for i, (text, appearance) in enumerate([
                   ("قُتل 39 شخصاً في الحادث", {"@type": "CreativeWork",
                                              "url": "https://x.example/post/1",
                                              "name": "منشور متداول",
                                              "datePublished": "2024-12-27"}),
                   ("انفجر صاروخان قرب الطائرة", {"@type": "CreativeWork",
                                                "url": "https://x.example/post/2"})])]
    path = tmp_path / "feed.jsonld"
    path.write_text(json.dumps({"@context": "https://schema.org", "@graph": reviews},
                               ensure_ascii=False), "utf-8")
    assert "created 2 claims" in _import(runner, path)
    with app.app_context(), session_scope(app) as session:
        sources = [(c.source.url, c.source.title, c.source.published_date)
                   for c in session.scalars(select(Claim).order_by(Claim.id))]
    assert sources == [("https://x.example/post/1", "منشور متداول", dt.date(2024, 12, 27)),
                       ("https://x.example/post/2", "https://x.example/post/2", None)]


@pytest.mark.parametrize("depth", [65, 100_000])
def test_deeply_nested_claimreview_documents_are_refused_cleanly(depth: int) -> None:
    from claims.services.claimreview_read import NotClaimReview, extract_reviews

    nested = "[" * depth + "]" * depth
    for document in (nested, f'<script type="application/ld+json">{nested}</script>',
                     '{"url": "https://x.example/", "page": "<script type=\\"application/'
                     f'ld+json\\">{nested}</script>"}}'):
        with pytest.raises(NotClaimReview):
            extract_reviews(document)
