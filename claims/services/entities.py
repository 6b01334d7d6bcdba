"""Entities and aliases: lookup by any spelling, creation, alias edits, and the gazetteer."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claims.db import MAX_ID, hold_names
from claims.errors import NotFound, ValidationFailed
from claims.models import Alias, Claim, Entity, Mention, User
from claims.models.entities import ALIAS_KINDS, ALIAS_LANGS, ENTITY_KINDS
from claims.services import audit, linker
from claims.services.inputs import Inputs
from claims.text.linking import alias_key, candidate_keys, proclitic_keys
from claims.text.numbers import DIGITS

# What may stand before a demonym typed as a whole name: spaces and proclitics (والروسية).
_LEADING_CLITICS = re.compile(r"\s*[وفبلك]{0,2}")
WIKIDATA_ID = re.compile(r"Q[0-9]{1,12}")  # as the API's EntityCreate pattern
# An item's address as copied from the browser: its id is what is meant.
WIKIDATA_URL = re.compile(r"(?:HTTPS?://)?(?:WWW\.|M\.)?WIKIDATA\.ORG/(?:WIKI|ENTITY)/"
                          r"(?:SPECIAL:ENTITYPAGE/)?(Q[0-9]{1,12})/?(?:[?#].*)?")

GAZETTEER = Path(__file__).resolve().parent.parent / "data" / "gazetteer.json"


def get_entity(session: Session, entity_id: int) -> Entity:
    """The entity with this id, or NotFound."""
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise NotFound(f"entity {entity_id} not found")
    return entity


def find_entities(session: Session, query: str, limit: int = 20) -> list[Entity]:
    """Entities one of whose aliases (or names) a typed query names, in any spelling."""
    query = query.strip()
    if not query:
        return []
    ranked = linker.lookup(session, query)
    keys = candidate_keys(query)
    if keys:
        direct = session.scalars(
            select(Alias.entity_id).where(Alias.key.in_(keys)).distinct()
        ).all()
        for entity_id in direct:
            if entity_id not in dict(ranked):
                ranked.append((entity_id, 1.0))
    ids = [entity_id for entity_id, _ in ranked][:limit]
    if not ids:
        return []
    by_id = {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


def _named_whole(session: Session, value: str) -> list[int]:
    """The entities a typed name denotes as a whole: a name with a title before it (الرئيس
    بوتين) is that person, but a demonym inside a longer name is no entity of its own
    (وزارة الدفاع الروسية is not Russia, السلطات الأذربيجانية not Azerbaijan)."""
    found = linker.alias_index(session).find(value)
    if not found:
        return [e.id for e in find_entities(session, value, limit=5)]
    names = [m.entity_id for m in found if not m.is_demonym]
    if names:
        return names
    end = len(value.rstrip())
    return [m.entity_id for m in found
            if m.end >= end and _LEADING_CLITICS.fullmatch(value[:m.start])]


def resolve_entity(session: Session, name: str, field_name: str) -> Entity:
    """The single entity a name denotes, or a field error (unknown or ambiguous)."""
    value = name.strip()
    if not value:
        raise ValidationFailed.single(field_name, "required")
    if value.startswith("#") and value[1:].isdecimal():  # "#12", "#١٢": an entity's id
        number = int(value[1:])
        entity = session.get(Entity, number) if number <= MAX_ID else None
        if entity is None:
            raise ValidationFailed.single(field_name, "unknown_entity", value=value)
        return entity
    key = alias_key(value)
    exact = session.scalars(
        select(Alias.entity_id).where(Alias.key == key).distinct()
    ).all() if key else []
    ids = list(exact) or _named_whole(session, value)
    if not ids:
        raise ValidationFailed.single(field_name, "unknown_entity", value=value)
    if len(set(ids)) > 1:
        raise ValidationFailed.single(field_name, "ambiguous_entity", value=value)
    return get_entity(session, ids[0])


def create_entity(session: Session, data: Mapping[str, Any], actor: User | None = None) -> Entity:
    """Create an entity with its Arabic and English names as aliases.

    A name an entity of the same kind already has is refused (a form sent twice makes no
    twin) unless ``distinct`` says this is another entity of the same name."""
    form = Inputs(data)
    kind = form.choice("kind", ENTITY_KINDS, required=True)
    name_ar = form.name("name_ar", required=True)
    name_en = form.name("name_en")
    wikidata = form.text("wikidata_id", max_len=300)
    if wikidata:
        # Arabic-Indic digits are the same id typed on an Arabic keyboard; any other digit
        # that str.isdigit() knows ("²", "①") makes no id, and a link to nowhere.
        typed, wikidata = wikidata, wikidata.translate(DIGITS).upper()
        pasted = WIKIDATA_URL.fullmatch(wikidata)
        wikidata = pasted.group(1) if pasted else wikidata
        if not WIKIDATA_ID.fullmatch(wikidata):
            form.error("wikidata_id", "bad_wikidata", value=typed)
    distinct = form.flag("distinct")
    form.check()
    assert kind and name_ar
    if not distinct:
        _refuse_same_name(session, kind, {"name_ar": name_ar, "name_en": name_en})
    entity = Entity(kind=kind, name_ar=name_ar, name_en=name_en, wikidata_id=wikidata)
    session.add(entity)
    entity.aliases.append(Alias(text=name_ar, key=alias_key(name_ar), kind="name", lang="ar"))
    # The same spelling in both name fields is one alias ((entity, key, kind) is unique).
    if name_en and alias_key(name_en) != alias_key(name_ar):
        entity.aliases.append(Alias(text=name_en, key=alias_key(name_en), kind="name",
                                    lang="en"))
    session.flush()
    record_created(session, actor, entity)
    linker.aliases_changed(session)
    linker.relink_matching(session, [name_ar, *([name_en] if name_en else [])])
    return entity


def _refuse_same_name(session: Session, kind: str, names: Mapping[str, str | None]) -> None:
    """A field error (the first field whose name it has) naming the entity of ``kind`` that
    already has one of these names, as typed or as running text prefixes it (وفلاديمير بوتين)."""
    exact = [(field, alias_key(value)) for field, value in names.items() if value]
    keys = exact + [(field, stripped) for field, key in exact for stripped in proclitic_keys(key)]
    # Another request creating an entity of these names waits here until it commits, and is
    # then refused below, instead of both seeing none and making twins (PostgreSQL).
    hold_names(session, f"entity:{kind}", [key for _, key in keys])
    found = {}
    for key, entity_id, name in session.execute(
            select(Alias.key, Entity.id, Entity.name_ar).join(Entity, Alias.entity_id == Entity.id)
            .where(Entity.kind == kind, Alias.kind == "name",
                   Alias.key.in_({key for _, key in keys}))
            .order_by(Entity.id.desc())):
        found[key] = (entity_id, name)  # the oldest entity last, so it wins
    for field, key in keys:
        if key in found:
            entity_id, name = found[key]
            raise ValidationFailed.single(field, "exists", entity_id=entity_id, name=name)


def add_alias(session: Session, entity: Entity, data: Mapping[str, Any],
              actor: User | None = None) -> tuple[Alias, int]:
    """Add an alias and re-link the claims it may now match; returns (alias, relinked)."""
    form = Inputs(data)
    text = form.name("text", required=True)
    kind = form.choice("kind", ALIAS_KINDS, default="name")
    lang = form.choice("lang", ALIAS_LANGS, default="ar")
    form.check()
    assert text and kind and lang
    key = alias_key(text)
    hold_names(session, f"alias:{entity.id}", [key])  # a concurrent same spelling waits
    # Whatever its kind: the spelling is there already (to change its kind, remove it first).
    existing = session.scalar(select(Alias.text).where(
        Alias.entity_id == entity.id, Alias.key == key).order_by(Alias.id).limit(1))
    if existing is not None:
        raise ValidationFailed.single("text", "alias_exists", alias=existing)
    alias = Alias(entity_id=entity.id, text=text, key=key, kind=kind, lang=lang)
    session.add(alias)
    session.flush()
    linker.aliases_changed(session)
    relinked = linker.relink_matching(session, [text])
    _record_alias(session, actor, "alias.added", entity, alias, relinked)
    return alias, relinked


def get_alias(session: Session, entity: Entity, alias_id: int) -> Alias:
    """The entity's alias with this id, or NotFound (an alias of another entity too)."""
    alias = session.get(Alias, alias_id)
    if alias is None or alias.entity_id != entity.id:
        raise NotFound(f"alias {alias_id} not found")
    return alias


def remove_alias(session: Session, entity: Entity, alias_id: int,
                 actor: User | None = None) -> int:
    """Remove an alias and re-link the claims that used it; returns how many were re-linked."""
    alias = get_alias(session, entity, alias_id)
    affected = set(session.scalars(
        select(Mention.claim_id).where(Mention.entity_id == entity.id)).all())
    session.delete(alias)
    session.flush()
    linker.aliases_changed(session)
    relinked = linker.relink_claims(session, sorted(affected))
    _record_alias(session, actor, "alias.removed", entity, alias, relinked)
    return relinked


def record_created(session: Session, actor: User | None, entity: Entity,
                   source: str | None = None) -> None:
    """Audit a new entity (``source``: where a bulk load took it from, e.g. "gazetteer")."""
    details: dict[str, Any] = {"name": entity.name_ar, "name_en": entity.name_en,
                               "kind": entity.kind}
    if source:
        details["source"] = source
    audit.record(session, actor, "entity.created", "entity", entity.id, **details)


def _record_alias(session: Session, actor: User | None, action: str, entity: Entity,
                  alias: Alias, relinked: int) -> None:
    """Audit an alias added or removed, with the claims whose links it changed."""
    audit.record(session, actor, action, "entity", entity.id, name=entity.name_ar,
                 alias=alias.text, kind=alias.kind, lang=alias.lang, relinked=relinked)


def status_counts(session: Session, entity_id: int) -> dict[str, int]:
    """How many claims mentioning the entity are in each status: the claims the list filtered
    by the entity and the status shows (``/claims?entity=…&status=…``), so each count is what
    its link opens."""
    mentioned = select(Mention.claim_id).where(Mention.entity_id == entity_id,
                                               Mention.review != "rejected")
    rows = session.execute(
        select(Claim.status, func.count()).where(Claim.id.in_(mentioned))
        .group_by(Claim.status)
    ).all()
    return {status: count for status, count in rows}


def list_entities(session: Session, query: str = "", limit: int = 200) -> Sequence[Entity]:
    """Entities matching a query, or the most mentioned ones when the query is empty."""
    if query.strip():
        return find_entities(session, query, limit)
    counts = (select(Mention.entity_id, func.count().label("n"))
              .group_by(Mention.entity_id).subquery())
    return session.scalars(
        select(Entity).join(counts, counts.c.entity_id == Entity.id)
        .order_by(counts.c.n.desc(), Entity.id).limit(limit)
    ).all()


def load_gazetteer(session: Session, path: Path = GAZETTEER) -> int:
    """Load (or top up) the shipped gazetteer, audited as the command line; returns new entities."""
    data = json.loads(path.read_text(encoding="utf-8"))
    existing = {key: eid for key, eid in session.execute(
        select(Entity.key, Entity.id).where(Entity.key.is_not(None))).all()}
    known_aliases: set[tuple[int, str, str]] = {
        (row[0], row[1], row[2])
        for row in session.execute(select(Alias.entity_id, Alias.key, Alias.kind))}
    created = 0
    for item in data["entities"]:
        entity_id = existing.get(item["key"])
        if entity_id is None:
            entity = Entity(key=item["key"], kind=item["kind"], name_ar=item["name_ar"],
                            name_en=item.get("name_en"), wikidata_id=item.get("wikidata"))
            session.add(entity)
            session.flush()
            entity_id = entity.id
            created += 1
            record_created(session, None, entity, source="gazetteer")
        names = [{"text": item["name_ar"], "kind": "name", "lang": "ar"}]
        if item.get("name_en"):
            names.append({"text": item["name_en"], "kind": "name", "lang": "en"})
        for alias in names + list(item.get("aliases", [])):
            key = alias_key(alias["text"])
            kind = alias.get("kind", "name")
            if not key or (entity_id, key, kind) in known_aliases:
                continue
            known_aliases.add((entity_id, key, kind))
            row = Alias(entity_id=entity_id, text=alias["text"], key=key, kind=kind,
                        lang=alias.get("lang", "ar"))
            session.add(row)
            if item["key"] in existing:  # a top-up of an entity loaded before: audit it
                session.flush()
                _record_alias(session, None, "alias.added",
                              session.get_one(Entity, entity_id), row, 0)
    session.flush()
    linker.aliases_changed(session)
    return created
