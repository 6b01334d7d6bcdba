"""Claim pages: list and search, create, edit, status changes, evidence and entity links."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from claims import i18n
from claims.db import begin_write, get_session
from claims.errors import Conflict, ValidationFailed
from claims.i18n import gettext
from claims.models import Claim, Entity, Mention, SourceDocument, StatusChange, User
from claims.models.claims import CLAIM_TYPES, EVIDENCE_KINDS, EVIDENCE_STANCES
from claims.models.entities import ENTITY_KINDS
from claims.security import current_user, policy
from claims.services import claims as service
from claims.services import workbench_links as links
from claims.services.search import ClaimFilters, search_claims
from claims.services.suggestions import suggestions_for

bp = Blueprint("claims", __name__, url_prefix="/claims")

i18n.register({
    "match.show_similar": ("عرض الادعاءات المشابهة والمتعارضة",
                           "Show similar and conflicting claims"),
    "claims.count_about": ("نحو {n} ادعاء", "about {n} claims"),
})


def _user() -> User:
    """The logged-in user of a view whose policy already required one."""
    user = current_user()
    assert user is not None  # the policy check guarantees a user here
    return user


def _errors(exc: ValidationFailed) -> dict[str, str]:
    """One message per failing field, in the interface language."""
    messages: dict[str, str] = {}
    for error in exc.errors:
        messages.setdefault(error.field, gettext(f"error.{error.code}", **error.params))
    return messages


@bp.get("", endpoint="index")
@policy("viewer")
def index() -> str:
    """The claims list with filters and search, newest first."""
    session = get_session()
    filters = ClaimFilters.from_args(request.args, set(current_app.config["STATUSES"]))
    result = search_claims(session, filters, int(current_app.config["PAGE_SIZE"]))
    chosen = {}
    for name in ("entity", "speaker"):
        entity_id = getattr(filters, name)
        if entity_id is not None:
            chosen[name] = session.get(Entity, entity_id)
    sources = session.scalars(_source_choices(100)).all()
    return render_template("claims/list.html", result=result, filters=filters, chosen=chosen,
                           sources=sources)


def _source_choices(limit: int) -> Select[SourceDocument]:
    """The newest sources for a select box: titles only, never the article texts."""
    return (select(SourceDocument).order_by(SourceDocument.id.desc()).limit(limit)
            .options(load_only(SourceDocument.title, SourceDocument.outlet)))


def _form_context(values: Any, errors: dict[str, str] | None = None) -> dict[str, Any]:
    session = get_session()
    sources = session.scalars(_source_choices(200)).all()
    return {"values": values, "errors": errors or {}, "sources": sources,
            "claim_types": CLAIM_TYPES}


@bp.route("/new", methods=["GET", "POST"], endpoint="new")
@policy("editor")
def new() -> Any:
    """Create a claim."""
    if request.method == "GET":
        values = {"source_id": request.args.get("source", ""), "status": "unstarted",
                  "text": request.args.get("text", ""),
                  "span_start": request.args.get("span_start", ""),
                  "span_end": request.args.get("span_end", ""),
                  "speaker": request.args.get("speaker", "")}
        return render_template("claims/form.html", mode="new", **_form_context(values))
    session = get_session()
    begin_write(session)
    try:
        claim = service.create_claim(session, _user(), request.form)
    except ValidationFailed as exc:
        session.rollback()
        return render_template("claims/form.html", mode="new",
                               **_form_context(request.form, _errors(exc))), 422
    session.commit()
    flash(gettext("claim.created_ok"), "success")
    return redirect(url_for("claims.detail", claim_id=claim.id))


def _detail(claim: Claim, **extra: Any) -> str:
    user = current_user()
    suggestions = suggestions_for(claim) if user and user.can("editor") else []
    session = get_session()
    relations = links.decided_relations(session, claim)
    # Candidates are scored only when asked for inline (no JavaScript); otherwise the page
    # fetches them from /claims/<id>/matches after it has rendered.
    found = links.candidate_relations(session, claim, relations) \
        if request.args.get("matches") == "1" else None
    return render_template("claims/detail.html", claim=claim, evidence_kinds=EVIDENCE_KINDS,
                           evidence_stances=EVIDENCE_STANCES, suggestions=suggestions,
                           entity_kinds=ENTITY_KINDS, relations=relations, found=found,
                           **extra)


@bp.get("/<int:claim_id>", endpoint="detail")
@policy("viewer")
def detail(claim_id: int) -> str:
    """One claim with its source, entities, evidence and history."""
    session = get_session()
    # One query per relationship the page shows, instead of a lazy load per row.
    claim = session.scalar(select(Claim).where(Claim.id == claim_id).options(
        joinedload(Claim.source), joinedload(Claim.speaker), joinedload(Claim.created_by),
        selectinload(Claim.tags), selectinload(Claim.quantities), selectinload(Claim.evidence),
        selectinload(Claim.mentions).joinedload(Mention.entity),
        selectinload(Claim.history).joinedload(StatusChange.user)))
    return _detail(claim if claim is not None else service.get_claim(session, claim_id))


@bp.get("/<int:claim_id>/matches", endpoint="matches")
@policy("viewer")
def matches(claim_id: int) -> ResponseReturnValue:
    """HTML fragment: detected conflicts and same-claim candidates for the claim page."""
    session = get_session()
    claim = service.get_claim(session, claim_id)
    decided = links.decided_relations(session, claim)
    found = links.candidate_relations(session, claim, decided)
    if not (found.conflicts or found.candidates):
        return "", 200, {"Content-Type": "text/html; charset=utf-8"}
    return render_template("workbench/_claim_candidates.html", claim=claim, found=found,
                           decided=decided)


@bp.route("/<int:claim_id>/edit", methods=["GET", "POST"], endpoint="edit")
@policy("editor")
def edit(claim_id: int) -> Any:
    """Edit a claim's fields (not its status, which has its own form and history)."""
    session = get_session()
    if request.method == "POST":
        begin_write(session)
    claim = service.get_claim(session, claim_id)
    if request.method == "GET":
        values = {
            "text": claim.text, "restatement": claim.restatement or "",
            "source_id": claim.source_id,
            "speaker": claim.speaker.name_ar if claim.speaker else "",
            "claim_date": claim.claim_date.isoformat() if claim.claim_date else "",
            "claim_type": claim.claim_type, "tags": ", ".join(t.name for t in claim.tags),
            "span_start": "" if claim.span_start is None else claim.span_start,
            "span_end": "" if claim.span_end is None else claim.span_end,
            "version": claim.version,
        }
        return render_template("claims/form.html", mode="edit", claim=claim,
                               **_form_context(values))
    try:
        service.update_claim(session, claim, _user(), request.form)
    except ValidationFailed as exc:
        session.rollback()
        return render_template("claims/form.html", mode="edit", claim=claim,
                               **_form_context(request.form, _errors(exc))), 422
    except Conflict as exc:
        session.rollback()
        claim = service.get_claim(session, claim_id)
        return _detail(claim, conflict=exc, attempted=request.form), 409
    session.commit()
    flash(gettext("claim.saved_ok"), "success")
    return redirect(url_for("claims.detail", claim_id=claim.id))


@bp.post("/<int:claim_id>/status", endpoint="status")
@policy("editor")
def change_status(claim_id: int) -> Any:
    """Move a claim to another status with a note; conflicts show the current state."""
    session = get_session()
    begin_write(session)
    claim = service.get_claim(session, claim_id)
    try:
        service.change_status(session, claim, _user(), request.form)
    except ValidationFailed as exc:
        session.rollback()
        claim = service.get_claim(session, claim_id)
        return _detail(claim, status_errors=_errors(exc), status_values=request.form), 422
    except Conflict as exc:
        session.rollback()
        claim = service.get_claim(session, claim_id)
        return _detail(claim, conflict=exc, status_values=request.form), 409
    session.commit()
    flash(gettext("claim.status_ok"), "success")
    return redirect(url_for("claims.detail", claim_id=claim.id) + "#history")


@bp.post("/<int:claim_id>/evidence", endpoint="add_evidence")
@policy("editor")
def add_evidence(claim_id: int) -> Any:
    """Attach evidence to a claim."""
    session = get_session()
    begin_write(session)
    claim = service.get_claim(session, claim_id)
    try:
        service.add_evidence(session, claim, _user(), request.form)
    except ValidationFailed as exc:
        session.rollback()
        claim = service.get_claim(session, claim_id)
        return _detail(claim, evidence_errors=_errors(exc), evidence_values=request.form), 422
    session.commit()
    flash(gettext("evidence.added_ok"), "success")
    return redirect(url_for("claims.detail", claim_id=claim_id) + "#evidence")


@bp.post("/<int:claim_id>/evidence/<int:evidence_id>/delete", endpoint="remove_evidence")
@policy("editor")
def remove_evidence(claim_id: int, evidence_id: int) -> ResponseReturnValue:
    """Remove an evidence item."""
    session = get_session()
    begin_write(session)
    service.remove_evidence(session, service.get_claim(session, claim_id), evidence_id)
    session.commit()
    flash(gettext("evidence.removed_ok"), "success")
    return redirect(url_for("claims.detail", claim_id=claim_id) + "#evidence")


@bp.post("/<int:claim_id>/mentions/<int:mention_id>", endpoint="review_mention")
@policy("editor")
def review_mention(claim_id: int, mention_id: int) -> ResponseReturnValue:
    """Confirm or reject an automatic entity link."""
    session = get_session()
    begin_write(session)
    claim = service.get_claim(session, claim_id)
    service.set_mention_review(session, claim, mention_id, request.form.get("review", ""))
    session.commit()
    return redirect(url_for("claims.detail", claim_id=claim_id) + "#entities")
