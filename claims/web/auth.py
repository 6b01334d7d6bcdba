"""Log in and out, with failed-attempt throttling per account and per address."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from claims.db import begin_write, get_session, hold_names, utcnow
from claims.i18n import gettext
from claims.models import LoginFailure, User
from claims.security import login, logout, policy, safe_next
from claims.services.inputs import storable
from claims.services.sessions import end_session, start_session
from claims.services.users import check_password, record_login

bp = Blueprint("auth", __name__)

WINDOW_SECONDS = 60
MAX_FAILURES = 5


class Throttle:
    """Counts failures per key in a sliding window, in the database, so that every worker
    process and every machine behind a load balancer sees the same count."""

    def blocked(self, *keys: str) -> bool:
        """True when any key has had MAX_FAILURES failures within the window."""
        session = get_session()
        found = self._full(session, keys)
        session.rollback()  # end the read, so the login's write can start as BEGIN IMMEDIATE
        return found

    def _full(self, session: Session, keys: tuple[str, ...]) -> bool:
        since = utcnow() - dt.timedelta(seconds=WINDOW_SECONDS)
        counts = session.execute(
            select(LoginFailure.key, func.count()).where(LoginFailure.key.in_(keys),
                                                         LoginFailure.at > since)
            .group_by(LoginFailure.key)).all()
        return any(count >= MAX_FAILURES for _, count in counts)

    def fail(self, *keys: str) -> None:
        """Record one failure for each key (its own transaction), dropping expired ones."""
        self._record(get_session(), keys)

    def _record(self, session: Session, keys: tuple[str, ...]) -> list[int]:
        begin_write(session)
        now = utcnow()
        session.execute(delete(LoginFailure).where(
            LoginFailure.at < now - dt.timedelta(seconds=WINDOW_SECONDS)))
        rows = [LoginFailure(key=key[:200], at=now) for key in keys]
        session.add_all(rows)
        session.flush()
        session.commit()
        return [row.id for row in rows]

    def reserve(self, *keys: str) -> list[int] | None:
        """Count an attempt as a failure before its password is checked (its own
        transaction), or None when any key is full.

        Counted only afterwards, every guess sent at once would pass the check of a count
        that the slow hash check of the others has not raised yet."""
        session = get_session()
        begin_write(session)
        hold_names(session, "login", [key[:200] for key in keys])  # PostgreSQL: one at a time
        if self._full(session, keys):
            session.rollback()
            return None
        return self._record(session, keys)

    def release(self, session: Session, reserved: list[int]) -> None:
        """Take back a reservation (the password was right), in the caller's transaction."""
        session.execute(delete(LoginFailure).where(LoginFailure.id.in_(reserved)))


throttle = Throttle()


def sign_in(session: Session, user: User) -> None:
    """Open a server-side session for ``user`` (in ``session``'s transaction) and give this
    browser its cookie."""
    login(start_session(session, user, current_app.permanent_session_lifetime))


@bp.route("/login", methods=["GET", "POST"], endpoint="login")
@policy("public")
def login_view() -> ResponseReturnValue:
    """Show the login form and sign the user in."""
    next_url = request.values.get("next", "")
    if request.method != "POST":  # GET, and HEAD (which Flask routes here too)
        return render_template("login.html", next_url=next_url, username="")
    # Stripped again after the cut: find_user strips what it is given, so blanks left at the
    # cut would name the same account under a throttle key of their own.
    username = request.form.get("username", "").strip()[:64].strip()
    password = request.form.get("password", "")
    keys: tuple[str, ...] = (f"addr:{request.remote_addr}", f"user:{username.lower()}")
    if not storable(username):  # no account has such a name, and PostgreSQL cannot store it
        keys = keys[:1]
    reserved = throttle.reserve(*keys)
    if reserved is None:
        return render_template("login.html", next_url=next_url, username=username,
                               error=gettext("auth.throttled")), 429, \
            {"Retry-After": str(WINDOW_SECONDS)}
    session = get_session()
    user_id = check_password(session, username, password)
    session.rollback()  # the slow hash check above held no write lock; end its read too
    user = None
    if user_id is not None:
        begin_write(session)
        user = record_login(session, user_id, password)
    if user is None:
        session.rollback()  # the reservation stays: it is this failure
        return render_template("login.html", next_url=next_url, username=username,
                               error=gettext("auth.failed")), 401
    throttle.release(session, reserved)
    sign_in(session, user)
    session.commit()
    return redirect(safe_next(next_url, url_for("claims.index")))


@bp.post("/logout", endpoint="logout")
@policy("public")
def logout_view() -> ResponseReturnValue:
    """End the session, server-side too: a copy of its cookie opens nothing afterwards."""
    secret = logout()
    if secret:
        session = get_session()
        begin_write(session)
        end_session(session, secret)
        session.commit()
    flash(gettext("auth.logged_out"), "info")
    return redirect(url_for("auth.login"))

