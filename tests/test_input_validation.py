"""Input validation found lacking by outside testing: names that can name nothing, repeated
entities and aliases, case-twin usernames, field errors that went unseen, counted messages."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from claims.db import session_scope
from claims.errors import ValidationFailed
from claims.i18n import translate
from claims.models import Alias, Entity, User
from claims.security import hash_password
from claims.services import users
from claims.text.linking import name_problem
from tests.conftest import PASSWORD, login_as
from tests.test_api import API, auth, make_token


@pytest.mark.parametrize(("text", "code"), [
    ("ـــــ", "no_letters"),  # tatweel only
    ("ًٌ", "no_letters"),  # diacritics only
    ("\u200f\u200e", "no_letters"),  # direction marks only
    ("ـــ ًٌ 123", "no_letters"),
    ("و", "function_word"),
    ("ال", "function_word"),
    ("وال", "function_word"),
    ("للـ", "function_word"),
    ("من", "function_word"),
    ("ق", "too_short"),
    ("X", "too_short"),
    ("UN", None), ("EU", None), ("US", None), ("U.N.", None),
    ("أ ف ب", None), ("علي", None), ("بوتين", None), ("أبو ظبي", None), ("G7", None),
])
def test_which_names_can_name_an_entity(text: str, code: str | None) -> None:
    assert name_problem(text) == code


def _aliases(app: Flask, entity_id: int) -> list[str]:
    with app.app_context(), session_scope(app) as session:
        return list(session.scalars(select(Alias.key).where(Alias.entity_id == entity_id)))


@pytest.fixture
def api(app: Flask) -> dict[str, str]:
    return auth(make_token(app, "editor"))


def _refused(response, field: str, code: str) -> dict:
    assert response.status_code == 422, response.json
    errors = response.json["error"]["errors"]
    assert (errors[0]["field"], errors[0]["code"]) == (field, code), errors
    return errors[0]


@pytest.mark.parametrize(("field", "name", "code"), [
    ("name_ar", "ـــــ", "no_letters"),
    ("name_ar", "ًٌ", "no_letters"),
    ("name_ar", "\u200f\u200e", "required"),  # nothing visible: an empty field, as spaces are
    ("name_ar", "و", "function_word"),
    ("name_en", "ًٌ", "no_letters"),
])
def test_entities_named_by_no_letter_or_a_lone_particle_are_refused(
        app: Flask, client: FlaskClient, api, field: str, name: str, code: str) -> None:
    body = {"kind": "person", "name_ar": "سيرغي لافروف", field: name}
    error = _refused(client.post(f"{API}/entities", json=body, headers=api), field, code)
    assert error["message"]
    with app.app_context(), session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Entity)) == 0


def test_particle_and_one_letter_aliases_are_refused_abbreviations_kept(
        app: Flask, client: FlaskClient, seeded, api) -> None:
    putin = seeded["putin"]
    before = _aliases(app, putin)
    for text, code in (("و", "function_word"), ("ال", "function_word"),
                       ("ق", "too_short"), ("ـــ", "no_letters")):
        _refused(client.post(f"{API}/entities/{putin}/aliases", json={"text": text},
                             headers=api), "text", code)
    assert _aliases(app, putin) == before
    # "و" names nobody: a claim said by "و" is not Putin's, and a search for it finds nobody.
    claim = client.post(f"{API}/claims", json={"text": "قال إن الطائرة سقطت", "speaker": "و",
                                               "source_id": seeded["source"]}, headers=api)
    _refused(claim, "speaker", "unknown_speaker")
    found = client.get(f"{API}/entities", query_string={"q": "و"}, headers=api).json
    assert putin not in [e["id"] for e in found["items"]]
    un = client.post(f"{API}/entities", json={"kind": "organisation", "name_ar": "الأمم المتحدة",
                                              "name_en": "United Nations"}, headers=api)
    assert un.status_code == 201
    for short in ("UN", "U.N."):
        assert client.post(f"{API}/entities/{un.json['id']}/aliases",
                           json={"text": short, "kind": "short", "lang": "en"},
                           headers=api).status_code == 201, short
    _refused(client.post(f"{API}/entities/{un.json['id']}/aliases",
                         json={"text": "un", "kind": "short", "lang": "en"}, headers=api),
             "text", "alias_exists")


def test_a_spelling_the_entity_has_is_refused_whatever_its_kind(
        app: Flask, client: FlaskClient, seeded, api) -> None:
    putin = seeded["putin"]
    before = _aliases(app, putin)
    # The seeded "بوتين" is a short form; as a name, or with diacritics, it is the same spelling.
    for body in ({"text": "بوتين"}, {"text": "بُوتِين", "kind": "short"},
                 {"text": "PUTIN", "lang": "en"}):
        error = _refused(client.post(f"{API}/entities/{putin}/aliases", json=body, headers=api),
                         "text", "alias_exists")
        assert error["params"]["alias"] in ("بوتين", "Putin")
    assert _aliases(app, putin) == before


def test_an_entity_sent_twice_is_refused_pointing_at_the_first(
        app: Flask, client: FlaskClient, api) -> None:
    body = {"kind": "person", "name_ar": "رجب طيب أردوغان", "name_en": "Recep Tayyip Erdogan"}
    first = client.post(f"{API}/entities", json=body, headers=api)
    assert first.status_code == 201
    error = _refused(client.post(f"{API}/entities", json=body, headers=api), "name_ar", "exists")
    assert error["params"]["entity_id"] == first.json["id"]
    assert f"#{first.json['id']}" in error["message"]
    # Its English name alone, spelled otherwise, is the same name too.
    _refused(client.post(f"{API}/entities", json={"kind": "person", "name_ar": "أردوغان الابن",
                                                  "name_en": "recep tayyip erdoğan"},
                         headers=api), "name_en", "exists")
    # Another kind of thing may share the name; so may a person the user says is another one.
    assert client.post(f"{API}/entities", json=body | {"kind": "place"},
                       headers=api).status_code == 201
    again = client.post(f"{API}/entities", json=body | {"distinct": True}, headers=api)
    assert again.status_code == 201 and again.json["id"] != first.json["id"]
    with app.app_context(), session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Entity)) == 3


def test_the_entity_form_links_the_existing_entity_and_can_say_it_is_another(
        app: Flask, editor_client: FlaskClient) -> None:
    form = {"kind": "person", "name_ar": "سيرغي لافروف", "name_en": "Sergey Lavrov"}
    assert editor_client.post("/entities", data=form).status_code == 302
    twice = editor_client.post("/entities", data=form)
    page = twice.get_data(as_text=True)
    assert twice.status_code == 422 and 'id="name_ar-error"' in page
    assert 'id="twin-link"' in page and 'name="distinct"' in page
    assert 'value="سيرغي لافروف"' in page  # what was typed is kept
    assert editor_client.post("/entities", data=form | {"distinct": "1"}).status_code == 302
    tatweel = editor_client.post("/entities", data={"kind": "person", "name_ar": "ـــــ"})
    assert tatweel.status_code == 422 and "لا يحتوي على أي حرف" in tatweel.get_data(as_text=True)


def test_linking_a_name_to_an_empty_entity_names_the_field(
        app: Flask, editor_client: FlaskClient) -> None:
    response = editor_client.post("/entities/link", data={"entity": " ", "text": "القيصر"},
                                  follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "الكيان: هذا الحقل مطلوب." in page and "لا يوجد كيان" not in page


def test_sources_need_real_letters_and_spaces_are_an_empty_text(
        client: FlaskClient, api) -> None:
    _refused(client.post(f"{API}/sources", json={"text": "ـــ ًٌ 123"}, headers=api),
             "text", "empty_article")
    error = _refused(client.post(f"{API}/sources", json={"text": "   \n "}, headers=api),
                     "text", "empty_text")
    assert "empty" in error["message"] and "not both" not in error["message"]


def test_usernames_are_one_account_whatever_the_case(app: Flask, client: FlaskClient) -> None:
    login_as(client, app, "admin")
    form = {"username": "admin1", "password": PASSWORD, "role": "viewer"}
    assert client.post("/admin/users", data=form).status_code == 302
    twin = client.post("/admin/users", data=form | {"username": "Admin1"})
    assert twin.status_code == 422 and 'id="username-error"' in twin.get_data(as_text=True)
    assert "مأخوذ" in twin.get_data(as_text=True)
    with app.app_context(), session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(User).where(
            func.lower(User.username) == "admin1")) == 1
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "ADMIN1", "password": PASSWORD}
                      ).status_code == 302


def test_the_database_refuses_case_twins_and_a_lost_race_is_named_taken(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    with app.app_context(), session_scope(app) as session:
        session.add(User(username="Casey", password_hash=hash_password(PASSWORD)))
        session.commit()
        session.add(User(username="casey", password_hash=hash_password(PASSWORD)))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        # Two admins create "Dana" and "dana" at once: both pass the service's check (as on
        # PostgreSQL), the index stops the second, which is told the name is taken.
        session.add(User(username="Dana", password_hash=hash_password(PASSWORD)))
        session.flush()
        monkeypatch.setattr(users, "find_user", lambda *_: None)
        with pytest.raises(ValidationFailed) as refused:
            users.create_user(session, {"username": "dana", "password": PASSWORD})
        assert [(e.field, e.code) for e in refused.value.errors] == [("username", "taken")]
        session.commit()  # the caller's own earlier write survived the lost race
        names = session.scalars(select(User.username).where(
            func.lower(User.username).in_(["casey", "dana"])).order_by(User.username)).all()
        assert names == ["Casey", "Dana"]


def test_admin_user_forms_show_every_field_error(app: Flask, client: FlaskClient,
                                                 user_ids) -> None:
    login_as(client, app, "admin")
    added = client.post("/admin/users", data={"username": "newbie", "password": PASSWORD,
                                              "role": "superuser"})
    page = added.get_data(as_text=True)
    assert added.status_code == 422 and 'id="role-error"' in page and "superuser" in page
    assert 'value="newbie"' in page
    viewer = user_ids["viewer"]
    for data, label in (({"role": "superuser", "is_active": "1"}, "الدور:"),
                        ({"role": "editor", "is_active": "maybe"}, "نشط:")):
        response = client.post(f"/admin/users/{viewer}", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and label in page, data
    # The valid choice typed in the row is kept on the page; nothing was stored.
    assert '<option value="editor" selected>' in page
    with app.app_context(), session_scope(app) as session:
        user = session.get_one(User, viewer)
        assert (user.role, user.is_active) == ("viewer", True)
    client.post("/lang", data={"lang": "en", "next": "/"})
    english = client.post(f"/admin/users/{viewer}", data={"is_active": "maybe"})
    assert "Active: Value not allowed: maybe." in english.get_data(as_text=True)


def test_workbench_flashes_name_the_fields(app: Flask, editor_client: FlaskClient,
                                           seeded) -> None:
    made = editor_client.post(f"/workbench/{seeded['source']}/claims", data={},
                              follow_redirects=True)
    page = made.get_data(as_text=True)
    assert "بداية المقطع المحدد: هذا الحقل مطلوب." in page
    assert "نهاية المقطع المحدد: هذا الحقل مطلوب." in page
    claim = editor_client.post("/claims/new", data={
        "text": "قال بوتين إن 38 شخصاً قتلوا", "source_id": seeded["source"],
        "status": "unstarted", "claim_type": "quantity"})
    claim_id = int(claim.headers["Location"].rsplit("/", 1)[-1])
    decided = editor_client.post(f"/workbench/claims/{claim_id}/links", data={},
                                 follow_redirects=True)
    page = decided.get_data(as_text=True)
    assert "الادعاء الآخر: هذا الحقل مطلوب." in page and "العلاقة: هذا الحقل مطلوب." in page


def test_counted_messages_use_singular_and_plural_forms(
        app: Flask, editor_client: FlaskClient, seeded) -> None:
    import claims.web.admin  # noqa: F401  (registers audit.relinked)

    assert translate("audit.relinked", "en", n=1) == "1 claim re-linked"
    assert translate("audit.relinked", "en", n=3) == "3 claims re-linked"
    assert [translate("audit.relinked", "ar", n=n) for n in (0, 1, 2, 3, 11, 100)] == [
        "لم يتغير ربط أي ادعاء", "أُعيد ربط ادعاء واحد", "أُعيد ربط ادعاءين",
        "أُعيد ربط 3 ادعاءات", "أُعيد ربط 11 ادعاءً", "أُعيد ربط 100 ادعاء"]
    editor_client.post("/claims/new", data={
        "text": "قال فلاديمير إن الطائرة سقطت", "source_id": seeded["source"],
        "status": "unstarted", "claim_type": "other"})
    editor_client.post("/lang", data={"lang": "en", "next": "/"})
    added = editor_client.post(f"/entities/{seeded['putin']}/aliases",
                               data={"text": "فلاديمير", "kind": "name", "lang": "ar"},
                               follow_redirects=True)
    assert "Alias added; 1 claim re-linked." in added.get_data(as_text=True)
    login_as(editor_client, app, "admin")
    assert "1 claim re-linked" in editor_client.get("/admin/audit").get_data(as_text=True)



@pytest.mark.parametrize("invisible", ["\u200f\u200e\u202b", "\u2066\u2069 \u200b", "\ufeff\n"])
def test_a_claim_of_only_bidi_or_zero_width_characters_is_an_empty_text(
        editor_client: FlaskClient, api, seeded, invisible: str) -> None:
    _refused(editor_client.post(f"{API}/claims", json={
        "text": invisible, "source_id": seeded["source"]}, headers=api), "text", "required")
    form = editor_client.post("/claims/new", data={
        "text": invisible, "source_id": seeded["source"], "status": "unstarted"})
    assert form.status_code == 422
    kept = editor_client.post(f"{API}/claims", json={
        "text": "\u200fقال بوتين إن 38 شخصاً قتلوا", "source_id": seeded["source"]}, headers=api)
    assert kept.status_code == 201 and kept.json["text"].startswith("\u200f")


def test_too_many_items_and_out_of_range_numbers_say_so_with_the_bounds(
        client: FlaskClient, api, seeded) -> None:
    tags = [f"وسم {i}" for i in range(21)]
    error = _refused(client.post(f"{API}/claims", json={
        "text": "قال بوتين إن 38 شخصاً قتلوا", "source_id": seeded["source"], "tags": tags},
        headers=api), "tags", "too_many_items")
    assert error["message"] == "Too many items (at most 20)." and "وسم" not in error["message"]
    error = _refused(client.get(f"{API}/claims?per_page=500", headers=api),
                     "per_page", "out_of_range")
    assert error["message"] == "500 is out of range (1–100)."
    assert _refused(client.post(f"{API}/claims", json={"text": "نص", "source_id": 0},
                                headers=api), "source_id", "out_of_range")["params"]["min"] == 1


@pytest.mark.parametrize("typed", ["وفلاديمير بوتين", "لفلاديمير بوتين", "ولفلاديمير بُوتِين"])
def test_a_name_copied_with_its_proclitics_is_the_entity_that_exists(
        client: FlaskClient, api, seeded, typed: str) -> None:
    error = _refused(client.post(f"{API}/entities", json={"kind": "person", "name_ar": typed},
                                 headers=api), "name_ar", "exists")
    assert error["params"]["entity_id"] == seeded["putin"]
    assert client.post(f"{API}/entities", json={"kind": "person", "name_ar": "وليد جنبلاط"},
                       headers=api).status_code == 201  # a name that starts with و is kept
    assert client.post(f"{API}/entities", json={"kind": "person", "name_ar": typed,
                                                "distinct": True}, headers=api).status_code == 201


def test_a_wikidata_id_is_q_and_ascii_digits_as_typed_on_either_keyboard(
        app: Flask, editor_client: FlaskClient) -> None:
    # "²" and "①" are digits to str.isdigit, but no Wikidata id has them: the link would break.
    refused = editor_client.post("/entities", data={"name_ar": "كيان بمعرف خاطئ",
                                                    "kind": "person", "wikidata_id": "Q²"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "معرّف ويكي بيانات غير صالح: Q². اكتبه هكذا: Q7747." in html
    assert 'value="Q²"' in html
    made = editor_client.post("/entities", data={"name_ar": "كيان بأرقام عربية",
                                                 "kind": "person", "wikidata_id": "q٣٩٧٢٣"})
    assert made.status_code == 302
    with app.app_context(), session_scope(app) as session:
        entity = session.scalar(select(Entity).where(Entity.name_ar == "كيان بأرقام عربية"))
        assert entity is not None and entity.wikidata_id == "Q39723"
        assert session.scalar(select(Entity).where(Entity.name_ar == "كيان بمعرف خاطئ")) is None
    # The item's address copied from the browser gives its id; another site's does not.
    for number, url in enumerate(("https://www.wikidata.org/wiki/Q7747",
                                  "http://m.wikidata.org/wiki/Q7747?uselang=ar",
                                  "https://www.wikidata.org/entity/Q7747",
                                  "wikidata.org/wiki/Special:EntityPage/Q7747")):
        made = editor_client.post("/entities", data={"name_ar": f"كيان من رابط {number}",
                                                     "kind": "person", "wikidata_id": url,
                                                     "distinct": "1"})
        assert made.status_code == 302, url
    foreign = editor_client.post("/entities", data={
        "name_ar": "كيان من موقع آخر", "kind": "person",
        "wikidata_id": "https://evil.example/wikidata.org/wiki/Q7747"})
    assert foreign.status_code == 422
    with app.app_context(), session_scope(app) as session:
        ids = session.scalars(select(Entity.wikidata_id).where(
            Entity.name_ar.startswith("كيان من رابط"))).all()
        assert ids == ["Q7747"] * 4


def test_the_api_takes_a_wikidata_id_as_the_form_does(app: Flask, client: FlaskClient,
                                                      api) -> None:
    for number, typed in enumerate(("q٧٧٤٧", "https://www.wikidata.org/wiki/Q7747")):
        made = client.post(f"{API}/entities", headers=api, json={
            "kind": "person", "name_ar": f"كيان من الواجهة {number}", "wikidata_id": typed})
        assert made.status_code == 201 and made.json["wikidata_id"] == "Q7747", made.json
    refused = client.post(f"{API}/entities", headers=api, json={
        "kind": "person", "name_ar": "كيان بمعرف خاطئ", "wikidata_id": "Q²"})
    assert refused.status_code == 422 and refused.json["error"]["field"] == "wikidata_id"
    assert "Q7747" in refused.json["error"]["message"]
