"""The API as HTTP: what a 201 points at, and what the OpenAPI document says of it."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.test_api import API, auth, make_token


def _follow(client: FlaskClient, token: str, response) -> dict:
    """The resource a 201's Location names, read back: it must be what was just made."""
    assert response.status_code == 201, response.json
    location = response.headers.get("Location")
    assert location and location.startswith(f"{API}/"), location
    again = client.get(location, headers=auth(token))
    assert again.status_code == 200, (location, again.json)
    assert again.json == response.json, location
    return again.json


def test_every_create_answers_with_the_location_of_what_it_made(
        app: Flask, client: FlaskClient, seeded: dict[str, int]) -> None:
    token = make_token(app, "editor")
    made = client.post(f"{API}/claims", headers=auth(token), json={
        "text": "قال بوتين إن ٣٨ شخصاً قتلوا", "source_id": seeded["source"]})
    claim = _follow(client, token, made)
    assert made.headers["Location"] == f"{API}/claims/{claim['id']}"
    # A replay under the same Idempotency-Key names the same claim.
    key = {"Idempotency-Key": "probe-1"}
    body = {"text": "قال علييف إن الطائرة أسقطت", "source_id": seeded["source"]}
    first = client.post(f"{API}/claims", headers=auth(token) | key, json=body)
    replay = client.post(f"{API}/claims", headers=auth(token) | key, json=body)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.headers["Location"] == first.headers["Location"]
    _follow(client, token, client.post(f"{API}/claims/{claim['id']}/evidence",
                                       headers=auth(token), json={
                                           "title": "بيان وزارة الطوارئ", "stance": "refutes",
                                           "url": "https://mchs.example/statement"}))
    _follow(client, token, client.post(f"{API}/claims/{claim['id']}/appearances",
                                       headers=auth(token), json={
                                           "url": "https://t.example/v/1", "title": "مقطع"}))
    source = _follow(client, token, client.post(f"{API}/sources", headers=auth(token), json={
        "text": "قال الوزير إن الأسعار انخفضت بنسبة ٣٠ في المئة خلال عام.",
        "title": "تصريح الوزير"}))
    assert source["text"].startswith("قال الوزير")
    entity = _follow(client, token, client.post(f"{API}/entities", headers=auth(token), json={
        "kind": "person", "name_ar": "سمير الأحمد"}))
    _follow(client, token, client.post(f"{API}/entities/{entity['id']}/aliases",
                                       headers=auth(token), json={"text": "الأحمد"}))


def test_the_openapi_document_declares_location_on_every_201(app: Flask) -> None:
    document = app.test_client().get(f"{API}/openapi.json").json
    created = [(path, method, op["responses"]["201"])
               for path, item in document["paths"].items()
               for method, op in item.items() if "201" in op["responses"]]
    assert len(created) >= 6
    for path, method, response in created:
        assert "Location" in response.get("headers", {}), (method, path)
    # The read operations a Location may name exist for each kind created.
    assert "get" in document["paths"]["/claims/{claim_id}/appearances/{appearance_id}"]
    assert "get" in document["paths"]["/entities/{entity_id}/aliases/{alias_id}"]


def test_a_body_naming_a_field_twice_or_not_json_is_refused_saying_why(
        app: Flask, client: FlaskClient, seeded: dict[str, int]) -> None:
    token = make_token(app, "editor")
    claim = client.post(f"{API}/claims", headers=auth(token), json={
        "text": "قال بوتين إن ٣٨ شخصاً قتلوا", "source_id": seeded["source"]}).json
    headers = auth(token) | {"Content-Type": "application/json"}
    # Which "status" was meant? Keeping the last one silently is a guess (RFC 8259 §4).
    twice = client.post(f"{API}/claims/{claim['id']}/status", headers=headers,
                        data='{"status": "false", "version": 1, "status": "true"}')
    assert twice.status_code == 422, twice.json
    assert twice.json["error"]["field"] == "status"
    assert twice.json["error"]["errors"][0]["code"] == "duplicate_field"
    assert client.get(f"{API}/claims/{claim['id']}/history", headers=auth(token)
                      ).json["items"][-1]["to_status"] == "unstarted"
    # Broken JSON is named as such (and where), not as "not an object".
    broken = client.post(f"{API}/claims", headers=headers,
                         data='{"text": "قال بوتين", "source_id": 1,}')
    assert broken.status_code == 400 and broken.json["error"]["code"] == "bad_request"
    assert "not valid JSON" in broken.json["error"]["message"]
    assert "column 38" in broken.json["error"]["message"]
    # NaN and Infinity are not JSON either (Python's parser takes them).
    for constant in ("NaN", "Infinity", "-Infinity"):
        sent = client.post(f"{API}/claims/{claim['id']}/links", headers=headers,
                           data=f'{{"other_id": {constant}, "relation": "conflict"}}')
        assert sent.status_code == 400 and "not valid JSON" in sent.json["error"]["message"]
    array = client.post(f"{API}/claims", headers=headers, data="[]")
    assert array.status_code == 400 and "JSON object" in array.json["error"]["message"]
