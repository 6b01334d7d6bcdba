"""Interface wording found lacking by outside testing: empty states that named the wrong
thing, counted messages without their plural forms, a message shown twice."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import login_as


def test_empty_entity_and_source_lists_say_what_is_missing(
        app: Flask, client: FlaskClient) -> None:
    login_as(client, app, "viewer")
    entities = client.get("/entities?q=zzzz").get_data(as_text=True)
    assert "لا توجد كيانات مطابقة." in entities and "لا توجد ادعاءات مطابقة." not in entities
    sources = client.get("/sources").get_data(as_text=True)
    assert "لا مصادر بعد" in sources and "لا توجد ادعاءات مطابقة." not in sources
    client.post("/lang", data={"lang": "en", "next": "/"})
    assert "No matching entities." in client.get("/entities?q=zzzz").get_data(as_text=True)
