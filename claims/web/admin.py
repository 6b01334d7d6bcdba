"""User administration (admins only)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from claims.db import begin_write, get_session
from claims.errors import ValidationFailed
from claims.i18n import gettext
from claims.models import User
from claims.models.users import ROLES
from claims.security import policy
from claims.services import users as service
from claims.web.claims import field_messages

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _page(values: Any = None, errors: dict[str, str] | None = None) -> str:
    users = get_session().scalars(select(User).order_by(User.username)).all()
    return render_template("admin/users.html", users=users, roles=ROLES,
                           values=values or {}, errors=errors or {})


@bp.get("/users", endpoint="users")
@policy("admin")
def users() -> str:
    """All users and their roles."""
    return _page()


@bp.post("/users", endpoint="create_user")
@policy("admin")
def create_user() -> Any:
    """Add a user."""
    session = get_session()
    begin_write(session)
    try:
        service.create_user(session, request.form)
    except ValidationFailed as exc:
        session.rollback()
        values = {k: v for k, v in request.form.items() if k != "password"}
        return _page(values, field_messages(exc)), 422
    session.commit()
    flash(gettext("users.created_ok"), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>", endpoint="update_user")
@policy("admin")
def update_user(user_id: int) -> Any:
    """Change a user's role or deactivate them."""
    session = get_session()
    begin_write(session)
    service.update_user(session, user_id, request.form)
    session.commit()
    flash(gettext("users.updated_ok"), "success")
    return redirect(url_for("admin.users"))
