"""Typed SQLAlchemy models, grouped by feature."""

from claims.models.claims import Claim, ClaimTag, Evidence, SourceDocument, StatusChange, Tag
from claims.models.entities import Alias, Counter, Entity, Mention
from claims.models.users import User

__all__ = [
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
