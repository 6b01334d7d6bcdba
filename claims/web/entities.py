"""Entity pages: find, create, view with claims and status counts, manage aliases."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from claims.db import begin_write, get_session
from claims.errors import ValidationFailed
from claims.i18n import gettext
from claims.models.entities import ALIAS_KINDS, ALIAS_LANGS, ENTITY_KINDS
from claims.security import policy, reads_only, safe_next
from claims.services import audit
from claims.services import entities as service
from claims.services.search import ClaimFilters, search_claims
from claims.web.claims import field_messages, flash_field_errors, signed_in_user

bp = Blueprint("entities", __name__, url_prefix="/entities")


@bp.get("", endpoint="index")
@policy("viewer")
@reads_only
def index() -> str:
    """Find entities by any spelling, or browse the most mentioned ones."""
    query = request.args.get("q", "").strip()[:200]
    found = service.list_entities(get_session(), query)
    return render_template("entities/list.html", entities=found, q=query, values={},
                           errors={}, kinds=ENTITY_KINDS)


@bp.post("", endpoint="create")
@policy("editor")
def create() -> Any:
    """Create an entity."""
    session = get_session()
    begin_write(session)
    try:
        entity = service.create_entity(session, request.form, signed_in_user())
    except ValidationFailed as exc:
        session.rollback()
        # A name its kind has already: link that entity, and offer to say this is another.
        twin = next((e.params["entity_id"] for e in exc.errors if e.code == "exists"), None)
        return render_template("entities/list.html", entities=[], q="", values=request.form,
                               errors=field_messages(exc), kinds=ENTITY_KINDS, twin=twin), 422
    session.commit()
    flash(gettext("entity.created_ok"), "success")
    return redirect(safe_next(request.form.get("next"),
                              url_for("entities.detail", entity_id=entity.id)))


@bp.post("/link", endpoint="link")
@policy("editor")
def link() -> Any:
    """Add a suggested name as an alias of an existing entity, then go back."""
    session = get_session()
    begin_write(session)
    back = safe_next(request.form.get("next"), url_for("entities.index"))
    try:
        entity = service.resolve_entity(session, request.form.get("entity", ""), "entity")
        _, relinked = service.add_alias(session, entity, request.form, signed_in_user())
    except ValidationFailed as exc:
        session.rollback()
        flash_field_errors(exc)
        return redirect(back)
    session.commit()
    flash(gettext("entity.alias_added", n=relinked), "success")
    return redirect(back)


def _detail(entity_id: int, **extra: Any) -> str:
    session = get_session()
    entity = service.get_entity(session, entity_id)
    page_size = int(current_app.config["PAGE_SIZE"])
    page = max(1, request.args.get("page", 1, type=int) or 1)
    mentioned = search_claims(session, ClaimFilters(entity=entity.id, page=page), page_size)
    said = search_claims(session, ClaimFilters(speaker=entity.id), 10)
    return render_template("entities/detail.html", entity=entity, mentioned=mentioned,
                           said=said, counts=service.status_counts(session, entity.id),
                           alias_kinds=ALIAS_KINDS, alias_langs=ALIAS_LANGS,
                           alias_errors=extra.pop("alias_errors", {}),
                           alias_values=extra.pop("alias_values", {}),
                           name_history=audit.events(session, target_kind="entity",
                                                     target_id=entity.id, limit=20), **extra)


@bp.get("/<int:entity_id>", endpoint="detail")
@policy("viewer")
@reads_only
def detail(entity_id: int) -> str:
    """An entity's names and the claims that mention it or were said by it."""
    return _detail(entity_id)


@bp.post("/<int:entity_id>/aliases", endpoint="add_alias")
@policy("editor")
def add_alias(entity_id: int) -> Any:
    """Add an alias and re-link claims."""
    session = get_session()
    begin_write(session)
    entity = service.get_entity(session, entity_id)
    try:
        _, relinked = service.add_alias(session, entity, request.form, signed_in_user())
    except ValidationFailed as exc:
        session.rollback()
        return _detail(entity_id, alias_errors=field_messages(exc), alias_values=request.form), 422
    session.commit()
    flash(gettext("entity.alias_added", n=relinked), "success")
    return redirect(url_for("entities.detail", entity_id=entity_id))


@bp.post("/<int:entity_id>/aliases/<int:alias_id>/delete", endpoint="remove_alias")
@policy("editor")
def remove_alias(entity_id: int, alias_id: int) -> Any:
    """Remove an alias and re-link claims."""
    session = get_session()
    begin_write(session)
    entity = service.get_entity(session, entity_id)
    relinked = service.remove_alias(session, entity, alias_id, signed_in_user())
    session.commit()
    flash(gettext("entity.alias_removed", n=relinked), "success")
    return redirect(url_for("entities.detail", entity_id=entity_id))
