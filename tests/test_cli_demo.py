"""The command line: users, the idempotent demo, re-linking."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from claims.db import session_scope
from claims.models import Claim, Entity, Evidence, Mention, SourceDocument, StatusChange, User


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context(), session_scope(app) as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
                for model in (Claim, Entity, Evidence, Mention, SourceDocument, StatusChange,
                              User)}


def test_user_create_from_stdin_and_errors(app: Flask, runner) -> None:
    result = runner.invoke(args=["user", "create", "sara", "--role", "editor",
                                 "--password-stdin"], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    with app.app_context(), session_scope(app) as session:
        user = session.scalar(select(User).where(User.username == "sara"))
        assert user.role == "editor" and user.password_hash.startswith("$argon2id$")
    changed = runner.invoke(args=["user", "password", "sara", "--password-stdin"],
                            input="another long password\n")
    assert changed.exit_code == 0, changed.output
    weak = runner.invoke(args=["user", "create", "sam", "--password-stdin"], input="short\n")
    assert weak.exit_code == 2 and "password" in weak.output


def test_demo_loads_the_article_and_is_idempotent(app: Flask, runner) -> None:
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "demo login: demo / " in first.output
    counts = _counts(app)
    assert counts["Claim"] >= 8 and counts["Evidence"] >= 5
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert _counts(app) == counts
    with app.app_context(), session_scope(app) as session:
        source = session.scalar(select(SourceDocument))
        assert "شاركها" not in source.text and "Exit mobile version" not in source.text
        claims = session.scalars(select(Claim)).all()
        for claim in claims:
            assert source.text[claim.span_start:claim.span_end] == claim.text
            assert claim.speaker is not None
        texts = " ".join(c.text for c in claims)
        for needle in ("38 من أصل 67", "10 أمتار", "نصف مليون", "33 عامًا", "أكثر من مليون"):
            assert needle in texts
        putin = session.scalar(select(Entity).where(Entity.name_en == "Vladimir Putin"))
        linked = set(session.scalars(
            select(Mention.claim_id).where(Mention.entity_id == putin.id)))
        said = {c.id for c in claims if c.speaker_id == putin.id}
        assert linked and len(said) >= 3
        # Demo claims carry their entities: Azerbaijan (or its demonym) and Tajikistan appear.
        names = {m.entity.name_en for c in claims for m in c.mentions}
        assert {"Azerbaijan", "Tajikistan", "Russia"} <= names


def test_relink_command(app: Flask, runner, seeded) -> None:
    result = runner.invoke(args=["relink"])
    assert result.exit_code == 0 and "re-linked 0 claims" in result.output


def test_cli_counts_read_as_english(app: Flask, runner, seeded) -> None:
    from claims.i18n import counted

    assert [counted(n, "claim") for n in (0, 1, 2)] == ["0 claims", "1 claim", "2 claims"]
    assert counted(1, "new entity", "new entities") == "1 new entity"
    assert counted(5, "new entity", "new entities") == "5 new entities"
    with app.app_context(), session_scope(app) as session:
        session.add(Claim(text="قال بوتين إن 38 شخصاً قتلوا.", text_key="", status="unstarted",
                          source_id=seeded["source"]))
        session.commit()
    result = runner.invoke(args=["relink"])
    assert result.exit_code == 0 and "re-linked 1 claim\n" in result.output
