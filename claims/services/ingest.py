"""Ingest an article (pasted text, .txt or saved .html) into a de-duplicated SourceDocument."""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.db import hold_names
from claims.demo import text_hash
from claims.errors import ValidationFailed
from claims.models import SourceDocument, User
from claims.services.inputs import Inputs, is_http_url
from claims.text.arabic import has_letters
from claims.text.extract import (
    ExtractedArticle,
    extract_from_html,
    extract_from_text,
    has_prose,
    parse_dateline,
)
from claims.text.sentences import split_sentences

TEXT_EXTENSIONS = (".txt", ".text")
HTML_EXTENSIONS = (".html", ".htm", ".xhtml")
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_CHARS = 200_000
_TITLE_FALLBACK_CHARS = 120
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_LOOKS_HTML = re.compile(r"^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I)


@dataclass(frozen=True)
class Upload:
    """An uploaded file: its name as the browser sent it, and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class IngestResult:
    """The source document the article is stored as; ``created`` is False for a re-ingest."""

    source: SourceDocument
    created: bool
    # On a re-ingest: the stored document's blank fields this version filled in (url, …).
    filled: tuple[str, ...] = ()


def limits() -> tuple[int, int]:
    """The upload size limit in bytes and the pasted-text limit in characters."""
    config = current_app.config
    return (int(config.get("INGEST_MAX_BYTES", DEFAULT_MAX_BYTES)),
            int(config.get("INGEST_MAX_CHARS", DEFAULT_MAX_CHARS)))


def decode_bytes(raw: bytes, html: bool = False) -> str:
    """Decode an upload: BOMs first, then strict UTF-8, a declared HTML charset, Windows-1256."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            return raw[len(bom):].decode(codec, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if html:
        declared = _DECLARED_CHARSET.search(raw[:4096])
        if declared:
            try:  # strictly: a page saved as Windows-1256 may still declare UTF-8
                return raw.decode(declared.group(1).decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                pass
    # Arabic text that is not UTF-8 is almost always Windows-1256 (every byte decodes).
    return raw.decode("cp1256", errors="replace")


def _read_upload(form: Inputs, upload: Upload | None, max_bytes: int,
                 max_chars: int) -> tuple[str, bool] | None:
    """The upload's text and whether it is HTML, recording field errors on ``form``."""
    if upload is None or (not upload.filename and not upload.data):
        return None
    name = upload.filename.lower().strip()
    is_html = name.endswith(HTML_EXTENSIONS)
    if not (is_html or name.endswith(TEXT_EXTENSIONS)):
        form.error("file", "bad_file_type")
        return None
    if len(upload.data) > max_bytes:
        form.error("file", "file_too_large", max=max_bytes // 1024)
        return None
    if b"\x00" in upload.data[:8192] and not upload.data.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        form.error("file", "not_text")
        return None
    text = decode_bytes(upload.data, html=is_html)
    # A NUL, or undecodable bytes (U+FFFD) in more than a tenth of it: not a text file.
    if "\x00" in text or text.count("\ufffd") * 10 > len(text.strip()):
        form.error("file", "not_text")
        return None
    if not text.strip():
        form.error("file", "empty_article")
        return None
    is_html = is_html or bool(_LOOKS_HTML.match(text))
    # A text file counts as pasted text would; a saved page's markup does not count (its
    # article text is measured once extracted, in ingest_article).
    if not is_html and len(text.strip()) > max_chars:
        form.error("file", "file_too_long", max=max_chars)
        return None
    return text, is_html


def _http_url(value: str | None) -> str | None:
    """An extracted URL only if it is an absolute http(s) address that fits the column."""
    return value if value and len(value) <= 2000 and is_http_url(value) else None


def extract(raw: str, is_html: bool, url: str | None = None) -> ExtractedArticle:
    """The article body and metadata of raw pasted or uploaded content."""
    return extract_from_html(raw, url) if is_html else extract_from_text(raw)


def _fallback_title(text: str) -> str:
    sentences = split_sentences(text)
    first = sentences[0].text if sentences else text.strip()
    first = first[parse_dateline(first)[2]:].strip() or first
    return first if len(first) <= _TITLE_FALLBACK_CHARS else \
        first[:_TITLE_FALLBACK_CHARS].rsplit(" ", 1)[0] + "…"


def find_existing(session: Session, url: str | None, digest: str) -> SourceDocument | None:
    """The stored document with this URL or this normalised-text hash, if any (until the
    transaction ends, another request storing the same article waits, then finds this one)."""
    hold_names(session, "source", [*([url] if url else []), digest])
    if url:
        found = session.scalar(select(SourceDocument).where(SourceDocument.url == url)
                               .order_by(SourceDocument.id).limit(1))
        if found is not None:
            return found
    return session.scalar(select(SourceDocument).where(SourceDocument.text_hash == digest)
                          .order_by(SourceDocument.id).limit(1))


def _fill_blanks(source: SourceDocument, found: Mapping[str, Any]) -> tuple[str, ...]:
    """Give a stored document what another version of the article knows and it does not (a
    pasted text has no address; its saved page does); nothing it has is overwritten."""
    filled = tuple(name for name, value in found.items()
                   if value is not None and getattr(source, name) is None)
    for name in filled:
        setattr(source, name, found[name])
    return filled


def _clip(value: str | None, limit: int) -> str | None:
    value = (value or "").strip()
    return value[:limit] if value else None


def ingest_article(session: Session, user: User, data: Mapping[str, Any],
                   upload: Upload | None = None) -> IngestResult:
    """Validate and store an article, or open the one already stored; never commits."""
    max_bytes, max_chars = limits()
    form = Inputs(data)
    # Pasted markup of a saved page may be as long as an uploaded one (its article is measured
    # once extracted); pasted text has the character limit.
    sent = data.get("text")
    markup = isinstance(sent, str) and bool(_LOOKS_HTML.match(sent))
    pasted = form.text("text", max_len=max(max_bytes, max_chars) if markup else max_chars)
    url = form.url("url")
    title = form.text("title", max_len=500)
    outlet = form.text("outlet", max_len=200)
    uploaded = _read_upload(form, upload, max_bytes, max_chars)
    if pasted and uploaded:
        form.error("file", "paste_or_upload")
    elif not pasted and uploaded is None and not any(e.field in ("file", "text")
                                                       for e in form.errors):
        blank = isinstance(data.get("text"), str) and data["text"] != ""  # spaces were sent
        form.error("text", "empty_text" if blank else "paste_or_upload")
    form.check()
    raw, is_html = uploaded if uploaded else (pasted or "", bool(_LOOKS_HTML.match(pasted or "")))
    article = extract(raw, is_html, url)
    if not has_letters(article.text):  # digits, tatweel and marks alone are no article
        raise ValidationFailed.single("file" if uploaded else "text", "empty_article")
    if is_html and not has_prose(article.text):  # menus and headlines: a section page
        raise ValidationFailed.single("file" if uploaded else "text", "no_article_in_page")
    if len(article.text) > max_chars:  # the workbench's work grows with the stored text
        raise ValidationFailed.single("file" if uploaded else "text",
                                      "file_too_long" if uploaded else "too_long", max=max_chars)
    digest = text_hash(article.text)
    url = url or _http_url(article.url)
    existing = find_existing(session, url, digest)
    if existing is not None:
        return IngestResult(existing, created=False, filled=_fill_blanks(existing, {
            "url": url, "author": _clip(article.author, 200),
            "published_date": article.published,
            "outlet": _clip(outlet or article.outlet or article.dateline_agency, 200)}))
    source = SourceDocument(
        title=_clip(title or article.title, 500) or _fallback_title(article.text),
        outlet=_clip(outlet or article.outlet or article.dateline_agency, 200),
        url=url, dateline=_clip(article.dateline_place, 200), author=_clip(article.author, 200),
        agency=_clip(article.dateline_agency, 32), published_date=article.published,
        language=_clip(article.language, 8) or "ar", text=article.text, text_hash=digest,
        created_by_id=user.id,
    )
    session.add(source)
    session.flush()
    return IngestResult(source, created=True)
