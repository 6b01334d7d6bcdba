"""Source document pages: the list, and one article with its claims highlighted."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from claims import i18n
from claims.db import begin_write, get_session
from claims.errors import Conflict, NotFound, ValidationFailed
from claims.i18n import gettext
from claims.models import Claim, SourceDocument
from claims.security import policy, reads_only
from claims.services import sources as service
from claims.services.inputs import Inputs
from claims.web.claims import field_messages, signed_in_user

bp = Blueprint("sources", __name__, url_prefix="/sources")
SOURCES_PER_PAGE = 100

i18n.register({
    "source.edit": ("تصحيح بيانات المصدر", "Correct the source's details"),
    "source.edit_help": ("صحّح العنوان أو الوسيلة أو الكاتب أو الرابط أو تاريخ النشر كما استُخرجت "
                         "من المقال. نص المقال لا يُعدّل: مقاطع الادعاءات مواضع فيه.",
                         "Correct the title, outlet, author, address or publication date as "
                         "they were extracted from the article. The article's text is not "
                         "edited: claims' spans are places in it."),
    "source.author": ("الكاتب", "Author"),
    "source.url": ("الرابط", "Address (URL)"),
    "source.headline": ("العنوان", "Title"),
    "source.saved": ("حُفظت بيانات المصدر.", "The source's details were saved."),
    "source.edit_conflict": ("عدّل شخص آخر هذا المصدر في الأثناء (الإصدار {version}). ما كتبته "
                             "باقٍ في النموذج؛ احفظه مجددًا ليحل محل ما حُفظ، أو ألغِ.",
                             "Someone else changed this source meanwhile (version {version}). "
                             "What you typed is still in the form; save again to replace what "
                             "was saved, or cancel."),
    "source.edit_conflict_discard": ("تجاهل تعديلاتي وافتح المصدر",
                                     "Discard my changes and open the source"),
    "error.source_url_taken": ("مصدر آخر يحمل هذا الرابط أصلًا.",
                               "Another source already has this address."),
})


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


@bp.route("/<int:source_id>/edit", methods=["GET", "POST"], endpoint="edit")
@policy("editor")
def edit(source_id: int) -> Any:
    """Correct a source's title, outlet, author, address and date (not its text)."""
    session = get_session()
    if request.method != "POST":  # GET or HEAD
        source = service.get_source(session, source_id)
        values = {**service.details(source), "version": source.version}
        return render_template("sources/edit.html", source=source, values=values, errors={})
    begin_write(session)
    try:
        service.update_source(session, source_id, signed_in_user(), request.form)
    except ValidationFailed as exc:
        session.rollback()
        source = service.get_source(session, source_id)
        return render_template("sources/edit.html", source=source, values=request.form,
                               errors=field_messages(exc)), 422
    except Conflict:
        session.rollback()
        # What the user typed stays, now against the saved version: saving again replaces
        # it knowingly, never silently.
        source = service.get_source(session, source_id)
        values = {**request.form.to_dict(), "version": source.version}
        return render_template("sources/edit.html", source=source, values=values, errors={},
                               conflict=True), 409
    session.commit()
    flash(gettext("source.saved"), "success")
    return redirect(url_for("sources.detail", source_id=source_id))
