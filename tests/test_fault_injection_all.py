"""Fault injection on the write paths test_reliability.py does not cover: the JSON API, the
article workbench, imports and API tokens. A database error at the N-th statement must leave
the database exactly as it was and answer with a clean error (JSON for the API)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from claims.api.tokens import create_token
from claims.db import get_engine, session_scope
from claims.models import Alias, ApiToken, Claim, Mention, User
from claims.services import claims as service
from claims.services import evidence as evidence_service
from claims.services.users import create_user
from tests.conftest import PASSWORD, login_as, make_app
from tests.test_reliability import COVERED_BLUEPRINTS, InjectedFault, _claim, drive_faults

# Routes that change no database row: the language cookie, the CSV preview (it only parses
# the upload and stores the preview beside the instance), matching a text sent in a body.
NO_DATABASE_WRITE = {"core.set_language", "interchange.import_csv", "auth.logout",
                     "api.text_matches_in_body"}
CSV = ("text,status,speaker,source_url\r\n"
       "قال علييف إن 5 طائرات سقطت,false,علييف,https://example.org/a\r\n").encode()
CLAIMREVIEW = json.dumps({
    "@context": "https://schema.org", "@type": "ClaimReview", "url": "https://misbar.example/r/1",
    "claimReviewed": "قُتل 39 شخصاً في الحادث", "reviewRating": {"alternateName": "زائف"},
    "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "حساب متداول"},
                     "appearance": ["https://x.example/1", "https://y.example/2"]}},
    ensure_ascii=False).encode()

# (endpoint, method, url, how to send: "form" | "json" | "file", body)
Scenario = tuple[str, str, str, str, Any]


def _ids(app: Flask, seeded: dict[str, int]) -> dict[str, Any]:
    claim_id = _claim(app, seeded, text="اتهم بوتين باكو بالتكتم على 38 ضحية")
    other_id = _claim(app, seeded, text="قال بوتين إن 38 شخصاً قتلوا في الحادث")
    with app.app_context(), session_scope(app) as session:
        editor = session.scalar(select(User).where(User.username == "editor"))
        claim = service.get_claim(session, claim_id)
        evidence = evidence_service.add_evidence(session, claim, editor, {"title": "تقرير"})
        appearance = service.add_appearance(session, claim, None, {"url": "https://t.example/v"})
        token, secret = create_token(session, editor, {"name": "ci"})
        # changes its own password (the role users' passwords are every other test's)
        create_user(session, {"username": "keyholder", "password": PASSWORD, "role": "viewer"})
        spare, _ = create_token(session, editor, {"name": "spare"})
        session.commit()
        alias_id = session.scalar(select(Alias.id).where(Alias.entity_id == seeded["putin"],
                                                         Alias.kind == "short"))
        mention_id = session.scalars(select(Mention.id).where(Mention.claim_id == claim_id)
                                     ).first()
        return {"claim": claim_id, "other": other_id, "evidence": evidence.id,
                "appearance": appearance.id, "secret": secret, "token": spare.id,
                "alias": alias_id, "used_token": token.id, "mention": mention_id}


def _scenarios(ids: dict[str, Any], seeded: dict[str, int]) -> list[Scenario]:
    c, e, api = ids["claim"], seeded["putin"], "/api/v1"
    article = "موسكو (أ ف ب) – قال الرئيس فلاديمير بوتين إن 38 شخصاً قتلوا في الحادث."
    return [
        # Before the claim's text is edited (which re-links it, replacing its mentions).
        ("api.decide", "POST", f"{api}/claims/{c}/links", "json",
         {"other_id": ids["other"], "relation": "conflict"}),
        ("api.review_mention", "POST", f"{api}/claims/{c}/mentions/{ids['mention']}", "json",
         {"review": "rejected"}),
        ("api.create_claim", "POST", f"{api}/claims", "json",
         {"text": "قال علييف إن 5 طائرات سقطت", "source_id": seeded["source"],
          "speaker": "علييف", "tags": ["طيران"], "status": "false", "note": "حكم"}),
        ("api.update_claim", "PATCH", f"{api}/claims/{c}", "json",
         {"version": "current", "text": "اتهم بوتين باكو بالتكتم على 40 ضحية"}),
        ("api.change_status", "POST", f"{api}/claims/{c}/status", "json",
         {"status": "false", "version": "current", "note": "دحض"}),
        ("api.add_evidence", "POST", f"{api}/claims/{c}/evidence", "json",
         {"url": "https://example.org/r", "title": "دليل"}),
        ("api.update_evidence", "PATCH", f"{api}/claims/{c}/evidence/{ids['evidence']}", "json",
         {"stance": "refutes", "version": 1}),
        ("api.remove_evidence", "DELETE",
         f"{api}/claims/{c}/evidence/{ids['evidence']}?version=2", "json", None),  # after the PATCH
        ("api.add_appearance", "POST", f"{api}/claims/{c}/appearances", "json",
         {"url": "https://u.example/w"}),
        ("api.remove_appearance", "DELETE",
         f"{api}/claims/{c}/appearances/{ids['appearance']}", "json", None),
        ("api.create_source", "POST", f"{api}/sources", "json",
         {"text": article, "url": "https://example.org/article"}),
        ("sources.edit", "POST", f"/sources/{seeded['source']}/edit", "form",
         {"version": "1", "title": "تقرير معدّل", "outlet": "فرانس برس"}),
        ("api.update_source", "PATCH", f"{api}/sources/{seeded['source']}", "json",
         {"version": 2, "author": "فريق التحرير"}),  # after the form's correction
        ("api.create_entity", "POST", f"{api}/entities", "json",
         {"kind": "person", "name_ar": "سعيد جليلي", "name_en": "Saeed Jalili"}),
        ("api.add_alias", "POST", f"{api}/entities/{e}/aliases", "json",
         {"text": "بوتن", "kind": "translit"}),
        ("api.remove_alias", "DELETE", f"{api}/entities/{e}/aliases/{ids['alias']}", "json",
         None),
        ("workbench.ingest", "POST", "/workbench/ingest", "form",
         {"text": article.replace("38", "39"), "url": "https://example.org/article-2"}),
        ("workbench.make_claim", "POST", f"/workbench/{seeded['source']}/claims", "form",
         {"span_start": "0", "span_end": "27", "speaker": "بوتين"}),
        ("workbench.decide", "POST", f"/workbench/claims/{c}/links", "form",
         {"other_id": str(ids["other"]), "relation": "duplicate"}),
        ("interchange.create_token", "POST", "/account/tokens", "form", {"name": "laptop"}),
        ("account.password", "POST", "/account/password", "form", {
            "current_password": PASSWORD, "new_password": "keyholder's new password",
            "confirm_password": "keyholder's new password"}),
        ("interchange.revoke_token", "POST", f"/account/tokens/{ids['token']}/revoke", "form",
         {}),
        ("interchange.import_claimreview", "POST", "/import/claimreview", "file",
         ("review.jsonld", CLAIMREVIEW, {})),
        ("interchange.confirm_csv", "POST", "/import/csv/confirm", "csv", None),
    ]


def _current_version(app: Flask, claim_id: int) -> int:
    with get_engine(app).connect() as conn:
        return int(conn.scalar(select(Claim.version).where(Claim.id == claim_id)) or 0)


def _sender(client: FlaskClient, secret: str, scenario: Scenario,
            version: int) -> Callable[[bool], Any]:
    """A function that sends the scenario's request once (as JSON-accepting or HTML)."""
    _, method, url, how, body = scenario
    if how == "csv":
        preview = client.post("/import/csv", data={"format": "claims",
                                                   "file": (io.BytesIO(CSV), "claims.csv")},
                              content_type="multipart/form-data")
        assert preview.status_code == 200, preview.get_data(as_text=True)[:300]
        with client.session_transaction() as session:
            body = {"token": session["csv_import"]}
        how = "form"

    def send(as_json: bool) -> Any:
        accept = {"Accept": "application/json" if as_json else "text/html"}
        if how == "json":
            data = dict(body or {})
            if data.get("version") == "current":
                data["version"] = version
            return client.open(url, method=method, json=data if body is not None else None,
                               headers={"Authorization": f"Bearer {secret}", **accept})
        if how == "file":
            name, content, extra = body
            return client.post(url, data={**extra, "file": (io.BytesIO(content), name)},
                               content_type="multipart/form-data", headers=accept)
        return client.open(url, method=method, data=body, headers=accept)

    return send


def test_fault_at_every_statement_of_the_other_write_paths_writes_nothing(
        database_url, _schema, app, seeded, monkeypatch) -> None:
    app = make_app(database_url)
    app.testing = False  # real error handling: the user's view of a failure
    # A password change a fault ends stays counted by the login throttle (no free guess);
    # this test is not about the throttle.
    monkeypatch.setattr("claims.web.auth.MAX_FAILURES", 1000)
    ids = _ids(app, seeded)
    scenarios = _scenarios(ids, seeded)
    writes = {rule.endpoint for rule in app.url_map.iter_rules()
              if (rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}
              and rule.endpoint.split(".")[0] not in COVERED_BLUEPRINTS}
    covered = {s[0] for s in scenarios}
    assert writes - covered - NO_DATABASE_WRITE == set(), "a write path without a scenario"
    fault = InjectedFault(app)
    faults = 0
    for scenario in scenarios:
        endpoint, url = scenario[0], scenario[2]
        client = app.test_client()
        login_as(client, app, "keyholder" if endpoint == "account.password" else "editor")
        # A failed attempt changes nothing, so the version read once holds for every attempt.
        send = _sender(client, ids["secret"], scenario, _current_version(app, ids["claim"]))
        faults += drive_faults(app, fault, endpoint, send, json_always=url.startswith("/api/"),
                               ok=(200, 201, 204, 302))
    get_engine(app).dispose()
    assert faults >= len(scenarios)
    with app.app_context(), session_scope(app) as session:
        assert session.get(ApiToken, ids["token"]).revoked_at is not None
