"""Passwords, sessions, the per-route role policy, safe redirects and security headers."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, Response, abort, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from claims.db import get_session
from claims.models import User
from claims.models.users import ROLES

F = TypeVar("F", bound=Callable[..., Any])

# argon2id with argon2-cffi's RFC 9106 low-memory profile (64 MiB, t=3, p=4): above the
# OWASP minimum (19 MiB, t=2, p=1).
_hasher = PasswordHasher()

POLICIES = ("public", *ROLES)
_POLICY_ATTR = "_claims_policy"


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Check a password against its stored hash without leaking why it failed."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def policy(level: str) -> Callable[[F], F]:
    """Declare who may call a view: "public", "viewer", "editor" or "admin"."""
    if level not in POLICIES:
        raise ValueError(f"unknown policy {level!r}")

    def decorate(view: F) -> F:
        setattr(view, _POLICY_ATTR, level)
        return view

    return decorate


def view_policy(app: Flask, endpoint: str) -> str | None:
    """The declared policy of an endpoint, or None when it has none."""
    if endpoint == "static":
        return "public"
    view = app.view_functions.get(endpoint)
    return getattr(view, _POLICY_ATTR, None) if view else None


def current_user() -> User | None:
    """The logged-in user for this request, if any."""
    return g.get("user")


def login(user: User) -> None:
    """Start a fresh session for ``user`` (a new session prevents fixation)."""
    session.clear()
    session["uid"] = user.id
    session["pw"] = user.password_hash[-16:]
    session["at"] = dt.datetime.now(dt.UTC).isoformat()
    session.permanent = True


def logout() -> None:
    """End the session."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _load_user() -> None:
    g.user = None
    uid = session.get("uid")
    if uid is None:
        return
    db_session = get_session()
    user = db_session.scalar(select(User).where(User.id == uid))
    # End this read snapshot now: a write view's begin_write then starts BEGIN IMMEDIATE
    # instead of upgrading it, which SQLite refuses ("database is locked") when another
    # writer committed in between.  The user object stays loaded (expire_on_commit=False).
    db_session.commit()
    # A password change or deactivation ends every existing session of that user.
    if user is None or not user.is_active or session.get("pw") != user.password_hash[-16:]:
        session.clear()
        return
    g.user = user


def _enforce_policy() -> ResponseReturnValue | None:
    endpoint = request.endpoint
    if endpoint is None:
        return None  # 404s and 405s are answered by the routing error
    level = view_policy(_app(), endpoint)
    if level is None:
        # Fail closed: a route nobody thought about is nobody's.
        abort(403)
    if level == "public":
        return None
    user = current_user()
    if user is None:
        if request.path.startswith("/api/"):
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not user.can(level):
        abort(403)
    return None


def _app() -> Flask:
    from flask import current_app

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return app


def is_safe_redirect(target: str | None) -> bool:
    """Only same-site relative paths are followed (after Django's url_has_allowed_host)."""
    if not target:
        return False
    target = target.strip()
    if any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in target):
        return False
    if "\\" in target:
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, fallback: str) -> str:
    """``target`` if it is a safe local path, else ``fallback``."""
    return target.strip() if target and is_safe_redirect(target) else fallback


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _headers(response: Response) -> ResponseReturnValue:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if g.get("user") is not None:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Install the user loader, the policy check and the response headers."""
    app.before_request(_load_user)
    app.before_request(_enforce_policy)
    app.after_request(_headers)
