"""Source document pages: the list, and one article with its claims highlighted."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from claims.db import get_session
from claims.errors import NotFound
from claims.models import Claim, SourceDocument
from claims.security import policy, reads_only
from claims.services.inputs import Inputs

bp = Blueprint("sources", __name__, url_prefix="/sources")
SOURCES_PER_PAGE = 100


@bp.get("", endpoint="index")
@policy("viewer")
@reads_only
def index() -> str:
    """Source documents, newest first, a page at a time, with their claim counts."""
    session = get_session()
    total = session.scalar(select(func.count()).select_from(SourceDocument)) or 0
    pages = max(1, -(-total // SOURCES_PER_PAGE))
    page = min(pages, max(1, Inputs(request.args).integer("page") or 1))
    counts = (select(Claim.source_id, func.count().label("n"))
              .group_by(Claim.source_id).subquery())
    rows = session.execute(
        select(SourceDocument, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.source_id == SourceDocument.id)
        .options(load_only(SourceDocument.title, SourceDocument.outlet,
                           SourceDocument.published_date))
        .order_by(SourceDocument.id.desc())
        .limit(SOURCES_PER_PAGE).offset((page - 1) * SOURCES_PER_PAGE)
    ).all()
    return render_template("sources/list.html", rows=rows, page=page, pages=pages)


def article_segments(text: str, claims: list[Claim]) -> list[tuple[str, Claim | None]]:
    """Cut an article into plain runs and runs that became claims, for highlighting."""
    spans = sorted(
        (c for c in claims if c.span_start is not None and c.span_end is not None
         and 0 <= c.span_start < c.span_end <= len(text)),
        key=lambda c: (c.span_start, c.span_end),
    )
    segments: list[tuple[str, Claim | None]] = []
    pos = 0
    for claim in spans:
        assert claim.span_start is not None and claim.span_end is not None
        if claim.span_start < pos:
            continue  # overlapping spans: the first one wins the highlight
        segments.append((text[pos:claim.span_start], None))
        segments.append((text[claim.span_start:claim.span_end], claim))
        pos = claim.span_end
    segments.append((text[pos:], None))
    return [s for s in segments if s[0]]


@bp.get("/<int:source_id>", endpoint="detail")
@policy("viewer")
@reads_only
def detail(source_id: int) -> str:
    """The article as stored, sentences that became claims highlighted and linked."""
    session = get_session()
    source = session.get(SourceDocument, source_id)
    if source is None:
        raise NotFound(f"source {source_id} not found")
    claims = list(session.scalars(
        select(Claim).where(Claim.source_id == source.id).order_by(Claim.span_start, Claim.id)))
    return render_template("sources/detail.html", source=source, claims=claims,
                           segments=article_segments(source.text, claims))
