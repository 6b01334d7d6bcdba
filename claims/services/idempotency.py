"""Creating once: a key sent with a creating request (a form's one-time id, an API client's
Idempotency-Key) makes its claim or item once; a repeat of the request gets the first result."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claims.db import utcnow
from claims.errors import ValidationFailed
from claims.models import IdempotencyKey, User

KEEP = dt.timedelta(hours=24)
HEADER = "Idempotency-Key"


def fingerprint(data: Mapping[str, Any]) -> str:
    """SHA-256 of a JSON body, the same whatever the order of its keys."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def earlier(session: Session, user_id: int, key: str, digest: str | None) -> int | None:
    """The claim a request with ``key`` made within KEEP, or None; the key sent again with
    another body (``digest``) is refused."""
    row = session.execute(select(IdempotencyKey.claim_id, IdempotencyKey.fingerprint).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key,
        IdempotencyKey.created_at >= utcnow() - KEEP)).first()
    if row is None:
        return None
    if row.fingerprint != digest:
        raise ValidationFailed.single(HEADER, "idempotency_key_reused")
    return int(row.claim_id)


def _remember(session: Session, user_id: int, key: str, claim_id: int,
              digest: str | None) -> tuple[int, bool]:
    """Record what ``key`` made, in the same transaction; the claim that stands for the key,
    and whether it is this request's."""
    now = utcnow()
    # Pruned per user as keys arrive: one indexed delete, and no expired key can clash.
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                 IdempotencyKey.created_at < now - KEEP))
    session.add(IdempotencyKey(user_id=user_id, key=key, claim_id=claim_id,
                               fingerprint=digest, created_at=now))
    try:
        session.flush()
    except IntegrityError:
        # A concurrent request with the same key committed first (on PostgreSQL both can get
        # this far; SQLite's write lock lets one in at a time): drop this one's writes and
        # answer with what that one made.
        session.rollback()
        won = earlier(session, user_id, key, digest)
        if won is None:
            raise
        return won, False
    return claim_id, True


def create_once(session: Session, user: User, key: str | None, create: Callable[[], int],
                digest: str | None = None) -> tuple[int, bool]:
    """Run ``create`` (it returns the id of the claim it made or added to) unless a request
    with ``key`` already did; returns that claim's id and whether this request made it."""
    if key is None:
        return create(), True
    user_id = user.id  # read now: a lost race's rollback expires the user
    made = earlier(session, user_id, key, digest)
    if made is not None:
        return made, False
    return _remember(session, user_id, key, create(), digest)
