"""Re-linking with text keys: one pass, only changed rows written, the same in helper processes."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from bench import corpus
from claims.db import begin_write, get_engine, session_scope
from claims.models import Claim, Mention
from claims.services import linker

_COLS = (Mention.claim_id, Mention.entity_id, Mention.alias_id, Mention.start, Mention.end,
         Mention.surface, Mention.method, Mention.confidence, Mention.is_demonym, Mention.review)


def _state(app: Flask) -> tuple[dict[int, str], dict[int, tuple[Any, ...]]]:
    """Text keys by claim, and mention rows (without ids) by mention id."""
    with session_scope(app) as session:
        keys = dict(session.execute(select(Claim.id, Claim.text_key)).all())
        rows = {row[0]: tuple(row[1:]) for row in session.execute(select(Mention.id, *_COLS))}
    return keys, rows


def _tamper(app: Flask, ids: list[int]) -> tuple[int, int]:
    """Stale keys and mentions on some claims, and two editor decisions; returns the decided."""
    with session_scope(app) as session:
        begin_write(session)
        session.execute(update(Claim).where(Claim.id.in_(ids[::7])).values(text_key="stale"))
        session.execute(Mention.__table__.delete().where(Mention.claim_id.in_(ids[::5])))
        session.execute(update(Mention).where(Mention.claim_id == ids[3])
                        .values(confidence=0.123))
        decided = list(session.scalars(select(Mention.id).where(
            Mention.claim_id.in_(ids[1:3])).order_by(Mention.id)).all())[:2]
        session.execute(update(Mention).where(Mention.id == decided[0]).values(review="rejected"))
        session.execute(update(Mention).where(Mention.id == decided[1])
                        .values(review="confirmed"))
        session.commit()
    return decided[0], decided[1]


@pytest.mark.parametrize("workers", [1, 2])
def test_relink_restores_keys_and_mentions_writing_only_changes(
        app: Flask, monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    monkeypatch.setattr(linker, "_PARALLEL_MIN", 0)  # helper processes even for a small run
    corpus.light_load(get_engine(app), 1200)
    with app.app_context():
        keys, rows = _state(app)
        ids = sorted(keys)
        rejected, confirmed = _tamper(app, ids)
        _, kept = _state(app)
        with session_scope(app) as session:
            begin_write(session)
            assert linker.relink_claims(session, ids, batch=100, workers=workers,
                                        keys=True) == len(ids)
            session.commit()
        after_keys, after = _state(app)
    assert after_keys == keys
    # every claim has its mentions again, with the editors' decisions kept
    expected = sorted(rows.values())
    decided = {rows[rejected][:5]: "rejected", rows[confirmed][:5]: "confirmed"}
    expected = sorted((*r[:9], decided.get(r[:5], r[9])) for r in expected)
    assert sorted(after.values()) == expected
    # untouched claims kept their rows (same ids): only changed claims were rewritten
    rewritten = set(ids[::5]) | {ids[3]}
    assert {i: r for i, r in kept.items() if r[0] not in rewritten} == \
        {i: r for i, r in after.items() if r[0] not in rewritten}


def test_relink_sparse_ids_and_rewrite(app: Flask) -> None:
    corpus.light_load(get_engine(app), 300)
    with app.app_context():
        keys, rows = _state(app)
        some = sorted(keys)[::3]
        with session_scope(app) as session:
            begin_write(session)
            assert linker.relink_claims(session, some, rewrite=True, keys=True) == len(some)
            session.commit()
        after_keys, after = _state(app)
    assert after_keys == keys
    assert sorted(after.values()) == sorted(rows.values())
    moved = {r[0] for i, r in after.items() if i not in rows}
    assert moved == {c for c in some if any(r[0] == c for r in rows.values())}
