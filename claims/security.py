"""Passwords, sessions, the per-route role policy, safe redirects and security headers."""

from __future__ import annotations

import datetime as dt
import time
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, Response, abort, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import generate_csrf
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from claims.cookie_sessions import CookieSessions
from claims.db import compiled_once, driver_rows, get_session
from claims.errors import unauthorized
from claims.lru import LRU
from claims.models import User, UserSession
from claims.models.users import ROLES
from claims.services.sessions import session_hash

F = TypeVar("F", bound=Callable[..., Any])

# argon2id with argon2-cffi's RFC 9106 low-memory profile (64 MiB, t=3, p=4): above the
# OWASP minimum (19 MiB, t=2, p=1).
_hasher = PasswordHasher()

POLICIES = ("public", *ROLES)
_POLICY_ATTR = "_claims_policy"
_READS_ONLY_ATTR = "_claims_reads_only"


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


def reads_only(view: F) -> F:
    """Declare that a view never writes: the user check and the view share one transaction.

    Other views get the user check's read snapshot ended first, so that their
    ``begin_write`` starts with BEGIN IMMEDIATE (see ``_load_user``).
    """
    setattr(view, _READS_ONLY_ATTR, True)
    return view


def view_policy(app: Flask, endpoint: str) -> str | None:
    """The declared policy of an endpoint, or None when it has none."""
    if endpoint == "static":
        return "public"
    view = app.view_functions.get(endpoint)
    return getattr(view, _POLICY_ATTR, None) if view else None


def current_user() -> User | None:
    """The logged-in user for this request, if any."""
    return g.get("user")


def _clear_but_language() -> None:
    """Empty the cookie session, keeping only the interface language the visitor chose."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def login(secret: str) -> None:
    """A fresh cookie for the server-side session ``secret`` opens (against fixation); the
    language chosen before logging in stays."""
    _clear_but_language()
    session["sid"] = secret
    session["at"] = dt.datetime.now(dt.UTC).isoformat()
    session.permanent = True


def logout() -> str | None:
    """Clear the cookie but for its language; returns the secret of the session it held."""
    secret = session.get("sid")
    _clear_but_language()
    return secret if isinstance(secret, str) else None


# The user's row as plain Core (the ORM query costs more than the check it serves), found by
# an open server-side session, and when that session began.
_USERS = cast(Table, User.__table__)
_SESSIONS = cast(Table, UserSession.__table__)
_USER_ROW = (select(_USERS, _SESSIONS.c.created_at)
             .join(_SESSIONS, _SESSIONS.c.user_id == _USERS.c.id)
             .where(_SESSIONS.c.token_hash == bindparam("sid"), _SESSIONS.c.ended_at.is_(None)))


def _load_user() -> None:
    g.user = None
    secret = session.get("sid")
    if not isinstance(secret, str):
        if "uid" in session:  # a cookie from before server-side sessions: log in again
            session.clear()
        return
    db_session = get_session()
    reads_only = g.reads_only_view = _reads_only(request.endpoint)
    if reads_only and db_session.get_bind().dialect.name == "postgresql":
        # A view that never writes reads in autocommit: at READ COMMITTED every statement
        # takes its own snapshot anyway, and the request saves its BEGIN and ROLLBACK round
        # trips (two of the five a cached claim page made).
        db_session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    row = _user_row(db_session, session_hash(secret))
    user = None
    # Logging out, a password change or deactivation ends the session, and so does its
    # lifetime: every response re-signs the cookie, whose own age so measures only idleness.
    if row is not None and row[_ACTIVE] \
            and row[-1] > dt.datetime.now(dt.UTC) - _app().permanent_session_lifetime:
        # Attached before the commit: adding to the session afterwards would open a new
        # session transaction, and begin_write would then no longer take the write lock first.
        user = _as_loaded(db_session, row[:-1])
    if user is None or not reads_only:
        # End this read snapshot now: a write view's begin_write then starts BEGIN IMMEDIATE
        # instead of upgrading it, which SQLite refuses ("database is locked") when another
        # writer committed in between.  The user object stays loaded (expire_on_commit=False).
        # A view that never writes keeps reading in this transaction (one BEGIN, not two).
        db_session.commit()
    if user is None:
        session.clear()
        return
    g.user = user


def user_for_error_page() -> None:
    """Load the signed-in user when a check before the loader (CSRF, body size) refused."""
    if "user" not in g:
        _load_user()  # the error page keeps its navigation instead of looking signed out


def _user_row(db_session: Session, sid: str) -> tuple[Any, ...] | None:
    """The row of the user whose open session has hash ``sid`` (every column, typed as
    SQLAlchemy loads it, then the session's start), or None.

    On SQLite straight through the DBAPI cursor of the session's transaction (SQLAlchemy's
    execution machinery costs several times the statement), each value through its column
    type's own result processor."""
    conn = db_session.connection()
    dialect = conn.dialect
    if dialect.name != "sqlite":
        found = conn.execute(_USER_ROW, {"sid": sid}).first()
        return None if found is None else tuple(found)
    # Compiled with a stand-in hash; the hash is all it binds.
    compiled = compiled_once(_USER_ROW, dialect, lambda: _USER_ROW.params(sid=""),
                             expect=("sid",))
    rows = driver_rows(conn, compiled.sql, (sid,))
    if not rows:
        return None
    return tuple(value if process is None else process(value)
                 for process, value in zip(compiled.processors, rows[0], strict=True))


def _reads_only(endpoint: str | None) -> bool:
    if endpoint is None:
        return False
    view = _app().view_functions.get(endpoint)
    return bool(getattr(view, _READS_ONLY_ATTR, False))


_USER_KEYS = tuple(_USERS.c.keys())
_ID, _ACTIVE = (_USER_KEYS.index(name) for name in ("id", "is_active"))


def _as_loaded(db_session: Session, row: tuple[Any, ...]) -> User:
    """The user of ``row`` in ``db_session``, exactly as if an ORM query had loaded it."""
    found = db_session.identity_map.get(identity_key(User, row[_ID]))
    if isinstance(found, User):
        return found
    # The loaded values go straight into the instance's dict, as the ORM's loader puts them
    # (the constructor would record each as a change, only for make_transient_to_detached
    # to commit them all again).
    user = User.__mapper__.class_manager.new_instance()
    user.__dict__.update(zip(_USER_KEYS, row, strict=True))
    make_transient_to_detached(user)  # persistent state, no pending changes
    db_session.add(user)
    return user


# --- CSRF tokens --------------------------------------------------------------------------

_CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's
# (secret, the session's raw token, second) -> signed token.  itsdangerous stamps whole
# seconds, so within a second Flask-WTF itself signs the same raw token to the same text: this
# only saves recomputing it.  Keyed by the session's own secret raw token, so no token is ever
# handed to another session.
_csrf_tokens: LRU[tuple[Any, str, int], str] = LRU(4096)
_csrf_signers: dict[Any, URLSafeTimedSerializer] = {}


def csrf_token() -> str:
    """``flask_wtf.csrf.generate_csrf()``: the same token, computed at most once a second."""
    app = _app()
    field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    found = g.get(field) if field else None
    if found is not None:
        return str(found)
    secret = app.config.get("WTF_CSRF_SECRET_KEY", app.secret_key)
    raw = session.get(field) if field else None
    if not secret or not isinstance(raw, str):
        return str(generate_csrf())  # creates the raw token, or raises as Flask-WTF does
    key = (secret, raw, int(time.time()))
    token = _csrf_tokens.get(key)
    if token is None:
        signer = _csrf_signers.get(secret)
        if signer is None:
            signer = _csrf_signers[secret] = URLSafeTimedSerializer(secret, salt=_CSRF_SALT)
        token = str(signer.dumps(raw))
        _csrf_tokens.put(key, token)
    setattr(g, field, token)
    return token


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
            return unauthorized("send 'Authorization: Bearer <token>'")
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


HSTS = "max-age=31536000; includeSubDomains"  # one year

_SECURITY_HEADERS = tuple((name.lower(), name, value) for name, value in (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
))


def _headers(response: Response) -> ResponseReturnValue:
    headers = response.headers
    # What a view set itself wins; one pass over the names instead of a scan per header.
    present = {name.lower() for name in headers.keys()}
    for key, name, value in _SECURITY_HEADERS:
        if key not in present:
            headers.add(name, value)
    if g.get("user") is not None and "cache-control" not in present:
        headers.add("Cache-Control", "no-store")
    # A site whose session cookie is HTTPS-only tells browsers never to try plain HTTP (a
    # first request over http:// could otherwise be intercepted); only sent over HTTPS.
    if request.is_secure and _app().config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    """Install the user loader, the policy check and the response headers."""
    app.session_interface = CookieSessions()
    app.before_request(_load_user)
    app.before_request(_enforce_policy)
    app.after_request(_headers)
