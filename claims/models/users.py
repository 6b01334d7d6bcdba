"""People who use the tracker."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from claims.db import Base, UTCDateTime, utcnow

ROLES = ("viewer", "editor", "admin")


class User(Base):
    """A login with one role: viewer reads, editor writes, admin also manages users."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('viewer', 'editor', 'admin')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    # The name in lower case: logins accept any case, so no two names may differ only by it.
    username_key: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="viewer")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @validates("username")
    def _keep_key(self, _name: str, value: str) -> str:
        """Set username_key with every new name (no path can store one without it)."""
        self.username_key = value.lower()
        return value

    def can(self, role: str) -> bool:
        """True when this user's role is at least ``role``."""
        return self.is_active and ROLES.index(self.role) >= ROLES.index(role)


class LoginFailure(Base):
    """One failed login for a key (an account or an address); shared by every app worker."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class UserSession(Base):
    """One signed-in browser; logging out ends it, so a copied cookie stops working too."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the secret the cookie carries: a copy of the database opens no session.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
