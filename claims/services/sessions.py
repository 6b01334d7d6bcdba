"""Signed-in sessions kept server-side, so that logging out or a new password ends them."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, or_, update
from sqlalchemy.orm import Session

from claims.db import utcnow
from claims.models import User, UserSession


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
