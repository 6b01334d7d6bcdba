"""Correcting a source's details after ingest: web form, API, conflicts, audit."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from claims.db import session_scope
from claims.models import AuditEvent, SourceDocument
from tests.conftest import login_as
from tests.test_api import API, auth, make_token


def _source(app: Flask, source_id: int) -> SourceDocument:
    with app.app_context(), session_scope(app) as session:
        source = session.get_one(SourceDocument, source_id)
        session.expunge(source)
        return source


def test_an_editor_corrects_the_details_and_the_audit_log_keeps_the_old_ones(
        app: Flask, editor_client: FlaskClient, seeded) -> None:
    url = f"/sources/{seeded['source']}/edit"
    assert 'id="source-edit"' in editor_client.get(
        f"/sources/{seeded['source']}").get_data(as_text=True)
    form = editor_client.get(url).get_data(as_text=True)
    assert 'value="تقرير أ ف ب"' in form and 'name="version" value="1"' in form
    saved = editor_client.post(url, data={
        "version": "1", "title": "بوتين يقر بمسؤولية الدفاع الجوي الروسي",
        "outlet": "وكالة فرانس برس", "author": "فريق التحرير",
        "url": "https://www.example.org/ar/putin", "published_date": "٢٠٢٥-١٠-٠٩"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(
        f"/sources/{seeded['source']}")
    source = _source(app, seeded["source"])
    assert (source.title, source.outlet, source.author, source.url, source.published_date,
            source.version) == ("بوتين يقر بمسؤولية الدفاع الجوي الروسي", "وكالة فرانس برس",
                                "فريق التحرير", "https://www.example.org/ar/putin",
                                dt.date(2025, 10, 9), 2)
    assert source.text == "قال بوتين إن 38 شخصاً قتلوا."  # the text is never edited
    with app.app_context(), session_scope(app) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "source.edited"))
        assert event is not None and event.target_id == seeded["source"]
        assert event.details["changes"]["title"] == ["تقرير أ ف ب",
                                                     "بوتين يقر بمسؤولية الدفاع الجوي الروسي"]
        assert event.details["changes"]["published_date"] == [None, "2025-10-09"]
    login_as(editor_client, app, "admin")
    log = editor_client.get("/admin/audit").get_data(as_text=True)
    assert "صُحّحت بيانات المصدر" in log and "<del><bdi dir=\"auto\">تقرير أ ف ب</bdi></del>" in log


def test_bad_values_are_named_kept_and_write_nothing(app: Flask, editor_client: FlaskClient,
                                                     seeded) -> None:
    url = f"/sources/{seeded['source']}/edit"
    refused = editor_client.post(url, data={
        "version": "1", "title": "  ", "outlet": "أ ف ب\u202e", "url": "javascript:alert(1)",
        "published_date": "2999-01-01", "author": "<script>alert(1)</script>"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    for field in ("title", "url", "published_date"):
        assert f'id="{field}-error"' in page, field
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    source = _source(app, seeded["source"])
    assert (source.title, source.url, source.version) == ("تقرير أ ف ب", None, 1)


def test_two_people_correcting_one_source_end_in_a_conflict(app: Flask, seeded) -> None:
    first, second = app.test_client(), app.test_client()
    login_as(first, app, "editor")
    login_as(second, app, "admin")
    url = f"/sources/{seeded['source']}/edit"
    assert first.post(url, data={"version": "1", "title": "العنوان الأول"}).status_code == 302
    late = second.post(url, data={"version": "1", "title": "العنوان الثاني"})
    page = late.get_data(as_text=True)
    assert late.status_code == 409 and 'id="conflict"' in page
    assert 'value="العنوان الثاني"' in page and 'name="version" value="2"' in page
    assert _source(app, seeded["source"]).title == "العنوان الأول"
    assert second.post(url, data={"version": "2", "title": "العنوان الثاني"}).status_code == 302
    assert _source(app, seeded["source"]).title == "العنوان الثاني"


def test_viewers_cannot_correct_sources(app: Flask, client: FlaskClient, seeded) -> None:
    login_as(client, app, "viewer")
    url = f"/sources/{seeded['source']}/edit"
    assert 'id="source-edit"' not in client.get(
        f"/sources/{seeded['source']}").get_data(as_text=True)
    assert client.get(url).status_code == 403
    assert client.post(url, data={"version": "1", "title": "x"}).status_code == 403


def test_the_api_patches_named_fields_and_refuses_a_stale_version(
        app: Flask, client: FlaskClient, seeded) -> None:
    h = auth(make_token(app, "editor"))
    url = f"{API}/sources/{seeded['source']}"
    assert client.get(url, headers=h).json["source"]["version"] == 1
    patched = client.patch(url, json={"version": 1, "outlet": "فرانس برس",
                                      "published_date": "2025-10-09"}, headers=h)
    assert patched.status_code == 200, patched.json
    assert patched.json["source"]["outlet"] == "فرانس برس"
    assert patched.json["source"]["title"] == "تقرير أ ف ب"  # not given: kept
    assert patched.json["source"]["version"] == 2
    stale = client.patch(url, json={"version": 1, "title": "قديم"}, headers=h)
    assert stale.status_code == 409 and stale.json["error"]["current_version"] == 2
    cleared = client.patch(url, json={"version": 2, "published_date": None}, headers=h)
    assert cleared.status_code == 200 and cleared.json["source"]["published_date"] is None
    for body, field in (({"version": 3, "title": ""}, "title"),
                        ({"version": 3, "url": "ftp://x.example"}, "url"),
                        ({"version": 3, "text": "نص جديد"}, "text")):
        refused = client.patch(url, json=body, headers=h)
        assert refused.status_code == 422 and refused.json["error"]["field"] == field, body
    other = client.post(f"{API}/sources", json={"text": "قال علييف إن التحقيق مستمر.",
                                                "url": "https://a.example/other"}, headers=h)
    taken = client.patch(url, json={"version": 3, "url": "https://a.example/other"}, headers=h)
    assert other.status_code == 201 and taken.status_code == 422
    assert taken.json["error"]["errors"][0]["code"] == "source_url_taken"
