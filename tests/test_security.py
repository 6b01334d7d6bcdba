"""Security: login throttling, session fixation and lifetime, cookies, headers, open
redirects (Django's lists), and XSS/bidi payloads in every text field (hypothesis)."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
import unicodedata
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from claims.db import get_engine, session_scope
from claims.models import Alias, AuditEvent, Claim, SourceDocument, Tag, UserSession
from claims.security import is_safe_redirect
from claims.web import auth as login_view
from tests.conftest import PASSWORD, login_as, make_app
from tests.test_api import API, auth, make_token

PROD_SECRET = "production-secret-key-of-sufficient-length-0123456789"


def _login(client: FlaskClient, username: str, password: str, addr: str = "10.0.0.1"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": addr})


def test_sixth_failure_for_one_account_is_throttled_from_any_address(client) -> None:
    for i in range(5):
        assert _login(client, "viewer", "wrong", addr=f"10.0.1.{i}").status_code == 401
    # Even the right password is refused now, from yet another address.
    assert _login(client, "viewer", PASSWORD, addr="10.0.1.99").status_code == 429
    assert _login(client, "editor", PASSWORD, addr="10.0.1.98").status_code == 302


def test_a_throttled_login_says_when_to_retry(client) -> None:
    for _ in range(5):
        _login(client, "viewer", "wrong", addr="10.0.4.1")
    refused = _login(client, "viewer", PASSWORD, addr="10.0.4.1")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"


def test_head_requests_never_run_a_form_s_post_branch(app, client, seeded) -> None:
    # Flask answers HEAD with the GET view; CSRF checks only state-changing methods, so a view
    # that tested for GET would have run its write branch (and counted a failed login).
    # Every view serving both GET and POST is checked below; a new one must join them.
    both = {rule.endpoint for rule in app.url_map.iter_rules()
            if {"GET", "POST"} <= (rule.methods or set())}
    assert both == {"auth.login", "claims.new", "claims.edit", "workbench.ingest",
                    "account.password", "sources.edit"}
    for _ in range(6):
        head = client.head("/login", data={"username": "viewer", "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.0.5.1"})
        assert head.status_code == 200
    assert client.get("/claims").status_code == 302  # not logged in by a HEAD
    assert _login(client, "editor", PASSWORD, addr="10.0.5.1").status_code == 302  # no throttle

    def counts() -> tuple[int, int, str]:
        with app.app_context(), session_scope(app) as session:
            return (session.scalar(select(func.count()).select_from(Claim)) or 0,
                    session.scalar(select(func.count()).select_from(SourceDocument)) or 0,
                    session.scalar(select(Claim.text).order_by(Claim.id)) or "")

    form = {"text": "قال بوتين إن 40 شخصاً قتلوا في غروزني.", "status": "unstarted",
            "source_id": str(seeded["source"]), "version": "1"}
    assert client.post("/claims/new", data=form).status_code == 302
    before = counts()
    with app.app_context(), session_scope(app) as session:
        first = session.scalar(select(Claim.id).order_by(Claim.id))
    assert client.head("/claims/new", data=form).status_code == 200
    assert client.head(f"/claims/{first}/edit", data={**form, "text": "نص آخر تماماً"}
                       ).status_code == 200
    assert client.head("/workbench/ingest", data={"text": "قال بوتين إن 50 شخصاً قتلوا."}
                       ).status_code == 200
    assert client.head(f"/sources/{seeded['source']}/edit",
                       data={"version": "1", "title": "عنوان آخر"}).status_code == 200
    assert counts() == before
    with app.app_context(), session_scope(app) as session:
        assert session.get_one(SourceDocument, seeded["source"]).title == "تقرير أ ف ب"
    assert client.head("/account/password", data={"current_password": PASSWORD,
                                                  "new_password": "x" * 20,
                                                  "confirm_password": "x" * 20}
                       ).status_code == 200
    assert _login(app.test_client(), "editor", PASSWORD).status_code == 302  # unchanged


def test_sixth_failure_from_one_address_is_throttled_for_any_account(client) -> None:
    for i in range(5):
        assert _login(client, f"nobody{i}", "wrong", addr="10.0.2.1").status_code == 401
    assert _login(client, "admin", PASSWORD, addr="10.0.2.1").status_code == 429
    assert _login(client, "admin", PASSWORD, addr="10.0.2.2").status_code == 302


def test_guesses_sent_at_once_are_throttled_like_guesses_in_turn(app, monkeypatch) -> None:
    """Failures counted only after the slow hash check let every guess already in flight
    through: each attempt takes its place in the count before its password is checked."""
    attempts = 8
    barrier = threading.Barrier(attempts, timeout=3)
    real = login_view.check_password

    def slow_check(*args):
        try:  # every attempt that got past the throttle checks its password at once
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return real(*args)

    monkeypatch.setattr(login_view, "check_password", slow_check)
    codes: list[int] = []

    def attempt(i: int) -> None:
        codes.append(_login(app.test_client(), "viewer", f"wrong{i}",
                            addr=f"10.0.4.{i}").status_code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [401] * 5 + [429] * (attempts - 5)


def test_a_successful_login_takes_back_its_place_in_the_count(client) -> None:
    for i in range(4):
        assert _login(client, "viewer", "wrong", addr=f"10.0.5.{i}").status_code == 401
    for _ in range(3):  # the right password does not use up the account's allowance
        assert _login(client, "viewer", PASSWORD, addr="10.0.5.9").status_code == 302
    assert _login(client, "viewer", "wrong", addr="10.0.5.8").status_code == 401
    assert _login(client, "viewer", PASSWORD, addr="10.0.5.9").status_code == 429


def test_anonymous_readers_cannot_tell_unpublished_claims_from_missing_ones(
        app: Flask, client: FlaskClient, seeded) -> None:
    """The public review addresses say the same for a draft as for no claim at all."""
    editor = app.test_client()
    login_as(editor, app, "editor")
    made = editor.post("/claims/new", data={
        "text": "قال بوتين إن الاقتصاد نما 5%", "source_url": "https://example.org/draft",
        "source_title": "مسودة", "status": "unstarted", "claim_type": "other"})
    assert made.status_code == 302, made.get_data(as_text=True)[:300]
    draft = int(made.location.rsplit("/", 1)[-1])
    missing = draft + 1000
    for path in ("/claims/{}/claimreview.json", "/reviews/{}"):
        shown = client.get(path.format(draft))
        absent = client.get(path.format(missing))
        assert shown.status_code == absent.status_code == 404
        assert _without_ids(shown.get_data(as_text=True)) \
            == _without_ids(absent.get_data(as_text=True))


def _without_ids(page: str) -> str:
    """A page with every number and CSRF token blanked (the token's signature is timed)."""
    return re.sub(r"[0-9]+", "#", re.sub(r'name="csrf_token" value="[^"]*"', "", page))


def test_throttling_is_shared_by_every_worker(app, database_url) -> None:
    """Two app instances (two gunicorn workers, or two machines) count failures together."""
    other = make_app(database_url)
    try:
        first, second = app.test_client(), other.test_client()
        for i in range(5):
            worker = first if i % 2 else second
            assert _login(worker, "viewer", "wrong", addr=f"10.0.3.{i}").status_code == 401
        assert _login(first, "viewer", PASSWORD, addr="10.0.3.9").status_code == 429
        assert _login(second, "viewer", PASSWORD, addr="10.0.3.9").status_code == 429
    finally:
        get_engine(other).dispose()


def test_behind_one_trusted_proxy_the_forwarded_address_is_throttled(database_url,
                                                                      app) -> None:
    proxied = make_app(database_url, proxy_hops=1)
    try:
        client = proxied.test_client()

        def attempt(password: str, client_addr: str) -> int:
            return client.post("/login", data={"username": "nobody", "password": password},
                               environ_base={"REMOTE_ADDR": "10.9.9.9"},  # the proxy
                               headers={"X-Forwarded-For": client_addr}).status_code

        for _ in range(5):
            assert attempt("wrong", "203.0.113.7") == 401
        assert attempt("wrong", "203.0.113.7") == 429
        # Another client behind the same proxy is not locked out by the first one.
        assert client.post("/login", data={"username": "admin", "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.9.9.9"},
                           headers={"X-Forwarded-For": "198.51.100.4"}).status_code == 302
    finally:
        get_engine(proxied).dispose()


def _cookie(response) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        jar.load(header)
    return jar


def test_login_starts_a_fresh_session(client: FlaskClient) -> None:
    """Session fixation: nothing planted before login survives it, and the cookie changes."""
    with client.session_transaction() as sess:
        sess["planted"] = "attacker"
        sess["sid"] = "chosen-by-the-attacker"
    before = client.get_cookie("claims_session")
    assert before is not None
    response = _login(client, "viewer", PASSWORD)
    assert response.status_code == 302
    after = _cookie(response)["claims_session"].value
    assert after != before.value
    with client.session_transaction() as sess:
        assert "planted" not in sess and sess["sid"] != "chosen-by-the-attacker"


def _replay(app: Flask, cookie: str):
    """A request from another browser that copied the session cookie."""
    other = app.test_client()
    other.set_cookie("claims_session", cookie)
    return other.get("/claims")


def test_logging_out_ends_the_session_on_the_server(app: Flask, client: FlaskClient) -> None:
    assert _login(client, "editor", PASSWORD).status_code == 302
    copied = client.get_cookie("claims_session").value
    assert _replay(app, copied).status_code == 200
    assert client.post("/logout").status_code == 302
    assert _replay(app, copied).status_code == 302  # to the login page
    assert client.get("/claims").status_code == 302
    # Logging out in one browser leaves another browser of the same user signed in.
    second = app.test_client()
    assert _login(second, "editor", PASSWORD).status_code == 302
    third = app.test_client()
    assert _login(third, "editor", PASSWORD).status_code == 302
    assert second.post("/logout").status_code == 302
    assert third.get("/claims").status_code == 200


def _revocations(app: Flask) -> list[tuple[str | None, str, str]]:
    """(actor, token name, reason) of every audited token revocation, oldest first."""
    with app.app_context(), session_scope(app) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "token.revoked")
                                 .order_by(AuditEvent.id)).all()
        return [(e.user.username if e.user else None, e.details["name"],
                 e.details.get("reason")) for e in events]


def test_a_new_password_ends_every_session_and_api_token_of_that_user(app: Flask, client,
                                                                       runner) -> None:
    made = runner.invoke(args=["user", "create", "huda", "--role", "editor", "--password-stdin"],
                         input=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    assert _login(client, "huda", PASSWORD).status_code == 302
    tokens = [make_token(app, "huda"), make_token(app, "huda")]
    kept = make_token(app, "admin")
    other = app.test_client()
    assert _login(other, "viewer", PASSWORD).status_code == 302
    result = runner.invoke(args=["user", "password", "HUDA", "--password-stdin"],
                           input="a-brand-new-password-123\n")  # any case, as at login
    assert result.exit_code == 0
    assert "password changed for huda: signed out everywhere, 2 API tokens revoked" \
        in result.output
    assert client.get("/claims").status_code == 302
    assert [client.get(f"{API}/me", headers=auth(t)).status_code for t in tokens] == [401, 401]
    assert other.get("/claims").status_code == 200
    assert client.get(f"{API}/me", headers=auth(kept)).status_code == 200
    assert _revocations(app) == [(None, "huda laptop", "password_set")] * 2
    again = runner.invoke(args=["user", "password", "huda", "--password-stdin"],
                          input="yet-another-password-456\n")
    assert "0 API tokens revoked" in again.output and len(_revocations(app)) == 2
    assert _login(client, "huda", "yet-another-password-456").status_code == 302


def test_deactivation_ends_sessions_and_tokens_for_good(app: Flask, user_ids) -> None:
    browser, admin = app.test_client(), app.test_client()
    login_as(browser, app, "editor")
    login_as(admin, app, "admin")
    secret = make_token(app, "editor")
    url = f"/admin/users/{user_ids['editor']}"
    done = admin.post(url, data={"role": "editor", "is_active": "0"}, follow_redirects=True)
    assert "عُطّل المستخدم وأُنهيت جلساته كلها، وأُلغي رمزه الوحيد للواجهة البرمجية." \
        in done.get_data(as_text=True)
    assert _revocations(app) == [("admin", "editor laptop", "deactivated")]
    assert "مع تعطيل المستخدم" in admin.get("/admin/audit").get_data(as_text=True)
    back = admin.post(url, data={"role": "editor", "is_active": "1"}, follow_redirects=True)
    assert "تم تحديث المستخدم." in back.get_data(as_text=True)
    # Reactivated: neither the old browser session nor the old token works again.
    assert browser.get("/claims").status_code == 302
    assert browser.get(f"{API}/me", headers=auth(secret)).status_code == 401
    with app.app_context(), session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(UserSession).where(
            UserSession.user_id == user_ids["editor"], UserSession.ended_at.is_(None))) == 0


def test_the_language_chosen_before_logging_in_stays(client: FlaskClient) -> None:
    client.post("/lang", data={"lang": "en", "next": "/login"})
    assert _login(client, "viewer", PASSWORD).status_code == 302
    assert '<html lang="en" dir="ltr">' in client.get("/claims").get_data(as_text=True)


@pytest.mark.parametrize("overrides, secure", [
    ({}, False), ({"cookie_secure": True}, True),
    ({"env": "production", "secret_key": PROD_SECRET, "allowed_hosts": "localhost"}, True)])
def test_cookie_flags_and_lifetime(database_url, _schema, overrides, secure) -> None:
    app = make_app(database_url, **overrides)
    response = _login(app.test_client(), "viewer", PASSWORD)
    assert response.status_code == 302
    raw = next(h for h in response.headers.getlist("Set-Cookie") if "claims_session" in h)
    morsel = _cookie(response)["claims_session"]
    assert morsel["httponly"] and morsel["samesite"] == "Lax"
    assert bool(morsel["secure"]) is secure, raw
    expires = dt.datetime.strptime(morsel["expires"], "%a, %d %b %Y %H:%M:%S GMT")
    lifetime = expires.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)
    hours = int(app.config["SESSION_LIFETIME_HOURS"])
    assert dt.timedelta(hours=hours) - dt.timedelta(minutes=2) < lifetime
    assert lifetime <= dt.timedelta(hours=hours)
    get_engine(app).dispose()


def test_hsts_over_https_when_cookies_are_https_only(database_url, _schema) -> None:
    production = make_app(database_url, env="production", secret_key=PROD_SECRET,
                          public_url="https://claims.example")
    secure = production.test_client().get("/login", base_url="https://claims.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    plain = production.test_client().get("/login")  # HTTP: the header would mean nothing
    assert "Strict-Transport-Security" not in plain.headers
    development = make_app(database_url)
    answer = development.test_client().get("/login", base_url="https://claims.example")
    assert "Strict-Transport-Security" not in answer.headers
    for app in (production, development):
        get_engine(app).dispose()


def test_expired_session_is_refused_by_the_server(app: Flask, client: FlaskClient) -> None:
    """The signed cookie carries its age: a replayed old cookie no longer logs anyone in."""
    app.permanent_session_lifetime = dt.timedelta(seconds=1)
    assert _login(client, "viewer", PASSWORD).status_code == 302
    assert client.get("/claims").status_code == 200
    time.sleep(2.1)
    response = client.get("/claims")
    assert response.status_code == 302 and "/login" in response.location


def test_a_session_in_use_still_ends_when_its_lifetime_is_over(app: Flask,
                                                                 client: FlaskClient) -> None:
    """Every response re-signs the cookie, so its own age only measures idleness: the server
    ends the session itself a lifetime after the login, however busy its cookie has been."""
    assert _login(client, "viewer", PASSWORD).status_code == 302
    assert client.get("/claims").status_code == 200  # a fresh cookie, as on every response
    lifetime = app.permanent_session_lifetime
    with app.app_context(), session_scope(app) as session:
        row = session.scalars(select(UserSession).order_by(UserSession.id.desc())).first()
        assert row is not None
        row.created_at = dt.datetime.now(dt.UTC) - lifetime - dt.timedelta(minutes=1)
        session.commit()
    response = client.get("/claims")
    assert response.status_code == 302 and "/login" in response.location


def test_the_account_throttle_counts_every_spelling_of_one_name(client: FlaskClient) -> None:
    """A name cut at 64 characters inside trailing blanks is still the same account: each
    blank (space, tab, U+2000…) must not make a throttle key of its own."""
    blanks = [" ", "\t", "\u2000", "\u2001", "\u3000", "\u00a0", "\u2002"]
    for i, blank in enumerate(blanks[:5]):
        name = "viewer" + blank * 58 + "x"
        response = _login(client, name, "wrong-password", addr=f"10.1.0.{i}")
        assert response.status_code == 401
    response = _login(client, "viewer" + blanks[5] * 58 + "x", PASSWORD, addr="10.1.0.9")
    assert response.status_code == 429
    response = _login(client, "viewer", PASSWORD, addr="10.1.0.10")
    assert response.status_code == 429


@pytest.mark.parametrize("path", ["/login", "/claims", "/entities", "/nope", "/healthz"])
def test_security_headers_everywhere(app: Flask, client: FlaskClient, path: str) -> None:
    login_as(client, app, "viewer")
    response = client.get(path)
    csp = {part.split()[0]: part.split()[1:] for part in
           response.headers["Content-Security-Policy"].split("; ")}
    assert csp["script-src"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert csp["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {"same-origin", "no-referrer",
                                                   "strict-origin-when-cross-origin"}
    html = response.get_data(as_text=True)
    # No inline script: every <script> (if any) has a src.
    assert all("src=" in tag.split(">")[0] for tag in html.split("<script")[1:])
    assert " on" + "click=" not in html and "javascript:" not in html


# Django's tests/utils_tests/test_http.py, URLHasAllowedHostAndSchemeTests.test_bad_urls.
DJANGO_BAD = [
    "http://example.com", "http:///example.com", "https://example.com", "ftp://example.com",
    r"\\example.com", r"\\\example.com", r"/\\/example.com", r"\\\example.com",
    r"\\example.com", r"\\//example.com", r"/\/example.com", r"\/example.com",
    r"/\example.com", "http:///example.com", r"http:/\//example.com", r"http:\/example.com",
    r"http:/\example.com", 'javascript:alert("XSS")', "\njavascript:alert(x)",
    "java\nscript:alert(x)", "\x08//example.com", r"http://otherserver\@example.com",
    r"http:\\testserver\@example.com", r"http://testserver\me:pass@example.com",
    r"http://testserver\@example.com", r"http:\\testserver\confirm\me@example.com",
    "http:999999999", "ftp:9999999999", "\n",
    "http://[2001:cdba:0000:0000:0000:0000:3257:9652/",
    "http://2001:cdba:0000:0000:0000:0000:3257:9652]/",
    # Django's test_no_allowed_hosts and test_secure_param_non_https_urls.
    r"http://testserver\@example.com", "//example.com/p", "ftp://example.com/p",
]
# Unicode tricks: fullwidth/ideographic look-alikes of "/" and ".", bidi and zero-width
# controls, and whitespace a browser strips before resolving.
UNICODE_BAD = [
    "\uff0f\uff0fexample.com", "/\u200b/example.com", "/\u202e/example.com",
    "\u202e//example.com", "\u2066//example.com", "/\t/example.com", "/\r\n/example.com",
    "/\x0b/example.com", "\u3000//example.com", "\ufeff//example.com", " //example.com",
    "ｊavascript:alert(1)", "/\x00/example.com", "\u0000//example.com",
]
# Look-alikes after a real leading "/" stay paths on this site: browsers percent-encode
# them (only hosts get Unicode mapping), so they are accepted and must stay on this host.
LOOKALIKE_PATHS = ["/\uff0fexample.com", "/\u2215example.com", "/\u2044example.com",
                   "/\u00a0/example.com", "/%09/example.com", "/%2F/example.com"]
# Django's test_good_urls whose target is a path on this site: accepted.
DJANGO_GOOD_PATHS = ["/view/?param=http://example.com", "/view/?param=https://example.com",
                     "/view?param=ftp://example.com", "/url%20with%20spaces/",
                     "/confirm/me@example.com", "/claims?q=بوتين"]
# Django's other good URLs name the host or are relative to the current path; this app
# only follows absolute paths, so it refuses them (stricter, never less safe).
DJANGO_GOOD_BUT_REFUSED = ["view/?param=//example.com", "https://testserver/",
                           "HTTPS://testserver/", "//testserver/",
                           "http://testserver/confirm?email=me@example.com",
                           "path/http:2222222222"]


@pytest.mark.parametrize("target", DJANGO_BAD + UNICODE_BAD + DJANGO_GOOD_BUT_REFUSED)
def test_unsafe_redirect_targets_are_refused(target: str) -> None:
    assert is_safe_redirect(target) is False


@pytest.mark.parametrize("target", DJANGO_GOOD_PATHS)
def test_safe_redirect_targets_are_accepted(target: str) -> None:
    assert is_safe_redirect(target) is True


@pytest.mark.parametrize("target", LOOKALIKE_PATHS)
def test_lookalike_paths_stay_on_this_site(client: FlaskClient, target: str) -> None:
    response = client.post("/login", data={"username": "viewer", "password": PASSWORD,
                                            "next": target})
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert location.isascii()  # percent-encoded as a browser would
    assert urlsplit(urljoin("http://testserver/login", location)).netloc == "testserver"


def test_next_parameters_follow_only_safe_targets(client: FlaskClient) -> None:
    """Every route taking ``next`` (login, language switch) falls back on a bad target."""
    for target in DJANGO_BAD + UNICODE_BAD:
        response = client.post("/lang", data={"lang": "ar", "next": target})
        assert response.headers["Location"] == "/claims", repr(target)
    for target in ("//example.com", "/\t/example.com", "\u202e//example.com"):
        response = client.post("/login", data={"username": "viewer", "password": PASSWORD,
                                                "next": target})
        assert response.headers["Location"] == "/claims", repr(target)
        client.post("/logout")
    response = client.post("/login", data={"username": "viewer", "password": PASSWORD,
                                            "next": "/view/?param=http://example.com"})
    assert response.headers["Location"] == "/view/?param=http://example.com"


BIDI = [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
SCRIPTS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>",
           "'><iframe src=javascript:alert(1)>", "</textarea><script>x()</script>",
           "{{7*7}}<b>bold</b>", "<a href='javascript:alert(1)'>x</a>"]
RAW_DANGER = ("<script>alert", "<script>x(", "<img src=x", "<svg onload", "<iframe src=",
              "<b>bold", "<a href='javascript")
ARABIC = st.text(alphabet="ابتثجحخدذرزسشصضطظعغفقكلمنهويءةى ", min_size=1, max_size=12)
payloads = st.builds(lambda a, s, b1, b2: f"{b1}{a}{s}{b2}{a}", ARABIC, st.sampled_from(SCRIPTS),
                     st.sampled_from(BIDI), st.sampled_from(BIDI))


class _DirCheck(HTMLParser):
    """Finds text holding a marker outside any dir-isolated (or <bdi>) container."""

    VOID = frozenset({"input", "br", "img", "meta", "link", "hr", "col", "source", "wbr"})

    def __init__(self, marker: str) -> None:
        super().__init__(convert_charrefs=True)
        self.marker, self.stack, self.bad = marker, [], []

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        # dir="auto" (or an explicit dir, e.g. ltr on English names) isolates bidi text.
        isolated = attrs.get("dir") in {"auto", "ltr", "rtl"} or tag in {"bdi", "textarea"}
        for name, value in attrs.items():
            shown = attrs.get("type") != "hidden" and tag != "option"
            if value and self.marker in value and name in {"value", "placeholder", "title"} \
                    and not isolated and shown:
                self.bad.append(f"<{tag} {name}>")
        if tag not in self.VOID:
            self.stack.append((tag, isolated))

    def handle_endtag(self, tag) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data) -> None:
        if self.marker in data and not any(iso for _, iso in self.stack) \
                and not any(t in {"title", "option"} for t, _ in self.stack):
            self.bad.append(f"{[t for t, _ in self.stack][-3:]}: {data[:60]!r}")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(payload=payloads)
def test_payloads_in_every_text_field_render_escaped_isolated_and_keyless(
        app: Flask, seeded, payload: str) -> None:
    marker = f"قيد{abs(hash(payload)) % 10**6}"
    evil = f"{payload} {marker}"
    editor, viewer = app.test_client(), app.test_client()
    login_as(editor, app, "editor")
    login_as(viewer, app, "viewer")
    made = editor.post("/entities", data={"kind": "person", "name_ar": evil[:250],
                                          "name_en": evil[:250]})
    assert made.status_code in (302, 303), made.status_code
    entity_id = int(made.location.rstrip("/").rsplit("/", 1)[-1])
    assert editor.post(f"/entities/{entity_id}/aliases",
                       data={"text": "بديل " + evil[:240], "kind": "short",
                             "lang": "ar"}).status_code == 302
    made = editor.post("/claims/new", data={
        "text": evil, "restatement": evil, "tags": evil[:60], "speaker": f"#{entity_id}",
        "source_url": f"https://example.org/{abs(hash(payload))}", "source_title": evil,
        "status": "unstarted", "note": evil, "claim_type": "other"})
    assert made.status_code == 302, made.get_data(as_text=True)[:500]
    claim_id = int(made.location.rsplit("/", 1)[-1])
    assert editor.post(f"/claims/{claim_id}/evidence", data={
        "url": "https://example.org/e", "title": evil, "publisher": evil[:190],
        "note": evil}).status_code == 302
    assert editor.post(f"/claims/{claim_id}/status", data={
        "status": "false", "note": evil, "version": "1"}).status_code == 302
    with app.app_context(), session_scope(app) as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None and claim.text == evil  # stored exactly as typed
        source_id = claim.source_id
        keys = [claim.text_key, *session.scalars(select(Alias.key)),
                *session.scalars(select(Tag.key))]
    for key in keys:
        assert not [ch for ch in key if unicodedata.category(ch) in {"Cc", "Cf"}], repr(key)
    # An edit puts the payload into the edit history (before and after, with marked words).
    assert editor.post(f"/claims/{claim_id}/edit", data={
        "text": "قال " + evil, "restatement": evil, "tags": evil[:60], "claim_type": "other",
        "speaker": f"#{entity_id}", "source_id": str(source_id), "version": "2"}
        ).status_code == 302
    pages = [f"/claims/{claim_id}", "/claims", "/claims?q=" + marker, f"/entities/{entity_id}",
             f"/entities?q={marker}", f"/sources/{source_id}", "/sources"]
    # The editor's claim page too: its evidence edit form holds the payload in its boxes.
    for client, page in [*((viewer, p) for p in pages), (editor, f"/claims/{claim_id}")]:
        response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        html = response.get_data(as_text=True)
        assert not [ch for ch in BIDI if ch in html], page
        for danger in RAW_DANGER:
            assert danger not in html, (page, danger)
        checker = _DirCheck(marker)
        checker.feed(html)
        assert checker.bad == [], (page, checker.bad[:5])


def test_the_slow_password_check_holds_no_write_lock(app, client, monkeypatch) -> None:
    """Logins must not queue every writer behind argon2: another connection can take
    SQLite's write lock while a password is being checked."""
    import sqlite3

    from claims.services import users

    engine = get_engine(app)
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock")
    real = users.verify_password
    took: list[bool] = []

    def verify_while_writing(stored: str, password: str) -> bool:
        other = sqlite3.connect(engine.url.database, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            took.append(True)
        finally:
            other.close()
        return real(stored, password)

    monkeypatch.setattr(users, "verify_password", verify_while_writing)
    assert _login(client, "editor", PASSWORD, addr="10.0.4.1").status_code == 302
    assert _login(client, "editor", "wrong", addr="10.0.4.1").status_code == 401
    assert took == [True, True]


def test_the_session_user_is_the_one_the_orm_would_load(app: Flask, client: FlaskClient,
                                                        user_ids) -> None:
    """The user check reads the row past the ORM (plain cursor on SQLite): same values and
    types, attached to the request's session, and every change to the row counts at once."""
    from flask import g

    from claims.models import User

    seen: list[dict[str, object]] = []

    @app.after_request
    def capture(response):  # type: ignore[no-untyped-def]
        if g.get("user") is not None:
            seen.append({c.key: getattr(g.user, c.key) for c in User.__table__.c})
        return response

    login_as(client, app, "editor")
    with app.app_context(), session_scope(app) as session:
        session.execute(User.__table__.update().where(User.id == user_ids["editor"]).values(
            last_login_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)))
        session.commit()
        expected = {c.key: getattr(session.get(User, user_ids["editor"]), c.key)
                    for c in User.__table__.c}
    for path in ("/claims", "/claims/new", "/healthz"):  # a view that reads, one that may write
        seen.clear()
        assert client.get(path).status_code == 200
        assert seen == [expected], path
    assert expected["is_active"] is True and expected["last_login_at"].tzinfo is not None
    with app.app_context(), session_scope(app) as session:
        session.execute(User.__table__.update().where(User.id == user_ids["editor"])
                        .values(is_active=False))
        session.commit()
    response = client.get("/claims")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_nul_and_lone_surrogates_are_refused_by_name_not_by_a_500(app: Flask, editor_client,
                                                                   seeded) -> None:
    """PostgreSQL cannot store a NUL; every engine answers the same clear refusal."""
    message = "يحتوي على محارف لا يمكن حفظها"
    entity = editor_client.post("/entities", data={"name_ar": "بو\x00تين", "kind": "person"})
    assert entity.status_code == 422 and message in entity.get_data(as_text=True)
    pasted = "موسكو (أ ف ب) – قال\x00 بوتين إن 38 شخصا قتلوا."
    ingest = editor_client.post("/workbench/ingest", data={"text": pasted})
    page = ingest.get_data(as_text=True)
    assert ingest.status_code == 422 and message in page and "قال" in page  # the form kept
    review = ('{"@context": "https://schema.org", "@type": "ClaimReview", "claimReviewed": '
              '"قال\\u0000 بوتين", "url": "https://fact.example/r", "reviewRating": '
              '{"@type": "Rating", "alternateName": "False"}}')
    report = editor_client.post("/import/claimreview", data={"text": review})
    column = '<bdi class="problem-field" dir="ltr">claimReviewed</bdi>'
    assert report.status_code == 200 and f"#1: {column}: {message}" in report.get_data(as_text=True)
    token_page = editor_client.post("/account/tokens", data={"name": "a\x00"})
    assert token_page.status_code == 422
    with app.app_context(), session_scope(app) as session:
        assert session.scalar(select(Claim.id)) is None
    assert _login(app.test_client(), "edi\x00tor", PASSWORD).status_code == 401
    api = editor_client.post("/api/v1/claims", data='{"text": "\\ud800 قال"}',
                             content_type="application/json")
    assert api.status_code in (401, 403, 422)  # cookie sessions need CSRF; never a 500


def test_a_value_the_database_refuses_is_a_clean_422(app: Flask, editor_client,
                                                     monkeypatch) -> None:
    """The last net: a DataError (value out of range, a NUL) is the request's fault."""
    from sqlalchemy.exc import DataError

    from claims.services import entities

    def refuse(*_args, **_kwargs):
        raise DataError("INSERT …", {}, ValueError("value out of range"))

    monkeypatch.setattr(entities, "create_entity", refuse)
    page = editor_client.post("/entities", data={"name_ar": "بوتين", "kind": "person"})
    assert page.status_code == 422
    assert "رفضت قاعدة البيانات إحدى القيم" in page.get_data(as_text=True)
    api = editor_client.post("/entities", data={"name_ar": "بوتين", "kind": "person"},
                             headers={"Accept": "application/json"})
    assert api.status_code == 422 and api.json["error"]["code"] == "unstorable"


def test_production_answers_only_to_the_public_host(database_url, _schema, caplog) -> None:
    prod = make_app(database_url, env="production", secret_key=PROD_SECRET,
                    public_url="https://factcheck.example.org", allowed_hosts="10.0.0.5")
    try:
        client = prod.test_client()
        for host in ("factcheck.example.org", "factcheck.example.org:443", "10.0.0.5:8000"):
            assert client.get("/healthz", headers={"Host": host}).status_code == 200, host
        forged = client.get("/login", headers={"Host": "evil.example"})
        assert forged.status_code == 400 and "error-card" in forged.get_data(as_text=True)
        assert "لا يجيب الموقع على هذا العنوان" in forged.get_data(as_text=True)
        assert "evil.example" not in forged.get_data(as_text=True)
        posted = client.post("/login", data={"username": "viewer", "password": PASSWORD},
                             headers={"Host": "evil.example"})
        assert posted.status_code == 400 and "error-card" in posted.get_data(as_text=True)
        api = client.get("/api/v1/claims", headers={"Host": "evil.example"})
        assert api.status_code == 400 and api.json["error"]["code"] == "bad_request"
    finally:
        get_engine(prod).dispose()
    # Signed in (the page shell then shows the user's navigation), over plain HTTP.
    app = make_app(database_url)
    try:
        client = app.test_client()
        login_as(client, app, "admin")
        client.set_cookie("claims_session", client.get_cookie("claims_session").value,
                          domain="evil.example")
        app.config["TRUSTED_HOSTS"] = ["factcheck.example.org"]
        signed_in = client.get("/admin/users", headers={"Host": "evil.example"})
        page = signed_in.get_data(as_text=True)
        assert signed_in.status_code == 400 and "error-card" in page
        assert 'href="/admin/users"' in page  # the admin's navigation: links were built
    finally:
        get_engine(app).dispose()
    development = make_app(database_url, public_url="https://factcheck.example.org")
    try:  # in development any Host is answered, as before
        assert development.config["TRUSTED_HOSTS"] is None
    finally:
        get_engine(development).dispose()


def test_production_needs_the_hosts_it_answers_to(database_url, _schema, caplog) -> None:
    """Without them any Host (or X-Forwarded-Host) a client sends would name the reviews,
    feed and links the app writes, and a shared cache would keep them for everyone."""
    from claims.config import ConfigError

    with pytest.raises(ConfigError, match=r"CLAIMS_PUBLIC_URL.*CLAIMS_ALLOWED_HOSTS"):
        make_app(database_url, env="production", secret_key=PROD_SECRET)
    with caplog.at_level("WARNING", logger="claims"):
        hosts_only = make_app(database_url, env="production", secret_key=PROD_SECRET,
                              allowed_hosts="factcheck.example.org", proxy_hops=1)
    try:
        assert hosts_only.config["TRUSTED_HOSTS"] == ["factcheck.example.org"]
        assert any("CLAIMS_PUBLIC_URL is not set" in r.getMessage() for r in caplog.records)
        client = hosts_only.test_client()
        ours = {"Host": "factcheck.example.org"}
        assert client.get("/claimreview.json", headers=ours).status_code == 200
        for forged in ({"Host": "evil.example"},
                       {**ours, "X-Forwarded-Host": "evil.example"}):  # behind one proxy
            answer = client.get("/claimreview.json", headers=forged)
            assert answer.status_code == 400, forged
            assert "evil.example" not in answer.get_data(as_text=True)
    finally:
        get_engine(hosts_only).dispose()
