"""The server-rendered interface: blueprints, template helpers and shared routes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Flask, Response, current_app, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from claims.db import get_engine
from claims.i18n import LANGUAGES, current_language, field_label, gettext
from claims.security import current_user, policy, safe_next
from claims.text.arabic import strip_controls

bp = Blueprint("core", __name__)


@bp.post("/lang")
@policy("public")
def set_language() -> ResponseReturnValue:
    """Switch the interface language and go back where the user was."""
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next"), url_for("claims.index")))


@bp.get("/favicon.ico")
@policy("public")
def favicon() -> ResponseReturnValue:
    """Browsers ask for /favicon.ico whatever the page says: send them to the SVG icon."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.get("/healthz")
@policy("public")
def healthz() -> dict[str, str]:
    """Liveness and database reachability: one statement on a pooled connection.

    No ORM session or transaction: the pool's checkout and the driver's own statement are
    the whole check (an unreachable database still raises, and the error page says 500).
    """
    connection = get_engine().raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute("SELECT 1")
            cursor.fetchall()
        finally:
            cursor.close()
    finally:
        connection.close()  # back to the pool, rolled back
    return {"status": "ok"}


@bp.get("/")
@policy("public")
def home() -> ResponseReturnValue:
    """The claims list is the home page."""
    return redirect(url_for("claims.index"))


@bp.get("/assets/statuses.css")
@policy("public")
def status_css() -> ResponseReturnValue:
    """Badge colours from the configured vocabulary (a stylesheet, so the CSP needs no inline)."""
    rules = []
    for status in current_app.config["STATUSES"].values():
        rules.append(f".status-{status.id}{{--status:{status.colour}}}")
    response = Response("\n".join(rules), mimetype="text/css")
    response.cache_control.max_age = 300
    return response


def _finalize(value: Any) -> Any:
    """Neutralise bidi overrides in everything a template prints (stored text is untouched)."""
    if isinstance(value, Markup):
        return Markup(strip_controls(str(value)))  # noqa: S704 - only removes characters
    if isinstance(value, str):
        return strip_controls(value)
    return value


def _format_date(value: dt.date | dt.datetime | None, with_time: bool = False) -> Markup:
    """A date (or UTC time) in a left-to-right island, so RTL pages keep its order."""
    if value is None:
        return Markup("—")
    if isinstance(value, dt.datetime):
        shown = value.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")
    else:
        shown = value.isoformat()
    return Markup('<time dir="ltr" datetime="{}">{}</time>').format(value.isoformat(), shown)


def _number(value: float | None) -> str:
    """A quantity for display: thousands separated, no float noise (2e+06 → 2,000,000)."""
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6g}"


def _status(status_id: str) -> Any:
    return current_app.config["STATUSES"].get(status_id)


def init_web(app: Flask) -> None:
    """Register blueprints and template helpers."""
    from claims import api
    from claims.web import (
        account,
        admin,
        auth,
        claim_items,  # noqa: F401 - adds its routes to claims.bp
        claims,
        entities,
        interchange,
        once,
        sources,
        workbench,
    )

    app.jinja_env.finalize = _finalize
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(
        _=gettext, field_label=field_label, lang=current_language, current_user=current_user,
        status_info=_status, statuses=lambda: list(app.config["STATUSES"].values()),
        submission_id=once.submission_id,
    )
    app.jinja_env.filters["date"] = _format_date
    app.jinja_env.filters["number"] = _number
    app.jinja_env.filters["conflict_reason"] = workbench.conflict_reason
    for blueprint in (bp, auth.bp, account.bp, claims.bp, entities.bp, sources.bp, admin.bp,
                      workbench.bp, interchange.bp, api.bp):
        app.register_blueprint(blueprint)
