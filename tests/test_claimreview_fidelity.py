"""ClaimReview dates and sources as they are: a re-rated review keeps its publication date,
an unknown claim date stays unknown, a source without an address survives a round trip."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient

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
