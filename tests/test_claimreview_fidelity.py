"""ClaimReview dates and sources as they are: a re-rated review keeps its publication date,
an unknown claim date stays unknown, a source without an address survives a round trip."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from claims.db import session_scope
from claims.models import Claim
from tests.test_api import API, auth, make_token


def _on(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    """Status changes from now on happen at noon UTC of ``day``."""
    when = dt.datetime.fromisoformat(f"{day}T12:00:00+00:00")
    monkeypatch.setattr("claims.services.claims.utcnow", lambda: when)


def _status(client: FlaskClient, token: str, claim_id: int, status: str) -> None:
    version = client.get(f"{API}/claims/{claim_id}", headers=auth(token)).json["version"]
    moved = client.post(f"{API}/claims/{claim_id}/status", headers=auth(token),
                        json={"status": status, "version": version, "note": "مراجعة الحكم"})
    assert moved.status_code == 200, moved.json


def test_a_rerated_review_keeps_its_first_publication_date(
        app: Flask, client: FlaskClient, seeded: dict[str, int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    token = make_token(app, "editor")
    made = client.post(f"{API}/claims", headers=auth(token), json={
        "text": "قال بوتين إن ٣٨ شخصاً قتلوا", "source_id": seeded["source"]})
    claim_id = made.json["id"]
    _on(monkeypatch, "2025-01-10")
    _status(client, token, claim_id, "false")
    review = client.get(f"/claims/{claim_id}/claimreview.json").get_json()
    assert review["datePublished"] == "2025-01-10" and "dateModified" not in review
    _on(monkeypatch, "2025-02-03")  # new evidence: the verdict is softened
    _status(client, token, claim_id, "mostly_false")
    review = client.get(f"/claims/{claim_id}/claimreview.json").get_json()
    assert review["reviewRating"]["alternateName"] == "زائف في معظمه"
    assert (review["datePublished"], review["dateModified"]) == ("2025-01-10", "2025-02-03")
    # Withdrawn, then judged again: the review at the same address was first published then.
    _on(monkeypatch, "2025-02-05")
    _status(client, token, claim_id, "in_progress")
    _on(monkeypatch, "2025-03-01")
    _status(client, token, claim_id, "true")
    review = client.get(f"/claims/{claim_id}/claimreview.json").get_json()
    assert (review["datePublished"], review["dateModified"]) == ("2025-01-10", "2025-03-01")
    page = client.get(f"/reviews/{claim_id}").get_data(as_text=True)
    assert 'id="review-date">2025-01-10<' in page


def _import(app: Flask, reviews: list[dict]) -> list[dict]:
    """Import ``reviews`` as an editor would from a file; what each new claim holds."""
    from claims.models import User
    from claims.services.claimreview_import import import_reviews
    from claims.services.claimreview_read import extract_reviews

    document = json.dumps({"@context": "https://schema.org", "@graph": reviews})
    with app.app_context(), session_scope(app) as session:
        editor = session.scalars(select(User).where(User.username == "editor")).one()
        report = import_reviews(session, editor, extract_reviews(document))
        assert not report.errors, report.errors
        session.flush()
        return [{"claim_date": c.claim_date, "url": c.source.url, "title": c.source.title,
                 "outlet": c.source.outlet, "author": c.source.author,
                 "published": c.source.published_date,
                 "appearances": [a.url for a in c.appearances]}
                for c in session.scalars(select(Claim).where(Claim.id.in_(report.created))
                                         .order_by(Claim.id))]


def _review(number: int, text: str, item: dict, **extra: object) -> dict:
    return {"@type": "ClaimReview", "url": f"https://misbar.example/r/{number}",
            "claimReviewed": text, "author": {"@type": "Organization", "name": "Misbar"},
            "reviewRating": {"@type": "Rating", "alternateName": "زائف"},
            "itemReviewed": {"@type": "Claim", **item}} | extra


def test_an_undated_claim_stays_undated_when_its_review_is_dated(app: Flask) -> None:
    """The review's date is when the fact-check appeared, not when the claim was made."""
    post = {"appearance": [{"@type": "CreativeWork", "url": "https://x.example/p/1"}]}
    undated, dated = _import(app, [
        _review(1, "قال الوزير إن الأسعار انخفضت ٣٠٪", post, datePublished="2025-03-02"),
        _review(2, "قال الوزير إن الرواتب ارتفعت", post | {"datePublished": "2025-02-20"},
                datePublished="2025-03-02")])
    assert undated["claim_date"] is None
    assert dated["claim_date"] == dt.date(2025, 2, 20)


def test_a_source_without_an_address_is_published_and_read_back(
        app: Flask, client: FlaskClient, seeded: dict[str, int]) -> None:
    """A printed paper, a broadcast, a pasted article: the review names and dates it as a
    CreativeWork without url, and an import makes it a source without an address again."""
    from claims.models import SourceDocument
    from tests.conftest import _clean
    from tests.test_claimreview import google_problems, schema_problems

    with app.app_context(), session_scope(app) as session:
        source = session.get(SourceDocument, seeded["source"])  # pasted: no address
        source.published_date, source.author = dt.date(2024, 12, 26), "مراسل الوكالة"
        session.commit()
    token = make_token(app, "editor")
    claim_id = client.post(f"{API}/claims", headers=auth(token), json={
        "text": "قال بوتين إن ٣٨ شخصاً قتلوا", "source_id": seeded["source"],
        "speaker": "بوتين"}).json["id"]
    assert client.post(f"{API}/claims/{claim_id}/appearances", headers=auth(token), json={
        "url": "https://t.example/v/1", "published_date": "2024-12-27"}).status_code == 201
    _status(client, token, claim_id, "false")
    review = client.get(f"/claims/{claim_id}/claimreview.json").get_json()
    printed = {"@type": "CreativeWork", "name": "تقرير أ ف ب", "datePublished": "2024-12-26",
               "author": {"@type": "Person", "name": "مراسل الوكالة"},
               "publisher": {"@type": "Organization", "name": "أ ف ب"}}
    item = review["itemReviewed"]
    assert item["appearance"] == [printed, {"@type": "CreativeWork",
                                            "url": "https://t.example/v/1",
                                            "datePublished": "2024-12-27"}]
    assert item["firstAppearance"] == printed  # the earliest, named as it has no address
    assert google_problems(review) == []
    from tests.conftest import SHARED
    from tests.test_claimreview import SCHEMAORG

    if SHARED.joinpath(*SCHEMAORG).exists():
        assert schema_problems(review) == []
    page = client.get(f"/reviews/{claim_id}").get_data(as_text=True)
    listed = page[page.index('id="review-appearances"'):]
    assert '<span dir="auto">تقرير أ ف ب</span>' in listed and 'href=""' not in listed
    _clean(app)
    [imported] = _import(app, [review])
    # (an undated claim is published as dated by its source, when it entered public discourse)
    assert item["datePublished"] == "2024-12-26"
    assert imported == {"claim_date": dt.date(2024, 12, 26), "url": None, "title": "تقرير أ ف ب",
                        "outlet": "أ ف ب", "author": "مراسل الوكالة",
                        "published": dt.date(2024, 12, 26),
                        "appearances": ["https://t.example/v/1"]}


def test_an_appearance_named_without_an_address_becomes_the_source(app: Flask) -> None:
    """Not the fact-checker's page titled with its own name, as before."""
    [broadcast] = _import(app, [_review(3, "قال الوزير إن البطالة انخفضت إلى النصف", {
        "appearance": {"@type": "CreativeWork", "name": "مقابلة على القناة الأولى",
                       "datePublished": "2025-02-01",
                       "author": {"@type": "Person", "name": "وزير العمل"}}})])
    assert broadcast == {"claim_date": None, "url": None, "title": "مقابلة على القناة الأولى",
                         "outlet": None, "author": "وزير العمل",
                         "published": dt.date(2025, 2, 1), "appearances": []}
