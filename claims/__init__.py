"""claims: an Arabic-first fact-check claim tracker."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, Map


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application: config, database, security, blueprints and error pages."""
    from flask_wtf.csrf import CSRFProtect

    from claims import db, errors, security
    from claims.config import check_production, check_public_url, load_settings, load_statuses
    from claims.web import init_web

    app = Flask(__name__, instance_relative_config=True, template_folder="web/templates",
                static_folder="web/static")
    # Every <int:…> in a route stops at MAX_ID: a longer number is a 404, not a database error.
    app.url_map.converters["int"] = _IdConverter
    # JSON replies carry Arabic as UTF-8: \uXXXX escapes triple its size and hide it in logs.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    settings = load_settings(overrides)
    check_production(settings)
    check_public_url(settings)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not settings.get("database_url"):
        settings["database_url"] = f"sqlite:///{Path(app.instance_path) / 'claims.sqlite3'}"
    production = settings.get("env") == "production"
    app.config.update({key.upper(): value for key, value in settings.items()})
    app.config.update(
        STATUSES=load_statuses(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings.get("cookie_secure")) or production,
        SESSION_COOKIE_NAME="claims_session",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=int(settings["session_lifetime_hours"])),
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=production,
        MAX_CONTENT_LENGTH=5 * 1024 * 1024,
    )
    if production:
        _trust_hosts(app, settings)
    hops = int(settings.get("proxy_hops", 0))
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Trust exactly this many proxies' X-Forwarded-* headers: the client address then
        # keys login throttling, and the scheme keeps Secure cookies and CSRF checks right.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=hops)
    if "testing" in settings:
        app.testing = bool(settings["testing"])
    db.init_app(app)
    CSRFProtect(app)
    security.init_app(app)
    errors.register(app)
    init_web(app)
    from claims.cli import register_commands

    register_commands(app)
    return app


def _trust_hosts(app: Flask, settings: dict[str, Any]) -> None:
    """Answer only to the public address's host name and those listed besides (production
    requires one), so that a forged Host header never reaches an absolute URL, nor a cache
    of pages or of the feed: any other host gets a 400."""
    from claims.config import trusted_hosts

    app.config["TRUSTED_HOSTS"] = trusted_hosts(settings)
    if not settings.get("public_url"):
        app.logger.warning(
            "CLAIMS_PUBLIC_URL is not set: published reviews and other absolute URLs name "
            "whichever of CLAIMS_ALLOWED_HOSTS a request used; set it to the public address "
            "(e.g. https://factcheck.example.org) so that they always name that one")


class _IdConverter(IntegerConverter):
    """Werkzeug's int converter; past the largest id the database stores, a 404 at once."""

    # ASCII digits only: Werkzeug's \d+ also takes ١٠ or ۱۰, a second address of each page.
    regex = r"[0-9]+"

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        from claims.db import MAX_ID  # here, once per rule: importing claims stays light

        super().__init__(url_map, *args, **kwargs)
        self.max_id = MAX_ID

    def to_python(self, value: str) -> Any:
        """The id, or NotFound (not "no match", which may end as a 405 from another rule)."""
        number = super().to_python(value)
        if number > self.max_id:
            raise NotFound()
        return number
