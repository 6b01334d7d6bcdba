"""Interface wording found lacking by outside testing: empty states that named the wrong
thing, counted messages without their plural forms, a message shown twice, error pages that
looked signed out."""

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


REVIEW = ('{"@context": "https://schema.org", "@type": "ClaimReview", '
          '"url": "https://factcheck.example/r/1", "claimReviewed": "قال بوتين إن الطائرة سقطت", '
          '"reviewRating": {"@type": "Rating", "alternateName": "زائف"}}')


def test_a_claimreview_import_reports_once_in_words_that_fit_any_count(
        app: Flask, client: FlaskClient) -> None:
    login_as(client, app, "editor")
    first = client.post("/import/claimreview", data={"text": REVIEW}).get_data(as_text=True)
    assert first.count("ادعاءات أُنشئت: 1 · موجودة مسبقًا: 0.") == 1
    again = client.post("/import/claimreview", data={"text": REVIEW}).get_data(as_text=True)
    assert again.count("ادعاءات أُنشئت: 0 · موجودة مسبقًا: 1.") == 1


def test_the_workbench_counts_its_sentences_in_the_right_form(app: Flask) -> None:
    import claims.web.claims
    import claims.web.workbench  # noqa: F401  (registers the messages)
    from claims.i18n import translate

    assert [translate("wb.sentences", "ar", n=n) for n in (1, 2, 7, 27, 100)] == [
        "جملة واحدة", "جملتان", "7 جمل", "27 جملةً", "100 جملة"]
    assert [translate("wb.sentences", "en", n=n) for n in (1, 7)] == ["1 sentence", "7 sentences"]
    about = [translate("claims.count_about", "ar", n=f"{n:,}", count=n) for n in (205, 250, 300)]
    assert about == ["نحو 205 ادعاءات", "نحو 250 ادعاءً", "نحو 300 ادعاء"]


def test_error_pages_before_the_user_loads_still_show_who_is_signed_in(
        database_url: str, app: Flask) -> None:
    from tests.conftest import make_app

    guarded = make_app(database_url, wtf_csrf_enabled=True)
    client = guarded.test_client()
    login_as(client, guarded, "editor")
    refused = client.post("/claims/new", data={"text": "نص"})  # no CSRF token
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "تسجيل الخروج" in page and 'id="nav-workbench"' in page
    big = client.post("/workbench/ingest", data={"text": "ب" * (6 * 1024 * 1024)})
    assert big.status_code == 413 and "تسجيل الخروج" in big.get_data(as_text=True)
    anonymous = guarded.test_client().post("/claims/new", data={"text": "نص"})
    assert anonymous.status_code == 400 and "تسجيل الخروج" not in anonymous.get_data(as_text=True)


def test_character_limits_read_right_whatever_the_number(app: Flask) -> None:
    from claims.i18n import translate

    for limit in (64, 200, 1000, 2000):  # no "2000 حرفًا": a hundred or a thousand takes "حرف"
        message = translate("error.too_long", "ar", max=limit)
        assert message == f"النص أطول من المسموح (أقصى عدد للأحرف: {limit})."


def test_conflict_reasons_are_shown_in_the_interface_language(
        app: Flask, client: FlaskClient, seeded) -> None:
    login_as(client, app, "editor")
    crash = "قتل 38 من أصل 67 شخصا كانوا على متن الطائرة إمبراير 190"
    made = client.post("/claims/new", data={"text": crash, "source_id": seeded["source"],
                                            "status": "unstarted"})
    first = int(made.headers["Location"].rsplit("/", 1)[-1])
    rival = client.post("/claims/new", data={"text": crash.replace("38", "39"),
                                             "source_id": seeded["source"], "status": "unstarted"})
    second = int(rival.headers["Location"].rsplit("/", 1)[-1])
    page = client.get(f"/claims/{second}?matches=1").get_data(as_text=True)
    assert f'id="conflict-{first}"' in page
    assert "رقم مختلف: 39≠38" in page and "quantity:" not in page
    client.post("/lang", data={"lang": "en", "next": "/"})
    found = client.get("/workbench/match", query_string={"text": crash.replace("38", "39"),
                                                         "exclude": second}).json
    by_id = {c["id"]: c for c in found["candidates"]}
    assert by_id[first]["reasons"] == ["different figure: 39≠38"]


def test_history_arrows_point_the_way_the_page_reads(app: Flask, client: FlaskClient,
                                                    seeded) -> None:
    login_as(client, app, "editor")
    made = client.post("/claims/new", data={"text": "قال بوتين إن 38 شخصاً قتلوا",
                                            "source_id": seeded["source"], "status": "unstarted"})
    claim = made.headers["Location"]
    client.post(f"{claim}/status", data={"status": "false", "version": 1, "note": "نفته السلطات"})
    history = client.get(claim).get_data(as_text=True).split('id="history"')[1]
    assert "←" in history and "→" not in history  # Arabic reads right to left
    client.post("/lang", data={"lang": "en", "next": "/"})
    history = client.get(claim).get_data(as_text=True).split('id="history"')[1]
    assert "→" in history and "←" not in history


def test_a_refused_review_names_its_own_properties(app: Flask, client: FlaskClient) -> None:
    login_as(client, app, "editor")
    review = ('{"@type": "ClaimReview", "claimReviewed": "' + "ب" * 2100 + '", '
              '"reviewRating": {"alternateName": "زائف"}}')
    page = client.post("/import/claimreview", data={"text": review}).get_data(as_text=True)
    report = page.split('id="cr-report"')[1]
    assert 'dir="ltr">claimReviewed</bdi>' in report
    assert 'dir="ltr">itemReviewed.appearance</bdi>: لا تذكر المراجعة رابطًا للادعاء' in report
    assert ">source_id<" not in report and "اختر مصدرًا" not in report


def test_the_main_navigation_is_named_in_the_interface_language(
        app: Flask, client: FlaskClient) -> None:
    login_as(client, app, "viewer")
    arabic = client.get("/claims").get_data(as_text=True)
    assert 'aria-label="التنقل الرئيسي"' in arabic and 'aria-label="main"' not in arabic
    # The switch's label is in the other language: a screen reader must read it as such.
    assert '<button type="submit" class="linklike" id="lang-switch" lang="en">English' in arabic
    client.post("/lang", data={"lang": "en", "next": "/"})
    english = client.get("/claims").get_data(as_text=True)
    assert 'aria-label="Main navigation"' in english
    assert 'id="lang-switch" lang="ar">العربية' in english


def test_a_form_refused_for_its_stale_token_gives_back_what_was_typed(
        database_url: str, app: Flask) -> None:
    from tests.conftest import make_app

    guarded = make_app(database_url, wtf_csrf_enabled=True)
    client = guarded.test_client()
    login_as(client, guarded, "editor")
    # The session ended in another tab (or after its 12 hours): the token no longer matches.
    ours = {"Sec-Fetch-Site": "same-origin"}
    form = {"csrf_token": "stale", "text": "قال الوزير إن <b>التضخم</b> تراجع", "version": "3",
            "restatement": "", "tags": "اقتصاد، مصر", "submission": "abc"}
    # A page of another site posting to ours gets the message, never its words on our page.
    for foreign in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}, {}):
        page = client.post("/claims/new", data=form, headers=foreign).get_data(as_text=True)
        assert "انتهت صلاحية النموذج" in page and "التضخم" not in page, foreign
    refused = client.post("/claims/new", data=form, headers=ours)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "أعد تحميل الصفحة" not in page  # reloading sends the same stale form again
    assert "انتهت صلاحية النموذج" in page and "انسخه" in page
    assert "قال الوزير إن &lt;b&gt;التضخم&lt;/b&gt; تراجع</textarea>" in page
    assert ">الوسوم</label>" in page and "اقتصاد، مصر</textarea>" in page
    assert 'name="version"' not in page and ">abc<" not in page and ">3<" not in page
    password = client.post("/account/password", headers=ours, data={
        "csrf_token": "stale", "current_password": "old secret", "new_password": "new secret"})
    assert password.status_code == 400 and "secret" not in password.get_data(as_text=True)
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    english = client.post("/entities", data={"csrf_token": "stale", "name_ar": "محمد معيط"},
                          headers={"Origin": "http://localhost"})  # a browser without Sec-Fetch
    text = english.get_data(as_text=True)
    assert "The form has expired" in text and ">Arabic name</label>" in text


def test_latin_words_in_arabic_messages_read_in_order_without_bidi_marks(app: Flask) -> None:
    """Slashes, colons and dots at the edge of `https://`, `/api/v1` or `.txt` are neutral:
    in an Arabic sentence they take its right-to-left direction and show as `//:https`,
    `api/v1/` or `txt.`. A left-to-right mark cannot hold them, since every page drops bidi
    controls from what it prints, so the Arabic wording keeps such edges off Latin words."""
    import re

    from claims.i18n import MESSAGES
    from claims.text.arabic import strip_controls

    loose = re.compile(r"(?<![A-Za-z0-9/:.])[/:.]+(?=[A-Za-z])"
                       r"|(?<=[A-Za-z0-9])[/:]+(?![A-Za-z0-9/:]|\s+[A-Za-z])")
    assert [key for key, (arabic, _) in MESSAGES.items()
            if loose.search(arabic) or strip_controls(arabic) != arabic] == []


def test_the_workbench_links_its_article_as_one_source(app: Flask, client: FlaskClient,
                                                      seeded) -> None:
    login_as(client, app, "viewer")
    source = seeded["source"]
    page = client.get(f"/workbench/{source}").get_data(as_text=True)
    assert f'/sources/{source}">المصدر #{source}</a>' in page and "المصادر #" not in page
    client.post("/lang", data={"lang": "en", "next": "/"})
    assert f'">Source #{source}</a>' in client.get(f"/workbench/{source}").get_data(as_text=True)
