"""Request and response helpers shared by the API views."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Response, current_app, jsonify, request, url_for
from sqlalchemy.orm import Session
from werkzeug.exceptions import BadRequest as HttpBadRequest
from werkzeug.exceptions import UnsupportedMediaType

from claims import json_input
from claims.config import Status
from claims.errors import FieldError, ValidationFailed
from claims.json_input import MAX_DEPTH
from claims.models import User
from claims.security import current_user
from claims.services import idempotency
from claims.services.inputs import storable

MAX_INT = 2**31 - 1


_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "integer": (int,), "boolean": (bool,),
                                       "array": (list,), "object": (dict,), "number": (int, float)}


def _type_ok(value: Any, kinds: str | list[str]) -> bool:
    for kind in [kinds] if isinstance(kinds, str) else kinds:
        if kind == "null" and value is None:
            return True
        if kind in _TYPES and isinstance(value, _TYPES[kind]) and not (
                kind in ("integer", "number") and isinstance(value, bool)):
            return True
    return False


def out_of_range(name: str, schema: dict[str, Any], value: str) -> FieldError:
    """An integer outside the schema's bounds, naming them."""
    return FieldError(name, "out_of_range", {"value": value[:40], "min": schema.get("minimum", 0),
                                             "max": schema.get("maximum", MAX_INT)})


def _check(schema: dict[str, Any], value: Any, name: str) -> FieldError | None:
    """The first way ``value`` breaks ``schema`` (the subset of JSON Schema the API uses)."""
    bad = FieldError(name, "bad_choice", {"value": str(value)[:40]})
    if "type" in schema and not _type_ok(value, schema["type"]):
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        return FieldError(name, "bad_type", {"expected": " | ".join(kinds)})
    if "enum" in schema and value not in schema["enum"]:
        return bad
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            return FieldError(name, "required")
        if len(value) > schema.get("maxLength", len(value)):
            return FieldError(name, "too_long", {"max": schema["maxLength"]})
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return FieldError(name, "bad_url" if schema.get("format") == "uri" else "bad_choice",
                              {"value": value[:40]})
        if schema.get("format") == "date" and value \
                and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):  # "": no date
            return FieldError(name, "bad_date")
    if isinstance(value, int) and not isinstance(value, bool) and not (
            schema.get("minimum", value) <= value <= schema.get("maximum", value)):
        return out_of_range(name, schema, str(value))
    if isinstance(value, list):
        if len(value) > schema.get("maxItems", len(value)):
            return FieldError(name, "too_many_items", {"max": schema["maxItems"]})
        for item in value:
            error = _check(schema.get("items", {}), item, name)
            if error:
                return error
    return None


def validate(schema: dict[str, Any], data: dict[str, Any]) -> None:
    """Refuse a body that breaks its documented schema (422 naming the field)."""
    errors = [FieldError(name, "required") for name in schema.get("required", [])
              if name not in data]
    if len(data) < schema.get("minProperties", 0):
        errors.append(FieldError("body", "empty_body"))
    if schema.get("additionalProperties") is False:
        known = schema.get("properties", {})
        errors.extend(FieldError(str(name)[:80], "unknown_field",
                                 {"value": str(name)[:80], "fields": ", ".join(known)})
                      for name in data if name not in known)
    for name, prop in schema.get("properties", {}).items():
        if name in data:
            error = _check(prop, data[name], name)
            if error:
                errors.append(error)
    if errors:
        raise ValidationFailed(errors)


def _problems(value: Any, path: str, out: list[FieldError]) -> None:
    """Strings the databases cannot store (NUL, lone surrogates) and out-of-range integers."""
    if isinstance(value, str):
        if not storable(value):
            out.append(FieldError(path, "bad_characters"))
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not -MAX_INT <= value <= MAX_INT:
            out.append(FieldError(path, "bad_choice", {"value": str(value)[:20]}))
    elif isinstance(value, list):
        for item in value:
            _problems(item, path, out)
    elif isinstance(value, dict):
        for key, item in value.items():
            _problems(item, str(key), out)


def check_args() -> None:
    """Refuse query strings the databases cannot store (422)."""
    errors: list[FieldError] = []
    for key, value in request.args.items(multi=True):
        _problems(value, key, errors)
    if errors:
        raise ValidationFailed(errors)


def body(schema_name: str | None = None) -> dict[str, Any]:
    """The JSON object sent, checked against its schema and for values no database stores."""
    if request.content_length and not request.is_json:  # a body, but not declared as JSON
        raise UnsupportedMediaType("send the body as application/json")
    try:
        data = json_input.loads(request.get_data(), strict=True) if request.is_json else None
    except json_input.TooDeep as exc:
        raise HttpBadRequest(f"the request body nests deeper than {MAX_DEPTH} levels") from exc
    except json_input.DuplicateName as exc:  # which of the two values was meant?
        raise ValidationFailed.single(exc.name[:80], "duplicate_field",
                                      value=exc.name[:80]) from exc
    except json.JSONDecodeError as exc:
        raise HttpBadRequest(f"the request body is not valid JSON: {exc.msg} (line "
                             f"{exc.lineno}, column {exc.colno})") from exc
    except ValueError as exc:  # NaN, Infinity, bytes that are not UTF-8, -16 or -32
        raise HttpBadRequest(f"the request body is not valid JSON: {str(exc)[:120]}") from None
    if not isinstance(data, dict):
        raise HttpBadRequest("the request body must be a JSON object")
    errors: list[FieldError] = []
    _problems(data, "", errors)
    speaker = data.get("speaker")
    if isinstance(speaker, str) and speaker.strip().startswith("#"):
        digits = speaker.strip()[1:]
        if digits.isdecimal() and (len(digits) > 10 or int(digits) > MAX_INT):
            errors.append(FieldError("speaker", "unknown_entity", {"value": speaker[:40]}))
    if errors:
        raise ValidationFailed(errors)
    if schema_name:
        from claims.api.schemas import components

        validate(components(list(statuses()))[schema_name], data)
    return data


# Printable ASCII without spaces, as the OpenAPI document says (``IDEMPOTENCY_KEY``).
_KEY = re.compile(r"[!-~]{1,255}")


def idempotency_key() -> str | None:
    """The request's Idempotency-Key header, or None; a malformed one is refused (422)."""
    value = request.headers.get(idempotency.HEADER)
    if value is not None and not _KEY.fullmatch(value):
        raise ValidationFailed.single(idempotency.HEADER, "bad_idempotency_key")
    return value


def commit_reply(session: Session, payload: Any, status: int = 200) -> Response:
    """Build the reply, then commit: a reply built after the commit reloads rows, and a failure
    there would report an error for a write that did land."""
    response = reply(payload, status)
    session.commit()
    return response


def created(session: Session, payload: Any, endpoint: str, **ids: int) -> Response:
    """A committed 201 whose Location names what was made (RFC 9110 §15.3.2)."""
    location = url_for(f"api.{endpoint}", **dict[str, Any](ids))
    response = commit_reply(session, payload, 201)
    response.headers["Location"] = location
    return response


def statuses() -> dict[str, Status]:
    """The configured status vocabulary."""
    vocabulary: dict[str, Status] = current_app.config["STATUSES"]
    return vocabulary


def user() -> User:
    """The authenticated user (the policy check guarantees one)."""
    found = current_user()
    assert found is not None
    return found


def reply(payload: Any, status: int = 200) -> Response:
    """A JSON response."""
    response = jsonify(payload)
    response.status_code = status
    return response


def no_content() -> Response:
    """An empty 204 response (no Content-Type: there is no content)."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response
