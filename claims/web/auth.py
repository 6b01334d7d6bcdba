"""Log in and out, with failed-attempt throttling per account and per address."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from claims.db import begin_write, get_session, utcnow
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
        since = utcnow() - dt.timedelta(seconds=WINDOW_SECONDS)
        session = get_session()
        counts = session.execute(
            select(LoginFailure.key, func.count()).where(LoginFailure.key.in_(keys),
                                                         LoginFailure.at > since)
            .group_by(LoginFailure.key)).all()
        session.rollback()  # end the read, so the login's write can start as BEGIN IMMEDIATE
        return any(count >= MAX_FAILURES for _, count in counts)

    def fail(self, *keys: str) -> None:
        """Record one failure for each key (its own transaction), dropping expired ones."""
        session = get_session()
        begin_write(session)
        now = utcnow()
        session.execute(delete(LoginFailure).where(
            LoginFailure.at < now - dt.timedelta(seconds=WINDOW_SECONDS)))
        session.add_all(LoginFailure(key=key[:200], at=now) for key in keys)
        session.commit()


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
    if throttle.blocked(*keys):
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
        session.rollback()
        throttle.fail(*keys)
        return render_template("login.html", next_url=next_url, username=username,
                               error=gettext("auth.failed")), 401
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

