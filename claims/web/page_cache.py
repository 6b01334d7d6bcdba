"""Per-process cache of the claim-specific part of claim pages, keyed by the claim's state."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Hashable
from typing import Any

from flask import g
from flask.sansio.app import App
from markupsafe import Markup
from sqlalchemy import Engine, String, bindparam, cast, func, literal, null, select, union_all
from sqlalchemy.orm import Session, aliased

from claims import security
from claims.db import compiled_once, driver_rows
from claims.lru import LRU, PerEngine
from claims.models import (
    Claim,
    ClaimAppearance,
    ClaimLink,
    ClaimRevision,
    ClaimTag,
    Counter,
    Entity,
    Evidence,
    Mention,
    Quantity,
    SourceDocument,
    StatusChange,
    Tag,
    User,
)
from claims.web import once

# Stands in for the CSRF token while a fragment is rendered for the cache; the real token of
# the viewing session replaces it on every response, so no token is ever cached or shared.
# Random per process so that no stored text can spell it by accident.
CSRF_PLACEHOLDER = "csrf-placeholder-" + secrets.token_hex(16)
MAX_ENTRIES = 4096
# A fragment is ~10–40 K characters; Arabic text takes 2 bytes a character in CPython, so this
# bound keeps a worker's cache under ~64 MB (the issue caps a worker at 300 MB).
MAX_CHARS = 32 * 1024 * 1024

Fragment = tuple[Markup, Markup]  # (JSON-LD script for <head>, main content)
# Slots of the cached page shell, filled per response (see ``fill``).
SHELL_SLOTS = ("title", "head", "main", "next", "flashes")
_SLOT = {name: f"shell-slot-{name}-{secrets.token_hex(8)}" for name in SHELL_SLOTS}
_SLOT_RE = re.compile("(" + "|".join(re.escape(v) for v in (*_SLOT.values(),
                                                             CSRF_PLACEHOLDER)) + ")")
_SLOT_NAME = {v: k for k, v in _SLOT.items()} | {CSRF_PLACEHOLDER: "csrf"}
Shell = tuple[tuple[str, ...], tuple[str, ...]]  # literal pieces, and the slot after each

def _chars(fragment: Fragment) -> int:
    return len(fragment[0]) + len(fragment[1])


_fragments: PerEngine[Hashable, Fragment] = PerEngine(MAX_ENTRIES, _chars, MAX_CHARS)


def clear() -> None:
    """Forget every cached fragment (tests)."""
    _fragments.clear()


# --- the key: everything the fragment shows, read with plain Core statements ---------------

_ID: Any = bindparam("claim_id")
_speaker = aliased(Entity)
_canonical = aliased(Claim)


def _count_max(column: Any, owner: Any) -> tuple[Any, Any]:
    return (select(func.count()).where(owner == _ID).scalar_subquery(),
            select(func.max(column)).where(owner == _ID).scalar_subquery())


# One row: the claim's own columns (``version`` moves on every ORM update of it), what it
# shows of its source, speaker, author and canonical claim, the append-only or text-derived
# children (quantities, status and edit history) as count + newest id, and the alias and
# claim-text generations.
_HEAD: Any = (
    select(Claim.version, Claim.updated_at, Claim.status, Claim.text, Claim.restatement,
           Claim.claim_date, Claim.claim_type, Claim.span_start, Claim.span_end,
           Claim.duplicate_of_id, Claim.source_id, Claim.speaker_id, Claim.created_by_id,
           SourceDocument.title, SourceDocument.outlet, SourceDocument.url,
           SourceDocument.published_date, SourceDocument.language,
           func.length(SourceDocument.text), _speaker.name_ar, _speaker.name_en,
           User.username, _canonical.version, _canonical.status,
           *_count_max(Quantity.id, Quantity.claim_id),
           *_count_max(StatusChange.id, StatusChange.claim_id),
           *_count_max(ClaimRevision.id, ClaimRevision.claim_id),
           Counter.value_of("aliases"), Counter.value_of("claim_texts"))
    .join(SourceDocument, SourceDocument.id == Claim.source_id)
    .outerjoin(_speaker, _speaker.id == Claim.speaker_id)
    .outerjoin(User, User.id == Claim.created_by_id)
    .outerjoin(_canonical, _canonical.id == Claim.duplicate_of_id)
    .where(Claim.id == _ID))
# Rows an editor can change in place without touching the claim: read in full.
# (Evidence.version too: the page's remove form carries it.)
_EVIDENCE = select(Evidence.id, Evidence.url, Evidence.title, Evidence.publisher, Evidence.kind,
                   Evidence.stance, Evidence.note, Evidence.accessed_date, Evidence.version
                   ).where(Evidence.claim_id == _ID).order_by(Evidence.id)
_MENTIONS = (select(Mention.id, Mention.review, Mention.method, Mention.confidence,
                    Mention.is_demonym, Mention.surface, Mention.start, Mention.end,
                    Mention.entity_id, Entity.name_ar, Entity.name_en)
             .join(Entity, Entity.id == Mention.entity_id)
             .where(Mention.claim_id == _ID).order_by(Mention.id))
_TAGS = (select(Tag.name).join(ClaimTag, ClaimTag.tag_id == Tag.id)
         .where(ClaimTag.claim_id == _ID).order_by(Tag.name))
_APPEARANCES = (select(ClaimAppearance.id, ClaimAppearance.url, ClaimAppearance.title,
                       ClaimAppearance.published_date)
                .where(ClaimAppearance.claim_id == _ID).order_by(ClaimAppearance.id))
# A copy's source is an appearance in the ClaimReview: a corrected one must show at once.
_DUPLICATES = (select(Claim.id, Claim.version, Claim.status, Claim.source_id,
                      SourceDocument.url, SourceDocument.title, SourceDocument.published_date)
               .join(SourceDocument, SourceDocument.id == Claim.source_id)
               .where(Claim.duplicate_of_id == _ID).order_by(Claim.id))
_other = aliased(Claim)
_LINKS = (select(ClaimLink.id, ClaimLink.claim_id, ClaimLink.other_id, ClaimLink.relation,
                 ClaimLink.score, ClaimLink.reasons, _other.version, _other.status)
          .join(_other, _other.id == func.coalesce(
              func.nullif(ClaimLink.claim_id, _ID), ClaimLink.other_id))
          .where((ClaimLink.claim_id == _ID) | (ClaimLink.other_id == _ID))
          .order_by(ClaimLink.id))
_PARTS = (_EVIDENCE, _MENTIONS, _TAGS, _APPEARANCES, _DUPLICATES, _LINKS)
_WIDTH = max(len(_HEAD.selected_columns), *(len(part.selected_columns) for part in _PARTS))


def _as_text(part: Any, tag: int) -> Any:
    """``part`` with a leading tag and every column as text, padded to one width."""
    columns = [cast(c, String) for c in part.selected_columns]
    columns += [cast(null(), String)] * (_WIDTH - len(columns))
    return part.with_only_columns(literal(tag).label("part"), *columns).order_by(None)


# The claim's row (tag -1) and all child rows in one round trip: each statement costs more in
# Python than in SQLite.
_STATE = union_all(_as_text(_HEAD, -1), *(_as_text(part, tag) for tag, part in enumerate(_PARTS)))


def _state_rows(session: Session, claim_id: int) -> list[Any]:
    conn = session.connection()
    dialect = conn.dialect
    if dialect.name != "sqlite":
        return list(conn.execute(_STATE, {"claim_id": claim_id}))
    # Compiled with a stand-in id; its other parameters are the counter names.
    compiled = compiled_once(_STATE, dialect, lambda: _STATE.params(claim_id=0))
    return driver_rows(conn, compiled.sql, compiled.bind({"claim_id": claim_id}))


def state_key(session: Session, claim_id: int) -> tuple[Any, ...] | None:
    """What the claim page shows of the database, as a hashable key; None: no such claim.

    Evidence, mention reviews, appearances, tags and links change without the claim's
    ``version`` moving, so their rows are part of the key; a write by any worker shows at once.
    """
    rows = [tuple(row) for row in _state_rows(session, claim_id)]
    if not any(row[0] == -1 for row in rows):
        return None
    # Sorted: a UNION ALL promises no order, and the key must not change with the plan.
    rows.sort(key=lambda row: (row[0], *("" if v is None else v for v in row[1:])))
    return tuple(rows)


# --- rendering ----------------------------------------------------------------------------

def install(app: App) -> None:
    """Let fragments be rendered with a CSRF placeholder instead of the session's token."""
    real: Callable[..., str] = app.jinja_env.globals["csrf_token"]  # type: ignore[assignment]

    def csrf_token(*args: Any, **kwargs: Any) -> str:
        """The session's CSRF token, or the placeholder while a cached fragment renders."""
        if g.get("csrf_placeholder"):
            return CSRF_PLACEHOLDER
        # Flask-WTF's generate_csrf, signing at most once a second per session.
        return security.csrf_token() if not (args or kwargs) else real(*args, **kwargs)

    app.jinja_env.globals["csrf_token"] = csrf_token
    # Flask-WTF also puts the real function into every template's context, where it hides
    # the global for top-level template code (base.html): override it there too.
    app.context_processor(lambda: {"csrf_token": csrf_token})


def cached(session: Session, key: tuple[Any, ...], render: Callable[[], Fragment],
           still: Callable[[], bool]) -> Fragment:
    """The fragment for ``key`` (rendered with the CSRF placeholder on a miss).

    A miss is stored only if ``still()`` confirms the key after rendering: under READ
    COMMITTED a write between reading the key and loading the claim would otherwise file
    newer content under an older key, which a later undo could bring back.
    """
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    store = _fragments(engine)
    found = store.get(key)
    if found is None:
        g.csrf_placeholder = True
        try:
            found = render()
        finally:
            g.csrf_placeholder = False
        if still():
            store.put(key, found)
    return found


def personalise(fragment: Markup, token: str) -> Markup:
    """The fragment with this session's CSRF token in place of the placeholder, and fresh
    one-time ids in its creation forms."""
    html = once.fill(str(fragment).replace(CSRF_PLACEHOLDER, token))
    return Markup(html)  # noqa: S704 - the token and the ids are URL-safe base64


_shells: LRU[Hashable, Shell] = LRU(1024)


def slots() -> dict[str, Markup]:
    """Placeholder values to render a shell with (Markup: they must reach the HTML as is)."""
    return {name: Markup(value) for name, value in _SLOT.items()}  # noqa: S704 - hex


def shell(key: Hashable, render: Callable[[], str]) -> Shell:
    """The page shell for ``key`` split at its slots, rendered (with placeholders) on a miss."""
    found = _shells.get(key)
    if found is not None:
        return found
    g.csrf_placeholder = True
    try:
        parts = _SLOT_RE.split(render())
    finally:
        g.csrf_placeholder = False
    found = (tuple(parts[0::2]), tuple(_SLOT_NAME[p] for p in parts[1::2]))
    _shells.put(key, found)
    return found


def fill(page: Shell, values: dict[str, str]) -> str:
    """The shell with every slot replaced by its (already escaped) value."""
    pieces, names = page
    out = [pieces[0]]
    for name, piece in zip(names, pieces[1:], strict=True):
        out.append(values[name])
        out.append(piece)
    return "".join(out)
