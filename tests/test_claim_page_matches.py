"""Claim page: decided links render with the page; scored candidates come from a fragment."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from claims.db import session_scope
from claims.models import Claim
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
