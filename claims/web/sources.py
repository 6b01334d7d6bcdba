"""Source document pages: the list, and one article with its claims highlighted."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from claims.db import get_session
from claims.errors import NotFound
from claims.models import Claim, SourceDocument
from claims.security import policy, reads_only

bp = Blueprint("sources", __name__, url_prefix="/sources")


@bp.get("", endpoint="index")
@policy("viewer")
@reads_only
def index() -> str:
    """Source documents, newest first, with their claim counts."""
    session = get_session()
    counts = (select(Claim.source_id, func.count().label("n"))
              .group_by(Claim.source_id).subquery())
    rows = session.execute(
        select(SourceDocument, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.source_id == SourceDocument.id)
        .order_by(SourceDocument.id.desc()).limit(200)
    ).all()
    return render_template("sources/list.html", rows=rows)


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
