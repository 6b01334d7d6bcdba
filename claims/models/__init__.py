"""Typed SQLAlchemy models, grouped by feature."""

from claims.models.analysis import ClaimBand, ClaimLink, Quantity
from claims.models.audit import AuditEvent
from claims.models.claims import (
    Claim,
    ClaimAppearance,
    ClaimRevision,
    ClaimTag,
    Evidence,
    SourceDocument,
    StatusChange,
    Tag,
)
from claims.models.entities import Alias, Counter, Entity, Mention
from claims.models.interchange import ApiToken, ExternalReview, IdempotencyKey
from claims.models.users import LoginFailure, User, UserSession

__all__ = [
    "Alias",
    "ApiToken",
    "AuditEvent",
    "Claim",
    "ClaimAppearance",
    "ClaimBand",
    "ClaimLink",
    "ClaimRevision",
    "ClaimTag",
    "Counter",
    "Entity",
    "Evidence",
    "ExternalReview",
    "IdempotencyKey",
    "LoginFailure",
    "Mention",
    "Quantity",
    "SourceDocument",
    "StatusChange",
    "Tag",
    "User",
    "UserSession",
]
