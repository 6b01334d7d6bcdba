"""Signed-in sessions kept server-side, so that logging out or a new password ends them, and
the end of all of a user's access (sessions and API tokens) when their credentials change."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from claims.db import utcnow
from claims.models import ApiToken, User, UserSession
from claims.services import audit


def session_hash(secret: str) -> str:
    """The stored form of a session cookie's secret."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def start_session(session: Session, user: User, lifetime: dt.timedelta) -> str:
    """Open a session for ``user``; returns the secret its cookie carries (stored hashed).

    The user's ended and expired sessions are deleted here, so rows stay bounded by logins
    within one cookie lifetime."""
    now = utcnow()
    session.execute(delete(UserSession).where(
        UserSession.user_id == user.id,
        or_(UserSession.ended_at.is_not(None), UserSession.created_at < now - lifetime)))
    secret = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user.id, token_hash=session_hash(secret), created_at=now))
    session.flush()
    return secret


def end_session(session: Session, secret: str) -> None:
    """End the session whose cookie carries ``secret`` (nothing if it is unknown or over)."""
    session.execute(update(UserSession).where(
        UserSession.token_hash == session_hash(secret), UserSession.ended_at.is_(None))
        .values(ended_at=utcnow()))


def end_sessions(session: Session, user_id: int) -> None:
    """End every open session of a user (a new password, say)."""
    session.execute(update(UserSession).where(
        UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow()))


def end_access(session: Session, user: User, actor: User | None, reason: str) -> int:
    """End every session of ``user`` and revoke their live API tokens, each revocation in the
    audit log with ``reason``; returns how many tokens were revoked.

    For a new password or a deactivation: either may answer a leak, and a token made with the
    old credentials would otherwise outlive them (or come back with a reactivation)."""
    end_sessions(session, user.id)
    tokens = session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id)).all()
    now = utcnow()
    for token in tokens:
        token.revoked_at = now
        audit.record(session, actor, "token.revoked", "token", token.id, name=token.name,
                     owner=user.username, reason=reason)
    return len(tokens)
