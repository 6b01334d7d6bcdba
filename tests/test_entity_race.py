"""Two people creating the same new entity at once make one entity, on either engine."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from claims.db import begin_write, make_engine, session_scope
from claims.errors import ValidationFailed
from claims.models import Entity
from claims.services.entities import create_entity

NEW = {"kind": "person", "name_ar": "سيرغي شويغو", "name_en": "Sergei Shoigu"}


def test_a_second_creator_waits_for_the_first_and_is_told_it_exists(
        app: Flask, database_url: str, seeded: dict[str, int]) -> None:
    """The first creator holds its transaction open; the second may not make a twin meanwhile
    (PostgreSQL reads committed rows only, so a check alone would let it through)."""
    engine = make_engine(database_url, pool_size=2, max_overflow=0)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    outcome: list[str] = []

    def second() -> None:
        with app.app_context(), factory() as session:
            try:
                begin_write(session)
                create_entity(session, dict(NEW))
                session.commit()
                outcome.append("created")
            except ValidationFailed as exc:
                outcome.append(exc.errors[0].code)

    with app.app_context():
        first = factory()
        begin_write(first)
        create_entity(first, dict(NEW))
        racer = threading.Thread(target=second)
        racer.start()
        racer.join(1.5)  # time enough to slip a twin in if nothing holds it back
        first.commit()
        first.close()
        racer.join(30)
    engine.dispose()
    assert outcome == ["exists"]
    with app.app_context(), session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Entity)
                              .where(Entity.name_ar == NEW["name_ar"])) == 1
