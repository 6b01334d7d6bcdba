"""ClaimReview documents read: reviews from JSON-LD, JSON feeds or saved HTML pages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from claims import json_input

_SCRIPT_RE = re.compile(
    r"<script\b[^>]*\btype\s*=\s*[\"']?application/ld\+json[\"']?[^>]*>(.*?)</script\s*>",
    re.IGNORECASE | re.DOTALL)


class NotClaimReview(ValueError):
    """The input holds no ClaimReview we can read; ``code`` says why (an i18n ``import.`` key)."""

    def __init__(self, message: str, code: str = "no_reviews", **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def node_types(node: dict[str, Any]) -> list[str]:
    """A node's @type names without their vocabulary ("http://schema.org/Person": Person)."""
    kind = node.get("@type", [])
    return [str(k).rsplit("/", 1)[-1] for k in (kind if isinstance(kind, list) else [kind])]


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, dict):
        if "ClaimReview" in node_types(node):
            yield node
            return
        if isinstance(node.get("claims"), list):  # Google Fact Check Tools API response
            yield from _from_factcheck_api(node["claims"])
        for value in node.values():
            if isinstance(value, (list, dict)):
                yield from _walk(value)


def _from_factcheck_api(claims: list[Any]) -> Iterator[dict[str, Any]]:
    for item in claims:
        if not isinstance(item, dict):
            continue
        for review in item.get("claimReview") or []:
            if not isinstance(review, dict) or "@type" in review:
                continue
            publisher = review.get("publisher") or {}
            yield {"@type": "ClaimReview", "url": review.get("url"),
                   "claimReviewed": item.get("text"), "datePublished": review.get("reviewDate"),
                   "inLanguage": review.get("languageCode"),
                   "author": {"@type": "Organization", "name": publisher.get("name"),
                              "url": publisher.get("site")},
                   "reviewRating": {"@type": "Rating",
                                    "alternateName": review.get("textualRating")},
                   "itemReviewed": {"@type": "Claim", "datePublished": item.get("claimDate"),
                                    "author": {"@type": "Person", "name": item.get("claimant")}
                                    if item.get("claimant") else None}}


def _json_blocks(html: str) -> list[Any]:
    blocks = []
    for match in _SCRIPT_RE.finditer(html):
        try:
            blocks.append(json_input.loads(match.group(1).strip()))
        except ValueError:
            continue  # a broken block on a page does not hide the others
    return blocks


def extract_reviews(raw: str | bytes) -> list[dict[str, Any]]:
    """Every ClaimReview in a JSON-LD document, a JSON feed, or an HTML page with ld+json."""
    text = raw.decode("utf-8-sig", errors="replace") if isinstance(raw, bytes) else raw
    text = text.lstrip("\ufeff")
    try:
        data: Any = json_input.loads(text)
    except json.JSONDecodeError as exc:
        if text.lstrip()[:1] in ("{", "["):  # a JSON file, not a page: say where it breaks
            raise NotClaimReview(f"not valid JSON at line {exc.lineno}, column {exc.colno}",
                                 "bad_json", line=exc.lineno, column=exc.colno) from exc
        data = _json_blocks(text)
    except ValueError:
        data = _json_blocks(text)
    if isinstance(data, dict) and isinstance(data.get("page"), str) and "@type" not in data:
        data = _json_blocks(data["page"])  # a saved page: {"url": …, "page": "<html>…"}
    reviews = list(_walk(data))
    if not reviews:
        raise NotClaimReview("no ClaimReview found")
    return reviews
