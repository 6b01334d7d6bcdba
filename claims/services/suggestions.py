"""Names in a claim that the gazetteer does not know yet, offered as new entities."""

from __future__ import annotations

from dataclasses import dataclass

from claims.models import Claim

# Suggestion kinds map onto entity kinds; "other" stays "other".
KINDS = {"person": "person", "place": "place", "organisation": "organisation"}


@dataclass(frozen=True)
class Suggestion:
    """A span the NER model thinks is a name, not yet linked to any entity."""

    start: int
    end: int
    surface: str
    kind: str
    score: float


def suggestions_for(claim: Claim, min_score: float = 0.5) -> list[Suggestion]:
    """Unlinked names in the claim's text, from the NER backend (CRF or camel-tools BERT)."""
    try:
        from claims.text.ner import suggest_entities
    except ImportError:  # the NER backend is optional; without it there are no suggestions
        return []

    taken = [(m.start, m.end) for m in claim.mentions if m.review != "rejected"]
    found: list[Suggestion] = []
    for s in suggest_entities(claim.text):
        if s.score < min_score or len(s.surface.strip()) < 3:
            continue
        if any(s.start < end and start < s.end for start, end in taken):
            continue  # already linked (perhaps under a longer or shorter span)
        found.append(Suggestion(s.start, s.end, s.surface, KINDS.get(s.kind, "other"),
                                round(s.score, 2)))
    return found
