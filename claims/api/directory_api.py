"""API views for source documents, entities and aliases, the caller, and the API's own docs."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from claims.api import io
from claims.api.claims_api import PAGING
from claims.api.registry import OPERATIONS, Param, id_param, openapi_document, operation
from claims.api.schemas import alias_json, audit_json, entity_json, entity_ref, source_json
from claims.db import begin_write, get_session
from claims.errors import NotFound
from claims.models import Claim, Entity, SourceDocument
from claims.models.audit import AUDIT_ACTIONS
from claims.services import audit
from claims.services import entities as entity_service
from claims.services import sources as source_service
from claims.services.ingest import ingest_article


def _paging() -> tuple[int, int]:
    query: dict[str, Any] = g.api_query
    return int(query.get("page", 1)), int(query.get("per_page", 25))


def _page(items: list[Any], total: int, page: int, per_page: int) -> dict[str, Any]:
    return {"items": items, "page": page, "per_page": per_page, "total": total,
            "pages": max(1, -(-total // per_page))}


@operation("GET", "/sources", summary="List source documents, newest first", tag="sources",
           level="viewer", params=PAGING, response="SourcePage")
def list_sources() -> ResponseReturnValue:
    """Source documents ordered by created_at desc, id desc."""
    session = get_session()
    page, per_page = _paging()
    total = session.scalar(select(func.count()).select_from(SourceDocument)) or 0
    rows = session.scalars(select(SourceDocument)
                           .order_by(SourceDocument.created_at.desc(), SourceDocument.id.desc())
                           .limit(per_page).offset((page - 1) * per_page)).all()
    return io.reply(_page([source_json(s) for s in rows], total, page, per_page))


@operation("POST", "/sources", summary="Store an article (text or HTML); an existing copy is "
           "returned with 200", tag="sources", level="editor", body="SourceCreate", status=201,
           response="SourceDetail", also=(200,))
def create_source() -> ResponseReturnValue:
    """Ingest an article through the same service as the workbench."""
    session = get_session()
    data = io.body("SourceCreate")
    begin_write(session)
    result = ingest_article(session, io.user(), data)
    if result.created:
        return io.created(session, _source_detail(result.source), "get_source",
                          source_id=result.source.id)
    return io.commit_reply(session, _source_detail(result.source))


@operation("PATCH", "/sources/{source_id}", summary="Correct a source's title, outlet, author, "
           "address or publication date (not its text), naming the version last seen",
           tag="sources", level="editor", params=(id_param("source_id"),), body="SourcePatch",
           response="SourceDetail", errors=(409,))
def update_source(source_id: int) -> ResponseReturnValue:
    """The fields given change; a version other than the stored one is a 409."""
    session = get_session()
    data = io.body("SourcePatch")
    begin_write(session)
    source = source_service.update_source(session, source_id, io.user(), data)
    return io.commit_reply(session, _source_detail(source))


def _source_detail(source: SourceDocument) -> dict[str, Any]:
    ids = get_session().scalars(select(Claim.id).where(Claim.source_id == source.id)
                                .order_by(Claim.id)).all()
    return {"source": source_json(source), "text": source.text, "claims": list(ids)}


@operation("GET", "/sources/{source_id}", summary="Read a source document with its text",
           tag="sources", level="viewer", params=(id_param("source_id"),),
           response="SourceDetail")
def get_source(source_id: int) -> ResponseReturnValue:
    """One source document, its full text and the ids of its claims."""
    source = get_session().get(SourceDocument, source_id)
    if source is None:
        raise NotFound(f"source {source_id} not found")
    return io.reply(_source_detail(source))


@operation("GET", "/entities", summary="Find entities by any spelling, or list them newest first",
           tag="entities", level="viewer",
           params=(Param("q", {"type": "string", "maxLength": 200}), *PAGING),
           response="EntityPage")
def list_entities() -> ResponseReturnValue:
    """Entities a query names (best first), or every entity by created_at desc, id desc."""
    session = get_session()
    page, per_page = _paging()
    query = str(g.api_query.get("q", "")).strip()
    if query:
        found = entity_service.find_entities(session, query, limit=100)
        chunk = found[(page - 1) * per_page: page * per_page]
        return io.reply(_page([entity_ref(e) for e in chunk], len(found), page, per_page))
    total = session.scalar(select(func.count()).select_from(Entity)) or 0
    rows = session.scalars(select(Entity).order_by(Entity.created_at.desc(), Entity.id.desc())
                           .limit(per_page).offset((page - 1) * per_page)).all()
    return io.reply(_page([entity_ref(e) for e in rows], total, page, per_page))


@operation("POST", "/entities", summary="Create an entity (its names become aliases)",
           tag="entities", level="editor", body="EntityCreate", status=201, response="Entity")
def create_entity() -> ResponseReturnValue:
    """Validate and store an entity."""
    session = get_session()
    data = io.body("EntityCreate")
    begin_write(session)
    entity = entity_service.create_entity(session, data, io.user())
    return io.created(session, entity_json(entity, {}), "get_entity", entity_id=entity.id)


@operation("GET", "/entities/{entity_id}", summary="Read an entity with its aliases",
           tag="entities", level="viewer", params=(id_param("entity_id"),), response="Entity")
def get_entity(entity_id: int) -> ResponseReturnValue:
    """One entity, its aliases and its claims counted by status."""
    session = get_session()
    entity = entity_service.get_entity(session, entity_id)
    return io.reply(entity_json(entity, entity_service.status_counts(session, entity.id)))


@operation("POST", "/entities/{entity_id}/aliases", summary="Add an alias (claims are re-linked)",
           tag="entities", level="editor", params=(id_param("entity_id"),), body="AliasCreate",
           status=201, response="Alias")
def add_alias(entity_id: int) -> ResponseReturnValue:
    """Add a spelling of the entity's name."""
    session = get_session()
    data = io.body("AliasCreate")
    begin_write(session)
    alias, _ = entity_service.add_alias(session, entity_service.get_entity(session, entity_id),
                                        data, io.user())
    return io.created(session, alias_json(alias), "get_alias", entity_id=entity_id,
                      alias_id=alias.id)


@operation("GET", "/entities/{entity_id}/aliases/{alias_id}", summary="Read one alias",
           tag="entities", level="viewer", params=(id_param("entity_id"), id_param("alias_id")),
           response="Alias")
def get_alias(entity_id: int, alias_id: int) -> ResponseReturnValue:
    """One spelling of the entity's name."""
    session = get_session()
    entity = entity_service.get_entity(session, entity_id)
    return io.reply(alias_json(entity_service.get_alias(session, entity, alias_id)))


@operation("DELETE", "/entities/{entity_id}/aliases/{alias_id}", summary="Remove an alias",
           tag="entities", level="editor",
           params=(id_param("entity_id"), id_param("alias_id")), status=204)
def remove_alias(entity_id: int, alias_id: int) -> ResponseReturnValue:
    """Remove an alias and re-link the claims that used it."""
    session = get_session()
    begin_write(session)
    entity_service.remove_alias(session, entity_service.get_entity(session, entity_id), alias_id,
                                io.user())
    session.commit()
    return io.no_content()


@operation("GET", "/me", summary="The authenticated user", tag="account", level="viewer",
           response="Me")
def me() -> ResponseReturnValue:
    """Who the token (or session) belongs to."""
    user = io.user()
    return io.reply({"id": user.id, "username": user.username, "role": user.role})


@operation("GET", "/audit", summary="Administrative changes, newest first", tag="account",
           level="admin",
           params=(Param("action", {"enum": list(AUDIT_ACTIONS)}),
                   Param("before", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                         description="Only events older than this id (the previous "
                                     "page's next_before)")),
           response="AuditPage")
def audit_log() -> ResponseReturnValue:
    """Changes to users, entity names and API tokens, a page at a time."""
    events, older = audit.page(get_session(), g.api_query.get("action"),
                               g.api_query.get("before"))
    return io.reply({"items": [audit_json(e) for e in events], "next_before": older})


def document() -> dict[str, Any]:
    """The OpenAPI document for this app's status vocabulary."""
    return openapi_document(list(current_app.config["STATUSES"]))


def openapi_json() -> ResponseReturnValue:
    """The OpenAPI 3.1 document."""
    return io.reply(document())


def docs() -> ResponseReturnValue:
    """A readable list of the operations (server-rendered, no scripts)."""
    return render_template("interchange/api_docs.html", operations=OPERATIONS, doc=document())
