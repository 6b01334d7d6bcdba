"""The claim form's source list (the newest 200) keeps an older chosen source: editing a claim
of an old article, or opening the form from its workbench, must not lose or refuse it."""

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
