"""Claim page: decided links render with the page; scored candidates come from a fragment."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from claims.db import session_scope
from claims.models import Claim, ClaimRevision, Mention
from tests.test_workbench import CRASH, _claim

RIVAL = "قتل 39 من أصل 67 شخصا كانوا على متن الطائرة إمبراير 190"


def _page(client: FlaskClient, claim_id: int, inline: bool = False) -> str:
    suffix = "?matches=1" if inline else ""
    return client.get(f"/claims/{claim_id}{suffix}").get_data(as_text=True)


def test_candidates_are_deferred_to_a_fragment(editor_client: FlaskClient, seeded) -> None:
    demo = _claim(editor_client, seeded["source"], CRASH)
    rival = _claim(editor_client, seeded["source"], RIVAL)
    page = _page(editor_client, rival)
    # The plain page does no scoring: a placeholder the script fills, a no-script link.
    assert f'id="conflict-{demo}"' not in page
    assert f'data-src="/claims/{rival}/matches"' in page and "<noscript>" in page
    assert 'src="/static/claim-page.js"' in page
    fragment = editor_client.get(f"/claims/{rival}/matches")
    assert fragment.status_code == 200 and fragment.mimetype == "text/html"
    html = fragment.get_data(as_text=True)
    assert f'id="conflict-{demo}"' in html and ("39≠38" in html or "38≠39" in html)
    assert "<html" not in html
    assert f'id="conflict-{demo}"' in _page(editor_client, rival, inline=True)
    lonely = _claim(editor_client, seeded["source"], "ارتفع سعر الخبز في تونس هذا الأسبوع")
    assert editor_client.get(f"/claims/{lonely}/matches").get_data(as_text=True) == ""


def test_decisions_render_with_the_page(app: Flask, editor_client: FlaskClient, seeded) -> None:
    source = seeded["source"]
    demo = _claim(editor_client, source, CRASH)
    editor_client.post(f"/claims/{demo}/status", data={"status": "true", "version": "1"})
    rival = _claim(editor_client, source, RIVAL)
    assert editor_client.post(f"/workbench/claims/{rival}/links", data={
        "other_id": demo, "relation": "conflict"}).status_code == 302
    page = _page(editor_client, demo)
    assert f'id="conflict-{rival}"' in page and "مؤكد" in page
    # A confirmed conflict is not offered again by the fragment.
    assert f'id="conflict-{rival}"' not in editor_client.get(
        f"/claims/{demo}/matches").get_data(as_text=True)
    copy = _claim(editor_client, source, CRASH)
    assert f'id="candidate-{demo}"' in editor_client.get(f"/claims/{copy}/matches").get_data(
        as_text=True)
    assert editor_client.post(f"/workbench/claims/{copy}/links", data={
        "other_id": demo, "relation": "duplicate"}).status_code == 302
    page = _page(editor_client, copy)
    canonical = page[page.index('id="canonical"'):]
    assert f"#{demo}" in canonical[:400] and 'class="badge status-true"' in canonical[:400]
    assert f'id="candidate-{demo}"' not in editor_client.get(
        f"/claims/{copy}/matches").get_data(as_text=True)
    assert f"#{copy}" in _page(editor_client, demo)  # listed among the copies
    with app.app_context(), session_scope(app) as session:
        assert session.get(Claim, copy).duplicate_of_id == demo


def _history(client: FlaskClient, claim_id: int) -> str:
    page = _page(client, claim_id)
    return page[page.index('id="history"'):]


def test_match_decisions_are_kept_in_both_claims_histories(app: Flask, editor_client: FlaskClient,
                                                           seeded) -> None:
    demo = _claim(editor_client, seeded["source"], CRASH)
    rival = _claim(editor_client, seeded["source"], RIVAL)
    for relation in ("conflict", "conflict", "dismissed"):  # the repeat changes nothing
        assert editor_client.post(f"/workbench/claims/{rival}/links", data={
            "other_id": demo, "relation": relation}).status_code == 302
    for this, that in ((demo, rival), (rival, demo)):
        history = _history(editor_client, this)
        decisions = re.findall(r'قرار مطابقة مع الادعاء <a href="/claims/(\d+)">#\d+</a>: '
                               r'(?:<del>(.*?)</del> ← )?<strong>(.*?)</strong>', history)
        # Newest first: "conflict" overruled by "not related", and the first decision.
        assert decisions == [(str(that), "تعارض", "غير مرتبط"), (str(that), "", "تعارض")]
        assert history.count("<bdi>editor</bdi>") >= 2
    with app.app_context(), session_scope(app) as session:
        rows = session.scalars(select(ClaimRevision).where(
            ClaimRevision.claim_id == demo).order_by(ClaimRevision.id)).all()
        assert [r.changes["link"] for r in rows if "link" in r.changes] == [
            [None, {"claim_id": rival, "relation": "conflict"}],
            [{"claim_id": rival, "relation": "conflict"},
             {"claim_id": rival, "relation": "dismissed"}]]


def test_entity_link_reviews_are_kept_in_the_history(app: Flask, editor_client: FlaskClient,
                                                     seeded) -> None:
    claim_id = _claim(editor_client, seeded["source"], CRASH + " وقال بوتين إن الحادث مأساة")
    with app.app_context(), session_scope(app) as session:
        mention_id = session.scalars(select(Mention.id).where(
            Mention.claim_id == claim_id, Mention.entity_id == seeded["putin"])).first()
    assert mention_id is not None
    for review in ("rejected", "rejected", "confirmed"):
        assert editor_client.post(f"/claims/{claim_id}/mentions/{mention_id}",
                                  data={"review": review}).status_code == 302
    history = _history(editor_client, claim_id)
    reviews = re.findall(r'الربط بالكيان <a href="/entities/(\d+)">.*?</a>.*?: '
                         r'<del>(.*?)</del> ← <strong>(.*?)</strong>', history)
    assert reviews == [(str(seeded["putin"]), "مرفوض", "مؤكَّد"),
                       (str(seeded["putin"]), "ربط تلقائي", "مرفوض")]
    editor_client.post("/lang", data={"lang": "en", "next": "/"})
    assert "Link to entity" in _history(editor_client, claim_id)
    editor_client.post("/lang", data={"lang": "ar", "next": "/"})


def test_cached_candidates_follow_text_edits(editor_client: FlaskClient, seeded) -> None:
    source = seeded["source"]
    demo = _claim(editor_client, source, CRASH)
    other = _claim(editor_client, source, "ارتفع سعر الخبز في تونس هذا الأسبوع بنسبة 20 في المئة")
    assert f'id="candidate-{other}"' not in editor_client.get(
        f"/claims/{demo}/matches").get_data(as_text=True)
    # Editing the other claim's text into a copy shows it, although demo itself did not change.
    edited = editor_client.post(f"/claims/{other}/edit", data={
        "text": CRASH, "source_id": source, "version": "1", "claim_type": "other"})
    assert edited.status_code == 302
    assert f'id="candidate-{other}"' in editor_client.get(
        f"/claims/{demo}/matches").get_data(as_text=True)
