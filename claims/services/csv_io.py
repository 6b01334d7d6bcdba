"""CSV: export the filtered claims list, and import claims with a preview and idempotent keys."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from flask import current_app
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session, selectinload

from claims.config import Status
from claims.db import hold_names
from claims.errors import ValidationFailed, problem, problems_of
from claims.models import Claim, SourceDocument, User
from claims.models.claims import CLAIM_TYPES
from claims.services import claims as claim_service
from claims.services.entities import resolve_entity
from claims.services.inputs import Inputs
from claims.services.search import ClaimFilters, filtered_query
from claims.text.arabic import normalize

BOM = "\ufeff"
FORMATS = ("claims", "ans")
DELIMITERS = (",", ";", "\t")
EXPORT_COLUMNS = ("id", "text", "status", "status_label", "speaker", "speaker_wikidata",
                  "claim_date", "claim_type", "tags", "source_title", "source_url", "created_at",
                  "updated_at", "version")
# Header names accepted on import (lower-cased, Arabic too) → our field.
HEADER_ALIASES = {
    "text": "text", "claim": "text", "claim_text": "text", "claim_s": "text", "نص": "text",
    "الادعاء": "text", "status": "status", "verdict": "status", "الحالة": "status",
    "status_label": "status_label", "speaker": "speaker", "القائل": "speaker",
    "claim_date": "claim_date", "date": "claim_date", "التاريخ": "claim_date",
    "claim_type": "claim_type", "tags": "tags", "الوسوم": "tags", "source_url": "source_url",
    "source_title": "source_title", "note": "note", "fake_flag": "fake_flag", "id": "id",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 100_000


def _statuses() -> dict[str, Status]:
    vocabulary: dict[str, Status] = current_app.config["STATUSES"]
    return vocabulary


def _cell(value: Any) -> str:
    """A spreadsheet-safe cell: text that would start a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _uncell(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def export_rows(session: Session, filters: ClaimFilters, lang: str) -> Iterator[str]:
    """The filtered claims list as CSV lines (BOM first), newest first."""
    stmt, _ = filtered_query(session, filters)
    stmt = stmt.options(selectinload(Claim.speaker), selectinload(Claim.source),
                        selectinload(Claim.tags)).order_by(Claim.created_at.desc(),
                                                           Claim.id.desc())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    yield BOM + buffer.getvalue()
    statuses = _statuses()
    for claim in session.scalars(stmt.execution_options(yield_per=500)):
        buffer.seek(0)
        buffer.truncate()
        status = statuses.get(claim.status)
        writer.writerow([_cell(v) for v in (
            claim.id, claim.text, claim.status, status.label(lang) if status else claim.status,
            claim.speaker.name(lang) if claim.speaker else "",
            claim.speaker.wikidata_id if claim.speaker else "",
            claim.claim_date.isoformat() if claim.claim_date else "", claim.claim_type,
            ", ".join(t.name for t in claim.tags), claim.source.title, claim.source.url or "",
            claim.created_at.isoformat(), claim.updated_at.isoformat(), claim.version)])
        yield buffer.getvalue()


@dataclass
class Row:
    """One data row of an uploaded CSV: its line number, values, problems and identity."""

    line: int
    values: dict[str, str]
    errors: list[dict[str, Any]] = field(default_factory=list)  # errors.problem dicts
    key: str = ""
    duplicate: bool = False


@dataclass
class Parsed:
    """A parsed upload: rows and file-level problems; nothing has been written."""

    rows: list[Row]
    name: str
    fmt: str
    problems: list[dict[str, Any]] = field(default_factory=list)  # errors.problem dicts

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Parsed:
        """Rebuild a parse kept between the preview and the confirmation."""
        rows = [Row(**row) for row in data["rows"]]
        return cls(rows, data["name"], data["fmt"], data["problems"])

    @property
    def ready(self) -> list[Row]:
        """Rows that will be imported."""
        return [r for r in self.rows if not r.errors and not r.duplicate]


def decode(raw: bytes) -> str:
    """UTF-16 with its BOM, else UTF-8 (with or without BOM), else Windows-1256,
    NFC-normalised."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        text = raw.decode("utf-16", errors="replace")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1256", errors="replace")
    return unicodedata.normalize("NFC", text.replace("\x00", ""))


def delimiter(text: str) -> str:
    """The separator that gives the header line a text column: a comma, else a semicolon
    (Excel where the decimal mark is a comma), else a tab; a comma when none does."""
    first = text.split("\n", 1)[0]
    for candidate in DELIMITERS:
        header = next(csv.reader([first], delimiter=candidate), [])
        if any(HEADER_ALIASES.get(h.strip().lower()) == "text" for h in header):
            return candidate
    return ","


def import_key(text: str, source: str) -> str:
    """Identity of an imported claim: a hash of its normalised text and its source."""
    return hashlib.sha256(f"{normalize(text)}\x1f{source}".encode()).hexdigest()


def _status_of(values: dict[str, str], fmt: str, errors: list[dict[str, Any]]) -> str:
    statuses = _statuses()
    if fmt == "ans":
        flag = values.get("fake_flag", "").strip()
        if flag not in ("0", "1"):
            errors.append(problem("fake_flag", "bad_choice", value=flag[:40]))
        return "false" if flag == "1" else "true"
    raw = values.get("status", "").strip() or values.get("status_label", "").strip()
    if not raw:
        return next(iter(statuses))
    if raw in statuses:
        return raw
    by_label = {normalize(s.label_ar): s.id for s in statuses.values()}
    by_label.update({normalize(s.label_en): s.id for s in statuses.values()})
    found = by_label.get(normalize(raw))
    if found is None:
        errors.append(problem("status", "unknown_status", value=raw[:40]))
        return next(iter(statuses))
    return found


def parse(raw: bytes, name: str, fmt: str = "claims") -> Parsed:
    """Read and check every row without touching the database."""
    parsed = Parsed([], name, fmt)
    # strict: the lenient reader ends a never-closed quote at the end of the file silently,
    # making every row after it one cell (one bogus claim) instead of raising.
    text = decode(raw)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text), strict=True)
    try:
        _parse_rows(reader, parsed, name, fmt)
    except csv.Error:
        # A field over the csv module's limit (128 KiB) or a quote never closed: what was
        # read may be cut anywhere, so nothing of the file is offered for import.
        parsed.rows.clear()
        parsed.problems.append(problem(None, "csv_malformed", line=reader.line_num))
    return parsed


def _parse_rows(reader: Any, parsed: Parsed, name: str, fmt: str) -> None:
    """The rows of ``reader`` into ``parsed`` (raises csv.Error on a malformed file)."""
    text_max = int(current_app.config.get("CLAIM_TEXT_MAX", 2000))
    header = next(reader, None)
    if not header:
        parsed.problems.append(problem(None, "csv_empty"))
        return
    columns = [HEADER_ALIASES.get(h.strip().lower(), "") for h in header]
    if "text" not in columns:
        parsed.problems.append(problem(None, "csv_no_text"))
        return
    # Two headers for one field ("text" and "نص", "date" and "claim_date"): which one is
    # meant is a guess, and a wrong guess imports the wrong column without a word.
    twins = [" / ".join(h.strip() for h, c in zip(header, columns, strict=True) if c == field)
             for field in dict.fromkeys(columns) if field and columns.count(field) > 1]
    if twins:
        parsed.problems.append(problem(None, "csv_duplicate_column", columns="; ".join(twins)))
        return
    default_source = f"CSV: {name}" if fmt == "claims" else f"ANS corpus: {name}"
    for values_list in reader:
        line = reader.line_num
        if not any(v.strip() for v in values_list):
            continue
        if len(parsed.rows) >= MAX_ROWS:
            parsed.problems.append(problem(None, "csv_too_many_rows", max=MAX_ROWS))
            break
        values = {c: _uncell(v) for c, v in zip(columns, values_list, strict=False) if c}
        row = Row(line, values)
        text = values.get("text", "").strip()
        if not text:
            row.errors.append(problem("text", "required"))
        elif len(text) > text_max:
            row.errors.append(problem("text", "too_long", max=text_max))
        values["status"] = _status_of(values, fmt, row.errors)
        form = Inputs(values)
        form.date("claim_date", past=True)
        form.url("source_url")
        form.choice("claim_type", CLAIM_TYPES, default="other")
        row.errors.extend(problems_of(form.errors))
        values["source_title"] = values.get("source_title", "").strip() or default_source
        row.key = import_key(text, values.get("source_url", "").strip()
                             or values["source_title"])
        parsed.rows.append(row)


def own_claims(session: Session, wanted: dict[int, tuple[str, str | None]]) -> set[int]:
    """Which of these claim ids (each with the text and, if known, the source URL or title a
    file gives it) are claims of this tracker saying that: a row of our own export, or a
    review of our own feed, read back in."""
    found: set[int] = set()
    ids = sorted(wanted)
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(Claim.id, Claim.text, SourceDocument.url, SourceDocument.title)
            .join(SourceDocument, SourceDocument.id == Claim.source_id)
            .where(Claim.id.in_(ids[start:start + 500])))
        for claim_id, text, url, title in rows:
            given, source = wanted[claim_id]
            if normalize(text) == normalize(given) and source in (None, url, title):
                found.add(claim_id)
    return found


def _own_rows(session: Session, parsed: Parsed) -> set[int]:
    """Lines of rows that are claims of this tracker already (see ``own_claims``)."""
    by_id: dict[int, tuple[str, str | None]] = {}
    lines: dict[int, int] = {}
    for row in parsed.rows:
        raw = row.values.get("id", "").strip()
        if raw.isascii() and raw.isdigit() and len(raw) < 12:
            by_id[int(raw)] = (row.values.get("text", ""),
                               row.values.get("source_url", "").strip()
                               or row.values.get("source_title", "").strip())
            lines[int(raw)] = row.line
    return {lines[claim_id] for claim_id in own_claims(session, by_id)}


def begin_import(session: Session, parsed: Parsed) -> None:
    """Check ``parsed`` in a write transaction that imports it: another import waits until
    this one commits, then finds these rows imported (two confirmations of one upload import
    it once, instead of the second failing on the unique import key on PostgreSQL)."""
    hold_names(session, "csv-import", ["all"])
    check(session, parsed)


def check(session: Session, parsed: Parsed) -> None:
    """Database checks for the preview: speakers exist, rows not already imported (by this
    file's import before, or exported from this tracker)."""
    keys = [r.key for r in parsed.rows if r.key]
    known: set[str] = set()
    for start in range(0, len(keys), 500):
        known.update(k for k in session.scalars(select(Claim.import_key).where(
            Claim.import_key.in_(keys[start:start + 500]))) if k)
    ours = _own_rows(session, parsed)
    seen: set[str] = set()
    speakers: dict[str, str] = {}
    unresolved: dict[str, list[dict[str, Any]]] = {}
    for row in parsed.rows:
        row.duplicate = row.key in known or row.key in seen or row.line in ours
        seen.add(row.key)
        name = row.values.get("speaker", "").strip()
        if name and name not in speakers and name not in unresolved:
            try:
                speakers[name] = f"#{resolve_entity(session, name, 'speaker').id}"
            except ValidationFailed as exc:
                unresolved[name] = problems_of(exc.errors)
        if name in unresolved:  # (check runs again on confirmation: no repeats)
            row.errors.extend(e for e in unresolved[name] if e not in row.errors)
        elif name:
            row.values["speaker"] = speakers[name]


def _source_id(session: Session, user: User, values: dict[str, str],
               cache: dict[str, int]) -> int:
    url = values.get("source_url", "").strip() or None
    title = values["source_title"][:500]
    ident = url or title
    if ident not in cache:
        stmt = select(SourceDocument.id).where(
            SourceDocument.url == url if url else SourceDocument.title == title).limit(1)
        found = session.scalar(stmt.order_by(SourceDocument.id))
        if found is None:
            source = SourceDocument(title=title, url=url, text="", created_by_id=user.id)
            session.add(source)
            session.flush()
            found = source.id
        cache[ident] = found
    return cache[ident]


def stamp_import_keys(session: Session, keys: list[dict[str, Any]]) -> None:
    """Record import keys ({"cid", "key"} pairs) without bumping the claims' versions."""
    if not keys:
        return
    table = cast(Table, Claim.__table__)
    session.execute(update(table).where(table.c.id == bindparam("cid"))
                    .values(import_key=bindparam("key")), keys)
    for claim in session.identity_map.values():
        if isinstance(claim, Claim):
            session.expire(claim, ["import_key"])


@dataclass
class CsvReport:
    """What an import wrote."""

    created: int = 0
    skipped: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # with "line"
    seconds: float = 0.0


def import_parsed(session: Session, user: User, parsed: Parsed,
                  progress: Callable[[int], None] | None = None) -> CsvReport:
    """Create the ready rows through the claims service; rows with problems are skipped."""
    started = dt.datetime.now(dt.UTC)
    report = CsvReport(skipped=len(parsed.rows) - len(parsed.ready))
    report.errors = [e | {"line": r.line} for r in parsed.rows for e in r.errors]
    sources: dict[str, int] = {}
    keys: list[dict[str, Any]] = []
    for row in parsed.rows:
        if not row.errors and not row.duplicate:
            data = {**row.values, "source_id": _source_id(session, user, row.values, sources)}
            data.pop("source_url", None)
            try:
                claim = claim_service.create_claim(session, user, data)
            except ValidationFailed as exc:
                report.errors.extend(problems_of(exc.errors, line=row.line))
                report.skipped += 1
            else:
                keys.append({"cid": claim.id, "key": row.key})
                report.created += 1
        if progress:
            progress(1)
    session.flush()
    stamp_import_keys(session, keys)
    report.seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
    return report
