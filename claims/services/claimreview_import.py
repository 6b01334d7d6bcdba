"""ClaimReview in: reviews (read by ``claimreview_read``) become claims."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.config import CONFIG_DIR, Status
from claims.db import hold_names
from claims.errors import FieldError, ValidationFailed, problems_of
from claims.models import (
    Alias,
    Claim,
    ClaimAppearance,
    Entity,
    ExternalReview,
    SourceDocument,
    User,
)
from claims.services import claims as claim_service
from claims.services.claimreview_read import node_types
from claims.services.csv_io import own_claims, stamp_import_keys
from claims.services.entities import create_entity
from claims.services.inputs import is_http_url
from claims.text.arabic import normalize
from claims.text.linking import alias_key, name_problem

LABELS_FILE = CONFIG_DIR / "claimreview-labels.toml"
_PUNCT_RE = re.compile(r"[^\w\s]+")
_WIKIDATA_RE = re.compile(r"wikidata\.org/(?:wiki|entity)/(Q\d+)", re.IGNORECASE)


def clean(value: Any) -> str:
    """Text as imported: NFKC-normalised (composes combining hamza), trimmed."""
    return unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""


def label_key(label: str) -> str:
    """The lookup form of a verdict label."""
    return " ".join(_PUNCT_RE.sub(" ", normalize(clean(label))).split())


@lru_cache(maxsize=4)
def _label_file(path: str) -> tuple[dict[str, str], str]:
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    labels = {label_key(k): v for k, v in raw.get("labels", {}).items()}
    return labels, str(raw.get("defaults", {}).get("unknown", "unstarted"))


def label_map() -> tuple[dict[str, str], str]:
    """Normalised publisher label → status id (our own labels included), and the fallback."""
    statuses: dict[str, Status] = current_app.config["STATUSES"]
    labels, unknown = _label_file(str(LABELS_FILE))
    merged = {label_key(s.label_ar): s.id for s in statuses.values()}
    merged.update({label_key(s.label_en): s.id for s in statuses.values()})
    merged.update({k: v for k, v in labels.items() if v in statuses})
    return merged, unknown if unknown in statuses else next(iter(statuses))


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def map_rating(rating: dict[str, Any]) -> tuple[str, bool]:
    """Our status for a reviewRating, and whether the label (or number) was recognised."""
    labels, unknown = label_map()
    for name in ("alternateName", "name"):
        key = label_key(str(rating.get(name) or ""))
        if key and key in labels:
            return labels[key], True
    value, best, worst = (_number(rating.get(k)) for k in ("ratingValue", "bestRating",
                                                          "worstRating"))
    if value is not None:
        best = best if best is not None else 5.0
        worst = worst if worst is not None else 1.0
        if best != worst:
            scaled = round(1 + 4 * (value - worst) / (best - worst))
            by_rating = {s.rating: s.id for s in reversed(current_app.config["STATUSES"].values())
                         if s.final and s.rating is not None}
            if scaled in by_rating:
                return by_rating[scaled], True
    return unknown, False


# --- importing ---------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did: new claims, reviews already present, problems, unknown labels."""

    created: list[int] = field(default_factory=list)
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # errors.problem, with "item"
    unmapped: list[str] = field(default_factory=list)


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _url(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("url") or value.get("@id")
    url = clean(_first(value)) if value else ""
    return url[:2000] if is_http_url(url) else None


def _date(value: Any) -> dt.date | None:
    text = clean(_first(value))[:10]
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _speaker(session: Session, user: User, author: Any) -> Entity | None:
    """The entity for a claim's author: by Wikidata id, by an exact alias, or a new one."""
    author = _first(author)
    if isinstance(author, str):  # some publishers give the claimant as a bare name
        author = {"@type": "Thing", "name": author}
    if not isinstance(author, dict):
        return None
    name = clean(author.get("name"))[:256]
    if not name or name_problem(name):  # "—", "ـ": no name to link a speaker by
        return None
    same_as = " ".join(str(s) for s in (author.get("sameAs") or [])) \
        if isinstance(author.get("sameAs"), list) else str(author.get("sameAs") or "")
    qid = _WIKIDATA_RE.search(same_as)
    if qid:
        found = session.scalar(select(Entity).where(Entity.wikidata_id == qid.group(1).upper()))
        if found is not None:
            return found
    ids = set(session.scalars(select(Alias.entity_id).where(Alias.key == alias_key(name))))
    if len(ids) == 1:
        return session.get(Entity, ids.pop())
    other = clean(author.get("alternateName"))[:256]
    types = node_types(author)
    kind = "person" if "Person" in types else "other" if "Thing" in types else "organisation"
    return create_entity(session, {"kind": kind, "name_ar": name,
                                   "name_en": other if other and not name_problem(other)
                                   and alias_key(other) != alias_key(name) else None,
                                   "wikidata_id": qid.group(1).upper() if qid else None,
                                   # if several entities have the name the import cannot
                                   # choose, so the claimant gets its own (as it always did)
                                   "distinct": True},
                         user)


class Appeared(NamedTuple):
    """One place a claim appeared: an address, or the name of a work that has none."""

    url: str | None
    title: str | None
    published: dt.date | None
    author: str | None
    outlet: str | None


def _name(value: Any) -> str | None:
    value = _first(value)
    value = value.get("name") if isinstance(value, dict) else value
    return clean(value)[:200] or None if isinstance(value, str) else None


def _appearances(item: dict[str, Any]) -> list[Appeared]:
    """Every distinct place the claim appeared at, the first appearance first: each URL, and
    each work named without one (print, broadcast)."""
    nodes = [_first(item.get("firstAppearance"))]
    listed = item.get("appearance")
    nodes += listed if isinstance(listed, list) else [listed]
    found: dict[Any, Appeared] = {}
    for node in nodes:
        url = _url(node)
        fields = node if isinstance(node, dict) else {}
        title = clean(fields.get("name") or fields.get("headline"))[:500] or None
        if not url and (not title or fields.get("url") or fields.get("@id")):
            continue  # nothing to point at, or an address we do not follow (javascript:)
        seen = Appeared(url, title, _date(fields.get("datePublished")),
                        _name(fields.get("author")), _name(fields.get("publisher")))
        key = url or (title, seen.published)
        # firstAppearance often repeats a listed appearance by its URL alone (ours does):
        # what either node says of it is kept.
        had = found.get(key, seen)
        found[key] = Appeared(url, had.title or title, had.published or seen.published,
                              had.author or seen.author, had.outlet or seen.outlet)
    return list(found.values())


def _unaddressed_source(session: Session, user: User, seen: Appeared, lang: str) -> int:
    """A source for a claim that appeared in a work with no address (its own: nothing tells
    two such works of one name apart)."""
    assert seen.title is not None
    source = SourceDocument(title=seen.title, url=None, text="", author=seen.author,
                            outlet=seen.outlet, published_date=seen.published,
                            language=lang or "ar", created_by_id=user.id)
    session.add(source)
    session.flush()
    return source.id


# The address of one of our own published reviews (see ``web.interchange.review_url``).
_OWN_REVIEW = re.compile(r"/reviews/(\d{1,11})/?$")


def _ours(session: Session, review_url: str | None, text: str) -> bool:
    """Whether a review is one this tracker published (its feed read back in): its address
    has our shape and names a claim of ours with this text."""
    found = _OWN_REVIEW.search(review_url or "")
    if found is None:
        return False
    return bool(own_claims(session, {int(found.group(1)): (text, None)}))


def import_key(review_url: str | None, text: str, source_url: str | None) -> str:
    """The stable identity of an imported review's claim."""
    basis = review_url or f"{normalize(text)}\x1f{source_url or ''}"
    return "cr:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()


def import_review(session: Session, user: User, review: dict[str, Any],
                  report: ImportReport) -> None:
    """Import one ClaimReview; one already imported changes nothing."""
    text = clean(review.get("claimReviewed"))
    review_url = _url(review.get("url") or review.get("@id"))
    item = _first(review.get("itemReviewed"))
    item = item if isinstance(item, dict) else {}
    seen = _appearances(item)
    first = seen[0] if seen else Appeared(None, None, None, None, None)
    appearance = first.url
    key = import_key(review_url, text, appearance)
    if (review_url and session.scalar(select(ExternalReview.id).where(
            ExternalReview.review_url == review_url))) or session.scalar(
            select(Claim.id).where(Claim.import_key == key)) or _ours(session, review_url, text):
        report.unchanged += 1
        return
    rating = _first(review.get("reviewRating"))
    rating = rating if isinstance(rating, dict) else {}
    status, known = map_rating(rating)
    raw_label = str(rating.get("alternateName") or rating.get("name") or "")[:200] or None
    if not known:
        report.unmapped.append(raw_label or "—")
    publisher = _first(review.get("author")) or _first(review.get("publisher")) or {}
    publisher = publisher if isinstance(publisher, dict) else {"name": publisher}
    speaker = _speaker(session, user, item.get("author"))
    lang = clean(review.get("inLanguage"))[:8]
    source_url = appearance or review_url
    # The source is where the claim appeared: the fact-checker's name titles only its own page.
    source_title = item.get("name") or first.title or (
        None if appearance else publisher.get("name")) or source_url
    # When the claim was made; the review's own date is when the fact-check appeared, so an
    # undated claim stays undated rather than taking it.
    claim_date = _date(item.get("datePublished"))
    data: dict[str, Any] = {
        "text": text, "status": status,
        "claim_date": claim_date.isoformat() if claim_date else None,
        "speaker": f"#{speaker.id}" if speaker else None,
        "source_url": source_url, "source_title": clean(source_title)[:500],
        "note": f"ClaimReview · {clean(publisher.get('name'))} · {raw_label or ''}"[:4000]}
    if first.title and not appearance:  # named, without an address: not the review's page
        data["source_id"] = _unaddressed_source(session, user, first, lang)
    claim = claim_service.create_claim(session, user, data)
    stamp_import_keys(session, [{"cid": claim.id, "key": key}])
    source = claim.source
    if lang and not source.text and source.language != lang:
        source.language = lang
    if appearance and source.url == appearance:  # filled in, never overwritten
        source.published_date = source.published_date or first.published
        source.author, source.outlet = source.author or first.author, source.outlet or first.outlet
    for url, title, published, _, _ in seen[1:]:
        if url and url != source.url:  # an appearance is an address; one without is dropped
            claim.appearances.append(ClaimAppearance(url=url, title=title,
                                                     published_date=published))
    session.add(ExternalReview(
        claim_id=claim.id, review_url=review_url, publisher_name=clean(publisher.get("name"))[:200]
        or None, publisher_url=_url(publisher.get("url")), rating_label=raw_label,
        rating_value=_number(rating.get("ratingValue")),
        date_published=_date(review.get("datePublished")),
        raw=json.dumps(review, ensure_ascii=False)))
    session.flush()
    report.created.append(claim.id)


# The claim form's fields as the ClaimReview properties they were read from.
_PROPERTIES = {"text": "claimReviewed", "source_id": "itemReviewed.appearance",
               "source_url": "itemReviewed.appearance", "source_title": "itemReviewed.name",
               "claim_date": "itemReviewed.datePublished", "speaker": "itemReviewed.author"}


def _as_review_problem(error: FieldError) -> FieldError:
    """A claim field's error named by the review property it came from; a review with no
    address for its claim says so (not the form's "choose a source")."""
    code = "no_appearance" if error.code == "missing_source" else error.code
    return FieldError(_PROPERTIES.get(error.field, error.field), code, error.params)


def import_reviews(session: Session, user: User, reviews: list[dict[str, Any]],
                   progress: Callable[[int], None] | None = None) -> ImportReport:
    """Import reviews in order; a review that fails validation is reported, not written."""
    # Another import waits until this one commits, then finds these reviews imported (two
    # imports of one file would otherwise meet on the unique review address, on PostgreSQL).
    hold_names(session, "claimreview-import", ["all"])
    report = ImportReport()
    for number, review in enumerate(reviews, 1):
        try:
            with session.begin_nested():
                import_review(session, user, review, report)
        except ValidationFailed as exc:
            report.errors.extend(problems_of(map(_as_review_problem, exc.errors), item=number))
        if progress:
            progress(1)
    return report
