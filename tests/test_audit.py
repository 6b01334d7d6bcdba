"""The audit trail: changes to users, entity names and API tokens, kept with who and when."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from claims.db import session_scope
from claims.models import AuditEvent, Entity
from claims.models.claims import HistoryIsAppendOnly
from tests.conftest import PASSWORD, login_as
from tests.test_api import API, auth, make_token


def _events(app: Flask) -> list[tuple[str | None, str, dict]]:
    """(who, action, details) of every event, oldest first."""
    with app.app_context(), session_scope(app) as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        return [(e.user.username if e.user else None, e.action, e.details) for e in rows]


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_admin_changes_to_users_are_audited(app: Flask, client: FlaskClient) -> None:
    login_as(client, app, "admin")
    assert client.post("/admin/users", data={"username": "huda", "password": PASSWORD,
                                             "role": "viewer"}).status_code == 302
    refused = client.post("/admin/users", data={"username": "huda", "password": "short"})
    assert refused.status_code == 422  # nothing written, nothing audited
    with app.app_context(), session_scope(app) as session:
        from claims.models import User

        huda = session.scalars(select(User.id).where(User.username == "huda")).one()
    client.post(f"/admin/users/{huda}", data={"role": "editor", "is_active": "1"})
    client.post(f"/admin/users/{huda}", data={"role": "editor", "is_active": "1"})  # no change
    client.post(f"/admin/users/{huda}", data={"role": "editor", "is_active": "0"})
    assert _events(app) == [
        ("admin", "user.created", {"username": "huda", "role": "viewer"}),
        ("admin", "user.changed", {"username": "huda", "role": ["viewer", "editor"]}),
        ("admin", "user.changed", {"username": "huda", "is_active": [True, False]}),
    ]
    html = _page(client, "/admin/audit")
    entries = re.findall(r'<li id="audit-\d+" class="audit-([\w-]+)">', html)
    assert entries == ["user-changed", "user-changed", "user-created"]  # newest first
    assert "الدور <del>قارئ</del> ← <strong>محرر</strong>" in html
    assert "نشط <del>نعم</del> ← <strong>لا</strong>" in html
    assert "<bdi>admin</bdi>" in html
    only_created = _page(client, "/admin/audit?action=user.created")
    assert re.findall(r'class="audit-([\w-]+)"', only_created) == ["user-created"]
    assert 'href="/admin/audit"' in _page(client, "/admin/users")


def test_alias_changes_show_on_the_entity_page_and_in_the_log(app: Flask,
                                                              editor_client: FlaskClient,
                                                              seeded) -> None:
    putin = seeded["putin"]
    assert editor_client.post(f"/entities/{putin}/aliases",
                              data={"text": "القيصر", "kind": "short", "lang": "ar"}
                              ).status_code == 302
    with app.app_context(), session_scope(app) as session:
        from claims.models import Alias

        alias_id = session.scalars(select(Alias.id).where(Alias.text == "القيصر")).one()
    assert editor_client.post(f"/entities/{putin}/aliases/{alias_id}/delete").status_code == 302
    (_, added, first), (who, removed, second) = _events(app)
    assert (added, removed, who) == ("alias.added", "alias.removed", "editor")
    assert first["alias"] == second["alias"] == "القيصر" and first["kind"] == "short"
    history = _page(editor_client, f"/entities/{putin}").split('id="name-history"')[1]
    assert history.index("حُذف الاسم البديل") < history.index("أُضيف الاسم البديل")
    assert "«<bdi dir=\"auto\">القيصر</bdi>»" in history and "<bdi>editor</bdi>" in history
    assert editor_client.get("/admin/audit").status_code == 403  # the full log is the admin's
    login_as(editor_client, app, "admin")
    assert "القيصر" in _page(editor_client, "/admin/audit")


def test_tokens_created_and_revoked_by_an_admin_are_audited(app: Flask, client: FlaskClient
                                                            ) -> None:
    editor_secret = make_token(app, "editor")
    login_as(client, app, "admin")
    listing = _page(client, "/account/tokens")
    token_id = re.search(r'/account/tokens/(\d+)/revoke', listing).group(1)
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    assert [(who, action, d["owner"]) for who, action, d in _events(app)] == [
        ("editor", "token.created", "editor"), ("admin", "token.revoked", "editor")]
    assert client.get(f"{API}/me", headers=auth(editor_secret)).status_code == 401


def test_the_api_pages_the_log_for_admins_only(app: Flask, client: FlaskClient) -> None:
    admin_secret = make_token(app, "admin")
    editor_secret = make_token(app, "editor")
    with app.app_context(), session_scope(app) as session:
        from claims.services import audit

        for i in range(55):
            audit.record(session, None, "entity.created", "entity", i + 1, name=f"كيان {i}",
                         name_en=None, kind="place")
        session.commit()
    assert client.get(f"{API}/audit", headers=auth(editor_secret)).status_code == 403
    first = client.get(f"{API}/audit", headers=auth(admin_secret)).json
    assert len(first["items"]) == 50 and first["items"][0]["details"]["name"] == "كيان 54"
    assert first["items"][0]["user"] is None  # the command line
    rest = client.get(f"{API}/audit?before={first['next_before']}",
                      headers=auth(admin_secret)).json
    assert [e["action"] for e in rest["items"]] == ["entity.created"] * 5 + ["token.created"] * 2
    assert rest["next_before"] is None
    only = client.get(f"{API}/audit?action=token.created", headers=auth(admin_secret)).json
    assert [e["details"]["owner"] for e in only["items"]] == ["editor", "admin"]
    bad = client.get(f"{API}/audit?action=nope", headers=auth(admin_secret))
    assert bad.status_code == 422 and bad.json["error"]["field"] == "action"


def test_the_command_line_is_named_as_the_actor(app: Flask, runner, client) -> None:
    result = runner.invoke(args=["user", "create", "sara", "--role", "editor",
                                 "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert _events(app) == [(None, "user.created", {"username": "sara", "role": "editor"})]
    login_as(client, app, "admin")
    assert "سطر الأوامر" in _page(client, "/admin/audit")


def test_gazetteer_loads_are_audited_as_the_command_line(app: Flask, client: FlaskClient,
                                                          tmp_path) -> None:
    from claims.services.entities import load_gazetteer

    path = tmp_path / "gazetteer.json"
    item = {"key": "place:grozny", "kind": "place", "name_ar": "غروزني", "name_en": "Grozny"}
    path.write_text(json.dumps({"entities": [item]}), encoding="utf-8")
    with app.app_context(), session_scope(app) as session:
        assert load_gazetteer(session, path) == 1
        session.commit()
        item["aliases"] = [{"text": "جروزني", "kind": "translit"}]
        path.write_text(json.dumps({"entities": [item]}), encoding="utf-8")
        assert load_gazetteer(session, path) == 0  # a top-up: the new spelling only
        assert load_gazetteer(session, path) == 0  # nothing new, nothing audited
        session.commit()
        entity_id = session.scalar(select(Entity.id).where(Entity.key == "place:grozny"))
    assert [(who, action, d.get("source"), d.get("alias")) for who, action, d in _events(app)] == [
        (None, "entity.created", "gazetteer", None), (None, "alias.added", None, "جروزني")]
    login_as(client, app, "admin")
    page = _page(client, f"/entities/{entity_id}")
    assert "من المعجم الجغرافي المرفق" in page and "جروزني" in page


def test_audit_events_are_append_only(app: Flask) -> None:
    with app.app_context(), session_scope(app) as session:
        from claims.services import audit

        event = audit.record(session, None, "user.password_set", "user", 1, username="x")
        session.commit()
        event.details = {"username": "y"}
        with pytest.raises(HistoryIsAppendOnly):
            session.flush()
        session.rollback()
        session.delete(session.get(AuditEvent, event.id))
        with pytest.raises(HistoryIsAppendOnly):
            session.flush()


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(app: Flask, client: FlaskClient,
                                                                user_ids) -> None:
    login_as(client, app, "admin")
    me = user_ids["admin"]
    for change in ({"role": "editor", "is_active": "1"}, {"role": "admin", "is_active": "0"}):
        refused = client.post(f"/admin/users/{me}", data=change, follow_redirects=True)
        assert "هذا آخر مدير نشط" in refused.get_data(as_text=True)
    assert _events(app) == []  # nothing changed, nothing audited
    client.post(f"/admin/users/{user_ids['editor']}", data={"role": "admin", "is_active": "1"})
    assert client.post(f"/admin/users/{me}", data={"role": "editor", "is_active": "1"}
                       ).status_code == 302
    assert [(d["username"], d["role"]) for _, _, d in _events(app)] == [
        ("editor", ["editor", "admin"]), ("admin", ["admin", "editor"])]


def test_every_kind_of_target_the_log_names_is_in_the_api_document(
        app: Flask, client: FlaskClient, seeded) -> None:
    """A source's correction is logged with target_kind "source": the document must allow it."""
    admin = auth(make_token(app, "admin"))
    fixed = client.patch(f"{API}/sources/{seeded['source']}", headers=admin,
                         json={"version": 1, "outlet": "فرانس برس"})
    assert fixed.status_code == 200
    kinds = client.get(f"{API}/openapi.json").json["components"]["schemas"][
        "AuditEvent"]["properties"]["target_kind"]["enum"]
    logged = {e["target_kind"] for e in client.get(f"{API}/audit", headers=admin).json["items"]}
    assert "source" in logged and logged <= set(kinds)
