"""The API's entity links and match decisions: the same services and history as the claim page."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import login_as
from tests.test_api import API, auth, make_token, new_claim
from tests.test_claim_page_matches import RIVAL
from tests.test_workbench import CRASH


def test_entity_links_are_listed_and_reviewed(app: Flask, client: FlaskClient, seeded) -> None:
    editor = make_token(app, "editor")
    viewer = app.test_client()  # viewers have no tokens: their browser session reads the API
    login_as(viewer, app, "viewer")
    claim = new_claim(client, editor, seeded,
                      text="قال بوتين إن الدفاع الجوي في غروزني أطلق صاروخين")
    listed = viewer.get(f"{API}/claims/{claim['id']}/mentions")
    assert listed.status_code == 200
    items = listed.json["items"]
    assert [m["entity"]["id"] for m in items][:2] == [seeded["putin"], seeded["grozny"]]
    assert all(m["review"] == "auto" for m in items) and items[0]["surface"] == "بوتين"
    url = f"{API}/claims/{claim['id']}/mentions/{items[1]['id']}"
    assert viewer.post(url, json={"review": "rejected"}).status_code == 403
    bad = client.post(url, json={"review": "maybe"}, headers=auth(editor))
    assert bad.status_code == 422 and bad.json["error"]["field"] == "review"
    done = client.post(url, json={"review": "rejected"}, headers=auth(editor))
    assert done.status_code == 200 and done.json["review"] == "rejected"
    missing = client.post(f"{API}/claims/{claim['id']}/mentions/99999",
                          json={"review": "confirmed"}, headers=auth(editor))
    assert missing.status_code == 404
    history = viewer.get(f"{API}/claims/{claim['id']}/revisions").json
    assert history["items"][-1]["user"] == "editor"
    assert [side["review"] for side in history["items"][-1]["changes"]["mention"]] == [
        "auto", "rejected"]


def test_match_decisions_through_the_api(app: Flask, client: FlaskClient, seeded) -> None:
    editor = make_token(app, "editor")
    first = new_claim(client, editor, seeded, text=CRASH)["id"]
    rival = new_claim(client, editor, seeded, text=RIVAL)["id"]
    copy = new_claim(client, editor, seeded, text=CRASH)["id"]
    decided = client.post(f"{API}/claims/{rival}/links",
                          json={"other_id": first, "relation": "conflict"}, headers=auth(editor))
    assert decided.status_code == 200, decided.json
    assert decided.json["relation"] == "conflict" and decided.json["reasons"]
    same = client.post(f"{API}/claims/{copy}/links",
                       json={"other_id": first, "relation": "duplicate"}, headers=auth(editor))
    assert same.status_code == 200 and same.json["other_id"] == first
    links = client.get(f"{API}/claims/{first}/links", headers=auth(editor)).json
    assert [(link["claim_id"], link["relation"]) for link in links["items"]] == [
        (rival, "conflict"), (copy, "duplicate")]
    assert client.get(f"{API}/claims/{copy}/links", headers=auth(editor)).json[
        "duplicate_of_id"] == first
    history = client.get(f"{API}/claims/{first}/revisions", headers=auth(editor)).json["items"]
    assert [r["changes"]["link"][1] for r in history if "link" in r["changes"]] == [
        {"claim_id": rival, "relation": "conflict"}, {"claim_id": copy, "relation": "duplicate"}]
    itself = client.post(f"{API}/claims/{first}/links",
                         json={"other_id": first, "relation": "dismissed"}, headers=auth(editor))
    assert itself.status_code == 422 and itself.json["error"]["field"] == "other_id"
    nowhere = client.post(f"{API}/claims/{first}/links",
                          json={"other_id": 99999, "relation": "dismissed"}, headers=auth(editor))
    assert nowhere.status_code == 404
    unknown = client.post(f"{API}/claims/{first}/links",
                          json={"other_id": rival, "relation": "same"}, headers=auth(editor))
    assert unknown.status_code == 422 and unknown.json["error"]["field"] == "relation"
