"""API operations on what the engine found in a claim: entity links and related claims."""

from __future__ import annotations

from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from claims.api import io
from claims.api.registry import id_param, operation
from claims.api.schemas import link_json, mention_json
from claims.db import begin_write, get_session
from claims.models import Mention
from claims.services import claims as service
from claims.services import workbench_links as links


@operation("GET", "/claims/{claim_id}/mentions", summary="Entities found in a claim's text",
           tag="matching", level="viewer", params=(id_param("claim_id"),),
           response="MentionList")
def list_mentions(claim_id: int) -> ResponseReturnValue:
    """Each entity link in text order, with its review (auto, confirmed or rejected)."""
    session = get_session()
    claim = service.get_claim(session, claim_id)
    mentions = session.scalars(select(Mention).where(Mention.claim_id == claim.id)
                               .options(selectinload(Mention.entity))
                               .order_by(Mention.start, Mention.id)).all()
    return io.reply({"items": [mention_json(m) for m in mentions]})


@operation("POST", "/claims/{claim_id}/mentions/{mention_id}",
           summary="Confirm or reject an entity link", tag="matching", level="editor",
           params=(id_param("claim_id"), id_param("mention_id")), body="MentionReview",
           response="Mention")
def review_mention(claim_id: int, mention_id: int) -> ResponseReturnValue:
    """Set an entity link's review (kept in the claim's edit history)."""
    session = get_session()
    data = io.body("MentionReview")
    begin_write(session)
    mention = service.set_mention_review(session, service.get_claim(session, claim_id),
                                         io.user(), mention_id, str(data["review"]))
    return io.commit_reply(session, mention_json(mention))


@operation("GET", "/claims/{claim_id}/links",
           summary="Editors' decisions about this claim and others", tag="matching",
           level="viewer", params=(id_param("claim_id"),), response="LinkList")
def list_links(claim_id: int) -> ResponseReturnValue:
    """Same-claim, conflict and dismissed decisions in either direction, oldest first."""
    session = get_session()
    claim = service.get_claim(session, claim_id)
    return io.reply({"duplicate_of_id": claim.duplicate_of_id,
                     "items": [link_json(link) for link in links.links_of(session, claim)]})


@operation("POST", "/claims/{claim_id}/links",
           summary="Decide: the same claim (shares one verdict), a conflict, or not related",
           tag="matching", level="editor", params=(id_param("claim_id"),),
           body="LinkDecision", response="Link")
def decide(claim_id: int) -> ResponseReturnValue:
    """Record a decision about this claim and another (kept in both claims' histories)."""
    session = get_session()
    data = io.body("LinkDecision")
    begin_write(session)
    link = links.decide(session, io.user(), service.get_claim(session, claim_id), data)
    return io.commit_reply(session, link_json(link))
