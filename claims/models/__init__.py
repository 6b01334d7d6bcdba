"""Typed SQLAlchemy models, grouped by feature."""

from claims.models.analysis import ClaimBand, ClaimLink, Quantity
from claims.models.claims import Claim, ClaimTag, Evidence, SourceDocument, StatusChange, Tag
from claims.models.entities import Alias, Counter, Entity, Mention
from claims.models.interchange import ApiToken, ExternalReview
from claims.models.users import User

__all__ = [
    "ApiToken",
    "ClaimBand",
    "ClaimLink",
    "ExternalReview",
    "Quantity",
    "Alias",
    "Claim",
    "ClaimTag",
    "Counter",
    "Entity",
    "Evidence",
    "Mention",
    "SourceDocument",
    "StatusChange",
    "Tag",
    "User",
]
