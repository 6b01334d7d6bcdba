"""API views for claims: list and search, create, read, update, status, history, edits,
evidence."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from claims.api import io
from claims.api.registry import MAX_ID, Param, id_param, operation
from claims.api.schemas import (
    VERSION,
    appearance_json,
    claim_json,
    entity_ref,
    evidence_json,
    history_json,
    revision_json,
)
from claims.db import begin_write, get_session
from claims.models import Claim, Evidence, Mention, StatusChange
from claims.services import claims as service
from claims.services import evidence as evidence_service
from claims.services import idempotency
from claims.services import revisions as claim_revisions
from claims.services.analysis import similar_claims
from claims.services.search import ClaimFilters, search_claims
from claims.services.search_syntax import MAX_EXCLUDED, MAX_PHRASE_WORDS, MAX_PHRASES

_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
# What the search box accepts (claims.services.search_syntax), for the OpenAPI document.
Q_HELP = ("Entity name in any spelling, or words of the claim text (each in any of its clitic "
          'or inflected forms). "Quoted words" (also «…» or “…”) must stand next to each other '
          "in that order; -word (or −word, U+2212) leaves out claims holding that word in any "
          'form, -"a phrase" that phrase. A query of exclusions only finds nothing. At most '
          f"{MAX_PHRASES} phrases of {MAX_PHRASE_WORDS} words and {MAX_EXCLUDED} exclusions "
          "are read; an unpaired quotation mark is ignored.")
PAGING = (Param("page", {"type": "integer", "minimum": 1, "maximum": 100000}),
          Param("per_page", {"type": "integer", "minimum": 1, "maximum": 100}))
FILTERS = (
    Param("q", {"type": "string", "maxLength": 200},
          description=Q_HELP),
    Param("status", {"type": "string", "maxLength": 64}), Param("entity", _ID),
    Param("speaker", _ID), Param("source", _ID),
    Param("tag", {"type": "string", "maxLength": 64}),
    Param("unit", {"type": "string", "maxLength": 32}),
    Param("demonyms", {"type": "boolean"}),
    Param("from", {"type": "string", "format": "date", "maxLength": 10}),
    Param("to", {"type": "string", "format": "date", "maxLength": 10}),
    Param("before", _ID, description="A cursor: only claims older than this id. Send the "
          "reply's next_before to read on; claims added meanwhile do not shift the pages "
          "(as they shift page numbers)."),
    *PAGING,
)


def _claim(claim_id: int) -> Claim:
    return service.get_claim(get_session(), claim_id)


def _list() -> ResponseReturnValue:
    values: dict[str, Any] = g.api_query
    args = {k: ("1" if v else "0") if isinstance(v, bool) else str(v) for k, v in values.items()}
    filters = ClaimFilters.from_args(args, set(io.statuses()))
    if filters.problems:  # the web list ignores a bad filter; an API client hears why
        from claims.errors import ValidationFailed

        raise ValidationFailed(filters.problems)
    per_page = int(values.get("per_page", 25))
    result = search_claims(get_session(), filters, per_page)
    items = result.claims if result.page == filters.page else []
    return io.reply({"items": [claim_json(c, io.statuses()) for c in items],
                     "page": filters.page, "per_page": per_page, "total": result.total,
                     "total_exact": result.exact, "pages": result.pages,
                     "next_before": items[-1].id if items and result.page < result.pages
                     else None,
                     "entities": [entity_ref(e) for e in result.entities]})


@operation("GET", "/claims", summary="List claims (the web list's filters), newest first",
           tag="claims", level="viewer", params=FILTERS, response="ClaimPage")
def list_claims() -> ResponseReturnValue:
    """Claims matching the filters, ordered by created_at desc, id desc."""
    return _list()


@operation("GET", "/search", summary="Search claims by entity (any spelling) and by text",
           tag="claims", level="viewer",
           params=(Param("q", {"type": "string", "minLength": 1, "maxLength": 200},
                         required=True, description=Q_HELP), *FILTERS[1:]),
           response="ClaimPage")
def search() -> ResponseReturnValue:
    """The claims list with a required query; matched entities are listed too."""
    return _list()


IDEMPOTENCY_KEY = Param(
    idempotency.HEADER, {"type": "string", "minLength": 1, "maxLength": 255,
                         "pattern": "^[!-~]+$"}, "header",
    "Send the request again safely: within 24 hours the same key (per user) creates nothing "
    "new and answers with the claim it made (as it stands now, with `Idempotent-Replayed: "
    "true`); the same key with another body is a 422")


@operation("POST", "/claims", summary="Create a claim", tag="claims", level="editor",
           params=(IDEMPOTENCY_KEY,), body="ClaimCreate", status=201, response="Claim")
def create_claim() -> ResponseReturnValue:
    """Validate and store a claim with its first history row (once per Idempotency-Key)."""
    session = get_session()
    data = io.body("ClaimCreate")
    key = io.idempotency_key()
    begin_write(session)
    user = io.user()
    claim_id, made = idempotency.create_once(
        session, user, key, lambda: service.create_claim(session, user, data).id,
        idempotency.fingerprint(data) if key else None)
    response = io.created(session, claim_json(_claim(claim_id), io.statuses()), "get_claim",
                          claim_id=claim_id)
    if not made:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@operation("GET", "/claims/{claim_id}", summary="Read a claim", tag="claims",
           level="viewer", params=(id_param("claim_id"),), response="Claim")
def get_claim(claim_id: int) -> ResponseReturnValue:
    """One claim."""
    return io.reply(claim_json(_claim(claim_id), io.statuses()))


def _current_fields(claim: Claim) -> dict[str, Any]:
    return {"text": claim.text, "restatement": claim.restatement, "source_id": claim.source_id,
            "speaker": f"#{claim.speaker_id}" if claim.speaker_id else None,
            "claim_date": claim.claim_date.isoformat() if claim.claim_date else None,
            "claim_type": claim.claim_type, "tags": [t.name for t in claim.tags],
            "span_start": claim.span_start, "span_end": claim.span_end}


@operation("PATCH", "/claims/{claim_id}", summary="Update a claim's fields",
           tag="claims", level="editor", params=(id_param("claim_id"),), body="ClaimPatch",
           response="Claim", errors=(409,))
def update_claim(claim_id: int) -> ResponseReturnValue:
    """Change the given fields if the claim is still at ``version`` (409 otherwise)."""
    session = get_session()
    data = io.body("ClaimPatch")
    begin_write(session)
    claim = _claim(claim_id)
    merged = _current_fields(claim)
    if "source_url" in data:
        merged.pop("source_id")
    merged.update(data)
    service.update_claim(session, claim, io.user(), merged)
    return io.commit_reply(session, claim_json(claim, io.statuses()))


@operation("POST", "/claims/{claim_id}/status", summary="Change a claim's status with a note",
           tag="claims", level="editor", params=(id_param("claim_id"),),
           body="StatusChangeRequest", response="Claim", errors=(409,))
def change_status(claim_id: int) -> ResponseReturnValue:
    """Move the claim to a new status and append its history row."""
    session = get_session()
    data = io.body("StatusChangeRequest")
    begin_write(session)
    claim = service.change_status(session, _claim(claim_id), io.user(), data)
    return io.commit_reply(session, claim_json(claim, io.statuses()))


@operation("GET", "/claims/{claim_id}/history", summary="A claim's status history",
           tag="claims", level="viewer", params=(id_param("claim_id"),), response="History")
def history(claim_id: int) -> ResponseReturnValue:
    """Every status change, oldest first."""
    claim = _claim(claim_id)
    rows = get_session().scalars(select(StatusChange).where(StatusChange.claim_id == claim.id)
                                 .order_by(StatusChange.id)).all()
    return io.reply({"items": [history_json(r) for r in rows]})


@operation("GET", "/claims/{claim_id}/revisions", summary="A claim's edit history",
           tag="claims", level="viewer", params=(id_param("claim_id"),), response="Revisions")
def revisions(claim_id: int) -> ResponseReturnValue:
    """Every recorded edit of the claim's fields, oldest first."""
    claim = _claim(claim_id)
    return io.reply({"items": [revision_json(r) for r in
                               claim_revisions.revisions_of(get_session(), claim.id)]})


@operation("GET", "/claims/{claim_id}/evidence", summary="A claim's evidence",
           tag="evidence", level="viewer", params=(id_param("claim_id"),),
           response="EvidenceList")
def list_evidence(claim_id: int) -> ResponseReturnValue:
    """Evidence items, oldest first."""
    return io.reply({"items": [evidence_json(e) for e in _claim(claim_id).evidence]})


@operation("POST", "/claims/{claim_id}/evidence", summary="Attach evidence to a claim",
           tag="evidence", level="editor", params=(id_param("claim_id"),),
           body="EvidenceCreate", status=201, response="Evidence")
def add_evidence(claim_id: int) -> ResponseReturnValue:
    """Validate and attach an evidence item."""
    session = get_session()
    data = io.body("EvidenceCreate")
    begin_write(session)
    evidence = evidence_service.add_evidence(session, _claim(claim_id), io.user(), data)
    return io.created(session, evidence_json(evidence), "get_evidence", claim_id=claim_id,
                      evidence_id=evidence.id)


def _evidence(claim_id: int, evidence_id: int) -> Evidence:
    return evidence_service.get_evidence(get_session(), _claim(claim_id), evidence_id)


@operation("GET", "/claims/{claim_id}/evidence/{evidence_id}", summary="Read one evidence item",
           tag="evidence", level="viewer",
           params=(id_param("claim_id"), id_param("evidence_id")), response="Evidence")
def get_evidence(claim_id: int, evidence_id: int) -> ResponseReturnValue:
    """One evidence item of a claim."""
    return io.reply(evidence_json(_evidence(claim_id, evidence_id)))


@operation("PATCH", "/claims/{claim_id}/evidence/{evidence_id}", summary="Update evidence",
           tag="evidence", level="editor",
           params=(id_param("claim_id"), id_param("evidence_id")), body="EvidencePatch",
           response="Evidence", errors=(409,))
def update_evidence(claim_id: int, evidence_id: int) -> ResponseReturnValue:
    """Change the given fields of one evidence item (null or "" clears an optional field)."""
    session = get_session()
    data = io.body("EvidencePatch")
    begin_write(session)
    evidence = evidence_service.update_evidence(session, _claim(claim_id), io.user(), evidence_id,
                                                data)
    return io.commit_reply(session, evidence_json(evidence))


@operation("DELETE", "/claims/{claim_id}/evidence/{evidence_id}", summary="Remove evidence",
           tag="evidence", level="editor",
           params=(id_param("claim_id"), id_param("evidence_id"),
                   Param("version", VERSION, required=True,
                         description="The version the client saw; a later one is a 409")),
           status=204, errors=(409,))
def remove_evidence(claim_id: int, evidence_id: int) -> ResponseReturnValue:
    """Delete one evidence item of a claim."""
    session = get_session()
    begin_write(session)
    evidence_service.remove_evidence(session, _claim(claim_id), io.user(), evidence_id,
                                     g.api_query["version"])
    session.commit()
    return io.no_content()


@operation("GET", "/claims/{claim_id}/appearances",
           summary="Other places the claim was published", tag="claims", level="viewer",
           params=(id_param("claim_id"),), response="AppearanceList")
def list_appearances(claim_id: int) -> ResponseReturnValue:
    """Recorded appearances, oldest first (the source document is not repeated here)."""
    return io.reply({"items": [appearance_json(a) for a in _claim(claim_id).appearances]})


@operation("POST", "/claims/{claim_id}/appearances", summary="Record another appearance",
           tag="claims", level="editor", params=(id_param("claim_id"),),
           body="AppearanceCreate", status=201, response="Appearance")
def add_appearance(claim_id: int) -> ResponseReturnValue:
    """Validate and record a URL where the claim was also published."""
    session = get_session()
    data = io.body("AppearanceCreate")
    begin_write(session)
    appearance = service.add_appearance(session, _claim(claim_id), io.user(), data)
    return io.created(session, appearance_json(appearance), "get_appearance",
                      claim_id=claim_id, appearance_id=appearance.id)


@operation("GET", "/claims/{claim_id}/appearances/{appearance_id}",
           summary="Read one recorded appearance", tag="claims", level="viewer",
           params=(id_param("claim_id"), id_param("appearance_id")), response="Appearance")
def get_appearance(claim_id: int, appearance_id: int) -> ResponseReturnValue:
    """One other place the claim was published."""
    return io.reply(appearance_json(service.get_appearance(_claim(claim_id), appearance_id)))


@operation("DELETE", "/claims/{claim_id}/appearances/{appearance_id}",
           summary="Forget an appearance", tag="claims", level="editor",
           params=(id_param("claim_id"), id_param("appearance_id")), status=204)
def remove_appearance(claim_id: int, appearance_id: int) -> ResponseReturnValue:
    """Delete one recorded appearance of a claim."""
    session = get_session()
    begin_write(session)
    service.remove_appearance(session, _claim(claim_id), io.user(), appearance_id)
    session.commit()
    return io.no_content()


def _matches(text: str, exclude: int | None, entity_ids: frozenset[int]) -> ResponseReturnValue:
    found = similar_claims(get_session(), text, exclude_id=exclude, entity_ids=entity_ids,
                           limit=10)
    return io.reply({"items": [
        {"claim_id": s.claim.id, "text": s.claim.text, "status": s.claim.status,
         "score": round(float(s.score), 4), "relation": s.relation, "reasons": list(s.reasons)}
        for s in found]})


@operation("GET", "/claims/{claim_id}/matches",
           summary="Claims that may say the same thing as this one (or contradict it)",
           tag="matching", level="viewer", params=(id_param("claim_id"),), response="MatchList")
def claim_matches(claim_id: int) -> ResponseReturnValue:
    """Matching candidates for a stored claim."""
    claim = _claim(claim_id)
    entity_ids = frozenset(get_session().scalars(
        select(Mention.entity_id).where(Mention.claim_id == claim.id)).all())
    return _matches(claim.text, claim.id, entity_ids)


@operation("GET", "/matches", summary="Stored claims similar to a text", tag="matching",
           level="viewer",
           params=(Param("text", {"type": "string", "minLength": 1, "maxLength": 2000},
                         required=True),),
           response="MatchList")
def text_matches() -> ResponseReturnValue:
    """Matching candidates for any text."""
    return _matches(str(g.api_query["text"]), None, frozenset())


# The same question with the text in a body: a long Arabic text, percent-encoded at six bytes
# a letter, does not fit the request line a server or proxy takes (8 KiB).
@operation("POST", "/matches", summary="Stored claims similar to a text sent in the body (a "
           "long text that does not fit an address); changes nothing", tag="matching",
           level="viewer", body="MatchQuery", response="MatchList")
def text_matches_in_body() -> ResponseReturnValue:
    """Matching candidates for any text, read from a JSON body."""
    return _matches(str(io.body("MatchQuery")["text"]), None, frozenset())
