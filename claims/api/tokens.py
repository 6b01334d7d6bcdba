"""Per-user API tokens (only a SHA-256 is stored) and the Bearer authentication of /api/v1."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from flask import current_app, g, request
from flask.sansio.app import App
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.db import begin_write, get_session, utcnow
from claims.errors import Forbidden, NotFound, unauthorized
from claims.models import ApiToken, User
from claims.services import audit
from claims.services.inputs import Inputs

TOKEN_PREFIX = "clm_"  # noqa: S105 - a public marker, not a secret
MAX_TOKENS_PER_USER = 20
# last_used_at is refreshed at most this often, so reads do not all become writes.
TOUCH_EVERY = dt.timedelta(minutes=10)
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def token_hash(secret: str) -> str:
    """The stored form of a token secret."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(session: Session, user: User, data: Mapping[str, Any]) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns it and its secret (shown once, never stored)."""
    form = Inputs(data)
    name = form.text("name", required=True, max_len=100)
    form.check()
    assert name is not None
    active = session.scalars(select(ApiToken.id).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).all()
    if len(active) >= MAX_TOKENS_PER_USER:
        form.error("name", "too_many_tokens", max=MAX_TOKENS_PER_USER)
        form.check()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=token_hash(secret),
                     prefix=secret[:12])
    session.add(token)
    session.flush()
    audit.record(session, user, "token.created", "token", token.id, name=name,
                 owner=user.username)
    return token, secret


def list_tokens(session: Session, user: User) -> Sequence[tuple[ApiToken, str]]:
    """The user's tokens (every user's for an admin), newest first, with the owner's name."""
    stmt = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
    if not user.can("admin"):
        stmt = stmt.where(ApiToken.user_id == user.id)
    rows = session.execute(stmt.order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
    return [(token, username) for token, username in rows]


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke a token: its owner or an admin may."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"token {token_id} not found")
    if token.user_id != user.id and not user.can("admin"):
        raise Forbidden("only the token's owner or an admin may revoke it")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        owner = session.get(User, token.user_id)
        audit.record(session, user, "token.revoked", "token", token.id, name=token.name,
                     owner=owner.username if owner else None)
    return token


def authenticate(session: Session, secret: str) -> User | None:
    """The active user a live token belongs to, or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    digest = token_hash(secret)
    row = session.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                          .where(ApiToken.token_hash == digest)).first()
    if row is None:
        return None
    token, user = row
    if not hmac.compare_digest(token.token_hash, digest) or token.revoked_at is not None \
            or not user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        session.commit()
        begin_write(session)
        token.last_used_at = now
    session.commit()
    return user


def _authenticate_api() -> ResponseReturnValue | None:
    """Bearer tokens for /api/; without one, a cookie session must pass CSRF on writes."""
    if not request.path.startswith("/api/"):
        return None
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return unauthorized("use 'Authorization: Bearer <token>'")
        user = authenticate(get_session(), secret.strip())
        if user is None:
            return unauthorized("unknown, revoked or malformed API token")
        g.user = user
        g.api_token = True
        return None
    if request.method in STATE_CHANGING and g.get("user") is None:
        # Nobody to check a CSRF token for: say what is missing (401), not "bad request".
        return unauthorized("send 'Authorization: Bearer <token>' to change data")
    config = current_app.config
    if request.method in STATE_CHANGING and config.get("WTF_CSRF_ENABLED", True) \
            and config.get("WTF_CSRF_CHECK_DEFAULT", True):
        current_app.extensions["csrf"].protect()
    return None


def install(app: App) -> None:
    """Authenticate API requests after the session user is loaded and before the role check."""
    funcs = app.before_request_funcs.setdefault(None, [])
    if _authenticate_api in funcs:
        return
    names = [getattr(f, "__name__", "") for f in funcs]
    at = names.index("_enforce_policy") if "_enforce_policy" in names else len(funcs)
    funcs.insert(at, _authenticate_api)
