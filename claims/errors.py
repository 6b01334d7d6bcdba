"""Domain errors, and the one place that maps them (and HTTP errors) to HTML or JSON."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, jsonify, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, SecurityError, default_exceptions

from claims import i18n

log = logging.getLogger(__name__)
i18n.register({
    "error.414": ("العنوان أطول من المسموح.", "The address is longer than allowed."),
    "error.431": ("ترويسات الطلب أكثر أو أطول من المسموح؛ جرّب حذف ملفات تعريف الارتباط "
                  "لهذا الموقع.", "The request has more or longer headers than allowed; try "
                  "clearing this site's cookies."),
})
# What the server's own refusals (``refusal``) say, by status.
REFUSED = {414: "error.414", 431: "error.431"}


@dataclass
class FieldError:
    """One problem with one input field; ``code`` is a message key in the i18n catalogue."""

    field: str
    code: str
    params: dict[str, Any] = dc_field(default_factory=dict)


def problem(field_name: str | None, code: str, **params: Any) -> dict[str, Any]:
    """One problem as plain data, kept as JSON between an import's preview and confirmation;
    ``code`` is a message key (``error.<code>``), rendered by ``i18n.describe``."""
    return {"field": field_name, "code": code, "params": params}


def problems_of(errors: Iterable[FieldError], **where: Any) -> list[dict[str, Any]]:
    """Field errors as problems, each tagged with ``where`` (line, item)."""
    return [problem(e.field, e.code, **e.params) | where for e in errors]


class DomainError(Exception):
    """Base for errors a service raises to refuse an operation."""

    status_code = 400
    code = "bad_request"


class ValidationFailed(DomainError):
    """The input was invalid; nothing was written."""

    status_code = 422
    code = "validation_failed"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(", ".join(f"{e.field}: {e.code}" for e in errors))
        self.errors = errors

    @classmethod
    def single(cls, field_name: str, code: str, **params: Any) -> ValidationFailed:
        """Shortcut for one field error."""
        return cls([FieldError(field_name, code, params)])


class NotFound(DomainError):
    """The thing asked for does not exist."""

    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """Someone else changed the record first; ``current_version`` is what is stored now."""

    status_code = 409
    code = "conflict"

    def __init__(self, message: str, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class Forbidden(DomainError):
    """The user's role does not allow this."""

    status_code = 403
    code = "forbidden"


def wants_json() -> bool:
    """JSON for the API and for clients that ask for it, HTML otherwise."""
    if request.path.startswith("/api/") or request.path.endswith(".json"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    accepted = request.accept_mimetypes
    return best == "application/json" and accepted[best] > accepted["text/html"]


def json_error(status: int, code: str, message: str, field_name: str | None = None,
               **extra: Any) -> Response:
    """The API's error body: {"error": {"code", "message", "field"}}."""
    response = jsonify(_error_body(code, message, field_name, **extra))
    response.status_code = status
    return response


def _error_body(code: str, message: str, field_name: str | None = None,
                **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field_name, **extra}}


def _http_code(name: str | None) -> str:
    return (name or "error").lower().replace(" ", "_")


def refusal(status: int, api: bool) -> tuple[str, bytes]:
    """The content type and body of a request the server refused before the app saw it
    (``claims.serving``): the API's error body, or a small page in both languages; with no
    app or request at hand, and nothing of the request echoed."""
    if api:
        known = default_exceptions.get(status)
        if status == 500 or known is None:  # as ``_unexpected`` answers: the server failed
            body = _error_body("internal_error", "Internal server error")
        else:
            exc = known()
            body = _error_body(_http_code(exc.name), exc.description or "")
        # As jsonify writes it, so that a client cannot tell which layer refused.
        return "application/json", (json.dumps(body, sort_keys=True, separators=(",", ":"))
                                    + "\n").encode()
    # Not error.400, which speaks of an expired form: these requests never came from one.
    message = REFUSED.get(status, "error.4xx" if status < 500 else "error.500")
    texts = {f"{part}_{lang}": escape(i18n.translate(key, lang))
             for part, key in (("name", "app.name"), ("title", "error.title"),
                               ("message", message), ("home", "error.back_home"))
             for lang in ("ar", "en")}
    return "text/html; charset=utf-8", REFUSAL_PAGE.format(status=status, **texts).encode()


# The error page without the app's templates (no user, no session, no URL adapter): the
# stylesheet's fixed address is enough to look like the rest of the site.
REFUSAL_PAGE = """<!doctype html>
<html lang="ar" dir="rtl">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{status} · {name_ar}</title>
  <link rel="stylesheet" href="/static/app.css">
</head>
<body>
<main class="page">
<section class="card error-card">
  <h1>{title_ar} <span class="muted">({status})</span></h1>
  <p>{message_ar}</p>
  <p lang="en" dir="ltr">{message_en}</p>
  <p><a class="btn" href="/">{home_ar}</a>
     <a class="btn btn-ghost" href="/" lang="en" dir="ltr">{home_en}</a></p>
</section>
</main>
</body>
</html>
"""


def _bind_urls(app: Flask) -> None:
    """Let the error page build its links when Flask made no URL adapter, as for an untrusted
    Host header (the links are paths: the name bound here is never shown)."""
    ctx = request_ctx._get_current_object()  # type: ignore[attr-defined]
    if ctx.url_adapter is None:
        ctx.url_adapter = app.url_map.bind("localhost", script_name=request.root_path or None,
                                           url_scheme=request.scheme)


def unauthorized(message: str) -> Response:
    """A 401 for the API that says which credentials to send (RFC 9110 wants the challenge)."""
    response = json_error(401, "unauthorized", message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="claims"'
    return response


# The fields of every form that a person types into, with their labels: a form refused for
# its stale CSRF token gives these back. Only these: never a password, never a hidden field.
TYPED_FIELDS = {
    "text": "field.text", "restatement": "claim.restatement", "speaker": "claim.speaker",
    "claim_date": "claim.claim_date", "source_url": "claim.source_url",
    "source_title": "claim.source_title", "tags": "claim.tags", "note": "claim.note",
    "url": "evidence.url", "title": "evidence.title", "publisher": "evidence.publisher",
    "accessed_date": "evidence.accessed", "published_date": "appearance.date",
    "outlet": "wb.outlet", "author": "wb.author", "name_ar": "entity.name_ar",
    "name_en": "entity.name_en", "wikidata_id": "entity.wikidata", "name": "tokens.name",
    "selected": "field.selected", "username": "field.username",
    "display_name": "field.display_name",
}


def _from_our_pages() -> bool:
    """Whether the browser says the request came from a page of this site."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin") or request.headers.get("Referer") or ""
    return bool(origin) and urlsplit(origin).netloc == request.host


def typed_values(lang: str) -> list[tuple[str, str]]:
    """What the refused form held in its typed fields, as (label, value), in form order;
    nothing for a form posted from another site, which must not put its words on our page."""
    from claims.i18n import translate

    if not _from_our_pages():
        return []
    return [(translate(TYPED_FIELDS[name], lang), value)
            for name, value in request.form.items(multi=True)
            if name in TYPED_FIELDS and value.strip()]


def register(app: Flask) -> None:
    """Install handlers so no traceback ever reaches a user."""
    from claims.i18n import current_language, translate

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        status = exc.code or 500
        # What the exception itself says in headers (a 405's Allow, a 429's Retry-After).
        said = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        if wants_json():
            # Not werkzeug's description of an untrusted host, which repeats the header sent.
            message = translate("error.bad_host", "en") if isinstance(exc, SecurityError) \
                else exc.description or ""
            reply = json_error(status, _http_code(exc.name), message)
            reply.headers.extend(said)
            return reply
        response = exc.get_response()
        if status in (301, 302, 303, 307, 308):
            return response
        if isinstance(exc, SecurityError):  # an untrusted Host header (TRUSTED_HOSTS)
            _bind_urls(app)
            return render_template("error.html", status=status, exc=exc,
                                   message=translate("error.bad_host", current_language())), 400
        from claims.security import user_for_error_page

        user_for_error_page()
        if isinstance(exc, CSRFError):  # the session ended: what was typed must not be lost
            lang = current_language()
            return render_template("error.html", status=status, exc=exc,
                                   message=translate("error.csrf", lang),
                                   kept=typed_values(lang)), status
        return render_template("error.html", status=status, exc=exc), status, said

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> Any:
        if wants_json():
            if isinstance(exc, ValidationFailed):
                first = exc.errors[0]
                return json_error(exc.status_code, exc.code,
                                  translate(f"error.{first.code}", "en", **first.params),
                                  first.field,
                                  errors=[{"field": e.field, "code": e.code,
                                           "message": translate(f"error.{e.code}", "en",
                                                                **e.params),
                                           "params": e.params}  # e.g. the entity that exists
                                          for e in exc.errors])
            extra: dict[str, Any] = {}
            if isinstance(exc, Conflict):
                extra["current_version"] = exc.current_version
            return json_error(exc.status_code, exc.code, str(exc), **extra)
        return render_template("error.html", status=exc.status_code, exc=exc), exc.status_code

    @app.errorhandler(DataError)
    def _data(exc: DataError) -> Any:
        # The database refused a value that validation let through (a NUL, a number out of
        # range): the request was bad, not the server, and nothing of it was written.
        log.warning("database refused a value on %s %s: %s", request.method, request.path,
                    exc.orig)
        from claims.db import get_session

        get_session().rollback()
        if wants_json():
            return json_error(422, "unstorable", translate("error.unstorable", "en"))
        return render_template("error.html", status=422, exc=None,
                               message=translate("error.unstorable", current_language())), 422

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        from claims.db import get_session

        get_session().rollback()
        if wants_json():
            return json_error(500, "internal_error", "Internal server error")
        return render_template("error.html", status=500, exc=None), 500
