"""Sources past the newest few hundred: the claim form's list (the newest 200) keeps an older
chosen source, and the sources list pages back to the first article."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from claims.db import session_scope
from claims.models import SourceDocument
from tests.conftest import login_as


def test_an_older_source_stays_chosen_in_the_claim_form(app: Flask, client: FlaskClient,
                                                         seeded) -> None:
    old = seeded["source"]
    with app.app_context(), session_scope(app) as session:
        session.add_all(SourceDocument(title=f"مقال {i}", text=f"نص المقال رقم {i}.",
                                       language="ar") for i in range(200))
        session.commit()
    login_as(client, app, "editor")
    made = client.post("/claims/new", data={"text": "قال بوتين إن 38 شخصاً قتلوا",
                                            "source_id": old, "status": "unstarted"})
    assert made.status_code == 302, made.get_data(as_text=True)
    claim_id = int(made.headers["Location"].rsplit("/", 1)[-1])
    chosen = re.compile(rf'<option value="{old}"\s+selected>')
    assert chosen.search(client.get(f"/claims/{claim_id}/edit").get_data(as_text=True))
    assert chosen.search(client.get(f"/claims/new?source={old}").get_data(as_text=True))
    edited = client.post(f"/claims/{claim_id}/edit", data={
        "text": "قال بوتين إن 38 شخصاً قتلوا", "source_id": old, "tags": "طائرة",
        "claim_type": "quantity", "version": 1})
    assert edited.status_code == 302, edited.get_data(as_text=True)


def test_the_sources_list_pages_back_to_the_oldest_article(app: Flask, client: FlaskClient,
                                                           seeded) -> None:
    with app.app_context(), session_scope(app) as session:
        session.add_all(SourceDocument(title=f"مقال {i}", text=f"نص المقال رقم {i}.",
                                       language="ar") for i in range(250))
        session.commit()
    login_as(client, app, "viewer")
    first = client.get("/sources").get_data(as_text=True)
    assert "مقال 249" in first and "تقرير أ ف ب" not in first and 'href="/sources?page=2"' in first
    last = client.get("/sources?page=3").get_data(as_text=True)
    assert f'href="/sources/{seeded["source"]}"' in last and 'rel="next"' not in last
    assert client.get("/sources?page=99").status_code == 200
    assert client.get("/sources?page=abc").status_code == 200
