"""The article workbench: sentences of a stored document, ranked and annotated on demand."""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.errors import NotFound, ValidationFailed
from claims.lru import PerEngine
from claims.models import Claim, Entity, SourceDocument, User
from claims.services import claims as claim_service
from claims.services import linker
from claims.services import workbench_links as links
from claims.services.analysis import Similar, link_claims, similar_claims
from claims.services.inputs import Inputs
from claims.text.checkworthy import rank_sentences
from claims.text.extract import AGENCY_CODES, parse_dateline
from claims.text.quantities import Quantity, extract_quantities
from claims.text.sentences import Sentence, split_sentences
from claims.text.speakers import SpeakerGuess, detect_speaker

# "قال بوتين يوم الخميس إن ..." / "وأضاف: “...”": the statement starts after إن/أن or a colon.
_COMPLEMENT = re.compile(r"(?:^|\s)(?:إن|أن|بأن|ان|بان)\s+|:\s*")
_COMPLEMENT_WINDOW = 40
# "وقال د. محمد الصبان، المستشار السابق في وزارة البترول، لرويترز: «...»": a colon before a
# quotation opens the statement even after a long apposition.
_QUOTE_AFTER_COLON = re.compile(r':\s*(?=[«“"])')
_QUOTE_WINDOW = 100
_OPEN_CLOSE = {"“": "”", "«": "»", '"': '"'}
# Sentences analysed (speaker, statement, numbers, similar claims) and shown per page of the
# ranking.  Matching one sentence against the archive costs 10-30 ms, the rest of its
# analysis under 1 ms, so a page stays within a few seconds however long the document (a
# 190,000-character report has ~1,500 sentences: 40 s on a 20,000-claim archive when all were
# matched on every view).  A news article of 10,000 characters has about 70 sentences (the
# demo report: 27 in 3,848 characters), so real articles are still analysed and shown whole.
PAGE_SIZE = 100


@dataclass
class SentenceView:
    """One sentence of the article with everything the workbench shows about it."""

    index: int
    sentence: Sentence
    rank: int = 0
    score: float = 0.0
    reasons: tuple[str, ...] = ()
    top: bool = False
    claim_start: int = 0
    claim_end: int = 0
    speaker_name: str | None = None
    speaker: Entity | None = None
    speaker_confidence: float = 0.0
    entities: list[tuple[Entity, str]] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    similar: list[Similar] = field(default_factory=list)

    @property
    def start(self) -> int:
        """Offset of the sentence in the document text."""
        return self.sentence.start

    @property
    def end(self) -> int:
        """End offset of the sentence in the document text."""
        return self.sentence.end

    @property
    def speaker_value(self) -> str:
        """What the claim form's speaker field should hold: the entity's name, else the guess."""
        if self.speaker is not None:
            return self.speaker.name_ar
        return self.speaker_name or ""


@dataclass
class Workbench:
    """A document's sentences in text order and ranked by check-worthiness; one page of the
    ranking (``first`` to ``last``, 0-based, end excluded) is analysed and shown."""

    source: SourceDocument
    sentences: list[SentenceView]
    ranked: list[SentenceView]
    top_count: int
    claims: list[Claim]
    page: int = 1
    pages: int = 1
    first: int = 0
    last: int = 0

    @property
    def shown_top(self) -> list[SentenceView]:
        """This page's sentences that are in the top third of the ranking."""
        return self.ranked[self.first:min(self.last, self.top_count)]

    @property
    def shown_rest(self) -> list[SentenceView]:
        """This page's sentences below the top third."""
        return self.ranked[max(self.first, self.top_count):self.last]

    @property
    def agency_code(self) -> str | None:
        """The agency's standard code (AFP, Reuters...) when the dateline names a known one."""
        if not self.source.agency:
            return None
        key = re.sub(r"[\s.\-_]+", "", self.source.agency).replace("أ", "ا")
        return AGENCY_CODES.get(key.lower()) or None


def get_source(session: Session, source_id: int) -> SourceDocument:
    """The source document with this id, or NotFound."""
    source = session.get(SourceDocument, source_id)
    if source is None:
        raise NotFound(f"source {source_id} not found")
    return source


def statement_span(text: str, guess: SpeakerGuess | None, at_start: bool) -> tuple[int, int]:
    """The claim inside a sentence: after "قال X إن" or a dateline, without the final stop."""
    start, end = 0, len(text)
    if at_start:
        start = parse_dateline(text)[2]
    quote_end = _leading_quote_end(text, start)
    if guess is not None and quote_end and guess.start >= quote_end:
        return start + 1, quote_end - 1  # «...»، قال الوزير: the quotation is the statement
    if guess is not None:
        anchor = guess.end if text[guess.start:guess.end] == guess.name else 0
        if anchor == 0:  # inherited speaker ("وأضاف: ..."): look after the reporting verb
            cue = text.find(guess.cue)
            anchor = cue + len(guess.cue) if cue >= 0 else 0
        found = (_COMPLEMENT.search(text, anchor, min(len(text), anchor + _COMPLEMENT_WINDOW))
                 or _QUOTE_AFTER_COLON.search(text, anchor,
                                              min(len(text), anchor + _QUOTE_WINDOW)))
        if found and found.end() < end:
            start = max(start, found.end())
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".؛"):
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    closer = _OPEN_CLOSE.get(text[start]) if start < end else None
    if closer and text[end - 1] == closer and text.count(closer, start + 1, end - 1) == 0:
        start, end = start + 1, end - 1
    return (start, end) if end > start else (0, len(text))


def _leading_quote_end(text: str, start: int) -> int:
    """The end (after its closing mark) of a quotation opening ``text`` at ``start``, else 0."""
    closer = _OPEN_CLOSE.get(text[start]) if start < len(text) else None
    end = text.find(closer, start + 1) if closer else -1
    return end + 1 if end > start + 1 else 0


def _resolve_speaker(session: Session, name: str) -> Entity | None:
    """The one entity whose alias is the whole speaker name (not a demonym inside it), else None."""
    name = name.strip()
    matches = [m for m in linker.alias_index(session).find(name)
               if not m.is_demonym and not m.needs_review and m.start == 0 and m.end >= len(name)]
    ids = {m.entity_id for m in matches}
    return session.get(Entity, ids.pop()) if len(ids) == 1 else None


def _overlaps(claim: Claim, start: int, end: int) -> bool:
    return (claim.span_start is not None and claim.span_end is not None
            and claim.span_start < end and start < claim.span_end)


def _rank(views: list[SentenceView], found: dict[int, list[tuple[int, str]]]
          ) -> tuple[list[SentenceView], int]:
    """The views most check-worthy first, with their rank, score and reasons, and how many
    make the top third."""
    counts = {i: len({eid for eid, _ in pairs}) for i, pairs in found.items()}
    ranked_pairs = rank_sentences([v.sentence for v in views], counts)
    by_start = {v.sentence.start: v for v in views}
    top_count = math.ceil(len(views) / 3) if views else 0
    ranked: list[SentenceView] = []
    for rank, (sentence, score) in enumerate(ranked_pairs):
        view = by_start[sentence.start]
        view.rank, view.score, view.reasons = rank + 1, score.value, score.reasons
        view.top = rank < top_count and score.value > 0
        ranked.append(view)
    return ranked, top_count


def build_workbench(session: Session, source: SourceDocument, *, page: int = 1,
                    with_similar: bool = True) -> Workbench:
    """Split and rank a document's sentences and annotate one page of the ranking (a page
    number out of range means the nearest page); nothing is stored."""
    text = source.text or ""
    claims = list(session.scalars(select(Claim).where(Claim.source_id == source.id)
                                  .order_by(Claim.span_start, Claim.id)))
    index = linker.alias_index(session)
    views = [SentenceView(i, s) for i, s in enumerate(split_sentences(text))]
    # Every sentence is ranked (entity counts are part of its score) and highlighted in the
    # article text where it became a claim: both are cheap.
    found: dict[int, list[tuple[int, str]]] = {}
    for view in views:
        found[view.index] = [(m.entity_id, m.surface) for m in index.find(view.sentence.text)
                             if not m.needs_review]
        view.claims = [c for c in claims if _overlaps(c, view.start, view.end)]
    ranked, top_count = _rank(views, found)
    pages = max(1, math.ceil(len(ranked) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    bench = Workbench(source, views, ranked, top_count, claims, page, pages,
                      (page - 1) * PAGE_SIZE, min(page * PAGE_SIZE, len(ranked)))
    shown = ranked[bench.first:bench.last]
    entity_ids = {eid for view in shown for eid, _ in found[view.index]}
    entities = {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(entity_ids)))}
    speakers: dict[str, Entity | None] = {}
    archive = links.generation(session) if with_similar else (0, 0)
    for view in sorted(shown, key=lambda v: v.index):
        previous = views[view.index - 1].sentence.text if view.index else None
        guess = detect_speaker(view.sentence.text, previous)
        if guess is not None:
            view.speaker_name, view.speaker_confidence = guess.name, guess.confidence
            if guess.name not in speakers:
                speakers[guess.name] = _resolve_speaker(session, guess.name)
            view.speaker = speakers[guess.name]
        rel_start, rel_end = statement_span(view.sentence.text, guess, view.sentence.start == 0)
        view.claim_start = view.sentence.start + rel_start
        view.claim_end = view.sentence.start + rel_end
        seen: set[int] = set()
        for entity_id, surface in found[view.index]:
            if entity_id in entities and entity_id not in seen:
                seen.add(entity_id)
                view.entities.append((entities[entity_id], surface))
        view.quantities = [q for q in extract_quantities(view.sentence.text)
                           if q.kind == "quantity"]
        if with_similar:
            own = {c.id for c in view.claims}
            view.similar = [
                s for s in _similar(session, source, view, frozenset(seen), archive)
                if s.claim.id not in own and not (s.claim.source_id == source.id
                                                  and _overlaps(s.claim, view.start, view.end))
            ][:3]
    return bench


# Similar claims per (engine, document, statement, its entities, archive generation): a
# page viewed again (or by the next editor) is not matched against the archive again.
_sentence_similar: PerEngine[Hashable, list[links.Scored]] = PerEngine(4096)


def _similar(session: Session, source: SourceDocument, view: SentenceView,
             entity_ids: frozenset[int], archive: tuple[int, int]) -> list[Similar]:
    """Existing claims like the sentence's statement, cached until the archive changes."""
    statement = (source.text or "")[view.claim_start:view.claim_end]
    key = (source.id, source.text_hash, view.claim_start, view.claim_end, entity_ids, *archive)
    return links.cached_similar(session, _sentence_similar, key, lambda: similar_claims(
        session, statement, entity_ids=entity_ids, limit=4))


def _span_text(source: SourceDocument, form: Inputs) -> tuple[int, int, str]:
    """Validated span of the source and its exact text (a slipped selection is re-found)."""
    start = form.integer("span_start", required=True, code="bad_span")
    end = form.integer("span_end", required=True, code="bad_span")
    form.check()
    assert start is not None and end is not None
    text = source.text or ""
    selected = (form.text("selected", max_len=4000) or "").strip()
    if selected and text[start:end].strip() != selected:
        # Rendering can drop invisible characters, shifting browser offsets a little.
        near = text.find(selected, max(0, start - 50))
        if near >= 0 and abs(near - start) <= 50:
            start, end = near, near + len(selected)
    if not 0 <= start < end <= len(text):
        raise ValidationFailed.single("span_start", "bad_span")
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise ValidationFailed.single("span_start", "bad_span")
    return start, end, text[start:end]


def create_from_span(session: Session, user: User, source: SourceDocument,
                     data: Mapping[str, Any]) -> Claim:
    """Turn a span of the article into a claim (speaker if it resolves, dated by the article
    reporting it), and maybe link it."""
    form = Inputs(data)
    start, end, quoted = _span_text(source, form)
    speaker = form.text("speaker", max_len=256) or ""
    if speaker and not speaker.startswith("#"):
        entity = _resolve_speaker(session, speaker)
        speaker = f"#{entity.id}" if entity is not None else ""
    same_as = form.integer("same_as")
    form.check()
    claim = claim_service.create_claim(session, user, {
        "text": quoted, "source_id": source.id, "span_start": start, "span_end": end,
        "speaker": speaker, "claim_type": "quantity" if extract_quantities(quoted) else "other",
        # Said when reported, or before: the article's date is the best date it offers.
        "claim_date": source.published_date.isoformat() if source.published_date else "",
        "status": data.get("status") or next(iter(claim_service.statuses())),
    })
    if same_as is not None:
        other = session.get(Claim, same_as)
        if other is not None and other.id != claim.id:
            link_claims(session, claim, other, "duplicate", user.id)
    return claim


def sentence_segments(text: str, view: SentenceView) -> list[tuple[str, Claim | None]]:
    """A sentence cut into plain runs and runs that became claims (clipped to the sentence)."""
    segments: list[tuple[str, Claim | None]] = []
    pos = view.start
    for claim in sorted(view.claims, key=lambda c: (c.span_start or 0, c.span_end or 0)):
        start = max(claim.span_start or 0, view.start)
        end = min(claim.span_end or 0, view.end)
        if start < pos or end <= start:
            continue
        segments.append((text[pos:start], None))
        segments.append((text[start:end], claim))
        pos = end
    segments.append((text[pos:view.end], None))
    return [s for s in segments if s[0]]
