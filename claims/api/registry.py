"""One registry of API operations: it adds the Flask routes and builds the OpenAPI document."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, g, request
from flask.typing import ResponseReturnValue

from claims.api import schemas
from claims.api.io import out_of_range
from claims.db import MAX_ID
from claims.errors import FieldError, ValidationFailed
from claims.security import policy

bp = Blueprint("api", __name__, url_prefix="/api/v1")
ERROR_DESCRIPTIONS = {
    400: "Malformed request (a body that is not valid JSON or not an object, or a missing "
         "CSRF token on a cookie session)",
    401: "Missing, unknown or revoked API token",
    403: "The token's user lacks the role this operation needs",
    404: "Not found",
    409: "Version conflict; `error.current_version` is the stored version",
    415: "The body was not sent as `application/json`",
    422: "Validation failed; `error.field` names the first bad field (one unknown, or "
         "given twice, included)",
}

# RFC 9110 §15.3.2: a 201 names the resource it created.
CREATED = {"Location": {"description": "The address of what was created (a path under "
                                       "this API; read it with GET)",
                        "schema": {"type": "string", "format": "uri-reference"}}}


@dataclass(frozen=True)
class Param:
    """A path or query parameter with its JSON schema (checked strictly: bad values are 422)."""

    name: str
    schema: dict[str, Any]
    where: str = "query"
    description: str = ""
    required: bool = False


@dataclass
class Operation:
    """One API operation: route, role, parameters, request body and success response."""

    method: str
    path: str
    endpoint: str
    summary: str
    tag: str
    level: str
    params: list[Param]
    body: str | None
    status: int
    response: str | None
    errors: set[int] = field(default_factory=set)
    also: tuple[int, ...] = ()


OPERATIONS: list[Operation] = []
View = Callable[..., ResponseReturnValue]


def id_param(name: str, description: str = "") -> Param:
    """A positive integer id in the path."""
    return Param(name, {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "path",
                 description, True)


def _check_value(param: Param, raw: str) -> Any:
    schema = param.schema
    kind = schema.get("type")
    if kind == "integer":
        try:
            value: Any = int(raw.strip())
        except ValueError:
            raise ValidationFailed.single(param.name, "bad_choice", value=raw[:40]) from None
        if not schema.get("minimum", -MAX_ID) <= value <= schema.get("maximum", MAX_ID):
            raise ValidationFailed([out_of_range(param.name, schema, raw)])
        return value
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise ValidationFailed.single(param.name, "bad_choice", value=raw[:40])
        return raw == "true"
    if len(raw) < schema.get("minLength", 0):
        raise ValidationFailed.single(param.name, "required")
    if len(raw) > schema.get("maxLength", 200):
        raise ValidationFailed.single(param.name, "too_long", max=schema.get("maxLength", 200))
    if "enum" in schema and raw not in schema["enum"]:
        raise ValidationFailed.single(param.name, "bad_choice", value=raw[:40])
    if schema.get("format") == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise ValidationFailed.single(param.name, "bad_date")
    return raw


def read_query(params: list[Param]) -> dict[str, Any]:
    """The declared query parameters, typed; unknown ones are ignored, bad ones raise 422."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for param in params:
        if param.where != "query":
            continue
        raw = request.args.get(param.name)
        if raw is None:
            if param.required:
                errors.append(FieldError(param.name, "required"))
            continue
        try:
            values[param.name] = _check_value(param, raw)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return values


def operation(method: str, path: str, *, summary: str, tag: str, level: str,
              params: tuple[Param, ...] = (), body: str | None = None, status: int = 200,
              response: str | None = None, errors: tuple[int, ...] = (),
              also: tuple[int, ...] = ()) -> Callable[[View], Callable[..., Any]]:
    """Register a view under ``path`` (OpenAPI style) with its policy and its documentation."""

    def decorate(view: View) -> Callable[..., Any]:
        declared = list(params)
        op = Operation(method, path, view.__name__, summary, tag, level, declared, body,
                       status, response, set(errors), also)
        rule = re.sub(r"\{(\w+)\}", r"<int:\1>", path)

        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> ResponseReturnValue:
            for name, value in kwargs.items():
                if not 1 <= value <= MAX_ID:
                    from claims.errors import NotFound

                    raise NotFound(f"{name} {value} not found")
            from claims.api.io import check_args

            check_args()
            g.api_query = read_query(declared)
            return view(**kwargs)

        bp.add_url_rule(rule, view.__name__, policy(level)(wrapper), methods=[method])
        OPERATIONS.append(op)
        return wrapper

    return decorate


def _error_codes(op: Operation) -> list[int]:
    codes = set(op.errors)
    if op.level != "public":
        codes |= {401, 403}
    if any(p.where == "path" for p in op.params):
        codes.add(404)
    if any(p.where == "query" for p in op.params) or op.body:
        codes.add(422)
    if op.body or op.method != "GET":
        codes.add(400)
    if op.body:
        codes.add(415)
    return sorted(codes)


def _operation_doc(op: Operation) -> dict[str, Any]:
    doc: dict[str, Any] = {"operationId": op.endpoint, "summary": op.summary, "tags": [op.tag]}
    if op.params:
        doc["parameters"] = [
            {"name": p.name, "in": p.where, "required": p.required or p.where == "path",
             "schema": p.schema, **({"description": p.description} if p.description else {})}
            for p in op.params]
    if op.body:
        doc["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{op.body}"}}}}
    ok: dict[str, Any] = {"description": "Success"}
    if op.response:
        ok["content"] = {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{op.response}"}}}
    responses: dict[str, Any] = {str(code): ok for code in (op.status, *op.also)}
    if "201" in responses:
        responses["201"] = {**ok, "description": "Created; the Location header names it",
                            "headers": CREATED}
    for code in _error_codes(op):
        responses[str(code)] = {"description": ERROR_DESCRIPTIONS[code], "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    doc["responses"] = responses
    doc["security"] = [] if op.level == "public" else [{"bearerAuth": []}, {"cookieSession": []}]
    if op.level not in ("public", "viewer"):
        doc["description"] = f"Needs the `{op.level}` role."
    return doc


def openapi_document(status_ids: list[str], server_url: str = "/api/v1") -> dict[str, Any]:
    """The OpenAPI 3.1 document, generated from the registered operations."""
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation_doc(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "claims API", "version": "1.0.0",
                 "description": "Claims, verdicts, evidence, sources and entities of the "
                                "fact-check desk. Reads need the viewer role, writes the "
                                "editor role. Authenticate with `Authorization: Bearer <token>` "
                                "(tokens are made on /account/tokens)."},
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": schemas.components(status_ids),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "cookieSession": {"type": "apiKey", "in": "cookie", "name": "claims_session",
                                  "description": "The web session; writes then also need an "
                                                 "X-CSRFToken header."},
            },
        },
    }

