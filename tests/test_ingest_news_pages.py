"""Ingest of saved news pages as a newsroom saves them: section pages, real sizes, the API."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from claims.db import session_scope
from claims.models import SourceDocument
from tests.test_api import API, auth, make_token

DATA = Path(__file__).parent / "data"
# A saved section page (written for these tests): a cookie banner, menus, three headlines
# linking to articles, a copyright footer, and no article of its own.
SECTION = DATA / "section-page.html"
LOGIN_WALL = ("<html lang='ar'><head><title>تسجيل الدخول - صحيفة الشرق</title></head><body>"
              "<header><nav><a href='/'>الرئيسية</a> <a href='/sub'>اشترك الآن</a></nav></header>"
              "<main><form><label>البريد الإلكتروني</label><input name='e'><label>كلمة المرور"
              "</label><input name='p'><button>دخول</button></form></main></body></html>")


def _count(app: Flask) -> int:
    with app.app_context(), session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(SourceDocument)) or 0


@pytest.mark.parametrize("page", [SECTION.read_bytes(), LOGIN_WALL.encode()],
                         ids=["section", "login-wall"])
def test_a_saved_page_without_an_article_is_refused_in_both_languages(
        app: Flask, editor_client: FlaskClient, page: bytes) -> None:
    # Such pages were stored as "articles" of menu items, headlines and a cookie banner.
    for lang, message in (("ar", "لا نص مقال في هذه الصفحة"),
                          ("en", "This page holds no article text")):
        with editor_client.session_transaction() as sess:
            sess["lang"] = lang
        response = editor_client.post("/workbench/ingest", data={
            "file": (io.BytesIO(page), "saved.html"), "outlet": "وسيلة كما كتبت"},
            content_type="multipart/form-data")
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert message in html[html.index('id="file-error"'):][:300]
        assert "وسيلة كما كتبت" in html
    token = make_token(app, "editor")
    reply = app.test_client().post(f"{API}/sources", json={"text": page.decode()},
                                   headers=auth(token))
    assert reply.status_code == 422
    assert (reply.json["error"]["field"], reply.json["error"]["errors"][0]["code"]) == (
        "text", "no_article_in_page")
    assert _count(app) == 0


def _real_sized(page: str) -> str:
    """The page as news sites serve it: a few hundred kilobytes of inline styles and scripts."""
    page = page.replace("</head>", "<style>" + ".share a { color: #c00; }\n" * 9000
                        + "</style></head>")
    return page.replace("</body>", "<script>" + "window.ads.push({slot: 1});\n" * 9000
                        + "</script></body>")


def test_a_real_sized_saved_page_is_taken_when_sent_as_text(app: Flask,
                                                            editor_client: FlaskClient) -> None:
    # Only the article counts towards the character limit, as for an uploaded page: the
    # API (which takes pages as text) refused every page of over 200,000 characters of markup.
    page = _real_sized((DATA / "article-anadolu.html").read_text(encoding="utf-8"))
    assert len(page) > 400_000
    token = make_token(app, "editor")
    reply = app.test_client().post(f"{API}/sources", json={"text": page}, headers=auth(token))
    assert reply.status_code == 201, reply.json
    assert reply.json["source"]["outlet"] == "وكالة الأناضول"
    assert reply.json["text"].startswith("أنقرة (الأناضول) - أعلن")
    pasted = editor_client.post("/workbench/ingest", data={"text": page})
    assert pasted.status_code == 302
    assert pasted.headers["Location"] == f"/workbench/{reply.json['source']['id']}"
    # Plain text over the limit is still refused, naming the limit.
    long_text = "قال أرصوي إن عدد السياح بلغ 49.2 مليون سائح. " * 5000
    reply = app.test_client().post(f"{API}/sources", json={"text": long_text},
                                   headers=auth(token))
    assert reply.status_code == 422
    assert reply.json["error"]["errors"][0]["params"] == {"max": 200_000}
    assert _count(app) == 1
