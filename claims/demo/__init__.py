"""The demo: the seed article, its claims, and a demo editor account."""

from __future__ import annotations

import hashlib
import secrets
import tomllib
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.i18n import counted
from claims.models import Alias, Claim, Entity, SourceDocument, User
from claims.services import claims as claim_service
from claims.services.entities import load_gazetteer, record_created
from claims.services.evidence import add_evidence
from claims.services.linker import aliases_changed
from claims.services.users import create_user
from claims.text.arabic import normalize
from claims.text.linking import alias_key

HERE = Path(__file__).resolve().parent
DEMO_USER = "demo"


def article_text() -> str:
    """The demo article exactly as stored (boilerplate already removed)."""
    return (HERE / "article-ar.txt").read_text(encoding="utf-8").rstrip()


def text_hash(text: str) -> str:
    """Identity of an article's text for de-duplication: hash of its normalised form."""
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


def _ensure_entities(session: Session, items: list[dict[str, Any]]) -> None:
    for item in items:
        if session.scalar(select(Entity.id).where(Entity.key == item["key"])):
            continue
        entity = Entity(key=item["key"], kind=item["kind"], name_ar=item["name_ar"],
                        name_en=item.get("name_en"))
        session.add(entity)
        names = [(item["name_ar"], "ar")]
        if item.get("name_en"):
            names.append((item["name_en"], "en"))
        names += [(a, "en" if a.isascii() else "ar") for a in item.get("aliases", [])]
        for text, lang in names:
            entity.aliases.append(Alias(text=text, key=alias_key(text), kind="name", lang=lang))
        session.flush()
        record_created(session, None, entity, source="demo")
        aliases_changed(session)


def _ensure_user(session: Session, report: list[str]) -> User:
    user = session.scalar(select(User).where(User.username == DEMO_USER))
    if user is not None:
        report.append(f"demo login: {DEMO_USER} (password was printed when it was created; "
                      f"reset it with: claims user password {DEMO_USER})")
        return user
    password = secrets.token_urlsafe(12)
    user = create_user(session, {"username": DEMO_USER, "password": password, "role": "editor",
                                 "display_name": "Demo editor"})
    report.append(f"demo login: {DEMO_USER} / {password}   (editor; shown only this once)")
    return user


def load_demo(session: Session) -> list[str]:
    """Load everything the demo needs; a second run finds it all in place and adds nothing."""
    report: list[str] = []
    created_entities = load_gazetteer(session)
    spec = tomllib.loads((HERE / "claims.toml").read_text(encoding="utf-8"))
    _ensure_entities(session, spec.get("entity", []))
    user = _ensure_user(session, report)
    text = article_text()
    digest = text_hash(text)
    source = session.scalar(select(SourceDocument).where(SourceDocument.text_hash == digest))
    if source is None:
        meta = spec["source"]
        source = SourceDocument(
            title=meta["title"], outlet=meta.get("outlet"), dateline=meta.get("dateline"),
            published_date=_date(meta.get("published_date")), language=meta.get("language", "ar"),
            text=text, text_hash=digest, created_by_id=user.id,
        )
        session.add(source)
        session.flush()
    added = 0
    for item in spec["claim"]:
        start = text.find(item["quote"])
        if start < 0:
            raise ValueError(f"demo quote not in the article: {item['quote'][:40]}")
        end = start + len(item["quote"])
        exists = session.scalar(select(Claim.id).where(
            Claim.source_id == source.id, Claim.span_start == start, Claim.span_end == end))
        if exists:
            continue
        speaker = session.scalar(select(Entity).where(Entity.key == item["speaker"]))
        claim = claim_service.create_claim(session, user, {
            "text": item["quote"], "restatement": item.get("restatement"),
            "source_id": source.id, "span_start": start, "span_end": end,
            "speaker": f"#{speaker.id}" if speaker else "",
            "claim_type": item.get("claim_type", "other"),
            "claim_date": item.get("claim_date"), "tags": item.get("tags", []),
            "status": "unstarted",
        })
        for evidence in item.get("evidence", []):
            add_evidence(session, claim, user, evidence)
        if item.get("status", "unstarted") != "unstarted":
            claim_service.change_status(session, claim, user, {
                "status": item["status"], "note": item.get("note", ""),
                "version": claim.version})
        added += 1
    report.append(f"gazetteer: {counted(created_entities, 'new entity', 'new entities')}; "
                  f"demo article #{source.id}: {counted(added, 'new claim')}")
    return report


def _date(value: str | None) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(value) if value else None
