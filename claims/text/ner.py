"""Entity suggestions (names the gazetteer does not know yet) from a CRF or camel-tools' BERT NER.

The default backend is a CRFsuite model trained on ANERcorp (``claims/data/ner-crf.model``,
CC BY-SA 4.0, see ``ner-crf.LICENSE.txt``; trained by ``bench/train_ner.py``); names it tags
in one sentence are propagated to their untagged repeats elsewhere in the text. When camel-tools'
catalogue lists an installed NER model and ``claims.text.arabic.load_camel_ner`` loads that BERT
NER, it is used instead; any failure falls back to the CRF. Torch is only ever
imported by that lazy loader, never by importing this module.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycrfsuite

from claims.text import arabic
from claims.text.ner_features import sentence_features, stem_rank, token_stem

__all__ = [
    "MODEL_PATH",
    "EntitySuggestion",
    "backend_name",
    "suggest_entities",
    "tag_segments",
    "to_bilou",
]

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "ner-crf.model"
KINDS = {"PERS": "person", "LOC": "place", "ORG": "organisation", "MISC": "other"}
# camel-tools' NERecognizer exposes labels only, no probabilities: a fixed, documented score.
BERT_SCORE = 0.9
_SENTENCE_END = frozenset({".", "!", "?", "؟", "…", "!?"})
_MAX_SEGMENT = 150  # tokens; keeps CRF cost linear and bounded on run-on text
_MARKS = frozenset(
    [chr(c) for c in range(0x0610, 0x061B)]
    + [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670", "\u0640"]
)
# A surname seen in a full tagged name is propagated alone only if it is a rare word.
_SURNAME_MIN_RANK = 1000
_lock = threading.Lock()

Span = tuple[str, int, int]


@dataclass(frozen=True)
class EntitySuggestion:
    """A candidate entity mention: character offsets into the original text."""

    start: int
    end: int
    surface: str
    kind: str  # "person" | "place" | "organisation" | "other"
    score: float


@lru_cache(maxsize=1)
def _tagger() -> pycrfsuite.Tagger:
    """The shipped CRF model, opened once."""
    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL_PATH))
    return tagger


@lru_cache(maxsize=1)
def _backend() -> tuple[str, Any]:
    """Pick the backend once: camel-bert when its data and loader work, otherwise crf."""
    if arabic.ner_available():
        loader: Callable[[], Any] | None = getattr(arabic, "load_camel_ner", None)
        if loader is not None:
            try:
                return "camel-bert", loader()
            except Exception:  # missing weights, torch errors, ...: the CRF still works
                log.warning("camel-tools NER failed to load; using the CRF", exc_info=True)
    return "crf", None


def backend_name() -> str:
    """Name of the backend in use: ``"camel-bert"`` or ``"crf"``."""
    return _backend()[0]


def _segments(text: str, spans: list[Span]) -> list[list[Span]]:
    """Split tokens into sentences at end punctuation and line breaks (not inside ``4.3``)."""
    out: list[list[Span]] = []
    current: list[Span] = []
    for k, (tok, start, end) in enumerate(spans):
        if current and "\n" in text[current[-1][2]:start]:
            out.append(current)
            current = []
        current.append((tok, start, end))
        nxt = spans[k + 1] if k + 1 < len(spans) else None
        decimal = (
            tok == "."
            and nxt is not None
            and k > 0
            and spans[k - 1][2] == start
            and nxt[1] == end
            and spans[k - 1][0][-1:].isdigit()
            and nxt[0][:1].isdigit()
        )
        if (tok in _SENTENCE_END and not decimal) or len(current) >= _MAX_SEGMENT:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _bio_chunks(labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """(first, last+1, type) runs of BIO labels; a stray ``I-`` opens a new entity."""
    found: list[tuple[int, int, str]] = []
    start, kind = -1, ""
    for i, label in enumerate([*labels, "O"]):
        prefix, typ = (label[:1], label[2:]) if label != "O" else ("O", "")
        if kind and (prefix in ("O", "B") or typ != kind):
            found.append((start, i, kind))
            kind = ""
        if typ in KINDS and (prefix == "B" or (prefix == "I" and not kind)):
            start, kind = i, typ
    return found


def _trim_clitic(token: str, start: int) -> int:
    """Offset after a proclitic glued to a definite name: و/ف/ب/ل/وب/وl + ال (``والصدر``)."""
    letters = [i for i, ch in enumerate(token) if ch not in _MARKS]
    base = "".join(token[i] for i in letters)
    base = base.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا")
    for pre in ("وب", "ول", "فب", "فل", "و", "ف", "ب", "ل"):
        rest = base[len(pre):]
        if base.startswith(pre) and rest.startswith("ال") and len(rest) >= 4:
            return start + letters[len(pre)]
    return start


def _suggestions(
    text: str, segment: list[Span], labels: Sequence[str], scores: Sequence[float]
) -> list[EntitySuggestion]:
    """Turn one labelled segment into suggestions with offsets into ``text``."""
    out: list[EntitySuggestion] = []
    for first, last, typ in _bio_chunks(labels):
        start = _trim_clitic(segment[first][0], segment[first][1])
        end = segment[last - 1][2]
        if not text[start:end].strip():
            continue
        score = min(scores[first:last])
        out.append(EntitySuggestion(start, end, text[start:end], KINDS[typ], round(score, 4)))
    return out


def _names(keys: list[list[str]], labels: list[list[str]], scores: list[list[float]]
           ) -> dict[tuple[str, ...], tuple[str, float]]:
    """Stem sequences tagged as names in a document: majority type and best span score."""
    votes: dict[tuple[str, ...], Counter[str]] = {}
    best: dict[tuple[tuple[str, ...], str], float] = {}
    surnames: dict[tuple[str, ...], float] = {}
    for seg_keys, seg_labels, seg_scores in zip(keys, labels, scores, strict=True):
        for first, last, typ in _bio_chunks(seg_labels):
            key = tuple(seg_keys[first:last])
            score = min(seg_scores[first:last])
            votes.setdefault(key, Counter())[typ] += 1
            best[key, typ] = max(best.get((key, typ), 0.0), score)
            rank = stem_rank(key[-1])
            if (typ == "PERS" and len(key) > 1 and len(key[-1]) >= 3
                    and (rank is None or rank >= _SURNAME_MIN_RANK)):
                surnames[key[-1:]] = max(surnames.get(key[-1:], 0.0), score)
    names = {key: (typ, best[key, typ]) for key, c in votes.items()
             for typ in [c.most_common(1)[0][0]] if all(len(k) >= 3 for k in key)}
    for key, score in surnames.items():  # بوتين alone after فلاديمير بوتين
        names.setdefault(key, ("PERS", score))
    return names


def _propagate(keys: list[list[str]], labels: list[list[str]], scores: list[list[float]]) -> None:
    """Tag untagged repeats of a name tagged elsewhere in the same document, in place.

    A writer names an entity in full once and repeats it, often in contexts the CRF finds
    ambiguous; the copy keeps the source mention's score. Longest match first. Then each
    name takes the type most of its mentions have.
    """
    names = _names(keys, labels, scores)
    longest = max(map(len, names), default=0)
    for seg_keys, seg_labels, seg_scores in zip(keys, labels, scores, strict=True):
        i = 0
        while i < len(seg_keys):
            for n in range(min(longest, len(seg_keys) - i), 0, -1):
                hit = names.get(tuple(seg_keys[i:i + n]))
                if hit and all(label == "O" for label in seg_labels[i:i + n]):
                    typ, score = hit
                    seg_labels[i:i + n] = ["B-" + typ] + ["I-" + typ] * (n - 1)
                    seg_scores[i:i + n] = [score] * n
                    i += n - 1
                    break
            i += 1
    _one_type_per_name(keys, labels)


def _one_type_per_name(keys: list[list[str]], labels: list[list[str]]) -> None:
    """Give every mention of a name the type most of its mentions in the document have.

    A club or a party named after its city is tagged LOC in one sentence and ORG in the
    next; a strict majority of the document's mentions decides (a tie changes nothing).
    """
    votes: dict[tuple[str, ...], Counter[str]] = {}
    found = [_bio_chunks(seg_labels) for seg_labels in labels]
    for seg_keys, chunks in zip(keys, found, strict=True):
        for first, last, typ in chunks:
            votes.setdefault(tuple(seg_keys[first:last]), Counter())[typ] += 1
    for seg_keys, seg_labels, chunks in zip(keys, labels, found, strict=True):
        for first, last, typ in chunks:
            top, n = votes[tuple(seg_keys[first:last])].most_common(1)[0]
            if top != typ and n > votes[tuple(seg_keys[first:last])][typ]:
                seg_labels[first:last] = ["B-" + top] + ["I-" + top] * (last - first - 1)


def to_bilou(labels: Sequence[str]) -> list[str]:
    """BIO labels rewritten as BILOU: a one-token name is U-, a name's last token L-."""
    out: list[str] = []
    for i, label in enumerate(labels):
        if label == "O":
            out.append(label)
            continue
        typ = label[2:]
        opens = label.startswith("B-") or i == 0 or labels[i - 1][2:] != typ
        goes_on = i + 1 < len(labels) and labels[i + 1] == "I-" + typ
        if opens:
            out.append(("B-" if goes_on else "U-") + typ)
        else:
            out.append(("I-" if goes_on else "L-") + typ)
    return out


# BILOU prefix -> the BIO prefix it stands for.
_BIO_OF = {"B": "B-", "U": "B-", "I": "I-", "L": "I-"}


def _bio_marginals(tagger: pycrfsuite.Tagger, labels: Sequence[str], known: set[str]
                   ) -> tuple[list[str], list[float]]:
    """BIO labels of a tagged sequence, each with its marginal (B = B+U, I = I+L in BILOU;
    ``known``: the model's labels)."""
    bio: list[str] = []
    scores: list[float] = []
    for i, label in enumerate(labels):
        if label == "O" or label[:1] not in _BIO_OF:
            bio.append(label)
            scores.append(tagger.marginal(label, i))
            continue
        mapped = _BIO_OF[label[:1]] + label[2:]
        parts = ("B-", "U-") if mapped[0] == "B" else ("I-", "L-")
        bio.append(mapped)
        scores.append(sum(tagger.marginal(p + label[2:], i) for p in parts
                          if p + label[2:] in known))
    return bio, scores


def tag_segments(tagger: pycrfsuite.Tagger, segments: list[list[str]], propagate: bool = True
                 ) -> tuple[list[list[str]], list[list[float]]]:
    """BIO labels and their marginals for the token lists of one document.

    The shipped model is trained on BILOU labels (``to_bilou``: a distinct label for the
    last token and for one-token names sharpens name boundaries); they are read back as BIO.
    """
    labels: list[list[str]] = []
    scores: list[list[float]] = []
    known = set(tagger.labels())
    for tokens in segments:
        tagger.set(sentence_features(tokens))
        seg_labels, seg_scores = _bio_marginals(tagger, tagger.tag(), known)
        labels.append(seg_labels)
        scores.append(seg_scores)
    if propagate:
        _propagate([[token_stem(t) for t in tokens] for tokens in segments], labels, scores)
    return labels, scores


def _crf(text: str, segments: list[list[Span]]) -> list[EntitySuggestion]:
    """Tag with the CRF; the score is the smallest per-token marginal of the chosen labels."""
    tokens = [[tok for tok, _s, _e in segment] for segment in segments]
    with _lock:  # a CRFsuite tagger holds per-sequence state
        labels, scores = tag_segments(_tagger(), tokens)
    out: list[EntitySuggestion] = []
    for segment, seg_labels, seg_scores in zip(segments, labels, scores, strict=True):
        out.extend(_suggestions(text, segment, seg_labels, seg_scores))
    return out


def _bert(model: Any, text: str, segments: list[list[Span]]) -> list[EntitySuggestion]:
    """Tag with camel-tools' NERecognizer (dediacritised tokens, fixed score)."""
    sentences = [[arabic.dediacritize(tok) or tok for tok, _s, _e in seg] for seg in segments]
    predicted = model.predict(sentences)
    out: list[EntitySuggestion] = []
    for segment, labels in zip(segments, predicted, strict=True):
        out.extend(_suggestions(text, segment, labels, [BERT_SCORE] * len(labels)))
    return out


def suggest_entities(text: str) -> list[EntitySuggestion]:
    """Candidate person/place/organisation/other mentions in ``text``, in reading order."""
    if not text or not text.strip():
        return []
    spans = arabic.tokens_with_spans(text)
    if not spans:
        return []
    segments = _segments(text, spans)
    name, model = _backend()
    if name == "camel-bert":
        try:
            return _bert(model, text, segments)
        except Exception:
            log.warning("camel-tools NER failed; falling back to the CRF", exc_info=True)
    return _crf(text, segments)
