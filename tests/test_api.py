"""The JSON API: tokens, roles, CSRF for cookie sessions, CRUD, conflicts, paging, OpenAPI."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from claims.db import session_scope
from claims.models import ApiToken
from tests.conftest import login_as, make_app

API = "/api/v1"


def make_token(app: Flask, role: str) -> str:
    """Create a token through the web page, as a user of ``role`` would."""
    client = app.test_client()
    login_as(client, app, role)
    response = client.post("/account/tokens", data={"name": f"{role} laptop"})
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    match = re.search(r'id="token-secret">(clm_[\w-]+)<', response.get_data(as_text=True))
    assert match
    return match.group(1)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def editor_token(app: Flask) -> str:
    return make_token(app, "editor")


def new_claim(client: FlaskClient, token: str, seeded: dict[str, int], **fields) -> dict:
    body = {"text": "قال بوتين إن 38 شخصاً قتلوا", "source_id": seeded["source"],
            "speaker": "بوتين", "claim_type": "quantity"} | fields
    response = client.post(f"{API}/claims", json=body, headers=auth(token))
    assert response.status_code == 201, response.json
    return response.json


def test_tokens_are_hashed_shown_once_and_revocable(app: Flask, client, editor_token) -> None:
    with app.app_context(), session_scope(app) as session:
        stored = session.scalars(select(ApiToken)).one()
        assert stored.token_hash != editor_token and len(stored.token_hash) == 64
        assert editor_token.startswith(stored.prefix)
        token_id, prefix = stored.id, stored.prefix
    me = client.get(f"{API}/me", headers=auth(editor_token))
    assert me.status_code == 200 and me.json["role"] == "editor"
    page = app.test_client()
    login_as(page, app, "editor")
    listing = page.get("/account/tokens").get_data(as_text=True)
    assert editor_token not in listing and prefix in listing
    # Another editor may not revoke it; an admin may.
    viewer_page = app.test_client()
    login_as(viewer_page, app, "viewer")
    assert viewer_page.post(f"/account/tokens/{token_id}/revoke").status_code == 403
    admin_page = app.test_client()
    login_as(admin_page, app, "admin")
    assert admin_page.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    gone = client.get(f"{API}/me", headers=auth(editor_token))
    assert gone.status_code == 401 and gone.json["error"]["code"] == "unauthorized"
    assert "Bearer" in gone.headers["WWW-Authenticate"]


def test_a_refused_token_name_stays_in_the_form(app: Flask) -> None:
    page = app.test_client()
    login_as(page, app, "editor")
    for number in range(20):  # the limit of live tokens per user
        assert page.post("/account/tokens", data={"name": f"t{number}"}).status_code == 201
    refused = page.post("/account/tokens", data={"name": "سكربت الاستيراد الليلي"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "20" in html
    assert 'name="name" dir="auto" maxlength="100" value="سكربت الاستيراد الليلي"' in html


def test_authentication_and_roles(app: Flask, client, seeded) -> None:
    assert client.get(f"{API}/claims").status_code == 401
    assert client.get(f"{API}/claims", headers=auth("clm_nope")).status_code == 401
    assert client.get(f"{API}/claims", headers={"Authorization": "Basic x"}).status_code == 401
    page = app.test_client()
    login_as(page, app, "viewer")
    assert page.post("/account/tokens", data={"name": "x"}).status_code == 403
    # A viewer's cookie session reads the API; writes are refused by role.
    assert page.get(f"{API}/claims").status_code == 200
    assert page.post(f"{API}/claims", json={"text": "x"}).status_code == 403
    admin = make_token(app, "admin")
    assert client.post(f"{API}/claims", json={"text": "x", "source_id": seeded["source"]},
                       headers=auth(admin)).status_code == 201


def test_csrf_applies_to_cookies_not_to_bearer_tokens(database_url, _schema, seeded) -> None:
    app = make_app(database_url, wtf_csrf_enabled=True)
    with app.app_context(), session_scope(app) as session:
        from claims.api.tokens import create_token
        from claims.models import User

        editor = session.scalar(select(User).where(User.username == "editor"))
        _, secret = create_token(session, editor, {"name": "ci"})
        session.commit()
    cookie = app.test_client()
    login_as(cookie, app, "editor")
    body = {"text": "نص", "source_id": seeded["source"]}
    assert cookie.post(f"{API}/claims", json=body).status_code == 400
    bearer = app.test_client()
    assert bearer.post(f"{API}/claims", json=body, headers=auth(secret)).status_code == 201
    # A bad token is 401 even when a session cookie is present.
    assert cookie.post(f"{API}/claims", json=body, headers=auth("clm_bad")).status_code == 401
    # Neither a token nor a session: 401 saying what to send, not a CSRF complaint.
    anonymous = app.test_client().post(f"{API}/claims", json=body)
    assert anonymous.status_code == 401 and "Bearer" in anonymous.json["error"]["message"]
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")


def test_claim_lifecycle_and_errors(app: Flask, client, seeded, editor_token) -> None:
    h = auth(editor_token)
    bad = client.post(f"{API}/claims", json={"text": "", "source_id": seeded["source"]},
                      headers=h)
    assert bad.status_code == 422 and bad.json["error"]["field"] == "text"
    assert client.post(f"{API}/claims", data="nope", headers=h,
                       content_type="application/json").status_code == 400
    nul = client.post(f"{API}/claims", json={"text": "a\x00b", "source_id": 1}, headers=h)
    assert nul.status_code == 422
    claim = new_claim(client, editor_token, seeded)
    assert claim["speaker"]["id"] == seeded["putin"] and claim["version"] == 1
    url = f"{API}/claims/{claim['id']}"
    assert client.get(url, headers=h).json["text"] == claim["text"]
    assert client.get(f"{API}/claims/999999", headers=h).status_code == 404
    assert client.get(f"{API}/claims/99999999999", headers=h).status_code == 404
    patched = client.patch(url, json={"version": 1, "restatement": "إعادة صياغة"}, headers=h)
    assert patched.status_code == 200, patched.json
    assert patched.json["version"] == 2 and patched.json["speaker"]["id"] == seeded["putin"]
    stale = client.patch(url, json={"version": 1, "text": "قديم"}, headers=h)
    assert stale.status_code == 409 and stale.json["error"]["current_version"] == 2
    missing = client.patch(url, json={"text": "x"}, headers=h)
    assert missing.status_code == 422 and missing.json["error"]["field"] == "version"
    status = client.post(f"{url}/status", json={"status": "false", "note": "دحض", "version": 2},
                         headers=h)
    assert status.status_code == 200 and status.json["final"] is True
    conflict = client.post(f"{url}/status", json={"status": "true", "version": 2}, headers=h)
    assert conflict.status_code == 409 and conflict.json["error"]["current_version"] == 3
    history = client.get(f"{url}/history", headers=h).json["items"]
    assert [r["to_status"] for r in history] == ["unstarted", "false"]
    assert history[1]["note"] == "دحض" and history[1]["user"] == "editor"
    # The PATCH above is in the edit history, with the value it replaced.
    edits = client.get(f"{url}/revisions", headers=h).json["items"]
    assert [(e["version"], e["user"], e["changes"]) for e in edits] == [
        (2, "editor", {"restatement": [None, "إعادة صياغة"]})]


@pytest.mark.parametrize("depth", [65, 100_000])
def test_deeply_nested_bodies_are_refused_cleanly(client, seeded, editor_token,
                                                  depth: int) -> None:
    """Nesting past the parser's recursion limit, or past ours, is a 400, never a 500."""
    body = '{"text": "قال بوتين", "source_id": 1, "x": ' + "[" * depth + "]" * depth + "}"
    response = client.post(f"{API}/claims", data=body, headers=auth(editor_token),
                           content_type="application/json")
    assert response.status_code == 400, response.data[:200]
    assert response.json["error"]["code"] == "bad_request"


def test_evidence_crud(app: Flask, client, seeded, editor_token) -> None:
    h = auth(editor_token)
    claim = new_claim(client, editor_token, seeded)
    url = f"{API}/claims/{claim['id']}/evidence"
    assert client.post(url, json={"url": "nope"}, headers=h).status_code == 422
    made = client.post(url, json={"url": "https://example.org/r", "title": "تقرير",
                                  "kind": "official", "stance": "refutes"}, headers=h)
    assert made.status_code == 201
    evidence_id = made.json["id"]
    assert client.get(url, headers=h).json["items"][0]["title"] == "تقرير"
    assert client.get(f"{url}/{evidence_id}", headers=h).json["stance"] == "refutes"
    unversioned = client.patch(f"{url}/{evidence_id}", headers=h, json={"stance": "supports"})
    assert unversioned.status_code == 422 and unversioned.json["error"]["field"] == "version"
    patched = client.patch(f"{url}/{evidence_id}", headers=h,
                           json={"stance": "supports", "note": "الرقم ٣٨ مؤكد", "publisher": None,
                                 "version": 1})
    assert patched.status_code == 200, patched.json
    assert (patched.json["stance"], patched.json["note"]) == ("supports", "الرقم ٣٨ مؤكد")
    assert patched.json["title"] == "تقرير" and patched.json["kind"] == "official"
    for bad, field in (({}, "version"), ({"kind": "rumour"}, "kind"),
                       ({"url": "ftp://x"}, "url"), ({"url": None, "title": None}, "title")):
        refused = client.patch(f"{url}/{evidence_id}", json=bad | {"version": 2} if bad else bad,
                               headers=h)
        assert refused.status_code == 422 and refused.json["error"]["field"] == field, bad
    assert client.get(f"{url}/{evidence_id}", headers=h).json["stance"] == "supports"
    # Two people editing one item: whoever sends a stale version hears so (409), nothing lost.
    version = patched.json["version"]
    assert version == 2 and made.json["version"] == 1
    first = client.patch(f"{url}/{evidence_id}", json={"note": "أ", "version": version},
                         headers=h)
    assert first.status_code == 200 and first.json["version"] == version + 1
    stale = client.patch(f"{url}/{evidence_id}", json={"note": "ب", "version": version},
                         headers=h)
    assert stale.status_code == 409 and stale.json["error"]["current_version"] == version + 1
    assert client.get(f"{url}/{evidence_id}", headers=h).json["note"] == "أ"
    gone = client.delete(f"{url}/{evidence_id}", query_string={"version": version}, headers=h)
    assert gone.status_code == 409 and gone.json["error"]["current_version"] == version + 1
    other = new_claim(client, editor_token, seeded)
    elsewhere = f"{API}/claims/{other['id']}/evidence/{evidence_id}"
    assert client.patch(elsewhere, json={"note": "x", "version": 3}, headers=h).status_code == 404
    assert client.patch(f"{url}/{evidence_id}", json={"note": "x"}).status_code == 401
    unversioned = client.delete(f"{url}/{evidence_id}", headers=h)  # never "any version"
    assert unversioned.status_code == 422 and unversioned.json["error"]["field"] == "version"
    current = {"version": version + 1}
    assert client.delete(f"{url}/{evidence_id}", query_string=current, headers=h).status_code == 204
    assert client.get(f"{url}/{evidence_id}", headers=h).status_code == 404
    assert client.delete(f"{url}/{evidence_id}", query_string=current, headers=h
                         ).status_code == 404


def test_source_over_the_character_limit_is_refused_naming_the_field(
        app: Flask, client: FlaskClient, editor_token: str) -> None:
    app.config["INGEST_MAX_CHARS"] = 1000
    response = client.post(f"{API}/sources", json={"text": "قال بوتين إن 38 شخصاً قتلوا. " * 40},
                           headers=auth(editor_token))
    assert response.status_code == 422
    assert (response.json["error"]["field"], response.json["error"]["errors"][0]["code"]) == (
        "text", "too_long")
    assert "1000" in response.json["error"]["message"]
    assert client.get(f"{API}/sources", headers=auth(editor_token)).json["total"] == 0


def test_search_entities_sources_and_matching(app: Flask, client, seeded, editor_token) -> None:
    h = auth(editor_token)
    said = new_claim(client, editor_token, seeded, text="اتهم بوتين باكو بالتكتم")
    other = new_claim(client, editor_token, seeded, text="قال علييف إن الحادث مأساوي",
                      speaker="علييف")
    for query in ("وبوتين", "بُوتِين", "Putin"):
        found = client.get(f"{API}/search", query_string={"q": query}, headers=h).json
        ids = [c["id"] for c in found["items"]]
        assert said["id"] in ids and other["id"] not in ids, query
        assert seeded["putin"] in [e["id"] for e in found["entities"]]
    by_text = client.get(f"{API}/claims", query_string={"q": "بالتكتم"}, headers=h).json
    assert [c["id"] for c in by_text["items"]] == [said["id"]]
    assert client.get(f"{API}/claims", query_string={"status": "bogus"},
                      headers=h).status_code == 422
    # Every bad filter is named with what is wrong with it, not a blanket "bad choice".
    refused = client.get(f"{API}/claims", query_string={"from": "2024-13-45", "status": "bogus"},
                         headers=h).json["error"]["errors"]
    assert {(e["field"], e["code"]) for e in refused} == {("from", "bad_date"),
                                                         ("status", "bad_choice")}
    assert client.get(f"{API}/claims", query_string={"per_page": "0"},
                      headers=h).status_code == 422
    swapped = client.get(f"{API}/claims", query_string={"from": "2024-03-01", "to": "2024-02-01"},
                         headers=h)
    assert swapped.status_code == 422 and swapped.json["error"]["field"] == "to"
    entity = client.post(f"{API}/entities", json={"kind": "person", "name_ar": "رجب طيب أردوغان",
                                                  "name_en": "Erdogan",
                                                  "wikidata_id": "Q39723"}, headers=h)
    assert entity.status_code == 201
    eid = entity.json["id"]
    alias = client.post(f"{API}/entities/{eid}/aliases", json={"text": "أردوغان"}, headers=h)
    assert alias.status_code == 201
    dup = client.post(f"{API}/entities/{eid}/aliases", json={"text": "أردوغان"}, headers=h)
    assert dup.status_code == 422 and dup.json["error"]["field"] == "text"
    named = client.get(f"{API}/entities", query_string={"q": "لأردوغان"}, headers=h).json
    assert eid in [e["id"] for e in named["items"]]
    assert client.delete(f"{API}/entities/{eid}/aliases/{alias.json['id']}",
                         headers=h).status_code == 204
    assert len(client.get(f"{API}/entities/{eid}", headers=h).json["aliases"]) == 2
    # One spelling in both name fields: both names kept, one alias serves them.
    same = client.post(f"{API}/entities", json={"kind": "organisation", "name_ar": "NATO",
                                                "name_en": "nato"}, headers=h)
    assert same.status_code == 201 and (same.json["name_ar"], same.json["name_en"]) == (
        "NATO", "nato")
    assert [a["text"] for a in same.json["aliases"]] == ["NATO"]
    source = client.get(f"{API}/sources/{seeded['source']}", headers=h).json
    assert said["id"] in source["claims"]
    made = client.post(f"{API}/sources", json={"text": "قال الوزير إن الاقتصاد نما 5 في المئة.",
                                               "title": "خبر"}, headers=h)
    assert made.status_code == 201
    again = client.post(f"{API}/sources", json={"text": "قال الوزير إن الاقتصاد نما 5 في المئة.",
                                                "title": "خبر"}, headers=h)
    assert again.status_code == 200 and again.json["source"]["id"] == made.json["source"]["id"]
    twin = new_claim(client, editor_token, seeded, text="اتهم بوتين باكو بالتكتم على الحادث")
    matches = client.get(f"{API}/claims/{twin['id']}/matches", headers=h).json["items"]
    assert said["id"] in [m["claim_id"] for m in matches]
    free = client.get(f"{API}/matches", query_string={"text": "اتهم بوتين باكو بالتكتم"},
                      headers=h).json["items"]
    assert said["id"] in [m["claim_id"] for m in free]
    # A text too long for an address (1,900 Arabic letters: ~11 KB percent-encoded) goes in a body.
    posted = client.post(f"{API}/matches", json={"text": "اتهم بوتين باكو بالتكتم"}, headers=h)
    assert posted.status_code == 200 and posted.json["items"] == free
    long_text = ("اتهم بوتين باكو بالتكتم " * 80)[:1900]
    assert client.post(f"{API}/matches", json={"text": long_text}, headers=h).status_code == 200
    for bad in ({}, {"text": ""}, {"text": "x" * 2001}, {"text": "بوتين", "limit": 3}):
        refused = client.post(f"{API}/matches", json=bad, headers=h)
        assert refused.status_code == 422 and refused.json["error"]["field"], bad


def test_a_cursor_pages_without_repeats_while_claims_are_added(
        app: Flask, client, seeded, editor_token) -> None:
    """Page numbers shift when a claim is added between two requests (one shown twice);
    ``before`` (the last id seen, as ``next_before`` says) does not."""
    h = auth(editor_token)
    made = [new_claim(client, editor_token, seeded, text=f"قال بوتين إن العدد {i}")["id"]
            for i in range(7)]
    for path, extra in ((f"{API}/claims", {}), (f"{API}/search", {"q": "بوتين"})):
        seen: list[int] = []
        cursor: int | None = None
        while True:
            args = {"per_page": 3, **extra} | ({"before": cursor} if cursor else {})
            body = client.get(path, query_string=args, headers=h).json
            seen += [c["id"] for c in body["items"]]
            new_claim(client, editor_token, seeded, text="قال بوتين إن ادعاء جديدا وصل")
            cursor = body["next_before"]
            if cursor is None:
                break
        if not extra:
            assert seen == sorted(made, reverse=True)
        assert len(seen) == len(set(seen)), path  # nothing twice
        assert set(made) <= set(seen), path  # nothing skipped
    bad = client.get(f"{API}/claims", query_string={"before": "x"}, headers=h)
    assert bad.status_code == 422 and bad.json["error"]["field"] == "before"


def test_pagination_is_stable_and_complete(app: Flask, client, seeded, editor_token) -> None:
    h = auth(editor_token)
    made = [new_claim(client, editor_token, seeded, text=f"ادعاء رقم {i}")["id"]
            for i in range(7)]
    seen: list[int] = []
    page = 1
    while True:
        body = client.get(f"{API}/claims", query_string={"page": page, "per_page": 3},
                          headers=h).json
        if not body["items"]:
            break
        seen += [c["id"] for c in body["items"]]
        page += 1
    assert seen == sorted(made, reverse=True) and body["total"] == 7 and body["pages"] == 3


def test_openapi_document_matches_the_url_map(app: Flask, client) -> None:
    doc = client.get(f"{API}/openapi.json").json
    assert doc["openapi"].startswith("3.1")
    documented = {(method.upper(), path) for path, ops in doc["paths"].items() for method in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API) or rule.endpoint in ("api.openapi", "api.docs"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len(API):])
        routed |= {(m, path) for m in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    assert documented == routed
    statuses = doc["components"]["schemas"]["StatusChangeRequest"]["properties"]["status"]
    assert statuses["enum"] == list(app.config["STATUSES"])
    docs = client.get(f"{API}/docs")
    html = docs.get_data(as_text=True)
    assert docs.status_code == 200 and "<script" not in html
    assert "PATCH /api/v1/claims/{claim_id}" in html
    assert "متاحة للعموم دون رمز" in html and "، <code" in html  # the prose follows the UI


def test_appearances(app: Flask, client, seeded, editor_token) -> None:
    h = auth(editor_token)
    claim = new_claim(client, editor_token, seeded)
    url = f"{API}/claims/{claim['id']}/appearances"
    made = client.post(url, headers=h, json={"url": "https://t.example/v/2",
                                             "title": "مقطع متداول",
                                             "published_date": "2024-12-27"})
    assert made.status_code == 201 and made.json["title"] == "مقطع متداول"
    again = client.post(url, headers=h, json={"url": "https://t.example/v/2"})
    assert again.status_code == 422 and again.json["error"]["field"] == "url"
    for bad in ({}, {"url": "javascript:alert(1)"}, {"url": "https://a.example/", "title": 5}):
        assert client.post(url, headers=h, json=bad).status_code == 422, bad
    assert [a["url"] for a in client.get(url, headers=h).json["items"]] == [
        "https://t.example/v/2"]
    gone = f"{url}/{made.json['id']}"
    assert client.delete(gone, headers=h).status_code == 204
    assert client.delete(gone, headers=h).status_code == 404
    assert client.get(url, headers=h).json["items"] == []


def test_every_ordinary_address_is_accepted_as_the_web_form_does(client, editor_token) -> None:
    good = ["https://example.com/a?b=1&c=2", "https://example.com/a#x",
            "https://example.com:8080/a", "https://مثال.com/", "https://example.com/أخبار/1",
            "https://example.com/a+b", "https://example.com/a(b)", "HTTPS://EXAMPLE.COM/x"]
    for i, url in enumerate(good):
        made = client.post(f"{API}/claims", headers=auth(editor_token), json={
            "text": f"قال بوتين إن {i + 3} أشخاص قتلوا", "source_url": url})
        assert made.status_code == 201, (url, made.json)
        assert made.json["source"]["url"] == url  # stored exactly as given
    for url in ("javascript:alert(1)", "http://[::1", "https://a b.com/", "ftp://example.com/",
                "https://", "https://example.com/\u202e"):
        refused = client.post(f"{API}/claims", headers=auth(editor_token), json={
            "text": "قال بوتين إن 38 شخصاً قتلوا", "source_url": url})
        assert refused.status_code == 422, url
        assert refused.json["error"]["field"] == "source_url", url


def test_a_patch_that_changes_nothing_keeps_the_version(client, seeded, editor_token) -> None:
    claim = new_claim(client, editor_token, seeded, claim_date="2024-12-25", tags=["طيران"])
    url, h = f"{API}/claims/{claim['id']}", auth(editor_token)
    for body in ({"version": 1}, {"version": 1, "text": claim["text"], "tags": ["طيران"]}):
        same = client.patch(url, json=body, headers=h)
        assert same.status_code == 200 and same.json["version"] == 1
    assert client.get(f"{url}/revisions", headers=h).json["items"] == []
    # "" or null clears the date, as "" clears the speaker.
    cleared = client.patch(url, json={"version": 1, "claim_date": ""}, headers=h)
    assert cleared.status_code == 200 and cleared.json["claim_date"] is None
    assert cleared.json["version"] == 2
    dated = client.patch(url, json={"version": 2, "claim_date": "٢٠٢٤-١٢-٢٦"}, headers=h)
    assert dated.json["claim_date"] == "2024-12-26"
    cleared = client.patch(url, json={"version": 3, "claim_date": None}, headers=h)
    assert cleared.status_code == 200 and cleared.json["claim_date"] is None
    wrong = client.patch(url, json={"version": 4, "text": 123}, headers=h)
    assert wrong.status_code == 422 and wrong.json["error"]["errors"][0]["code"] == "bad_type"
    assert wrong.json["error"]["field"] == "text" and "string" in wrong.json["error"]["message"]


def test_a_misspelt_or_unknown_field_is_refused_not_ignored(client, seeded,
                                                             editor_token) -> None:
    """A typo such as "stauts" would otherwise be dropped silently, and nothing changed."""
    h = auth(editor_token)
    claim = new_claim(client, editor_token, seeded)
    url = f"{API}/claims/{claim['id']}"
    typo = client.post(f"{url}/status", json={"stauts": "false", "status": "false",
                                                "version": 1}, headers=h)
    assert typo.status_code == 422 and typo.json["error"]["field"] == "stauts"
    assert typo.json["error"]["errors"][0]["code"] == "unknown_field"
    assert "stauts" in typo.json["error"]["message"] and "status" in typo.json["error"]["message"]
    patch = client.patch(url, json={"version": 1, "restatment": "إعادة صياغة"}, headers=h)
    assert patch.status_code == 422 and patch.json["error"]["field"] == "restatment"
    created = client.post(f"{API}/claims", json={"text": "قال بوتين إن صاروخين انفجرا",
                                                 "source_id": seeded["source"], "id": 5},
                          headers=h)
    assert created.status_code == 422 and created.json["error"]["field"] == "id"
    # Nothing was written by any of them.
    after = client.get(url, headers=h).json
    assert after["version"] == 1 and after["status"] == claim["status"]
    assert after["restatement"] is None
    assert client.get(f"{API}/claims", headers=h).json["total"] == 1


def test_a_body_not_sent_as_json_is_415_and_a_204_has_no_type(client, seeded,
                                                               editor_token) -> None:
    h = auth(editor_token)
    sent = client.post(f"{API}/claims", data='{"text": "قال بوتين إن 38 شخصاً قتلوا"}',
                       headers=h | {"Content-Type": "text/plain"})
    assert sent.status_code == 415 and sent.json["error"]["code"] == "unsupported_media_type"
    claim = new_claim(client, editor_token, seeded)
    made = client.post(f"{API}/claims/{claim['id']}/evidence", headers=h,
                       json={"url": "https://example.org/r", "title": "تقرير"})
    gone = client.delete(f"{API}/claims/{claim['id']}/evidence/{made.json['id']}",
                         query_string={"version": 1}, headers=h)
    assert gone.status_code == 204 and "Content-Type" not in gone.headers and not gone.data


def test_dates_that_have_not_happened_are_refused(client, seeded, editor_token) -> None:
    h = auth(editor_token)
    future = client.post(f"{API}/claims", headers=h, json={
        "text": "قال بوتين إن 38 شخصاً قتلوا", "source_id": seeded["source"],
        "claim_date": "2099-05-05"})
    assert future.status_code == 422 and future.json["error"]["field"] == "claim_date"
    assert "future" in future.json["error"]["message"]
    claim = new_claim(client, editor_token, seeded, claim_date="٢٠٢٤-١٢-٢٥")
    evidence = client.post(f"{API}/claims/{claim['id']}/evidence", headers=h, json={
        "url": "https://example.org/r", "title": "تقرير", "accessed_date": "2099-01-01"})
    assert evidence.status_code == 422 and evidence.json["error"]["field"] == "accessed_date"


def test_a_read_without_credentials_is_a_bearer_challenge(client) -> None:
    for path in ("/claims", "/claims/1", "/entities", "/search?q=x"):
        response = client.get(f"{API}{path}")
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"].startswith("Bearer"), path
        assert "Bearer" in response.json["error"]["message"]


def test_arabic_is_sent_as_utf8_not_as_escapes(client, seeded, editor_token) -> None:
    """\\u0642… is valid JSON, but three times the bytes and unreadable in a log or a curl."""
    claim = new_claim(client, editor_token, seeded)
    response = client.get(f"{API}/claims/{claim['id']}", headers=auth(editor_token))
    assert response.mimetype == "application/json"
    assert "قال بوتين إن 38 شخصاً قتلوا".encode() in response.data
    assert b"\\u06" not in response.data and response.json["text"] == claim["text"]


def test_a_wrong_method_is_405_naming_the_methods_allowed(client, seeded, editor_token) -> None:
    """RFC 9110 (15.5.6): a 405 must carry Allow, in the API's JSON as on the web's pages."""
    claim = new_claim(client, editor_token, seeded)
    wrong = client.put(f"{API}/claims/{claim['id']}", json={}, headers=auth(editor_token))
    assert wrong.status_code == 405 and wrong.json["error"]["code"] == "method_not_allowed"
    assert {"GET", "PATCH"} <= {m.strip() for m in wrong.headers["Allow"].split(",")}
    page = client.put(f"/claims/{claim['id']}")
    assert page.status_code == 405 and page.mimetype == "text/html"
    assert "GET" in page.headers["Allow"]


def test_every_operation_taking_a_body_documents_its_415(client) -> None:
    doc = client.get(f"{API}/openapi.json").json
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if "requestBody" in op:
                assert "415" in op["responses"], (method, path)
