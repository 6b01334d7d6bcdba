"""Two requests making the same new thing at once (an entity, an alias, a tag, an article, a
source by its address, a CSV or ClaimReview file's rows) make one, on either engine: the
second waits for the first, then sees it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from claims.db import begin_write, make_engine, session_scope
from claims.errors import ValidationFailed
from claims.models import Alias, Claim, Entity, ExternalReview, SourceDocument, Tag, User
from claims.services import csv_io
from claims.services.claimreview_import import import_reviews
from claims.services.claims import create_claim
from claims.services.entities import add_alias, create_entity, get_entity
from claims.services.ingest import ingest_article

ARTICLE = ("موسكو (أ ف ب) – قال الرئيس الروسي فلاديمير بوتين إن صاروخين انفجرا على بعد عشرة "
           "أمتار من الطائرة. وأضاف أن التحقيق مستمر.")
URL = "https://example.org/news/azal-8243"


def _editor(session: Session) -> User:
    user = session.scalar(select(User).where(User.username == "editor"))
    assert user is not None
    return user


def _entity(session: Session, seeded: dict[str, int]) -> object:
    return create_entity(session, {"kind": "person", "name_ar": "سيرغي شويغو",
                                   "name_en": "Sergei Shoigu"})


def _tagged_claim(session: Session, seeded: dict[str, int]) -> object:
    return create_claim(session, _editor(session), {
        "text": "قال بوتين إن 38 شخصاً قتلوا", "source_id": seeded["source"],
        "status": "unstarted", "tags": "تحطم طائرة"})


def _claim_from_new_source(session: Session, seeded: dict[str, int]) -> object:
    return create_claim(session, _editor(session), {
        "text": "انفجر صاروخان قرب الطائرة", "source_url": URL, "status": "unstarted"})


def _alias(session: Session, seeded: dict[str, int]) -> object:
    return add_alias(session, get_entity(session, seeded["putin"]),
                     {"text": "فلاديمير فلاديميروفيتش بوتين", "kind": "name"})


def _csv_import(session: Session, seeded: dict[str, int]) -> object:
    parsed = csv_io.parse(f"text,source_url,status\nقال بوتين إن 38 شخصاً قتلوا,{URL},false\n"
                          .encode(), "claims.csv")
    csv_io.begin_import(session, parsed)
    return csv_io.import_parsed(session, _editor(session), parsed)


def _claimreview_import(session: Session, seeded: dict[str, int]) -> object:
    review = {"@type": "ClaimReview", "url": "https://factcheck.example.org/r/1",
              "claimReviewed": "قال بوتين إن 38 شخصاً قتلوا", "datePublished": "2024-12-27",
              "reviewRating": {"@type": "Rating", "alternateName": "خطأ"},
              "author": {"@type": "Organization", "name": "مدقق"}}
    return import_reviews(session, _editor(session), [review])


def _article(session: Session, seeded: dict[str, int]) -> object:
    return ingest_article(session, _editor(session), {"text": ARTICLE})


def _race(app: Flask, database_url: str, seeded: dict[str, int],
          make: Callable[[Session, dict[str, int]], object]) -> str:
    """Run ``make`` in a transaction held open while another runs it; the other's outcome."""
    engine = make_engine(database_url, pool_size=2, max_overflow=0)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    outcome: list[str] = []

    def second() -> None:
        with app.app_context(), factory() as session:
            try:
                begin_write(session)
                make(session, seeded)
                session.commit()
                outcome.append("done")
            except ValidationFailed as exc:
                outcome.append(exc.errors[0].code)
            except Exception as exc:  # an IntegrityError here is the bug this file is about
                outcome.append(type(exc).__name__)

    with app.app_context():
        first = factory()
        begin_write(first)
        make(first, seeded)
        racer = threading.Thread(target=second)
        racer.start()
        racer.join(1.5)  # time enough to slip a twin in if nothing holds it back
        first.commit()
        first.close()
        racer.join(30)
    engine.dispose()
    return outcome[0] if outcome else "hung"


def _count(app: Flask, model: Any, *where: Any) -> int:
    with app.app_context(), session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.mark.parametrize(("make", "second", "model", "where"), [
    (_entity, "exists", Entity, lambda: Entity.name_ar == "سيرغي شويغو"),
    (_tagged_claim, "done", Tag, lambda: Tag.name == "تحطم طائرة"),
    (_claim_from_new_source, "done", SourceDocument, lambda: SourceDocument.url == URL),
    (_alias, "alias_exists", Alias, lambda: Alias.text == "فلاديمير فلاديميروفيتش بوتين"),
    (_csv_import, "done", Claim, lambda: Claim.import_key.is_not(None)),
    (_claimreview_import, "done", ExternalReview, lambda: ExternalReview.id.is_not(None)),
    (_article, "done", SourceDocument, lambda: SourceDocument.text.contains("عشرة أمتار")),
], ids=["entity", "tag", "source_by_url", "alias", "csv_import", "claimreview_import", "article"])
def test_the_second_waits_for_the_first_and_makes_no_twin(
        app: Flask, database_url: str, seeded: dict[str, int], make: Any, second: str,
        model: Any, where: Callable[[], Any]) -> None:
    """The first holds its transaction open; PostgreSQL reads committed rows only, so a check
    alone would let the second make a twin (or fail on a unique key)."""
    assert _race(app, database_url, seeded, make) == second
    assert _count(app, model, where()) == 1
