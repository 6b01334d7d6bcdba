"""User accounts: creation, role changes and password checks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claims.db import utcnow
from claims.errors import NotFound, ValidationFailed
from claims.models import User
from claims.models.users import ROLES
from claims.security import hash_password, needs_rehash, verify_password
from claims.services import audit
from claims.services.inputs import Inputs, storable
from claims.services.sessions import end_access

USERNAME_RE = re.compile(r"^[A-Za-z0-9._-]{2,64}$")
MIN_PASSWORD = 12
# Verified against when the username is unknown, so timing does not reveal which users exist.
_DUMMY_HASH = hash_password("timing-equaliser-not-a-real-password")


def create_user(session: Session, data: Mapping[str, Any], actor: User | None = None) -> User:
    """Create a user with a hashed password (``actor``: the admin, None from the CLI)."""
    form = Inputs(data)
    username = form.text("username", required=True, max_len=64)
    password = data.get("password") or ""
    role = form.choice("role", ROLES, default="viewer")
    display = form.text("display_name", max_len=128)
    if username and not USERNAME_RE.match(username):
        form.error("username", "bad_username")
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        form.error("password", "weak_password")
    if username and find_user(session, username) is not None:
        form.error("username", "taken")
    form.check()
    assert username and role
    user = User(username=username, password_hash=hash_password(password), role=role,
                display_name=display)
    try:
        with session.begin_nested():  # a savepoint: a lost race leaves the caller's work
            session.add(user)
            session.flush()
    except IntegrityError:
        # The same name in some case was created meanwhile (PostgreSQL lets both requests
        # past the check above; the unique username_key stops the second).
        raise ValidationFailed.single("username", "taken") from None
    audit.record(session, actor, "user.created", "user", user.id, username=username, role=role)
    return user


def find_user(session: Session, username: str) -> User | None:
    """The user of this name, upper and lower case alike."""
    name = username.strip()
    # No stored name holds a NUL (create_user refuses one), and PostgreSQL cannot compare it.
    if not storable(name):
        return None
    if not name.isascii():  # names are ASCII: fold no other letters (the Kelvin sign is no k)
        return session.scalar(select(User).where(User.username == name))
    return session.scalar(select(User).where(User.username_key == name.lower()))


def check_password(session: Session, username: str, password: str) -> int | None:
    """The id of the active user with these credentials, or None; writes nothing.

    The caller should hold no write transaction: the hash check is slow on purpose."""
    user = find_user(session, username)
    found = (user.id, user.password_hash) if user is not None and user.is_active else None
    if found is None:
        verify_password(_DUMMY_HASH, password)  # same time whether or not the user exists
        return None
    return found[0] if verify_password(found[1], password) else None


def record_login(session: Session, user_id: int, password: str) -> User | None:
    """Stamp the login and upgrade an outdated hash; None if the user went away meanwhile."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    session.flush()
    return user


def update_user(session: Session, user_id: int, data: Mapping[str, Any],
                actor: User | None = None) -> tuple[User, int | None]:
    """Change a user's role or active flag; returns the user and, when this deactivated them,
    how many API tokens that revoked (their sessions end too: reactivating revives neither)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    form = Inputs(data)
    role = form.choice("role", ROLES, default=user.role)
    active = form.flag("is_active", default=user.is_active)
    form.check()
    before = {"role": user.role, "is_active": user.is_active}
    user.role = role or user.role
    user.is_active = active
    if before == {"role": "admin", "is_active": True} and not user.can("admin"):
        # Nobody could manage users any more: someone else must be an admin first.
        others = session.scalar(select(func.count()).select_from(User).where(
            User.role == "admin", User.is_active.is_(True), User.id != user.id))
        if not others:
            raise ValidationFailed.single("role", "last_admin")
    session.flush()
    changes = audit.changed(before, {"role": user.role, "is_active": user.is_active})
    if changes:
        audit.record(session, actor, "user.changed", "user", user.id, username=user.username,
                     **changes)
    if before["is_active"] and not user.is_active:
        return user, end_access(session, user, actor, "deactivated")
    return user, None


def set_password(session: Session, user: User, password: str,
                 actor: User | None = None) -> int:
    """Replace a user's password, end their sessions (their browsers must log in again) and
    revoke their API tokens; returns how many tokens were revoked."""
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed.single("password", "weak_password")
    user.password_hash = hash_password(password)
    session.flush()
    audit.record(session, actor, "user.password_set", "user", user.id, username=user.username)
    return end_access(session, user, actor, "password_set")


def reset_password(session: Session, user_id: int, data: Mapping[str, Any],
                   actor: User) -> int:
    """An admin sets another user's password (one forgotten): ``set_password`` with the form's
    ``password``; returns how many API tokens that revoked."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    password = data.get("password")
    if not isinstance(password, str):
        raise ValidationFailed.single("password", "weak_password")
    return set_password(session, user, password, actor)


def new_own_password(user: User, data: Mapping[str, Any]) -> str:
    """The new password of a user's own change (current password, then the new one twice),
    or ValidationFailed; reads and writes nothing, so no write lock waits on its slow hash."""
    current, new, again = (data.get(name) for name in
                           ("current_password", "new_password", "confirm_password"))
    form = Inputs({})
    if not isinstance(current, str) or not verify_password(user.password_hash, current):
        form.error("current_password", "wrong_password")
    if not isinstance(new, str) or len(new) < MIN_PASSWORD:
        form.error("new_password", "weak_password")
    elif new == current:
        form.error("new_password", "same_password")
    elif again != new:
        form.error("confirm_password", "password_mismatch")
    form.check()
    assert isinstance(new, str)
    return new
