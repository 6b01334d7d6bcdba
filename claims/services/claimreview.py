"""ClaimReview out: schema.org JSON-LD for claims with a final verdict, one by one or as a feed."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from flask import current_app
from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session, selectinload

from claims.config import Status
from claims.models import Claim, Counter, Entity, SourceDocument, StatusChange
from claims.services.workbench_links import TEXTS_COUNTER
from claims.text.arabic import strip_controls

CONTEXT = "https://schema.org"
WIKIDATA = "https://www.wikidata.org/wiki/"
BEST, WORST = 5, 1


def _statuses() -> dict[str, Status]:
    vocabulary: dict[str, Status] = current_app.config["STATUSES"]
    return vocabulary


def final_status_ids() -> list[str]:
    """Ids of the statuses that are verdicts (and so may be published)."""
    return [s.id for s in _statuses().values() if s.final]


def is_published(claim: Claim) -> bool:
    """True when the claim has a final verdict."""
    status = _statuses().get(claim.status)
    return bool(status and status.final)


def _speaker(entity: Entity, lang: str) -> dict[str, Any]:
    kind = "Person" if entity.kind == "person" else "Organization"
    node: dict[str, Any] = {"@type": kind, "name": entity.name(lang)}
    if lang != "ar" or entity.name_en:
        other = entity.name_en if lang == "ar" else entity.name_ar
        if other and other != node["name"]:
            node["alternateName"] = other
    if entity.wikidata_id:
        node["sameAs"] = WIKIDATA + entity.wikidata_id
    return node


def _appearances(claim: Claim) -> list[dict[str, Any]]:
    """Where the claim was published: its source, recorded appearances, confirmed copies. A
    source without an address (print, broadcast, a pasted text) is named, not dropped."""
    found: dict[str, dict[str, Any]] = {}

    def add(key: str, url: str | None, name: str | None, published: Any = None,
            source: SourceDocument | None = None) -> None:
        if key in found:
            return
        node: dict[str, Any] = {"@type": "CreativeWork"}
        if url:
            node["url"] = url
        if name:
            node["name"] = name
        if published:
            node["datePublished"] = published.isoformat()
        if source is not None and source.author:
            node["author"] = {"@type": "Person", "name": source.author}
        if source is not None and source.outlet:
            node["publisher"] = {"@type": "Organization", "name": source.outlet}
        found[key] = node

    for document in [claim.source] + [copy.source for copy in claim.duplicates]:
        if document is not None:
            add(document.url or f"source:{document.id}", document.url, document.title,
                document.published_date, document)
        if document is claim.source:
            for appearance in claim.appearances:
                add(appearance.url, appearance.url, appearance.title, appearance.published_date)
    return list(found.values())


def _first_published(claim: Claim) -> str:
    """When the review was first published: the first history row that gave a verdict. A
    later verdict (re-rated, or withdrawn and given again) is the same review at the same
    address, modified: its date goes in dateModified, as schema.org and Google ask."""
    final = {s.id for s in _statuses().values() if s.final}
    when = next((h.created_at for h in claim.history if h.to_status in final), claim.updated_at)
    return when.date().isoformat()


def claim_review(claim: Claim, review_url: str) -> dict[str, Any] | None:
    """The ClaimReview of a claim with a final verdict, or None for claims not yet judged."""
    status = _statuses().get(claim.status)
    if status is None or not status.final:
        return None
    config = current_app.config
    lang = (claim.source.language or "ar") if claim.source else "ar"
    rating: dict[str, Any] = {"@type": "Rating",
                              "alternateName": status.label_ar if lang == "ar" else status.label_en}
    if status.rating is not None:
        rating.update(ratingValue=status.rating, bestRating=BEST, worstRating=WORST)
    item: dict[str, Any] = {"@type": "Claim"}
    if claim.speaker is not None:
        item["author"] = _speaker(claim.speaker, lang)
    published = claim.claim_date or (claim.source.published_date if claim.source else None)
    if published:
        item["datePublished"] = published.isoformat()
    appearances = _appearances(claim)
    if appearances:
        item["appearance"] = appearances
        item["firstAppearance"] = _first_appearance(appearances, published)
    first = _first_published(claim)
    review: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "url": review_url,
        "claimReviewed": claim.text,
        "datePublished": first,
        "inLanguage": lang,
        "author": {"@type": "Organization", "name": config["ORGANISATION_NAME"],
                   "url": config["ORGANISATION_URL"]},
        "reviewRating": rating,
        "itemReviewed": item,
    }
    if claim.updated_at.date().isoformat() > first:  # re-rated or edited since
        review["dateModified"] = claim.updated_at.date().isoformat()
    return _without_controls(review)


def _without_controls(node: Any) -> Any:
    """``node`` with bidi overrides and zero-width characters taken out of every string, as
    our pages show it: readers of a review (search results) would let them reorder it."""
    if isinstance(node, str):
        return strip_controls(node)
    if isinstance(node, dict):
        return {key: _without_controls(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_without_controls(value) for value in node]
    return node


def _first_appearance(appearances: list[dict[str, Any]], source_date: Any) -> dict[str, Any]:
    """The source, unless an appearance is dated before it (dated by the claim if need be):
    the order they were recorded in is not always the order they appeared in. Named by its
    URL, or whole when it has none."""
    first = appearances[0]
    source_day = first.get("datePublished") or (
        source_date.isoformat() if source_date else None)
    earlier = [a for a in appearances[1:] if source_day and a.get("datePublished")
               and a["datePublished"] < source_day]
    if earlier:  # without a date to compare with, what was recorded first stays first
        first = min(earlier, key=lambda a: str(a["datePublished"]))
    return {"@type": "CreativeWork", "url": first["url"]} if "url" in first else first


def published_claims(session: Session, limit: int = 1000) -> Sequence[Claim]:
    """The newest ``limit`` claims with a final verdict, newest first."""
    # One newest-first walk of the (status, created_at) index per final status, each stopping
    # at ``limit``: "status IN (…) ORDER BY created_at" reads and top-N sorts the index entry
    # of every published claim on each request of this public feed (1.4 ms for 42,000 at
    # 100k claims, growing with the archive; the walks stay at 2.3 ms).
    walks = [select(Claim.id, Claim.created_at).where(Claim.status == status)
             .order_by(Claim.created_at.desc(), Claim.id.desc()).limit(limit).subquery()
             for status in final_status_ids()]
    if not walks:
        return []
    newest = union_all(*(select(walk.c.id, walk.c.created_at) for walk in walks)).subquery()
    ids = session.scalars(select(newest.c.id).order_by(newest.c.created_at.desc(),
                                                       newest.c.id.desc()).limit(limit)).all()
    if not ids:
        return []
    by_id = {claim.id: claim for claim in session.scalars(
        select(Claim).where(Claim.id.in_(ids))
        .options(selectinload(Claim.speaker), selectinload(Claim.source),
                 selectinload(Claim.history), selectinload(Claim.appearances),
                 selectinload(Claim.duplicates).selectinload(Claim.source)))}
    return [by_id[i] for i in ids if i in by_id]


def feed_generation(session: Session) -> tuple[int, int]:
    """Moves whenever a claim's status or text changes (newest history row, text counter)."""
    # Both are single index probes: cheap enough to ask on every anonymous feed request.
    row = session.execute(select(select(func.max(StatusChange.id)).scalar_subquery(),
                                 Counter.value_of(TEXTS_COUNTER))).one()
    return int(row[0] or 0), int(row[1] or 0)


def feed(session: Session, review_url: Callable[[Claim], str]) -> dict[str, Any]:
    """The newest published reviews (``published_claims``) as one JSON-LD @graph."""
    graph = []
    for claim in published_claims(session):
        review = claim_review(claim, review_url(claim))
        if review is not None:
            review.pop("@context")
            graph.append(review)
    return {"@context": CONTEXT, "@graph": graph}


def script_json(data: dict[str, Any]) -> str:
    """JSON for a <script type="application/ld+json"> block: nothing in it can close the tag."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
