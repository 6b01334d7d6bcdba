"""Parsing and validating raw form or JSON values into typed ones, collecting field errors."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from claims.db import MAX_ID
from claims.errors import FieldError, ValidationFailed
from claims.text.arabic import strip_controls
from claims.text.link_keys import name_problem


def is_http_url(value: str) -> bool:
    """True for an absolute http(s) address with a host, no whitespace and no control or
    format (bidi) characters: a real address percent-encodes them, a spoofed one does not."""
    if any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:  # an unbalanced IPv6 bracket in the host
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class Inputs:
    """Reads fields from a mapping (form or JSON) and gathers every problem before failing."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.errors: list[FieldError] = []

    def error(self, name: str, code: str, **params: Any) -> None:
        """Record a problem with one field."""
        self.errors.append(FieldError(name, code, params))

    def raw(self, name: str) -> Any:
        """The value as given, or None."""
        return self.data.get(name)

    def text(self, name: str, *, required: bool = False, max_len: int = 500) -> str | None:
        """A text field as typed, trimmed; one of only bidi or zero-width characters is empty."""
        value = self.data.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.error(name, "bad_choice", value=str(value)[:40])
            return None
        if not storable(value):
            self.error(name, "bad_characters")
            return None
        value = value.strip()
        if not strip_controls(value).strip():  # blank, or only bidi marks and zero-widths
            if required:
                self.error(name, "required")
            return None
        if len(value) > max_len:
            self.error(name, "too_long", max=max_len)
            return None
        return value

    def name(self, name: str, *, required: bool = False, max_len: int = 256) -> str | None:
        """A name for an entity or alias, whose lookup key can name something (name_problem)."""
        value = self.text(name, required=required, max_len=max_len)
        if value is None:
            return None
        code = name_problem(value)
        if code:
            self.error(name, code, value=value[:40])
            return None
        return value

    def flag(self, name: str, *, default: bool = False) -> bool:
        """A yes/no field: a JSON boolean, or true/false, 1/0, on/off, yes/no; absent: default."""
        value = self.data.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in _YES or word in _NO:
            return word in _YES
        self.error(name, "bad_choice", value=str(value)[:40])
        return default

    def url(self, name: str, *, required: bool = False) -> str | None:
        """An absolute http(s) URL."""
        value = self.text(name, required=required, max_len=2000)
        if value is None:
            return None
        if not is_http_url(value):
            self.error(name, "bad_url")
            return None
        return value

    def date(self, name: str, *, past: bool = False) -> dt.date | None:
        """An ISO date (YYYY-MM-DD); Arabic-Indic digits are accepted. ``past``: something
        that has happened (a claim made, a page read), so not after today (by a day's grace,
        for a desk ahead of UTC)."""
        value = self.text(name, max_len=32)
        if value is None:
            return None
        value = value.translate(_DIGITS)
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.error(name, "bad_date")
            return None
        if past and day > dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1):
            self.error(name, "future_date", value=value)
            return None
        return day

    def choice(self, name: str, allowed: Iterable[str], *, default: str | None = None,
               required: bool = False) -> str | None:
        """One of ``allowed``."""
        value = self.text(name, required=required and default is None, max_len=64)
        if value is None:
            return default
        if value not in set(allowed):
            self.error(name, "bad_choice", value=value)
            return None
        return value

    def integer(self, name: str, *, required: bool = False, code: str = "bad_choice") -> int | None:
        """A non-negative integer up to MAX_ID (Arabic-Indic digits accepted)."""
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.error(name, "required")
            return None
        if isinstance(value, bool):
            self.error(name, code, value=str(value))
            return None
        if isinstance(value, int):
            number = value
        else:
            try:
                number = int(str(value).strip().translate(_DIGITS))
            except ValueError:
                self.error(name, code, value=str(value)[:40])
                return None
        if not 0 <= number <= MAX_ID:
            self.error(name, code, value=str(value)[:40])
            return None
        return number

    def check(self) -> None:
        """Raise ValidationFailed if any field had a problem."""
        if self.errors:
            raise ValidationFailed(self.errors)


def storable(value: str) -> bool:
    """False for text no database keeps: a NUL (PostgreSQL refuses it) or a lone surrogate."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_YES = frozenset({"1", "true", "on", "yes"})
_NO = frozenset({"0", "false", "off", "no"})
_DIGITS = {0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)}
