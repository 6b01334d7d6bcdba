"""A user's own password change, and an admin setting a forgotten one."""

from __future__ import annotations

import threading

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from claims.db import session_scope
from claims.models import User
from tests.conftest import PASSWORD, login_as
from tests.test_api import API, auth, make_token

NEW = "a-brand-new-password-123"


def _login(client: FlaskClient, username: str, password: str, addr: str = "10.0.0.1"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": addr})


def _huda(app: Flask, runner) -> FlaskClient:
    """A fresh editor 'huda' (the role users' passwords are shared by every test), logged in."""
    made = runner.invoke(args=["user", "create", "huda", "--role", "editor", "--password-stdin"],
                         input=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    browser = app.test_client()
    assert _login(browser, "huda", PASSWORD).status_code == 302
    return browser


def _change(client: FlaskClient, current: str, new: str, again: str | None = None,
            addr: str = "10.0.0.1"):
    return client.post("/account/password", data={
        "current_password": current, "new_password": new,
        "confirm_password": new if again is None else again},
        environ_base={"REMOTE_ADDR": addr})


def test_changing_ones_password_keeps_this_browser_and_ends_the_rest(app: Flask,
                                                                      runner) -> None:
    browser = _huda(app, runner)
    other = app.test_client()
    assert _login(other, "huda", PASSWORD).status_code == 302
    token = make_token(app, "huda")
    page = browser.get("/account/password")
    assert page.status_code == 200 and 'id="current_password"' in page.get_data(as_text=True)
    changed = _change(browser, PASSWORD, NEW)
    assert changed.status_code == 302
    shown = browser.get(changed.headers["Location"]).get_data(as_text=True)
    assert "رمزك الوحيد" in shown  # "your only API token was revoked"
    assert browser.get("/claims").status_code == 200  # this browser is still signed in
    assert other.get("/claims").status_code == 302  # the other one must log in again
    assert browser.get(f"{API}/me", headers=auth(token)).status_code == 401
    assert _login(app.test_client(), "huda", PASSWORD).status_code == 401
    assert _login(app.test_client(), "huda", NEW).status_code == 302


def test_bad_password_changes_name_the_field_and_change_nothing(app: Flask, runner) -> None:
    browser = _huda(app, runner)
    browser.post("/lang", data={"lang": "en", "next": "/claims"})
    cases = [(("wrong-password-000", NEW), "current_password", "Wrong password."),
             ((PASSWORD, "short"), "new_password", "Password too short"),
             ((PASSWORD, PASSWORD), "new_password", "The new password is the current one."),
             ((PASSWORD, NEW, NEW + "x"), "confirm_password", "Does not match")]
    for args, field, message in cases:
        response = _change(browser, *args)
        body = response.get_data(as_text=True)
        assert response.status_code == 422, field
        assert f'id="{field}-error"' in body and message in body, field
        assert PASSWORD not in body and NEW not in body  # no password is echoed back
    assert browser.get("/claims").status_code == 200
    assert _login(app.test_client(), "huda", PASSWORD).status_code == 302  # unchanged


def test_wrong_current_passwords_are_throttled_like_logins(app: Flask, runner) -> None:
    browser = _huda(app, runner)
    for i in range(5):
        assert _change(browser, f"guess-number-{i:04d}", NEW, addr=f"10.0.2.{i}"
                       ).status_code == 422
    blocked = _change(browser, PASSWORD, NEW, addr="10.0.2.99")
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "60"
    assert _login(app.test_client(), "huda", PASSWORD, addr="10.0.3.1").status_code == 429


def test_guesses_sent_at_once_are_throttled_like_guesses_in_turn(app: Flask, runner,
                                                                 monkeypatch) -> None:
    """As at the login: each attempt takes its place in the count before the slow check, so
    guesses in flight together cannot all pass a count the others have not raised yet."""
    import claims.services.users as users

    attempts = 8
    browsers = [_huda(app, runner)] + [app.test_client() for _ in range(attempts - 1)]
    for i, browser in enumerate(browsers[1:]):
        assert _login(browser, "huda", PASSWORD, addr=f"10.0.6.{i}").status_code == 302
    barrier = threading.Barrier(attempts, timeout=3)
    real = users.verify_password

    def slow_check(*args: object) -> bool:
        try:  # every attempt that got past the throttle checks its password at once
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(users, "verify_password", slow_check)
    codes: list[int] = []
    threads = [threading.Thread(target=lambda b=b, i=i: codes.append(
        _change(b, f"guess-number-{i:04d}", NEW, addr=f"10.0.7.{i}").status_code))
        for i, b in enumerate(browsers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [422] * 5 + [429] * (attempts - 5)


def test_a_refusal_for_the_new_password_is_no_guess(app: Flask, runner) -> None:
    browser = _huda(app, runner)
    for i in range(6):  # the current password is right each time: nothing to throttle
        assert _change(browser, PASSWORD, "short", addr=f"10.0.8.{i}").status_code == 422
    assert _change(browser, PASSWORD, NEW, addr="10.0.8.9").status_code == 302


def test_an_admin_sets_a_forgotten_password(app: Flask, runner, client, user_ids) -> None:
    browser = _huda(app, runner)
    token = make_token(app, "huda")
    login_as(client, app, "admin")
    with app.app_context(), session_scope(app) as session:
        huda = session.scalar(select(User.id).where(User.username == "huda"))
    weak = client.post(f"/admin/users/{huda}/password", data={"password": "short"})
    assert weak.status_code == 422 and 'id="password-error"' in weak.get_data(as_text=True)
    assert browser.get("/claims").status_code == 200
    done = client.post(f"/admin/users/{huda}/password", data={"password": NEW})
    assert done.status_code == 302
    assert browser.get("/claims").status_code == 302
    assert client.get(f"{API}/me", headers=auth(token)).status_code == 401
    assert _login(app.test_client(), "huda", NEW).status_code == 302
    editor = app.test_client()
    login_as(editor, app, "editor")
    assert editor.post(f"/admin/users/{huda}/password", data={"password": NEW}
                       ).status_code == 403
    # an admin resetting their own password stays signed in in this browser
    try:
        assert client.post(f"/admin/users/{user_ids['admin']}/password",
                           data={"password": NEW}).status_code == 302
        assert client.get("/admin/users").status_code == 200
    finally:  # the role users' password is every other test's
        client.post(f"/admin/users/{user_ids['admin']}/password", data={"password": PASSWORD})
    assert _login(app.test_client(), "admin", PASSWORD).status_code == 302
