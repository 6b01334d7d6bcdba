"""One-time submission ids on creation forms: pressing "Save" twice makes one claim or item.

Each rendered form carries a fresh random id (``submission_id()`` in templates); a POST that
created something records its id with it (``services.idempotency``), and a repeat of the POST
goes to what the first one made. A POST refused for its input records nothing, so the form
it comes back with can be sent again.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from flask import flash, g, request
from sqlalchemy.orm import Session

from claims.i18n import gettext
from claims.models import User
from claims.services.idempotency import create_once

FIELD = "submission"
_VALID = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Stands in for the ids while a claim-page fragment renders for the cache; every response
# gets fresh ones (``fill``), so no two pages, nor two forms of one page, share an id.
PLACEHOLDER = "submission-placeholder-" + secrets.token_hex(16)


def _new_id() -> str:
    return secrets.token_urlsafe(16)


def submission_id() -> str:
    """A fresh id for one rendered form (the placeholder while a cached fragment renders)."""
    return PLACEHOLDER if g.get("csrf_placeholder") else _new_id()


def fill(html: str) -> str:
    """``html`` with a fresh id in place of each placeholder."""
    if PLACEHOLDER not in html:
        return html
    first, *rest = html.split(PLACEHOLDER)
    return first + "".join(_new_id() + piece for piece in rest)


def submitted() -> str | None:
    """The posted form's id; None for a form without a valid one (rendered before ids, or
    tampered with), which is then saved as every post was."""
    value = request.form.get(FIELD, "")
    return value if _VALID.fullmatch(value) else None


def create(session: Session, user: User, make: Callable[[], int]) -> tuple[int, bool]:
    """Run ``make`` (it returns the id of the claim it made or added to) once per posted form;
    returns the claim's id and whether this post made it."""
    return create_once(session, user, submitted(), make)


def flash_saved(made: bool, message: str) -> None:
    """Flash ``message``, or that the form had already been saved (by an earlier post)."""
    flash(gettext(message) if made else gettext("form.already_saved"),
          "success" if made else "info")
