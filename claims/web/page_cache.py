"""Per-process cache of the claim-specific part of claim pages, keyed by the claim's state."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, NamedTuple

from flask import g
from flask.sansio.app import App
from markupsafe import Markup
from sqlalchemy import Engine, String, bindparam, cast, func, literal, null, select, union_all
from sqlalchemy.orm import Session, aliased

from claims import security
from claims.db import driver_rows
from claims.lru import LRU, PerEngine
from claims.models import (
    Claim,
    ClaimAppearance,
    ClaimLink,
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


def _counter(name: str) -> Any:
    return select(Counter.value).where(Counter.name == name).scalar_subquery()


# One row: the claim's own columns (``version`` moves on every ORM update of it), what it
# shows of its source, speaker, author and canonical claim, the append-only or text-derived
# children as count + newest id, and the alias and claim-text generations.
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
           _counter("aliases"), _counter("claim_texts"))
    .join(SourceDocument, SourceDocument.id == Claim.source_id)
    .outerjoin(_speaker, _speaker.id == Claim.speaker_id)
    .outerjoin(User, User.id == Claim.created_by_id)
    .outerjoin(_canonical, _canonical.id == Claim.duplicate_of_id)
    .where(Claim.id == _ID))
# Rows an editor can change in place without touching the claim: read in full.
_EVIDENCE = select(Evidence.id, Evidence.url, Evidence.title, Evidence.publisher, Evidence.kind,
                   Evidence.stance, Evidence.note, Evidence.accessed_date
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
_DUPLICATES = (select(Claim.id, Claim.version, Claim.status, Claim.source_id)
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
# Per dialect: the SQL text, the order of its positional parameters (None: named), the values
# of its other parameters (the counter names).
_compiled: dict[Any, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}


def _state_rows(session: Session, claim_id: int) -> list[Any]:
    conn = session.connection()
    dialect = conn.dialect
    if dialect.name != "sqlite":
        return list(conn.execute(_STATE, {"claim_id": claim_id}))
    found = _compiled.get(dialect)
    if found is None:
        compiled = _STATE.compile(dialect=dialect)
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        values = dict(compiled.construct_params({"claim_id": 0}))
        found = _compiled[dialect] = (str(compiled), order, values)
    sql, order, values = found
    params: Any = dict(values, claim_id=claim_id)
    if order is not None:
        params = tuple(params[name] for name in order)
    return driver_rows(conn, sql, params)


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
    """The fragment with this session's CSRF token in place of the placeholder."""
    return Markup(str(fragment).replace(CSRF_PLACEHOLDER, token))  # noqa: S704 - token is hex


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


# --- claim cards in lists -----------------------------------------------------------------

_cards: LRU[Hashable, Markup] = LRU(8192)


@dataclass(frozen=True, slots=True)
class CardEntity:
    """What a card shows of a speaker (``macros.claim_card`` reads it like an Entity)."""

    id: int
    name_ar: str
    name_en: str | None

    def name(self, lang: str) -> str:
        """``Entity.name``: the name in the interface language, falling back to Arabic."""
        return (self.name_en if lang == "en" and self.name_en else self.name_ar) or ""


@dataclass(frozen=True, slots=True)
class CardSource:
    """What a card shows of a source document."""

    id: int
    outlet: str | None
    title: str


@dataclass(frozen=True, slots=True)
class CardTag:
    """A tag on a card."""

    name: str


@dataclass(frozen=True, slots=True)
class CardClaim:
    """Every field ``macros.claim_card`` shows of a claim, from one plain row."""

    id: int
    status: str
    text: str
    created_at: Any
    speaker: CardEntity | None
    source: CardSource | None
    tags: tuple[CardTag, ...]


_claims_t: Any = Claim.__table__
_entities_t: Any = Entity.__table__
_sources_t: Any = SourceDocument.__table__
_claim_tags_t: Any = ClaimTag.__table__
_tags_t: Any = Tag.__table__
# A card's fields for a page of claims in one statement: one row per tag (or one with no
# tag), in the order of ``Claim.tags`` (by name) within each claim.
_CARD_ROWS: Any = (
    select(_claims_t.c.id, _claims_t.c.status, _claims_t.c.text, _claims_t.c.created_at,
           _entities_t.c.id, _entities_t.c.name_ar, _entities_t.c.name_en,
           _sources_t.c.id, _sources_t.c.outlet, _sources_t.c.title, _tags_t.c.name)
    .select_from(_claims_t
                 .outerjoin(_entities_t, _entities_t.c.id == _claims_t.c.speaker_id)
                 .outerjoin(_sources_t, _sources_t.c.id == _claims_t.c.source_id)
                 .outerjoin(_claim_tags_t, _claim_tags_t.c.claim_id == _claims_t.c.id)
                 .outerjoin(_tags_t, _tags_t.c.id == _claim_tags_t.c.tag_id))
    .where(_claims_t.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_claims_t.c.id, _tags_t.c.name))
# SQLite: the SQL text per number of ids (a page has at most a few hundred).
_card_sql: dict[tuple[Any, int], str] = {}


def _card_rows(session: Session, ids: list[int]) -> list[Any]:
    conn = session.connection()
    dialect = conn.dialect
    if dialect.name != "sqlite":
        return list(conn.execute(_CARD_ROWS, {"ids": ids}))
    key = (dialect, len(ids))
    sql = _card_sql.get(key)
    if sql is None:
        compiled = _CARD_ROWS.params(ids=ids).compile(
            dialect=dialect, compile_kwargs={"render_postcompile": True})
        # The only parameters are the ids, in order (asserted: a change must not pass quietly).
        assert compiled.positiontup == [f"ids_{i + 1}" for i in range(len(ids))], \
            compiled.positiontup
        sql = _card_sql[key] = str(compiled)
    return driver_rows(conn, sql, ids)


def claim_cards(session: Session, ids: list[int], lang: str,
                render: Callable[[CardClaim], Markup]) -> list[Markup]:
    """The list cards of these claims (in this order; ids of no claim are left out), cached
    on everything a card shows, read with one plain statement (so no invalidation)."""
    if not ids:
        return []
    shown: dict[int, tuple[tuple[Any, ...], list[str]]] = {}
    for row in _card_rows(session, ids):
        found = shown.get(row[0])
        if found is None:
            found = shown[row[0]] = (tuple(row[:10]), [])
        if row[10] is not None:
            found[1].append(row[10])
    cards = []
    for claim_id in ids:
        found = shown.get(claim_id)
        if found is None:
            continue
        head, tags = found
        key = ("row", lang, head, tuple(tags))
        card = _cards.get(key)
        if card is None:
            card = Markup(render(_card_claim(session, head, tags)))  # noqa: S704 - autoescaped
            _cards.put(key, card)
        cards.append(card)
    return cards


def _card_claim(session: Session, head: tuple[Any, ...], tags: list[str]) -> CardClaim:
    """The claim a card row describes, its values as the ORM would have loaded them."""
    (claim_id, status, text, created_at, speaker_id, name_ar, name_en, source_id, outlet,
     title) = head
    if isinstance(created_at, str):  # SQLite's text, read past SQLAlchemy's types
        dialect = session.get_bind().dialect
        process = _claims_t.c.created_at.type.dialect_impl(dialect).result_processor(dialect, None)
        created_at = process(created_at) if process else created_at
    return CardClaim(
        claim_id, status, text, created_at,
        CardEntity(speaker_id, name_ar, name_en) if speaker_id is not None else None,
        CardSource(source_id, outlet, title) if source_id is not None else None,
        tuple(CardTag(name) for name in tags))


# --- the source filter's choices ----------------------------------------------------------

class SourceChoice(NamedTuple):
    """A source in the list's filter box: its id and title."""

    id: int
    title: str


# The newest sources for the list's filter box as plain rows (id, title).
FILTER_SOURCES: Any = (select(_sources_t.c.id, _sources_t.c.title)
                       .order_by(_sources_t.c.id.desc()).limit(100))
_plain_sql: dict[tuple[Any, Any], tuple[str, tuple[Any, ...]]] = {}
_source_options: LRU[Hashable, Markup] = LRU(256)


def plain_rows(session: Session, stmt: Any) -> list[tuple[Any, ...]]:
    """The rows of a constant statement (no parameters from the caller), on SQLite straight
    through the DBAPI cursor of the session's transaction."""
    conn = session.connection()
    dialect = conn.dialect
    if dialect.name != "sqlite":
        return [tuple(row) for row in conn.execute(stmt)]
    found = _plain_sql.get((dialect, stmt))
    if found is None:
        compiled = stmt.compile(dialect=dialect)
        values = compiled.construct_params()
        found = _plain_sql[(dialect, stmt)] = (
            str(compiled), tuple(values[name] for name in compiled.positiontup or ()))
    return driver_rows(conn, *found)


def source_options(session: Session, selected: int | None,
                   render: Callable[[list[SourceChoice], int | None], Markup]) -> Markup:
    """The ``<option>`` elements of the list's source filter (``macros.source_options``),
    rendered once per set of newest sources and choice (read every time, so no invalidation)."""
    rows = tuple(tuple(row) for row in plain_rows(session, FILTER_SOURCES))
    key = (rows, selected)
    found = _source_options.get(key)
    if found is None:
        found = Markup(render([SourceChoice(*row) for row in rows], selected))  # noqa: S704
        _source_options.put(key, found)
    return found
