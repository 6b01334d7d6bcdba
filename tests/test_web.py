"""Web pages: rendering, forms, conflicts, CSRF on every state-changing route, role matrix."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from flask import Flask, render_template
from flask.testing import FlaskClient
from sqlalchemy import func, select

from claims.db import session_scope
from claims.models import Claim, Evidence, StatusChange
from claims.security import view_policy
from tests.conftest import PASSWORD, login_as, make_app

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _new_claim(client: FlaskClient, seeded, **fields) -> int:
    data = {"text": "قال بوتين إن 38 شخصاً قتلوا", "source_id": seeded["source"],
            "speaker": "بوتين", "status": "unstarted", "claim_type": "quantity"}
    data.update(fields)
    response = client.post("/claims/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def test_login_logout_and_next_redirect(app: Flask, client: FlaskClient) -> None:
    response = client.get("/claims?q=بوتين")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    bad = client.post("/login", data={"username": "editor", "password": "wrong"})
    assert bad.status_code == 401
    assert "غير صحيحة" in bad.get_data(as_text=True)
    good = client.post("/login", data={"username": "editor", "password": PASSWORD,
                                       "next": "/claims?q=x"})
    assert good.status_code == 302 and good.headers["Location"] == "/claims?q=x"
    assert client.get("/claims").status_code == 200
    client.post("/logout")
    assert client.get("/claims").status_code == 302


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "\x00/x", " //evil.example",
                                    "/\u202e/x", "///evil.example"])
def test_login_refuses_unsafe_next(client: FlaskClient, target: str) -> None:
    response = client.post("/login", data={"username": "viewer", "password": PASSWORD,
                                           "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/claims"


def test_every_page_renders(app: Flask, editor_client: FlaskClient, seeded) -> None:
    claim_id = _new_claim(editor_client, seeded)
    login_as(editor_client, app, "admin")
    pages = ["/claims", f"/claims/{claim_id}", f"/claims/{claim_id}/edit", "/claims/new",
             "/entities", f"/entities/{seeded['putin']}", "/sources",
             f"/sources/{seeded['source']}", "/admin/users", "/healthz",
             "/assets/statuses.css", "/claims?status=false&q=وبوتين&page=3&from=bad"]
    for page in pages:
        response = editor_client.get(page)
        assert response.status_code == 200, page
        if response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            assert '<html lang="ar" dir="rtl">' in html
            assert "Traceback" not in html


def test_search_by_entity_with_clitics_diacritics_and_english(editor_client, seeded) -> None:
    claim_id = _new_claim(editor_client, seeded, text="اتهم بوتين باكو بالتكتم")
    other = _new_claim(editor_client, seeded, text="قال علييف إن الحادث مأساوي", speaker="علييف")
    for query in ("بوتين", "وبوتين", "لبوتين", "بُوتِين", "Putin", "فلاديمير بوتين"):
        html = editor_client.get("/claims", query_string={"q": query}).get_data(as_text=True)
        assert f"/claims/{claim_id}\"" in html, query
        assert f"/claims/{other}\"" not in html, query
    html = editor_client.get(f"/claims?entity={seeded['aliyev']}").get_data(as_text=True)
    assert f"/claims/{other}\"" in html and f"/claims/{claim_id}\"" not in html


def test_text_search_ignores_diacritics_clitics_and_digit_scripts(editor_client, seeded) -> None:
    claim_id = _new_claim(editor_client, seeded, text="اتهم المسؤولون موسكو بالتكتم على 38 ضحية")
    for query in ("التكتم", "والتَّكتُّم", "٣٨ ضحية", "۳۸", "بالمسؤولون"):
        html = editor_client.get("/claims", query_string={"q": query}).get_data(as_text=True)
        assert f"/claims/{claim_id}\"" in html, query
    html = editor_client.get("/claims", query_string={"q": "التكتم غروزني"}).get_data(as_text=True)
    assert f"/claims/{claim_id}\"" not in html  # every word must match


def test_quantities_shown_and_filterable(editor_client, seeded) -> None:
    with_number = _new_claim(editor_client, seeded, text="قال بوتين إن ٣٨ من أصل 67 شخصاً قتلوا")
    without = _new_claim(editor_client, seeded, text="قال بوتين إن الحادث مأساوي")
    page = editor_client.get(f"/claims/{with_number}").get_data(as_text=True)
    assert 'id="quantities"' in page and ">38<" in page and "67" in page
    for unit in ("any", "person"):
        html = editor_client.get(f"/claims?unit={unit}&entity={seeded['putin']}").get_data(
            as_text=True)
        assert f"/claims/{with_number}\"" in html and f"/claims/{without}\"" not in html
    html = editor_client.get("/claims?unit=usd").get_data(as_text=True)
    assert f"/claims/{with_number}\"" not in html


def test_demonym_links_can_be_left_out(editor_client, seeded) -> None:
    demonym = _new_claim(editor_client, seeded, text="قال مواطن أذربيجاني إن الطائرة سقطت")
    named = _new_claim(editor_client, seeded, text="زار بوتين أذربيجان")
    both = editor_client.get(f"/claims?entity={seeded['azerbaijan']}").get_data(as_text=True)
    assert f"/claims/{demonym}\"" in both and f"/claims/{named}\"" in both
    names = editor_client.get(f"/claims?entity={seeded['azerbaijan']}&demonyms=0").get_data(
        as_text=True)
    assert f"/claims/{demonym}\"" not in names and f"/claims/{named}\"" in names
    by_query = editor_client.get("/claims", query_string={"q": "أذربيجان", "demonyms": "0"})
    assert f"/claims/{demonym}\"" not in by_query.get_data(as_text=True)


def test_malformed_list_filters_are_named_not_silently_dropped(editor_client, seeded) -> None:
    claim_id = _new_claim(editor_client, seeded, text="قال بوتين إن الحادث مأساوي")
    html = editor_client.get("/claims", query_string={
        "from": "٢٠٢٤-١٣-٤٠", "status": "مزيف\u202e", "page": "abc"}).get_data(as_text=True)
    notices = re.findall(r'<div class="flash flash-error" role="alert" dir="auto">([^<]*)</div>',
                         html)
    assert len(notices) == 2, notices  # a bad page number just means page 1
    assert any("«من تاريخ»" in n and "YYYY-MM-DD" in n for n in notices), notices
    assert any("«الحالة»" in n and "مزيف" in n for n in notices), notices
    assert "\u202e" not in html
    assert f"/claims/{claim_id}\"" in html  # the other filters still apply
    fine = editor_client.get("/claims?status=unstarted&from=2024-01-31")
    assert 'role="alert"' not in fine.get_data(as_text=True)
    # A range ending before it starts finds nothing by construction: said, not an empty list.
    swapped = editor_client.get("/claims?from=2024-03-01&to=2024-02-01").get_data(as_text=True)
    assert "«إلى تاريخ»" in swapped and "2024-03-01" in swapped


def test_create_form_keeps_input_and_shows_field_errors(app, editor_client, seeded) -> None:
    response = editor_client.post("/claims/new", data={
        "text": "نص الادعاء يبقى كما كتب", "source_id": "", "source_url": "ftp:/x",
        "speaker": "مجهول", "status": "unstarted"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "نص الادعاء يبقى كما كتب" in html
    assert 'id="source_url-error"' in html and 'id="speaker-error"' in html
    assert "ftp:/x" in html
    with app.app_context(), session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Claim)) == 0


def test_english_interface_messages(app, editor_client, seeded) -> None:
    editor_client.post("/lang", data={"lang": "en", "next": "/claims"})
    response = editor_client.post("/claims/new", data={"text": "", "source_id": seeded["source"]})
    html = response.get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    assert "This field is required." in html


def test_status_change_and_conflict_page(app: Flask, editor_client, seeded) -> None:
    claim_id = _new_claim(editor_client, seeded)
    ok = editor_client.post(f"/claims/{claim_id}/status",
                            data={"status": "false", "note": "دحض", "version": "1"})
    assert ok.status_code == 302
    stale = editor_client.post(f"/claims/{claim_id}/status",
                               data={"status": "true", "note": "متأخر", "version": "1"})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert 'id="conflict"' in html and "متأخر" in html  # the user's note is kept
    with app.app_context(), session_scope(app) as session:
        assert session.get(Claim, claim_id).status == "false"
        assert session.scalar(select(func.count()).select_from(StatusChange)) == 2
    detail = editor_client.get(f"/claims/{claim_id}").get_data(as_text=True)
    assert "دحض" in detail


def test_edit_conflict_shows_current_state(app: Flask, editor_client, seeded) -> None:
    claim_id = _new_claim(editor_client, seeded)
    data = {"text": "نص معدل", "source_id": seeded["source"], "version": "1"}
    assert editor_client.post(f"/claims/{claim_id}/edit", data=data).status_code == 302
    again = editor_client.post(f"/claims/{claim_id}/edit", data=data | {"text": "نسخة ثانية"})
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    # The saved wording is shown beside the form, which keeps what this user typed and now
    # carries the saved version: a second save replaces it knowingly.
    assert '<bdi dir="auto" id="saved-text">نص معدل</bdi>' in html
    assert re.search(r'<textarea id="text"[^>]*>نسخة ثانية</textarea>', html)
    assert '<input type="hidden" name="version" value="2">' in html
    with app.app_context(), session_scope(app) as session:
        assert session.get(Claim, claim_id).text == "نص معدل"
    # The claim page keeps the wording the edit replaced, in its history.
    page = editor_client.get(f"/claims/{claim_id}").get_data(as_text=True)
    edit = page.split('<li class="edit"')[1].split("</li>")[0]
    assert "عُدّل" in edit and "نص الادعاء كما ورد" in edit and "الإصدار 2" in edit
    resaved = editor_client.post(f"/claims/{claim_id}/edit",
                                 data=data | {"text": "نسخة ثانية", "version": "2"})
    assert resaved.status_code == 302
    before = edit.split('class="before"')[1].split("</div>")[0]
    after = edit.split('class="after"')[1].split("</div>")[0]
    assert "نص معدل" not in before and "نص معدل" in after


def test_evidence_and_alias_forms(app: Flask, editor_client, seeded) -> None:
    claim_id = _new_claim(editor_client, seeded, text="قال فلاديمير إن الطائرة سقطت")
    bad = editor_client.post(f"/claims/{claim_id}/evidence", data={"url": "nope", "title": "x"})
    assert bad.status_code == 422 and 'id="url-error"' in bad.get_data(as_text=True)
    good = editor_client.post(f"/claims/{claim_id}/evidence",
                              data={"url": "https://example.org/r", "title": "تقرير رسمي",
                                    "kind": "official", "stance": "supports"})
    assert good.status_code == 302
    assert "تقرير رسمي" in editor_client.get(f"/claims/{claim_id}").get_data(as_text=True)
    # Adding an alias re-links existing claims.
    before = editor_client.get(f"/claims?entity={seeded['putin']}").get_data(as_text=True)
    assert f"/claims/{claim_id}\"" not in before
    response = editor_client.post(f"/entities/{seeded['putin']}/aliases",
                                  data={"text": "فلاديمير", "kind": "name", "lang": "ar"})
    assert response.status_code == 302
    after = editor_client.get(f"/claims?entity={seeded['putin']}").get_data(as_text=True)
    assert f"/claims/{claim_id}\"" in after


def test_removing_evidence_edited_since_the_page_was_shown_keeps_it(app: Flask, editor_client,
                                                                    seeded) -> None:
    claim_id = _new_claim(editor_client, seeded)
    editor_client.post(f"/claims/{claim_id}/evidence",
                       data={"url": "https://example.org/r", "title": "تقرير رسمي"})
    page = editor_client.get(f"/claims/{claim_id}").get_data(as_text=True)
    form = re.search(r'action="(/claims/\d+/evidence/(\d+)/delete)".*?name="version" '
                     r'value="(\d+)"', page, re.S)
    assert form is not None
    action, evidence_id, shown = form.group(1), int(form.group(2)), form.group(3)
    with app.app_context(), session_scope(app) as session:  # someone else edits it meanwhile
        from claims.services import evidence as evidence_service

        evidence_service.update_evidence(session, session.get(Claim, claim_id), None,
                                         evidence_id,
                                         {"note": "أضيف مصدر ثانٍ", "version": 1})
        session.commit()
    tampered = editor_client.post(action, data={"version": "abc"})
    assert tampered.status_code == 422 and "تقرير رسمي" in editor_client.get(
        f"/claims/{claim_id}").get_data(as_text=True).split('id="history"')[0]
    refused = editor_client.post(action, data={"version": shown}, follow_redirects=True)
    html = refused.get_data(as_text=True)
    assert "عُدّل هذا الدليل بعد فتحك الصفحة" in html and "أضيف مصدر ثانٍ" in html
    current = re.search(r'name="version" value="(\d+)"', html.split(action)[1]).group(1)
    assert int(current) == int(shown) + 1  # the page now offers the item as it stands
    assert editor_client.post(action, data={"version": current}).status_code == 302
    page = editor_client.get(f"/claims/{claim_id}").get_data(as_text=True)
    assert "تقرير رسمي" not in page.split('id="history"')[0]
    assert "تقرير رسمي" in page.split('id="history"')[1]  # the removal is in the history


def test_word_diff_marks_only_the_changed_words_and_escapes_the_rest() -> None:
    from claims.web.claims import word_diff

    before, after = word_diff(["قُتل 38 من <b>67</b> راكباً", "قُتل ٣٩ من <b>67</b> راكباً"])
    assert before == "قُتل <del>38 </del>من &lt;b&gt;67&lt;/b&gt; راكباً"
    assert after == "قُتل <ins>٣٩ </ins>من &lt;b&gt;67&lt;/b&gt; راكباً"
    assert word_diff([None, "نص جديد"]) == ("", "<ins>نص جديد</ins>")


def test_editing_evidence_on_the_claim_page(app: Flask, editor_client, seeded,
                                            monkeypatch) -> None:
    claim_id = _new_claim(editor_client, seeded)
    editor_client.post(f"/claims/{claim_id}/evidence", data={
        "url": "https://example.org/r", "kind": "news", "stance": "context"})
    page = editor_client.get(f"/claims/{claim_id}").get_data(as_text=True)
    form = re.search(r'<form method="post" action="(/claims/\d+/evidence/(\d+))'
                     r'(?:#evidence-\d+)?".*?</form>', page, re.S)
    assert form is not None
    action, evidence_id = form.group(1), int(form.group(2))
    # Prefilled with the item as stored; a title that was only the URL is left for the user.
    assert 'value="https://example.org/r"' in form.group(0) and 'name="title" dir="auto" value=""' \
        in form.group(0) and '<option value="news" selected' in form.group(0)

    def stored() -> tuple[Any, ...]:
        with app.app_context(), session_scope(app) as session:
            ev = session.get(Evidence, evidence_id)
            return ev.title, ev.url, ev.stance, ev.note, ev.accessed_date, ev.version

    typed = {"url": "https://example.org/r2", "title": "", "publisher": "رويترز",
             "kind": "news", "stance": "refutes", "note": "يناقض الرقم ٣٨",
             "accessed_date": "٢٠٢٤-١٢-٢٧", "version": "1"}
    bad = editor_client.post(action, data=typed | {"accessed_date": "أمس"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="accessed_date-error"' in html
    assert 'value="أمس"' in html and "يناقض الرقم ٣٨" in html  # the form keeps what was typed
    assert stored()[-1] == 1  # nothing written
    tampered = editor_client.post(action, data=typed | {"version": "abc"})
    assert tampered.status_code == 422 and 'id="version-error"' in tampered.get_data(as_text=True)
    saved = editor_client.post(action, data=typed)
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"#evidence-{evidence_id}")
    assert stored() == ("https://example.org/r2", "https://example.org/r2", "refutes",
                        "يناقض الرقم ٣٨", dt.date(2024, 12, 27), 2)
    # A second editor who opened the page before that save gets a conflict, not an overwrite.
    late = editor_client.post(action, data=typed | {"stance": "supports", "note": "يدعم"})
    html = late.get_data(as_text=True)
    assert late.status_code == 409 and "عدّل شخص آخر هذا الدليل" in html
    assert stored()[2:4] == ("refutes", "يناقض الرقم ٣٨")
    edit_form = html.split(f'action="{action}#evidence-{evidence_id}"')[1].split("</form>")[0]
    assert 'name="version" value="2"' in edit_form and "يدعم" in edit_form
    # Saving again, now against the version shown, is a deliberate replacement.
    assert editor_client.post(action, data=typed | {"stance": "supports", "note": "يدعم",
                                                    "version": "2"}).status_code == 302
    assert stored()[2:] == ("supports", "يدعم", dt.date(2024, 12, 27), 3)
    # Removed by someone else between loading it and saving (PostgreSQL's race): said so.
    from claims.errors import Conflict
    from claims.services import evidence as evidence_service

    def removed_meanwhile(*_args: Any) -> None:
        raise Conflict("evidence was removed concurrently", current_version=None)

    monkeypatch.setattr(evidence_service, "update_evidence", removed_meanwhile)
    gone = editor_client.post(action, data=typed | {"version": "3"}, follow_redirects=True)
    assert "حذف شخص آخر هذا الدليل" in gone.get_data(as_text=True)


def test_appearances_on_the_claim_page(app: Flask, editor_client, seeded) -> None:
    claim_id = _new_claim(editor_client, seeded, text="قال بوتين إن 38 شخصاً قتلوا")
    bad = editor_client.post(f"/claims/{claim_id}/appearances",
                             data={"url": "javascript:alert(1)", "title": "مقطع ‮متداول"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="url-error"' in page
    assert 'value="مقطع متداول"' in page  # what was typed is kept (bidi control dropped)
    good = editor_client.post(f"/claims/{claim_id}/appearances", data={
        "url": "https://t.example/v/2", "title": "مقطع متداول", "published_date": "٢٠٢٤-١٢-٢٧"})
    assert good.status_code == 302 and good.headers["Location"].endswith("#appearances")
    again = editor_client.post(f"/claims/{claim_id}/appearances",
                               data={"url": "https://t.example/v/2"})
    assert again.status_code == 422
    viewer_client = app.test_client()
    login_as(viewer_client, app, "viewer")
    shown = viewer_client.get(f"/claims/{claim_id}").get_data(as_text=True)
    assert 'href="https://t.example/v/2"' in shown and "مقطع متداول" in shown
    assert "appearances/" not in shown  # viewers get no remove button
    with app.app_context(), session_scope(app) as session:
        claim = session.get(Claim, claim_id)
        (appearance,) = claim.appearances
        assert appearance.published_date.isoformat() == "2024-12-27"
        appearance_id = appearance.id
    gone = editor_client.post(f"/claims/{claim_id}/appearances/{appearance_id}/delete")
    assert gone.status_code == 302
    page, history = editor_client.get(f"/claims/{claim_id}").get_data(as_text=True).split(
        'id="history"')
    assert "t.example" not in page
    # Added then removed, by the editor: both steps stay in the claim's history.
    removed, added = history.split('<li class="edit"')[1:3]
    assert "أُزيل موضع نشر" in removed and "أُضيف موضع نشر" in added
    assert "https://t.example/v/2" in removed and "مقطع متداول" in removed
    assert "2024-12-27" in added and "editor" in removed


def test_unknown_page_and_server_error_pages(database_url, _schema, app, editor_client) -> None:
    missing = editor_client.get("/claims/987654")
    assert missing.status_code == 404 and "Traceback" not in missing.get_data(as_text=True)
    assert editor_client.get("/nope").status_code == 404

    fresh = make_app(database_url)
    fresh.testing = False

    @fresh.get("/boom", endpoint="boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    boom._claims_policy = "public"  # type: ignore[attr-defined]
    response = fresh.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    api = fresh.test_client().get("/boom", headers={"Accept": "application/json"})
    assert api.status_code == 500 and api.json["error"]["code"] == "internal_error"


def test_ids_past_what_the_database_stores_are_not_found(app: Flask, editor_client,
                                                       seeded) -> None:
    huge = "9" * 23  # past 64 bits: SQLite raised OverflowError, PostgreSQL a DataError
    for url in (f"/claims/{huge}", f"/entities/{huge}", f"/sources/{huge}",
                f"/workbench/{huge}", f"/claims/{2**31}", f"/api/v1/claims/{huge}"):
        response = editor_client.get(url)
        assert response.status_code == 404 or (url.startswith("/api") and
                                                response.status_code == 400), url
    # One address per page: the id in other digits (١٢, ۱۲) is no second address of it.
    made = editor_client.post("/claims/new", data={
        "text": "قال بوتين إن 38 شخصاً قتلوا", "source_id": seeded["source"],
        "status": "false", "note": "حكم"})
    claim_id = made.headers["Location"].rsplit("/", 1)[-1]
    assert editor_client.get(f"/claims/{claim_id}").status_code == 200
    for digits in ("٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹"):
        other = claim_id.translate(str.maketrans("0123456789", digits))
        for url in (f"/claims/{other}", f"/reviews/{other}", f"/api/v1/claims/{other}"):
            assert editor_client.get(url).status_code == 404, url
    for param in ("entity", "speaker", "source", "page"):
        listed = editor_client.get(f"/claims?{param}={huge}")
        assert listed.status_code == 200, param  # a malformed filter is ignored
    for speaker in (f"#{huge}", "#²"):  # ² is a digit to str.isdigit, not to int()
        created = editor_client.post("/claims/new", data={
            "text": "قال بوتين إن الاقتصاد نما", "speaker": speaker, "source_id": huge,
            "status": "unstarted"})
        assert created.status_code == 422, speaker  # the form again, with its field errors


def _routes(app: Flask):
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_declares_a_policy(app: Flask) -> None:
    missing = [rule.endpoint for rule, _ in _routes(app) if view_policy(app, rule.endpoint) is None]
    assert missing == []


def _url(rule, ids: dict[str, int]) -> str:
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:\w+:)?{arg}>", str(ids.get(arg, 1)), url)
    return url


def test_every_state_changing_route_requires_csrf(database_url, _schema, seeded) -> None:
    app = make_app(database_url, wtf_csrf_enabled=True)
    client = app.test_client()
    login_as(client, app, "admin")
    checked = 0
    for rule, method in _routes(app):
        if method not in STATE_CHANGING:
            continue
        response = client.open(_url(rule, {}), method=method, data={"x": "1"})
        assert response.status_code == 400, (rule.rule, method, response.status_code)
        checked += 1
    assert checked >= 10


EXPECTED = {"public": {"anonymous", "viewer", "editor", "admin"},
            "viewer": {"viewer", "editor", "admin"}, "editor": {"editor", "admin"},
            "admin": {"admin"}}


@pytest.mark.parametrize("who", ["anonymous", "viewer", "editor", "admin"])
def test_role_matrix(app: Flask, client: FlaskClient, seeded, who: str) -> None:
    """Every route × method: allowed roles get past the policy, others are refused."""
    editor = app.test_client()
    login_as(editor, app, "editor")
    claim_id = _new_claim(editor, seeded)
    ids = {"claim_id": claim_id, "entity_id": seeded["putin"], "source_id": seeded["source"],
           "user_id": 1, "evidence_id": 999, "alias_id": 999, "mention_id": 999}
    if who != "anonymous":
        login_as(client, app, who)
    for rule, method in _routes(app):
        if rule.endpoint in {"static", "auth.logout", "core.set_language", "auth.login"}:
            continue
        level = view_policy(app, rule.endpoint)
        response = client.open(_url(rule, ids), method=method, data={})
        allowed = who in EXPECTED[level]
        label = (who, method, rule.rule, response.status_code)
        if allowed:
            assert response.status_code not in (401, 403), label
            assert not (response.status_code == 302 and "/login" in response.location), label
        elif who == "anonymous":
            assert response.status_code in (302, 401), label
            if response.status_code == 302:
                assert "/login" in response.location, label
        else:
            assert response.status_code == 403, label


def test_security_headers_and_cookie_flags(app: Flask, client: FlaskClient) -> None:
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert "<script" not in response.get_data(as_text=True)
    login = client.post("/login", data={"username": "viewer", "password": PASSWORD})
    cookie = login.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_user_text_is_escaped_and_bidi_neutralised(app: Flask, editor_client, seeded) -> None:
    evil = "<script>alert(1)</script>\u202eبوتين\u2066"
    claim_id = _new_claim(editor_client, seeded, text=evil, tags="<b>x</b>")
    html = editor_client.get(f"/claims/{claim_id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "\u202e" not in html and "\u2066" not in html
    assert 'dir="auto" id="claim-text"' in html
    with app.app_context(), session_scope(app) as session:
        assert session.get(Claim, claim_id).text == evil  # stored exactly as given


def test_an_oversized_upload_is_named_as_such_not_as_an_internal_error(app: Flask,
                                                                        editor_client) -> None:
    big = {"file": (io.BytesIO(b"x" * (6 * 1024 * 1024)), "article.txt")}
    response = editor_client.post("/workbench/ingest", data=big,
                                  content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and "أكبر من الحد المسموح" in page
    assert "خطأ داخلي" not in page
    with app.test_request_context("/"):  # a 4xx without its own message is still not "ours"
        other = render_template("error.html", status=418, exc=None)
    assert "تعذّر تنفيذ الطلب كما أُرسل" in other and "خطأ داخلي" not in other


def test_the_favicon_is_served(client) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301 and icon.headers["Location"].endswith("/static/favicon.svg")
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert 'rel="icon"' in client.get("/login").get_data(as_text=True)


def test_entity_status_counts_match_the_lists_they_open(app, editor_client, seeded) -> None:
    for text, speaker in (("قال علييف إن التحقيق مستمر", ""),
                          ("الطائرة أسقطت فوق غروزني", "علييف")):
        assert editor_client.post("/claims/new", data={
            "text": text, "speaker": speaker, "source_id": seeded["source"],
            "status": "unstarted"}).status_code == 302
    page = editor_client.get(f"/entities/{seeded['aliyev']}").get_data(as_text=True)
    chips = re.findall(r'<a href="(/claims\?[^"]+)">.*?<strong>(\d+)</strong></a>', page)
    assert chips
    for link, count in chips:
        listed = editor_client.get(link.replace("&amp;", "&")).get_data(as_text=True)
        assert listed.count('class="claim-card') == int(count), link


def test_a_speaker_no_entity_names_can_be_created_with_the_claim(
        app: Flask, editor_client: FlaskClient, seeded) -> None:
    from claims.models import AuditEvent, Entity

    guess = "وزارة الدفاع الروسية"
    # The workbench's "open in form" link pre-fills a guess no entity has yet.
    page = editor_client.get("/claims/new", query_string={"speaker": guess,
                                                           "source": seeded["source"]})
    html = page.get_data(as_text=True)
    assert 'id="new_speaker_kind"' in html and "ليس بين الكيانات بعد" in html
    assert 'id="new_speaker_kind"' not in editor_client.get(
        "/claims/new", query_string={"speaker": "بوتين"}).get_data(as_text=True)
    form = {"text": "قالت وزارة الدفاع الروسية إن صاروخين انفجرا",
            "source_id": seeded["source"], "speaker": guess, "status": "unstarted"}
    # Not asked to create it: refused as before, the offer still on the page.
    refused = editor_client.post("/claims/new", data=form)
    assert refused.status_code == 422 and 'id="new_speaker_kind"' in refused.get_data(
        as_text=True)
    # Asked, but another field is wrong: nothing is written, the choice is kept.
    bad_date = editor_client.post("/claims/new", data=form | {
        "new_speaker_kind": "organisation", "claim_date": "2999-01-01"})
    assert bad_date.status_code == 422
    assert '<option value="organisation" selected>' in bad_date.get_data(as_text=True)
    with app.app_context(), session_scope(app) as session:
        assert session.scalar(select(Entity).where(Entity.name_ar == guess)) is None
    claim_id = _new_claim(editor_client, seeded, **form, new_speaker_kind="organisation")
    with app.app_context(), session_scope(app) as session:
        claim = session.get_one(Claim, claim_id)
        assert claim.speaker is not None and claim.speaker.name_ar == guess
        assert claim.speaker.kind == "organisation"
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "entity.created")) == 1
    # The next claim finds it by name, in another spelling, with no offer to create it.
    again = editor_client.get("/claims/new", query_string={"speaker": "ووزارة الدفاع الروسية"})
    assert 'id="new_speaker_kind"' not in again.get_data(as_text=True)


def test_the_api_creates_a_new_speaker_only_when_asked(app: Flask, client: FlaskClient,
                                                       seeded) -> None:
    from tests.test_api import API, auth, make_token

    h = auth(make_token(app, "editor"))
    body = {"text": "قال وزير الخارجية الطاجيكي إن مليون مواطن يعملون في روسيا",
            "source_id": seeded["source"], "speaker": "سراج الدين مهر الدين"}
    unknown = client.post(f"{API}/claims", json=body, headers=h)
    assert unknown.status_code == 422 and unknown.json["error"]["field"] == "speaker"
    wrong = client.post(f"{API}/claims", json=body | {"new_speaker_kind": "planet"}, headers=h)
    assert wrong.status_code == 422 and wrong.json["error"]["field"] == "new_speaker_kind"
    made = client.post(f"{API}/claims", json=body | {"new_speaker_kind": "person"}, headers=h)
    assert made.status_code == 201 and made.json["speaker"]["name_ar"] == "سراج الدين مهر الدين"
    assert made.json["speaker"]["kind"] == "person"
    # An existing speaker is used, never duplicated, even when a kind is sent.
    same = client.post(f"{API}/claims", json=body | {"new_speaker_kind": "person",
                                                     "text": "قال الوزير إن العدد تضاعف"},
                       headers=h)
    assert same.status_code == 201 and same.json["speaker"]["id"] == made.json["speaker"]["id"]
