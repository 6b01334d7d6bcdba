"""Correcting a source document's details after ingest; its text is never edited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.db import hold_names
from claims.errors import Conflict, NotFound
from claims.models import SourceDocument, User
from claims.services import audit, revisions
from claims.services.inputs import Inputs

# What may be corrected. The text stays as ingested: claims' spans are places in it.
SOURCE_FIELDS = ("title", "outlet", "author", "url", "published_date")


def get_source(session: Session, source_id: int) -> SourceDocument:
    """The source document with this id, or NotFound."""
    source = session.get(SourceDocument, source_id)
    if source is None:
        raise NotFound(f"source {source_id} not found")
    return source


def details(source: SourceDocument) -> dict[str, Any]:
    """The correctable fields as a form shows them (dates as YYYY-MM-DD, blanks as "")."""
    values = {name: getattr(source, name) for name in SOURCE_FIELDS}
    day = values["published_date"]
    values["published_date"] = day.isoformat() if isinstance(day, dt.date) else ""
    return {name: value or "" for name, value in values.items()}


def update_source(session: Session, source_id: int, user: User | None,
                  data: Mapping[str, Any]) -> SourceDocument:
    """Correct the given fields (others keep their value) if nobody changed the source since
    ``data['version']``; the change is audited in the same transaction."""
    source = get_source(session, source_id)
    form = Inputs(data)
    expected = form.integer("version", required=True, code="bad_version")
    # A field not given keeps its value; null (the API) or "" clears it.
    merged = Inputs({**details(source), **{k: "" if v is None else v for k, v in data.items()
                                           if k in SOURCE_FIELDS}})
    after = {"title": merged.text("title", required=True, max_len=500),
             "outlet": merged.text("outlet", max_len=200),
             "author": merged.text("author", max_len=200),
             "url": merged.url("url"),
             "published_date": merged.date("published_date", past=True)}
    form.errors.extend(merged.errors)
    if after["url"] and not merged.errors:
        hold_names(session, "source", [str(after["url"])])  # an ingest of it waits for this edit
    if after["url"] and not merged.errors and session.scalar(
            select(SourceDocument.id).where(SourceDocument.url == after["url"],
                                            SourceDocument.id != source.id).limit(1)):
        # Re-ingesting that address must keep opening one source, not either of two.
        form.error("url", "source_url_taken")
    form.check()
    if cast(int, expected) != source.version:
        raise Conflict(f"source {source.id} is at version {source.version}, not {expected}",
                       current_version=source.version)
    before = {name: getattr(source, name) for name in SOURCE_FIELDS}
    changes = audit.changed(before, after)
    if not changes:
        return source  # nothing to save: the version stays
    for name in changes:
        setattr(source, name, after[name])
    revisions.flush_versioned(session, source, "source")
    audit.record(session, user, "source.edited", "source", source.id, name=source.title,
                 changes={name: [_plain(old), _plain(new)]
                          for name, (old, new) in changes.items()})
    return source


def _plain(value: Any) -> Any:
    """A value as the audit log's JSON keeps it."""
    return value.isoformat() if isinstance(value, dt.date) else value
