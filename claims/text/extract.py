"""Article extraction from pasted text or saved HTML: body, metadata and dateline."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from claims import json_input
from claims.text.arabic import normalize, strip_controls

__all__ = [
    "AGENCY_CODES",
    "ExtractedArticle",
    "extract_from_html",
    "extract_from_text",
    "has_prose",
    "parse_dateline",
]


@dataclass
class ExtractedArticle:
    """The body text of an article (paragraphs joined by a blank line) and its metadata."""

    text: str
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: datetime.date | None = None
    url: str | None = None
    language: str | None = None
    dateline_place: str | None = None
    dateline_agency: str | None = None
    agency_code: str | None = None


# Agency spellings, keyed by normalize()d text without spaces, dots or hyphens.
AGENCY_CODES: dict[str, str] = {
    "افب": "AFP", "فرانسبرس": "AFP", "afp": "AFP",
    "رويترز": "Reuters", "reuters": "Reuters",
    "اب": "AP", "اسوشيتدبرس": "AP", "ap": "AP",
    "دبا": "dpa", "dpa": "dpa",
    "الاناضول": "Anadolu", "anadolu": "Anadolu",
    "وام": "WAM", "واس": "SPA", "سانا": "SANA", "قنا": "QNA", "كونا": "KUNA",
    "اشا": "MENA", "بنا": "BNA", "العمانيه": "ONA", "بترا": "Petra", "واج": "APS",
    "وفا": "WAFA", "ومع": "MAP", "تاس": "TASS", "tass": "TASS", "سبوتنيك": "Sputnik",
    "شينخوا": "Xinhua", "ارنا": "IRNA", "يونهاب": "Yonhap", "كيودو": "Kyodo", "سبا": "Saba",
    "cnn": "CNN", "bbc": "BBC", "وكالات": "",  # "agencies": a source, but no single code
}
_DASHES = "–—-:"
# "موسكو (أ ف ب) – ", "دبي، 5 مايو (رويترز) -", "(أ ف ب) - "
_PAREN_DATELINE = re.compile(
    r"^\s*(?P<place>[^\W\d_]+(?:[ \u00a0][^\W\d_]+){0,2})?\s*"
    r"(?:[،,]\s*[^()\n]{1,30}?\s*)?"
    r"\(\s*(?P<agency>[^()\n]{1,30}?)\s*\)\s*(?P<sep>[–—\-:]+)?\s*"
)
# "القاهرة - أ ش أ:", "بيروت – رويترز – "
_DASH_DATELINE = re.compile(
    r"^\s*(?P<place>[^\W\d_]+(?:[ \u00a0][^\W\d_]+){0,2})\s*[–—\-]\s*"
    r"(?P<agency>[^\W\d_](?:[^\n:–—\-]{0,25}?))\s*[:–—\-]\s*"
)
# "واشنطن – " with no agency (a staff correspondent's dateline).
_PLACE_DATELINE = re.compile(r"^\s*(?P<place>[^\W\d_]+(?:[ \u00a0][^\W\d_]+)?)\s*[–—]\s+")
_NOT_PLACES = frozenset({"عاجل", "خاص", "فيديو", "صور", "تقرير", "بالفيديو", "بالصور"})

# Whole lines that are site chrome, never article text.
_BOILERPLATE_RE = re.compile(
    r"^(?:شاركها|شارك(?:\s+(?:هذا|الخبر|المقال|على))?.{0,20}|مشاركة|share(?:\s+this)?(?:\s+\w+)?"
    r"|exit mobile version|skip to (?:main )?content|تخطى إلى المحتوى|print|طباعة|tweet"
    r"|تابعنا(?:\s.*)?|follow us(?:\s.*)?|اقرأ أيضا.*|اقرأ أيضًا.*|اقرأ أيضاً.*|read (?:more|also).*"
    r"|مواضيع ذات صلة.*|أخبار ذات صلة.*|اخبار ذات صلة.*|related(?: (?:articles|posts|news))?"
    r"|جميع الحقوق محفوظة.*|.{0,40}©.*|copyright.*|أضف تعليق.*|اترك تعليقا.*|advertisement"
    r"|إعلان|اشترك(?:\s.*)?|subscribe(?:\s.*)?|back to top|العودة للأعلى"
    # Cookie banners: "نستخدم ملفات تعريف الارتباط ..." / "This site uses cookies ...".
    r"|(?:نستخدم|يستخدم (?:هذا )?الموقع|يستخدم موقعنا) (?:ملفات تعريف الارتباط|الكوكيز).*"
    r"|(?:we use|this (?:web)?site uses) cookies.*)[.:!]?$",
    re.IGNORECASE,
)
_SOCIAL = frozenset(
    "facebook twitter x whatsapp telegram linkedin email pinterest reddit tumblr messenger "
    "فيسبوك فيس بوك تويتر واتساب واتس اب تلغرام تيليجرام لينكدإن البريد الإلكتروني إكس "
    "نسخ الرابط copy link".split()
)
_SENTENCE_ENDS = (".", "!", "?", "؟", "”", "»", '"', "…")
# A "read also" line is a headline, so it is short; anything longer is real text.
_MAX_CHROME_WORDS = 15


# A paragraph of prose: a few words ending like a sentence, or too long for a headline.
_PROSE_MIN_WORDS = 4


def has_prose(text: str) -> bool:
    """True when some paragraph reads as article prose rather than a menu item or headline
    (a saved section page or login wall holds only those)."""
    for line in text.split("\n"):
        words = len(line.split())
        if words > _MAX_CHROME_WORDS or (
                words >= _PROSE_MIN_WORDS and line.rstrip().endswith(_SENTENCE_ENDS)):
            return True
    return False


def _agency_key(agency: str) -> str:
    return re.sub(r"[\s.\-_]+", "", normalize(agency))


def _agency_code(agency: str) -> str | None:
    return AGENCY_CODES.get(_agency_key(agency)) or None


def parse_dateline(text: str) -> tuple[str | None, str | None, int]:
    """Find a dateline at the start of ``text``: (place, agency as written, prefix length)."""
    head = text[:120]
    match = _PAREN_DATELINE.match(head)
    if match:
        agency = match.group("agency")
        known = _agency_key(agency) in AGENCY_CODES
        # An unknown parenthesis only counts when a dash follows it: "باريس (خاص) – ...".
        if known or match.group("sep"):
            place = match.group("place")
            if place and normalize(place) in _NOT_PLACES:
                place = None
            return place, agency, match.end()
    match = _DASH_DATELINE.match(head)
    if match and _agency_key(match.group("agency")) in AGENCY_CODES:
        return match.group("place"), match.group("agency").strip(), match.end()
    match = _PLACE_DATELINE.match(head)
    if match and match.group("place") not in _NOT_PLACES and len(text) > match.end() + 20:
        return match.group("place"), None, match.end()
    return None, None, 0


def _is_chrome(line: str) -> bool:
    """True for share/follow/related/copyright lines that are not article text."""
    if len(line.split()) > _MAX_CHROME_WORDS:
        return False
    if _BOILERPLATE_RE.match(line):
        return True
    words = re.findall(r"\w+", line.casefold())
    return bool(words) and all(w in _SOCIAL for w in words)


def _clean_lines(raw: str) -> list[str]:
    """Non-empty, stripped lines with control characters and chrome lines removed."""
    text = strip_controls(raw).replace("\r\n", "\n").replace("\r", "\n")
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    lines = [line for line in lines if line]
    # A "read also" heading followed by nothing but short headlines closes the article.
    for i, line in enumerate(lines):
        if re.match(r"^(?:اقرأ أيض|اقرا ايض|مواضيع ذات صلة|أخبار ذات صلة|related|read more)",
                    line, re.IGNORECASE) and i > 0:
            tail = lines[i + 1:]
            if all(
                len(t.split()) <= _MAX_CHROME_WORDS and not t.endswith(_SENTENCE_ENDS) for t in tail
            ):
                lines = lines[:i]
                break
    return [line for line in lines if not _is_chrome(line)]


def _language(text: str) -> str | None:
    """A script-based guess: enough for routing Arabic versus Latin-script text."""
    arabic = sum(1 for c in text if "\u0600" <= c <= "\u06ff")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    if not arabic and not latin:
        return None
    return "ar" if arabic >= latin else "en"


def _finish(lines: list[str], **meta: object) -> ExtractedArticle:
    """Join body lines into paragraphs and parse the dateline of the first one."""
    body = "\n\n".join(lines)
    place, agency, _ = parse_dateline(body)
    article = ExtractedArticle(text=body, **meta)  # type: ignore[arg-type]
    article.dateline_place, article.dateline_agency = place, agency
    article.agency_code = _agency_code(agency) if agency else None
    if article.language is None:
        article.language = _language(body)
    return article


def extract_from_text(raw: str) -> ExtractedArticle:
    """Extract a pasted or .txt article: drop chrome lines, parse the dateline."""
    lines = _clean_lines(raw)
    title = None
    # A short first line without final punctuation, before a datelined paragraph, is a title.
    if (
        len(lines) > 1
        and len(lines[0].split()) <= 20
        and not lines[0].endswith((".", "؟", "?", "!", ":", "”", "»"))
        and parse_dateline(lines[0])[2] == 0
        and parse_dateline(lines[1])[2] > 0
    ):
        title, lines = lines[0], lines[1:]
    return _finish(lines, title=title)


class _PageParser(HTMLParser):
    """Collects <meta>, canonical link, JSON-LD, <title>, <html lang> and <p> paragraphs."""

    _SKIP = frozenset({"script", "style", "nav", "header", "footer", "aside", "form", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.jsonld: list[str] = []
        self.title = ""
        self.lang: str | None = None
        self.paragraphs: list[str] = []
        self.article_paragraphs: list[str] = []
        self._stack: list[str] = []
        self._buf: list[str] | None = None
        self._in_article = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html" and a.get("lang"):
            self.lang = a["lang"]
        elif tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and "content" in a:
                self.meta.setdefault(key, a["content"].strip())
        elif tag == "link" and "canonical" in a.get("rel", "").lower().split():
            self.meta.setdefault("canonical", a.get("href", "").strip())
        if tag in {"meta", "link", "br", "img", "input", "hr"}:
            return
        self._stack.append(tag)
        if tag == "article":
            self._in_article += 1
        if tag == "p" and not self._skipping():
            self._buf = []
        elif tag == "script" and a.get("type", "").lower() == "application/ld+json":
            self._buf = []

    def handle_endtag(self, tag: str) -> None:
        if tag not in self._stack:
            return
        while self._stack:
            open_tag = self._stack.pop()
            if open_tag == "article":
                self._in_article -= 1
            if open_tag == tag:
                break
        if self._buf is not None and tag in {"p", "script"}:
            text = "".join(self._buf).strip()
            if tag == "script":
                self.jsonld.append(text)
            elif text:
                target = self.article_paragraphs if self._in_article else self.paragraphs
                target.append(re.sub(r"\s+", " ", text))
            self._buf = None

    def handle_data(self, data: str) -> None:
        if self._buf is not None:
            self._buf.append(data)
        elif self._stack and self._stack[-1] == "title":
            self.title += data

    def _skipping(self) -> bool:
        return any(t in self._SKIP for t in self._stack)


def _jsonld_article(blocks: list[str]) -> dict[str, object]:
    """The first Article-like object (NewsArticle, ReportageNewsArticle...) in JSON-LD."""
    for block in blocks:
        try:
            data = json_input.loads(block)
        except ValueError:
            continue
        queue = data if isinstance(data, list) else [data]
        while queue:
            item = queue.pop(0)
            if not isinstance(item, dict):
                continue
            queue.extend(item.get("@graph", []) if isinstance(item.get("@graph"), list) else [])
            kinds = item.get("@type", [])
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(k, str) and k.endswith("Article") for k in kinds):
                return item
    return {}


def _name_of(value: object) -> str | None:
    """A schema.org Person/Organization (or list of them, or a string) as a display name."""
    if isinstance(value, list):
        names = [n for n in (_name_of(v) for v in value) if n]
        return "، ".join(names) if names else None
    if isinstance(value, dict):
        value = value.get("name")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _parse_date(value: object) -> datetime.date | None:
    if not isinstance(value, str):
        return None
    match = re.search(r"(\d{4})-(\d{2})-(\d{2})", value)
    if not match:
        return None
    try:
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


# What browsers and the SingleFile extension write at the top of a saved page: where it came
# from, which is all a page without canonical or og:url metadata says about its address.
_SAVED_FROM = re.compile(
    r"<!--\s*(?:saved from url=\(\d+\)|Page saved with SingleFile\s+url:\s*)"
    r"(https?://[^\s>]+)", re.IGNORECASE)

# Between a page <title>'s headline, section and outlet: a bar, dash or bullet, spaced.
_TITLE_SEPARATOR = re.compile(r"\s+[|\-–—:•·»]{1,2}\s+")


def _saved_from(html: str) -> str | None:
    """The address a saved page's leading comment records (Chrome, Edge, SingleFile)."""
    match = _SAVED_FROM.search(html[:4096])
    return match.group(1) if match else None


def _first(*values: object) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _trafilatura(html: str, url: str | None) -> tuple[str | None, dict[str, object]]:
    """Body text and metadata from trafilatura, or (None, {}) when it is unavailable."""
    try:
        import trafilatura  # imported lazily: heavy, and broken installs must not stop ingest
    except ImportError:
        return None, {}
    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False,
        include_images=False, deduplicate=False,
        # No guessing from any year on the page: its extensive search reads a footer's
        # "© 2024" as 1 January 2024, which would become the date of every claim made here.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if doc is None:
        return None, {}
    get = doc.get if isinstance(doc, dict) else lambda key: getattr(doc, key, None)
    meta = {k: get(k) for k in ("title", "author", "sitename", "date", "url", "language")}
    return get("text") or None, meta


def extract_from_html(html: str, url: str | None = None) -> ExtractedArticle:
    """Extract a saved article page: trafilatura for the body, page metadata first for fields."""
    page = _PageParser()
    page.feed(html)
    page.close()
    meta, ld = page.meta, _jsonld_article(page.jsonld)
    body, tmeta = _trafilatura(html, url)
    if body is None:
        # Without trafilatura, <p> inside <article> (else all <p> outside chrome) is the body.
        body = "\n".join(page.article_paragraphs or page.paragraphs)
    publisher = _name_of(ld.get("publisher"))
    author = _first(
        _name_of(ld.get("author")),
        meta.get("author"),
        meta.get("article:author") if not meta.get("article:author", "").startswith("http")
        else None,
        tmeta.get("author"),
    )
    page_title = re.sub(r"\s+", " ", page.title).strip() or None
    title = _first(ld.get("headline"), meta.get("og:title"), tmeta.get("title"), page_title)
    lang = _first(page.lang, ld.get("inLanguage"), meta.get("og:locale"), tmeta.get("language"))
    lines = _clean_lines(body)
    # trafilatura keeps the <h1> headline as the first body line; it is the title, not text,
    # whether it matches the metadata's titles or only the <title> (often "Headline | Outlet").
    parts = _TITLE_SEPARATOR.split(page_title) if page_title else []
    titles = {normalize(t) for t in (title, meta.get("og:title"), tmeta.get("title"), page_title,
                                     *parts) if isinstance(t, str)}
    while lines and normalize(lines[0]) in titles:
        lines = lines[1:]
    return _finish(
        lines,
        title=title,
        outlet=_first(meta.get("og:site_name"), publisher, tmeta.get("sitename")),
        author=author,
        published=_parse_date(ld.get("datePublished"))
        or _parse_date(meta.get("article:published_time"))
        or _parse_date(meta.get("date") or meta.get("pubdate"))
        or _parse_date(tmeta.get("date")),
        url=_first(meta.get("canonical"), meta.get("og:url"), ld.get("url"), url,
                   _saved_from(html), tmeta.get("url")),
        language=lang.replace("_", "-").split("-")[0].lower() if lang else None,
    )
