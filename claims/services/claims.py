"""Claims: create, edit, change status (with history), evidence and tags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple, cast

from flask import current_app
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from claims.config import Status
from claims.db import hold_names, utcnow
from claims.errors import Conflict, FieldError, NotFound, ValidationFailed
from claims.models import (
    Claim,
    ClaimAppearance,
    Mention,
    SourceDocument,
    StatusChange,
    Tag,
    User,
)
from claims.models.claims import CLAIM_TYPES
from claims.models.entities import ENTITY_KINDS, MENTION_REVIEW
from claims.services import linker, revisions, workbench_links
from claims.services.analysis import analyse_claim
from claims.services.entities import create_entity, resolve_entity
from claims.services.inputs import Inputs
from claims.text.arabic import normalize
from claims.text.linking import claim_search_key, tokens

MAX_TAGS = 20


def statuses() -> dict[str, Status]:
    """The configured verification-status vocabulary."""
    vocabulary: dict[str, Status] = current_app.config["STATUSES"]
    return vocabulary


def get_claim(session: Session, claim_id: int) -> Claim:
    """The claim with this id, or NotFound."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFound(f"claim {claim_id} not found")
    return claim


def _limits() -> tuple[int, int]:
    return (int(current_app.config.get("CLAIM_TEXT_MAX", 2000)),
            int(current_app.config.get("RESTATEMENT_MAX", 2000)))


def _read_claim_fields(session: Session, form: Inputs, values: dict[str, Any],
                       current: Claim | None = None) -> None:
    """Validate the editable fields (of ``current``, when editing) into ``values``, recording
    errors on ``form``."""
    text_max, restatement_max = _limits()
    values["text"] = form.text("text", required=True, max_len=text_max)
    values["restatement"] = form.text("restatement", max_len=restatement_max)
    values["claim_date"] = form.date("claim_date", past=True)
    values["claim_type"] = form.choice("claim_type", CLAIM_TYPES, default="other")
    speaker = form.text("speaker", max_len=256)
    # A speaker no entity names yet (the workbench's guess, a new official) may be created
    # with the claim, as this kind, once the rest of the form is valid.
    new_kind = form.choice("new_speaker_kind", ENTITY_KINDS)
    values["speaker"] = values["new_speaker"] = None
    if speaker:
        try:
            values["speaker"] = resolve_entity(session, speaker, "speaker")
        except ValidationFailed as exc:
            codes = [e.code for e in exc.errors]
            if new_kind and codes == ["unknown_entity"]:
                values["new_speaker"] = {"kind": new_kind, "name_ar": speaker}
            elif codes == ["unknown_entity"]:  # say how to create it here, with the claim
                form.error("speaker", "unknown_speaker", value=speaker[:60])
            else:
                form.errors.extend(exc.errors)
    values["tags"] = _parse_tags(form)
    values["source"] = _read_source(session, form)
    span_start = form.integer("span_start", code="bad_span")
    span_end = form.integer("span_end", code="bad_span")
    if (span_start is None) != (span_end is None) or (
        span_start is not None and span_end is not None and span_end < span_start
    ):
        form.error("span_start", "bad_span")
    source = values["source"]
    if current is not None and source is not current.source and \
            (span_start, span_end) == (current.span_start, current.span_end):
        span_start = span_end = None  # a span is a place in its source: none in another one
    if span_end is not None and isinstance(source, SourceDocument) and source.text and \
            span_end > len(source.text):
        form.error("span_start", "bad_span")
    values["span"] = (span_start, span_end)


def _create_new_speaker(session: Session, values: dict[str, Any], user: User) -> None:
    """Create the speaker the form asked for as a new entity (its errors are the speaker's)."""
    if values["new_speaker"] is None:
        return
    try:
        values["speaker"] = create_entity(session, values["new_speaker"], user)
    except ValidationFailed as exc:
        raise ValidationFailed([FieldError("speaker", e.code, e.params)
                                for e in exc.errors]) from None


def _parse_tags(form: Inputs) -> list[str]:
    raw = form.raw("tags")
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else str(raw).replace("،", ",").split(",")
    tags: list[str] = []
    for item in items:
        name = str(item).strip()
        if not name:
            continue
        if len(name) > 64:
            form.error("tags", "too_long", max=64)
            return []
        if normalize(name) not in {normalize(t) for t in tags}:
            tags.append(name)
    if len(tags) > MAX_TAGS:
        form.error("tags", "too_many_tags", max=MAX_TAGS)
    return tags


def _read_source(session: Session, form: Inputs) -> SourceDocument | None:
    source_id = form.integer("source_id", code="unknown_source")
    if source_id is not None:
        source = session.get(SourceDocument, source_id)
        if source is None:
            form.error("source_id", "unknown_source")
        return source
    url = form.url("source_url")
    title = form.text("source_title", max_len=500)
    if url is None:
        if not any(e.field == "source_url" for e in form.errors):
            form.error("source_id", "missing_source")
        return None
    hold_names(session, "source", [url])  # a concurrent first claim from it makes no twin
    existing = session.scalar(select(SourceDocument).where(SourceDocument.url == url)
                              .order_by(SourceDocument.id).limit(1))
    return existing or SourceDocument(title=title or url, url=url, text="")


def _tags(session: Session, names: list[str]) -> list[Tag]:
    # A tag's key is unique: a concurrent claim bringing the same new tag waits, then uses it.
    hold_names(session, "tag", [normalize(name) for name in names])
    tags = []
    for name in names:
        key = normalize(name)
        tag = session.scalar(select(Tag).where(Tag.key == key))
        if tag is None:
            tag = Tag(name=name, key=key)
            session.add(tag)
        tags.append(tag)
    return tags


def create_claim(session: Session, user: User, data: Mapping[str, Any]) -> Claim:
    """Validate and add a claim with its first history row; nothing is written on error."""
    form = Inputs(data)
    values: dict[str, Any] = {}
    _read_claim_fields(session, form, values)
    status = form.choice("status", statuses().keys(), default=next(iter(statuses())))
    note = form.text("note", max_len=int(current_app.config.get("NOTE_MAX", 4000))) or ""
    form.check()
    _create_new_speaker(session, values, user)
    tags = _tags(session, values["tags"])
    claim = Claim(
        text=values["text"],
        text_key=claim_search_key(tokens(values["text"]), values["restatement"]),
        restatement=values["restatement"], source=values["source"],
        span_start=values["span"][0], span_end=values["span"][1],
        speaker=values["speaker"], claim_date=values["claim_date"],
        claim_type=values["claim_type"], status=status, created_by_id=user.id,
    )
    claim.tags = tags
    session.add(claim)
    session.flush()
    session.add(StatusChange(claim_id=claim.id, from_status=None, to_status=status,
                             user_id=user.id, note=note))
    linker.link_claim(session, claim)
    analyse_claim(session, claim)
    session.flush()
    return claim


class ClaimState(NamedTuple):
    """What a status change reads and writes of a claim, without loading the whole claim."""

    id: int
    status: str
    version: int
    updated_at: dt.datetime | None = None


def _check_version(claim: Claim | ClaimState, data: Mapping[str, Any]) -> None:
    form = Inputs(data)
    expected = form.integer("version", required=True, code="bad_version")
    form.check()
    if expected != claim.version:
        raise Conflict(f"claim {claim.id} is at version {claim.version}, not {expected}",
                       current_version=claim.version)


def update_claim(session: Session, claim: Claim, user: User, data: Mapping[str, Any]) -> Claim:
    """Edit a claim's fields if nobody changed it since ``data['version']``; what changed is
    appended to its edit history in the same transaction."""
    _check_version(claim, data)
    form = Inputs(data)
    values: dict[str, Any] = {}
    _read_claim_fields(session, form, values, claim)
    form.check()
    _create_new_speaker(session, values, user)
    tags = _tags(session, values["tags"])
    if _unchanged(claim, values, tags):
        return claim  # nothing to save: the version stays, so no other editor meets a conflict
    before = revisions.snapshot(claim)
    text_changed = values["text"] != claim.text
    claim.text = values["text"]
    claim.text_key = claim_search_key(tokens(values["text"]), values["restatement"])
    claim.restatement = values["restatement"]
    claim.source = values["source"]
    claim.span_start, claim.span_end = values["span"]
    claim.speaker = values["speaker"]
    claim.claim_date = values["claim_date"]
    claim.claim_type = values["claim_type"]
    claim.tags = tags
    claim.updated_at = utcnow()
    if text_changed:
        linker.link_claim(session, claim)
        analyse_claim(session, claim)
        workbench_links.texts_changed(session)
    revisions.flush_versioned(session, claim, "claim")
    revisions.record_edit(session, claim, user, before)
    return claim


def _unchanged(claim: Claim, values: dict[str, Any], tags: list[Tag]) -> bool:
    """True when an edit would store exactly what the claim holds."""
    return (values["text"] == claim.text and values["restatement"] == claim.restatement
            and values["source"] is claim.source and values["speaker"] is claim.speaker
            and values["span"] == (claim.span_start, claim.span_end)
            and values["claim_date"] == claim.claim_date
            and values["claim_type"] == claim.claim_type
            and {t.id for t in tags} == {t.id for t in claim.tags})  # a new tag has no id yet


_claims = cast(Table, Claim.__table__)
_history = cast(Table, StatusChange.__table__)
# Plain Core statements: the ORM unit of work costs more than both writes together, and the
# versioned UPDATE is the same optimistic lock the mapper's version_id_col emits.
_CLAIM_STATE = select(_claims.c.id, _claims.c.status, _claims.c.version).where(
    _claims.c.id == bindparam("claim_id"))
_SET_STATUS = (update(_claims)
               .where(_claims.c.id == bindparam("claim_id"),
                      _claims.c.version == bindparam("expected"))
               .values(status=bindparam("to_status"), updated_at=bindparam("now"),
                       version=_claims.c.version + 1))
_ADD_HISTORY = insert(_history)


def claim_state(session: Session, claim_id: int) -> ClaimState:
    """The id, status and version of a claim, or NotFound."""
    row = session.connection().execute(_CLAIM_STATE, {"claim_id": claim_id}).first()
    if row is None:
        raise NotFound(f"claim {claim_id} not found")
    return ClaimState(row.id, row.status, row.version)


def set_status(session: Session, current: ClaimState, user: User,
               data: Mapping[str, Any]) -> ClaimState:
    """Move the claim read as ``current`` to a new status and append the history row."""
    _check_version(current, data)
    claim_id = current.id
    form = Inputs(data)
    to_status = form.choice("status", statuses().keys(), required=True)
    note = form.text("note", max_len=int(current_app.config.get("NOTE_MAX", 4000))) or ""
    if to_status is not None and to_status == current.status:
        form.error("status", "same_status")
    form.check()
    assert to_status is not None
    session.flush()  # pending ORM changes go first, as they did in the unit of work
    connection = session.connection()
    now = utcnow()
    updated = connection.execute(_SET_STATUS, {"claim_id": claim_id, "expected": current.version,
                                               "to_status": to_status, "now": now}).rowcount
    if updated != 1:
        raise revisions.lost_race(session, Claim, claim_id, "claim")
    connection.execute(_ADD_HISTORY, {"claim_id": claim_id, "from_status": current.status,
                                      "to_status": to_status, "user_id": user.id,
                                      "note": note, "created_at": now})
    return ClaimState(claim_id, to_status, current.version + 1, now)


def change_status(session: Session, claim: Claim, user: User, data: Mapping[str, Any]) -> Claim:
    """Move a claim to a new status and append the history row in the same transaction."""
    new = set_status(session, ClaimState(claim.id, claim.status, claim.version), user, data)
    # The loaded claim shows what was written, as after a flush, without becoming dirty.
    set_committed_value(claim, "status", new.status)
    set_committed_value(claim, "updated_at", new.updated_at)
    set_committed_value(claim, "version", new.version)
    return claim


def add_appearance(session: Session, claim: Claim, user: User | None,
                   data: Mapping[str, Any]) -> ClaimAppearance:
    """Record another place the claim was published (its source URL and repeats are refused)."""
    form = Inputs(data)
    url = form.url("url", required=True)
    title = form.text("title", max_len=500)
    published = form.date("published_date", past=True)
    form.check()
    if url == (claim.source.url if claim.source else None) or any(
            a.url == url for a in claim.appearances):
        raise ValidationFailed.single("url", "duplicate_appearance")
    appearance = ClaimAppearance(claim_id=claim.id, url=url, title=title,
                                 published_date=published)
    claim.appearances.append(appearance)
    session.flush()
    revisions.record_item(session, claim, user, "appearance", None,
                          revisions.appearance_snapshot(appearance))
    return appearance


def get_appearance(claim: Claim, appearance_id: int) -> ClaimAppearance:
    """One recorded appearance of this claim, or NotFound."""
    appearance = next((a for a in claim.appearances if a.id == appearance_id), None)
    if appearance is None:
        raise NotFound(f"appearance {appearance_id} not found on claim {claim.id}")
    return appearance


def remove_appearance(session: Session, claim: Claim, user: User | None,
                      appearance_id: int) -> None:
    """Forget one recorded appearance of this claim (its edit history keeps it)."""
    appearance = get_appearance(claim, appearance_id)
    before = revisions.appearance_snapshot(appearance)
    claim.appearances.remove(appearance)
    session.flush()
    revisions.record_item(session, claim, user, "appearance", before, None)


def set_mention_review(session: Session, claim: Claim, user: User | None, mention_id: int,
                       review: str) -> Mention:
    """Confirm or reject an automatic entity link (kept in the claim's edit history)."""
    if review not in MENTION_REVIEW:
        raise ValidationFailed.single("review", "bad_choice", value=review)
    mention = next((m for m in claim.mentions if m.id == mention_id), None)
    if mention is None:
        raise NotFound(f"mention {mention_id} not found on claim {claim.id}")
    item = {"entity_id": mention.entity_id, "entity": mention.entity.name_ar,
            "surface": mention.surface}
    revisions.record_item(session, claim, user, "mention", item | {"review": mention.review},
                          item | {"review": review})
    mention.review = review
    session.flush()
    return mention
