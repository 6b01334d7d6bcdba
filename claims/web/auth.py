"""Log in and out, with failed-attempt throttling per account and per address."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from claims.db import begin_write, get_session
from claims.i18n import gettext
from claims.security import login, logout, policy, safe_next
from claims.services.users import authenticate

bp = Blueprint("auth", __name__)

WINDOW_SECONDS = 60
MAX_FAILURES = 5


class Throttle:
    """Counts failures per key in a sliding window (per process; see README on scaling)."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and now - times[0] > WINDOW_SECONDS:
            times.popleft()
        return times

    def blocked(self, *keys: str) -> bool:
        """True when any key has had MAX_FAILURES failures within the window."""
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= MAX_FAILURES for k in keys)

    def fail(self, *keys: str) -> None:
        """Record one failure for each key."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def reset(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._failures.clear()


throttle = Throttle()


@bp.route("/login", methods=["GET", "POST"], endpoint="login")
@policy("public")
def login_view() -> ResponseReturnValue:
    """Show the login form and sign the user in."""
    next_url = request.values.get("next", "")
    if request.method == "GET":
        return render_template("login.html", next_url=next_url, username="")
    username = request.form.get("username", "").strip()[:64]
    password = request.form.get("password", "")
    keys = (f"user:{username.lower()}", f"addr:{request.remote_addr}")
    if throttle.blocked(*keys):
        return render_template("login.html", next_url=next_url, username=username,
                               error=gettext("auth.throttled")), 429
    session = get_session()
    begin_write(session)
    user = authenticate(session, username, password)
    if user is None:
        session.rollback()
        throttle.fail(*keys)
        return render_template("login.html", next_url=next_url, username=username,
                               error=gettext("auth.failed")), 401
    session.commit()
    login(user)
    return redirect(safe_next(next_url, url_for("claims.index")))


@bp.post("/logout", endpoint="logout")
@policy("public")
def logout_view() -> ResponseReturnValue:
    """End the session."""
    logout()
    flash(gettext("auth.logged_out"), "info")
    return redirect(url_for("auth.login"))

