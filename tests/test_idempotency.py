"""Creating once: a form's one-time id and the API's Idempotency-Key make one claim (or item)
however often the request is sent."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from claims.db import session_scope
from claims.models import Claim, ClaimAppearance, Evidence, IdempotencyKey, User
from claims.services import idempotency
from claims.web import once
from tests.test_api import API, auth, make_token

TEXT = "قال بوتين إن 38 شخصاً قتلوا في غروزني."
ALREADY = "حُفظ هذا النموذج من قبل، فلم يُحفظ مرة ثانية."


def _count(app: Flask, model: Any) -> int:
    with app.app_context(), session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _ids(html: str) -> list[str]:
    return re.findall(r'name="submission" value="([^"]+)"', html)


def _form(seeded: dict[str, int], **fields: str) -> dict[str, Any]:
    return {"text": TEXT, "source_id": seeded["source"], "status": "unstarted"} | fields


def test_the_new_claim_form_saves_once_however_often_it_is_sent(
        app: Flask, editor_client: FlaskClient, seeded) -> None:
    ids = [_ids(editor_client.get("/claims/new").get_data(as_text=True)) for _ in range(2)]
    assert len(ids[0]) == 1 and ids[0] != ids[1]  # a fresh id with every form
    first_id = ids[0][0]
    first = editor_client.post("/claims/new", data=_form(seeded, submission=first_id))
    second = editor_client.post("/claims/new", data=_form(seeded, submission=first_id,
                                                          text="نص عُدّل قبل الضغطة الثانية"))
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert _count(app, Claim) == 1
    page = editor_client.get(second.headers["Location"]).get_data(as_text=True)
    assert ALREADY in page
    # Another form (another id) is another claim; a post without an id is saved as ever.
    assert editor_client.post("/claims/new", data=_form(seeded, submission=ids[1][0])
                              ).status_code == 302
    assert editor_client.post("/claims/new", data=_form(seeded)).status_code == 302
    assert _count(app, Claim) == 3


def test_a_form_refused_for_its_input_can_be_sent_again(app: Flask, editor_client,
                                                        seeded) -> None:
    form_id = _ids(editor_client.get("/claims/new").get_data(as_text=True))[0]
    refused = editor_client.post("/claims/new", data=_form(seeded, submission=form_id,
                                                           text=""))
    assert refused.status_code == 422 and _count(app, IdempotencyKey) == 0
    assert len(_ids(refused.get_data(as_text=True))) == 1
    fixed = editor_client.post("/claims/new", data=_form(seeded, submission=form_id))
    assert fixed.status_code == 302 and _count(app, Claim) == 1
    assert editor_client.post("/claims/new", data=_form(seeded, submission=form_id)
                              ).headers["Location"] == fixed.headers["Location"]
    assert _count(app, Claim) == 1


def test_the_workbench_one_click_makes_one_claim(app: Flask, editor_client, seeded) -> None:
    page = editor_client.get(f"/workbench/{seeded['source']}").get_data(as_text=True)
    ids = _ids(page)
    assert ids and len(set(ids)) == len(ids)  # every form its own id
    form = {"span_start": "0", "span_end": "10", "submission": ids[0]}
    made = [editor_client.post(f"/workbench/{seeded['source']}/claims", data=form)
            for _ in range(2)]
    assert made[0].headers["Location"] == made[1].headers["Location"]
    assert _count(app, Claim) == 1


def test_evidence_and_appearance_forms_add_once(app: Flask, editor_client, seeded) -> None:
    claim = editor_client.post("/claims/new", data=_form(seeded)).headers["Location"]
    editor_client.get(claim)  # shows the "created" flash
    page = editor_client.get(claim).get_data(as_text=True)  # served from the cache
    ids = _ids(page)
    assert len(ids) == 2 and len(set(ids)) == 2 and once.PLACEHOLDER not in page
    assert set(_ids(editor_client.get(claim).get_data(as_text=True))).isdisjoint(ids)
    evidence = {"url": "https://example.org/report", "title": "تقرير", "submission": ids[0]}
    for _ in range(2):
        assert editor_client.post(f"{claim}/evidence", data=evidence).status_code == 302
    appearance = {"url": "https://example.org/again", "submission": ids[1]}
    for _ in range(2):  # the second was a 422 "already recorded" before
        assert editor_client.post(f"{claim}/appearances", data=appearance).status_code == 302
    assert (_count(app, Evidence), _count(app, ClaimAppearance)) == (1, 1)
    assert ALREADY in editor_client.get(claim).get_data(as_text=True)


def test_the_api_creates_once_per_idempotency_key(app: Flask, client, seeded) -> None:
    token = make_token(app, "editor")
    body = {"text": TEXT, "source_id": seeded["source"]}
    key = {"Idempotency-Key": "retry-7f3a"}
    first = client.post(f"{API}/claims", json=body, headers=auth(token) | key)
    again = client.post(f"{API}/claims", json=dict(reversed(body.items())),
                        headers=auth(token) | key)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count(app, Claim) == 1
    other = client.post(f"{API}/claims", json=body | {"text": "نص آخر"},
                        headers=auth(token) | key)
    assert other.status_code == 422 and other.json["error"]["field"] == "Idempotency-Key"
    assert "different request" in other.json["error"]["message"]
    # Keys are per user; no key, or a new one, is a new claim.
    admin = make_token(app, "admin")
    assert client.post(f"{API}/claims", json=body, headers=auth(admin) | key).json["id"] \
        != first.json["id"]
    assert client.post(f"{API}/claims", json=body, headers=auth(token)).status_code == 201
    assert _count(app, Claim) == 3
    for bad in ("x" * 256, "with space", "é"):
        refused = client.post(f"{API}/claims", json=body,
                              headers=auth(token) | {"Idempotency-Key": bad})
        assert refused.status_code == 422, bad
        assert refused.json["error"]["field"] == "Idempotency-Key"
    documented = client.get(f"{API}/openapi.json").json["paths"]["/claims"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header"
               for p in documented["parameters"])


def test_keys_expire_after_a_day_and_are_pruned(app: Flask, client, seeded,
                                                user_ids) -> None:
    token = make_token(app, "editor")
    body = {"text": TEXT, "source_id": seeded["source"]}
    first = client.post(f"{API}/claims", json=body,
                        headers=auth(token) | {"Idempotency-Key": "old"}).json["id"]
    with app.app_context(), session_scope(app) as session:
        session.execute(IdempotencyKey.__table__.update().values(
            created_at=dt.datetime.now(dt.UTC) - idempotency.KEEP - dt.timedelta(minutes=1)))
        session.commit()
    later = client.post(f"{API}/claims", json=body | {"text": "نص آخر"},
                        headers=auth(token) | {"Idempotency-Key": "old"})
    assert later.status_code == 201 and later.json["id"] != first
    with app.app_context(), session_scope(app) as session:
        rows = session.execute(select(IdempotencyKey.key, IdempotencyKey.claim_id)).all()
    assert [tuple(r) for r in rows] == [("old", later.json["id"])]


def test_a_concurrent_request_with_the_same_key_gets_the_winners_claim(
        app: Flask, seeded, monkeypatch) -> None:
    """Both looked the key up before either wrote (PostgreSQL lets them): the later insert
    meets the unique key, rolls its own claim back and answers with the first one's."""
    with app.app_context(), session_scope(app) as session:
        user = session.scalars(select(User).where(User.username == "editor")).one()
        won = Claim(text="الأول", text_key="", status="unstarted", source_id=seeded["source"])
        session.add(won)
        session.flush()
        session.add(IdempotencyKey(user_id=user.id, key="k", claim_id=won.id))
        session.commit()
        real = idempotency.earlier
        calls: list[int | None] = []

        def raced(*args: Any) -> int | None:
            calls.append(None if not calls else real(*args))
            return calls[-1]

        monkeypatch.setattr(idempotency, "earlier", raced)
        with app.test_request_context():
            from claims.services import claims as service

            made = idempotency.create_once(
                session, user, "k",
                lambda: service.create_claim(session, user, _form(seeded)).id)
        session.commit()
        assert made == (won.id, False) and calls == [None, won.id]
        assert session.scalar(select(func.count()).select_from(Claim)) == 1
