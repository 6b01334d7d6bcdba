"""The cached claim page shows every kind of change at once and never mixes users' tokens."""

from __future__ import annotations

import re
import time

import pytest
from flask import Flask, g, session
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature
from sqlalchemy import select, update

from claims import security
from claims.db import session_scope
from claims.models import Claim, Entity, Evidence, Mention, User
from claims.services import claims as service
from claims.services import evidence as evidence_service
from claims.services import workbench_links as links
from claims.web import page_cache
from tests.conftest import login_as, make_app

TEXT = "قال بوتين إن 38 شخصاً قتلوا في غروزني"


def _new_claim(client: FlaskClient, seeded, text: str = TEXT) -> int:
    response = client.post("/claims/new", data={
        "text": text, "source_id": seeded["source"], "speaker": "بوتين",
        "status": "unstarted", "claim_type": "quantity", "tags": "أمن"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def _page(client: FlaskClient, claim_id: int) -> str:
    response = client.get(f"/claims/{claim_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _version(app: Flask, claim_id: int) -> int:
    with app.app_context(), session_scope(app) as session:
        return int(session.scalars(select(Claim.version).where(Claim.id == claim_id)).one())


def test_repeated_view_is_served_from_the_cache(app, editor_client, seeded, monkeypatch) -> None:
    claim_id = _new_claim(editor_client, seeded)
    _page(editor_client, claim_id)  # shows and consumes the "created" flash
    first = _page(editor_client, claim_id)
    from claims.web import claims as views

    def refuse(claim_id: int) -> Claim:
        raise AssertionError("rendered again although nothing changed")

    monkeypatch.setattr(views, "_load_claim", refuse)
    again = _page(editor_client, claim_id)
    fresh = r'name="submission" value="[^"]+"'  # one-time form ids are new with every page
    assert re.sub(fresh, "", again) == re.sub(fresh, "", first) and again != first


def _evidence(page: str) -> str:
    """The evidence section of a claim page (the history below it keeps removed items)."""
    return page.split('id="evidence"')[1].split("</section>")[0]


def test_cached_page_shows_every_change_at_once(app: Flask, editor_client, seeded) -> None:
    claim_id = _new_claim(editor_client, seeded)
    other_id = _new_claim(editor_client, seeded, "قال بوتين إن 38 شخصاً قتلوا في غروزني أمس")
    assert "أمن" in _page(editor_client, claim_id)
    _page(editor_client, other_id)

    # Status (web form): version moves.
    response = editor_client.post(f"/claims/{claim_id}/status", data={
        "status": "false", "note": "دحض-أول", "version": str(_version(app, claim_id))})
    assert response.status_code == 302
    assert "دحض-أول" in _page(editor_client, claim_id)

    # Evidence added, edited in place (no version change), removed.
    editor_client.post(f"/claims/{claim_id}/evidence",
                       data={"url": "https://example.org/e", "title": "دليل-أول"})
    assert "دليل-أول" in _page(editor_client, claim_id)
    with app.app_context(), session_scope(app) as session:
        claim = session.get(Claim, claim_id)
        evidence_id = claim.evidence[0].id
        evidence_service.update_evidence(session, claim, None, evidence_id,
                                         {"title": "دليل-معدل", "version": 1})
        session.commit()
    page = _evidence(_page(editor_client, claim_id))
    assert "دليل-معدل" in page and "دليل-أول" not in page
    editor_client.post(f"/claims/{claim_id}/evidence/{evidence_id}/delete", data={"version": "2"})
    page = _page(editor_client, claim_id)
    assert "دليل-معدل" not in _evidence(page)
    assert "حُذف دليل" in page.split('id="history"')[1]  # what it said is kept there

    # A write that bypasses the ORM (another tool, another worker) shows too.
    editor_client.post(f"/claims/{claim_id}/evidence",
                       data={"url": "https://example.org/f", "title": "دليل-ثان"})
    assert "دليل-ثان" in _page(editor_client, claim_id)
    with app.app_context(), session_scope(app) as session:
        session.execute(update(Evidence).where(Evidence.claim_id == claim_id)
                        .values(note="ملاحظة-مباشرة"))
        session.commit()
    assert "ملاحظة-مباشرة" in _page(editor_client, claim_id)

    # Mention review: rejecting the link to Grozny drops it from the entity list.
    with app.app_context(), session_scope(app) as session:
        mention_id = session.scalars(select(Mention.id).where(
            Mention.claim_id == claim_id, Mention.entity_id == seeded["grozny"])).one()
    assert f"/entities/{seeded['grozny']}\"" in _page(editor_client, claim_id)
    editor_client.post(f"/claims/{claim_id}/mentions/{mention_id}", data={"review": "rejected"})
    page = _page(editor_client, claim_id)
    assert f"/entities/{seeded['grozny']}\"" not in page.split('id="history"')[0]
    assert f"/entities/{seeded['grozny']}\"" in page.split('id="history"')[1]  # the review

    # An entity renamed elsewhere (the API edits names without touching claims).
    editor_client.post("/lang", data={"lang": "en", "next": "/"})
    assert "Vladimir Putin" in _page(editor_client, claim_id)
    with app.app_context(), session_scope(app) as session:
        session.execute(update(Entity).where(Entity.id == seeded["putin"])
                        .values(name_en="V. V. Putin"))
        session.commit()
    assert "V. V. Putin" in _page(editor_client, claim_id)
    editor_client.post("/lang", data={"lang": "ar", "next": "/"})

    # Appearances (shown in the JSON-LD of a published verdict).
    with app.app_context(), session_scope(app) as session:
        service.add_appearance(session, session.get(Claim, claim_id), None,
                               {"url": "https://elsewhere.example/copy"})
        session.commit()
    assert "https://elsewhere.example/copy" in _page(editor_client, claim_id)

    # Same-claim decision: the newer claim shows its canonical, whose status then changes.
    with app.app_context(), session_scope(app) as session:
        editor = session.scalars(select(User).where(User.username == "editor")).one()
        links.decide(session, editor, session.get(Claim, other_id),
                     {"other_id": str(claim_id), "relation": "duplicate"})
        session.commit()
    assert 'id="canonical"' in _page(editor_client, other_id)
    assert f"#{other_id}" in _page(editor_client, claim_id)
    editor_client.post(f"/claims/{claim_id}/status", data={
        "status": "true", "note": "", "version": str(_version(app, claim_id))})
    canonical = re.search(r'id="canonical".*?</div>', _page(editor_client, other_id), re.S)
    assert canonical and "status-true" in canonical.group(0)

    # Edits: text and tags.
    response = editor_client.post(f"/claims/{claim_id}/edit", data={
        "text": "نص-جديد للادعاء", "source_id": seeded["source"], "tags": "وسم-جديد",
        "claim_type": "other", "version": str(_version(app, claim_id))})
    assert response.status_code == 302
    page, history = _page(editor_client, claim_id).split('id="history"')
    assert "نص-جديد" in page and "وسم-جديد" in page and "أمن" not in page
    assert "أمن" in history  # the replaced tag, in the edit history


def test_role_and_language_have_their_own_pages(app: Flask, client, seeded) -> None:
    login_as(client, app, "editor")
    claim_id = _new_claim(client, seeded)
    assert 'id="status-form"' in _page(client, claim_id)
    viewer = app.test_client()
    login_as(viewer, app, "viewer")
    assert 'id="status-form"' not in _page(viewer, claim_id)
    viewer.post("/lang", data={"lang": "en", "next": "/"})
    assert 'lang="en"' in _page(viewer, claim_id)


def test_users_never_see_each_others_token_or_name(database_url, _schema, seeded) -> None:
    app = make_app(database_url, wtf_csrf_enabled=True)
    page_cache.clear()
    clients = {}
    # Two sessions of the same user too: the page shell is cached per user, tokens per session.
    for name, role in (("editor", "editor"), ("admin", "admin"), ("editor again", "editor")):
        clients[name] = app.test_client()
        login_as(clients[name], app, role)
    with app.app_context(), session_scope(app) as session:
        editor = session.scalars(select(User).where(User.username == "editor")).one()
        claim = service.create_claim(session, editor, {
            "text": TEXT, "source_id": str(seeded["source"]), "status": "unstarted"})
        evidence_service.add_evidence(session, claim, editor, {"title": "دليل"})
        session.commit()
        claim_id = claim.id
    pages = {role: _page(c, claim_id) for role, c in clients.items()}
    tokens = {role: set(re.findall(r'name="csrf_token" value="([^"]+)"', html))
              for role, html in pages.items()}
    for name, html in pages.items():
        assert page_cache.CSRF_PLACEHOLDER not in html
        assert len(tokens[name]) == 1  # every form, cached or not, carries this session's token
        assert f"<bdi>{name.split()[0]}</bdi> ·" in html
        assert f'name="next" value="/claims/{claim_id}"' in html
    assert tokens["editor"].isdisjoint(tokens["admin"])
    assert tokens["editor"].isdisjoint(tokens["editor again"])
    assert "<bdi>admin</bdi> ·" not in pages["editor"]
    assert "<bdi>editor</bdi> ·" not in pages["admin"]
    # The token each page carries is accepted for that session's own forms.
    token = next(iter(tokens["editor"]))
    response = clients["editor"].post(f"/claims/{claim_id}/evidence",
                                      data={"title": "آخر", "csrf_token": token})
    assert response.status_code == 302
    response = clients["admin"].post(f"/claims/{claim_id}/evidence",
                                     data={"title": "مسروق", "csrf_token": token})
    assert response.status_code == 400
    assert clients["editor"].get(f"/claims/{claim_id}").headers["Cache-Control"] == "no-store"


def test_remembered_signatures_are_flasks_own(app: Flask, monkeypatch) -> None:
    """Session cookies and CSRF tokens reused within a second are what Flask would sign."""
    now = [1_800_000_000.25]
    monkeypatch.setattr(time, "time", lambda: now[0])
    ours = app.session_interface.get_signing_serializer(app)
    flasks = SecureCookieSessionInterface().get_signing_serializer(app)
    assert ours is not None and flasks is not None
    data = {"uid": 7, "pw": "abc", "_permanent": True, "csrf_token": "f" * 40}
    cookie = ours.dumps(data)
    assert cookie == flasks.dumps(data) == ours.dumps(data)  # computed, then remembered
    max_age = int(app.permanent_session_lifetime.total_seconds())
    for _ in range(2):  # verified, then remembered: an equal but separate dict each time
        loaded = ours.loads(cookie, max_age=max_age)
        assert loaded == data and loaded is not ours.loads(cookie, max_age=max_age)
    with pytest.raises(BadSignature):
        ours.loads(cookie[:-2] + "xx", max_age=max_age)
    now[0] += max_age + 1  # expired, although remembered
    with pytest.raises(BadSignature):
        ours.loads(cookie, max_age=max_age)

    tokens = []
    for raw in ("a" * 40, "b" * 40, "a" * 40):
        with app.test_request_context():
            session["csrf_token"] = raw
            token = security.csrf_token()
            assert security.csrf_token() == token
            g.pop("csrf_token")
            assert generate_csrf() == token
            tokens.append(token)
    assert tokens[0] == tokens[2] != tokens[1]  # per session's raw token, never shared


def _list(client: FlaskClient, **args: str) -> str:
    response = client.get("/claims", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _card(page: str, claim_id: int) -> str:
    found = re.search(rf'<article class="card claim-card">(?:(?!</article>).)*#{claim_id} ·.*?'
                      r"</article>", page, re.S)
    assert found, f"no card for #{claim_id}"
    return found.group(0)


def test_list_cards_show_every_change_at_once(app: Flask, editor_client, seeded) -> None:
    """Cards are cached on everything they show, read on every view: no invalidation."""
    claim_id = _new_claim(editor_client, seeded)
    _list(editor_client)  # consumes the flash
    card = _card(_list(editor_client, q="بوتين"), claim_id)
    assert "status-unstarted" in card and "أمن" in card and "فلاديمير بوتين" in card
    assert 'dir="auto"' in card and "أ ف ب" in card
    assert _card(_list(editor_client, q="بوتين"), claim_id) == card  # served again

    editor_client.post(f"/claims/{claim_id}/status", data={
        "status": "false", "note": "", "version": str(_version(app, claim_id))})
    assert "status-false" in _card(_list(editor_client, q="بوتين"), claim_id)

    response = editor_client.post(f"/claims/{claim_id}/edit", data={
        "text": "قال بوتين نصاً-جديداً", "source_id": seeded["source"], "speaker": "علييف",
        "tags": "وسم-جديد", "claim_type": "other", "version": str(_version(app, claim_id))})
    assert response.status_code == 302
    card = _card(_list(editor_client, q="بوتين"), claim_id)
    assert "نصاً-جديداً" in card and "وسم-جديد" in card and "أمن" not in card
    assert "إلهام علييف" in card and "فلاديمير بوتين" not in card

    # Writes that bypass the ORM (another worker, another tool) show too.
    with app.app_context(), session_scope(app) as session:
        session.execute(update(Entity).where(Entity.id == seeded["aliyev"])
                        .values(name_ar="علييف-معدل"))
        session.execute(update(Claim).where(Claim.id == claim_id).values(status="true"))
        session.commit()
    card = _card(_list(editor_client), claim_id)
    assert "علييف-معدل" in card and "status-true" in card
    # The interface language has its own cards.
    editor_client.post("/lang", data={"lang": "en", "next": "/"})
    card = _card(_list(editor_client), claim_id)
    assert "Ilham Aliyev" in card and "Speaker:" in card


def test_list_cards_escape_and_isolate_user_text(app: Flask, editor_client, seeded) -> None:
    payload = "<script>alert(1)</script>\u202eقال بوتين"
    claim_id = _new_claim(editor_client, seeded, payload)
    card = _card(_list(editor_client), claim_id)
    assert "<script>" not in card and "&lt;script&gt;" in card
    assert "\u202e" not in card
    assert '<p dir="auto">' in card


def test_source_filter_follows_new_and_renamed_sources(app: Flask, editor_client,
                                                       seeded) -> None:
    from claims.models import SourceDocument

    assert "تقرير أ ف ب" in _list(editor_client)
    with app.app_context(), session_scope(app) as session:
        session.add(SourceDocument(title="مصدر-جديد", text="", language="ar"))
        session.execute(update(SourceDocument).where(SourceDocument.id == seeded["source"])
                        .values(title="تقرير-معدل"))
        session.commit()
    page = _list(editor_client)
    assert "مصدر-جديد" in page and "تقرير-معدل" in page and "تقرير أ ف ب" not in page
    chosen = _list(editor_client, source=str(seeded["source"]))
    assert f'<option value="{seeded["source"]}" selected>تقرير-معدل</option>' in chosen
    assert f'<option value="{seeded["source"]}" >تقرير-معدل</option>' in page


def test_list_shell_is_per_user_and_fills_path_and_token(database_url, _schema,
                                                         seeded) -> None:
    app = make_app(database_url, wtf_csrf_enabled=True)
    clients = {}
    for name, role in (("editor", "editor"), ("admin", "admin")):
        clients[name] = app.test_client()
        login_as(clients[name], app, role)
    pages = {name: _list(c, q="<b>بوتين</b>") for name, c in clients.items()}
    for name, html in pages.items():
        assert page_cache.CSRF_PLACEHOLDER not in html
        assert f"<bdi>{name}</bdi> ·" in html
        assert 'name="next" value="/claims?q=%3Cb%3E' in html
        assert 'value="&lt;b&gt;بوتين&lt;/b&gt;"' in html and "<b>بوتين" not in html
        assert len(set(re.findall(r'name="csrf_token" value="([^"]+)"', html))) == 1
    assert "nav-import" in pages["admin"] and "/admin/users" in pages["admin"]
    assert "/admin/users" not in pages["editor"]
    assert clients["editor"].get("/claims").headers["Cache-Control"] == "no-store"


def test_search_statements_are_reused_but_never_results(app: Flask, editor_client,
                                                        seeded) -> None:
    from claims.services.search import ClaimFilters, search_claims, search_ids

    first = _new_claim(editor_client, seeded)
    with app.app_context(), session_scope(app) as session:
        before = search_ids(session, ClaimFilters(q="بوتين"), 25)
        assert before.ids[0] == first and before.exact
    second = _new_claim(editor_client, seeded, "قال بوتين شيئاً آخر")
    with app.app_context(), session_scope(app) as session:
        after = search_ids(session, ClaimFilters(q="بوتين"), 25)
        assert after.ids[:2] == [second, first] and after.total == before.total + 1
        assert [c.id for c in search_claims(session, ClaimFilters(q="بوتين")).claims] \
            == after.ids
        # An alias added later changes the entities a query names, so its statement too.
        assert not search_ids(session, ClaimFilters(q="القيصر"), 25).entities
    editor_client.post(f"/entities/{seeded['putin']}/aliases",
                       data={"text": "القيصر", "kind": "short", "lang": "ar"})
    with app.app_context(), session_scope(app) as session:
        named = search_ids(session, ClaimFilters(q="القيصر"), 25)
        assert [e.id for e in named.entities] == [seeded["putin"]]
        assert set(named.ids) >= {first, second}


def test_list_cards_show_when_a_claim_was_made_else_when_it_was_added(
        app: Flask, editor_client, seeded) -> None:
    ids = []
    for date in ("2024-12-25", ""):
        response = editor_client.post("/claims/new", data={
            "text": f"قال بوتين إن 38 شخصاً قتلوا {date or 'اليوم'}", "claim_date": date,
            "source_id": seeded["source"], "status": "unstarted"})
        assert response.status_code == 302
        ids.append(int(response.headers["Location"].rsplit("/", 1)[-1]))
    _list(editor_client)  # consumes the flash
    page = _list(editor_client)
    dated, undated = _card(page, ids[0]), _card(page, ids[1])
    assert 'datetime="2024-12-25"' in dated and "أُضيف" not in dated
    assert "أُضيف" in undated and 'title="أنشئ"' in undated


def test_published_page_shows_a_copys_corrected_source(app: Flask, editor_client,
                                                        seeded) -> None:
    """A copy's source is an appearance in its canonical claim's ClaimReview: correcting it
    shows at once."""
    from claims.models import SourceDocument
    from claims.services import sources as source_service

    claim_id = _new_claim(editor_client, seeded)
    with app.app_context(), session_scope(app) as session:
        other = SourceDocument(title="نسخة أخرى", text=TEXT, language="ar",
                               url="https://copy.example/old")
        session.add(other)
        session.flush()
        source_id = other.id
        session.commit()
    copy_id = _new_claim(editor_client, {**seeded, "source": source_id})
    with app.app_context(), session_scope(app) as session:
        editor = session.scalars(select(User).where(User.username == "editor")).one()
        links.decide(session, editor, session.get_one(Claim, copy_id),
                     {"other_id": str(claim_id), "relation": "duplicate"})
        session.commit()
    editor_client.post(f"/claims/{claim_id}/status", data={
        "status": "true", "note": "", "version": str(_version(app, claim_id))})
    assert "https://copy.example/old" in _page(editor_client, claim_id)
    with app.app_context(), session_scope(app) as session:
        source_service.update_source(session, source_id, None, {
            "version": 1, "url": "https://copy.example/corrected", "title": "عنوان مصحح"})
        session.commit()
    page = _page(editor_client, claim_id)
    assert "https://copy.example/corrected" in page and "https://copy.example/old" not in page
    assert "عنوان مصحح" in page
