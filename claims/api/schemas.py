"""JSON shapes of the API: the OpenAPI component schemas and the serialisers that follow them."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from claims.config import Status
from claims.models import (
    Alias,
    AuditEvent,
    Claim,
    ClaimAppearance,
    ClaimLink,
    ClaimRevision,
    Entity,
    Evidence,
    Mention,
    SourceDocument,
    StatusChange,
)
from claims.models.analysis import LINK_RELATIONS
from claims.models.audit import AUDIT_TARGETS
from claims.models.claims import CLAIM_TYPES, EVIDENCE_KINDS, EVIDENCE_STANCES
from claims.models.entities import ALIAS_KINDS, ALIAS_LANGS, ENTITY_KINDS, MENTION_REVIEW

NULL_STR = {"type": ["string", "null"]}
NULL_INT = {"type": ["integer", "null"]}
NULL_DATE = {"type": ["string", "null"], "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
# Any absolute http(s) address without whitespace: queries, fragments, ports and Arabic paths
# or domains included (the service checks the same, so the API and the web agree).
URL = {"type": "string", "format": "uri", "maxLength": 2000,
       "pattern": r"^[hH][tT][tT][pP][sS]?://[^\s/?#]+([/?#]\S*)?$"}
TEXT = 2000


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    schema["required"] = list(props) if required is None else required
    return schema


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """The same property, also accepting null (which clears it in a PATCH)."""
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    return {**schema, "type": [schema["type"], "null"]}


def _page(item: str, **extra: Any) -> dict[str, Any]:
    props = {"items": {"type": "array", "items": _ref(item)}, "page": {"type": "integer"},
             "per_page": {"type": "integer"}, "total": {"type": "integer"},
             "pages": {"type": "integer"}, **extra}
    return _obj(props)


COMPONENTS: dict[str, Any] = {
    "Error": _obj({"error": _obj({
        "code": {"type": "string"}, "message": {"type": "string"}, "field": NULL_STR,
        "current_version": NULL_INT,
        "errors": {"type": "array", "items": _obj({"field": {"type": "string"},
                                                   "code": {"type": "string"},
                                                   "message": {"type": "string"},
                                                   "params": {"type": "object"}})},
    }, ["code", "message", "field"])}),
    "EntityRef": _obj({"id": {"type": "integer"}, "kind": {"enum": list(ENTITY_KINDS)},
                       "name_ar": {"type": "string"}, "name_en": NULL_STR,
                       "wikidata_id": NULL_STR}),
    "Alias": _obj({"id": {"type": "integer"}, "text": {"type": "string"},
                   "kind": {"enum": list(ALIAS_KINDS)}, "lang": {"enum": list(ALIAS_LANGS)}}),
    "Entity": _obj({"id": {"type": "integer"}, "kind": {"enum": list(ENTITY_KINDS)},
                    "name_ar": {"type": "string"}, "name_en": NULL_STR, "wikidata_id": NULL_STR,
                    "aliases": {"type": "array", "items": _ref("Alias")},
                    "status_counts": {"type": "object",
                                      "additionalProperties": {"type": "integer"}}}),
    "Source": _obj({"id": {"type": "integer"}, "title": {"type": "string"}, "outlet": NULL_STR,
                    "url": NULL_STR, "language": {"type": "string"},
                    "published_date": NULL_DATE, "author": NULL_STR, "created_at": DATETIME,
                    "version": {"type": "integer"}}),
    "SourceDetail": _obj({"source": _ref("Source"), "text": {"type": "string"},
                          "claims": {"type": "array", "items": {"type": "integer"}}}),
    "Claim": _obj({
        "id": {"type": "integer"}, "text": {"type": "string"}, "restatement": NULL_STR,
        "status": {"type": "string"}, "status_label": _obj({"ar": {"type": "string"},
                                                            "en": {"type": "string"}}),
        "final": {"type": "boolean"}, "version": {"type": "integer"},
        "claim_type": {"enum": list(CLAIM_TYPES)}, "claim_date": NULL_DATE,
        "speaker": {"oneOf": [_ref("EntityRef"), {"type": "null"}]},
        "source": _ref("Source"), "span_start": NULL_INT, "span_end": NULL_INT,
        "tags": {"type": "array", "items": {"type": "string"}},
        "duplicate_of_id": NULL_INT, "import_key": NULL_STR,
        "created_at": DATETIME, "updated_at": DATETIME}),
    "Evidence": _obj({"id": {"type": "integer"}, "claim_id": {"type": "integer"},
                      "url": NULL_STR, "title": {"type": "string"}, "publisher": NULL_STR,
                      "kind": {"enum": list(EVIDENCE_KINDS)},
                      "stance": {"enum": list(EVIDENCE_STANCES)}, "note": {"type": "string"},
                      "accessed_date": NULL_DATE, "created_at": DATETIME,
                      "version": {"type": "integer"}}),
    "Appearance": _obj({"id": {"type": "integer"}, "claim_id": {"type": "integer"},
                        "url": {"type": "string"}, "title": NULL_STR,
                        "published_date": NULL_DATE, "created_at": DATETIME}),
    "StatusChange": _obj({"id": {"type": "integer"}, "from_status": NULL_STR,
                          "to_status": {"type": "string"}, "user": NULL_STR,
                          "note": {"type": "string"}, "created_at": DATETIME}),
    "Revision": _obj({"id": {"type": "integer"}, "version": {"type": "integer"},
                      "user": NULL_STR, "created_at": DATETIME,
                      "changes": {"type": "object", "description":
                                  "each changed field: [before, after] as shown then; "
                                  "'evidence' or 'appearance': [item or null, item or null] "
                                  "(added, edited, removed), each item an object of its "
                                  "fields; 'link': a match decision, [null or {claim_id, "
                                  "relation}, {claim_id, relation}]; 'mention': an entity "
                                  "link's review, [{entity_id, entity, surface, review}, same]",
                                  "additionalProperties": {
                                      "type": "array", "items": {"type": ["string", "object",
                                                                          "null"]},
                                      "minItems": 2, "maxItems": 2}}}),
    "Match": _obj({"claim_id": {"type": "integer"}, "text": {"type": "string"},
                   "status": {"type": "string"}, "score": {"type": "number"},
                   "relation": {"enum": ["same", "conflict", "related"]},
                   "reasons": {"type": "array", "items": {"type": "string"}}}),
    "ClaimPage": _page("Claim", entities={"type": "array", "items": _ref("EntityRef")},
                       total_exact={"type": "boolean", "description":
                                    "false: total is an estimate (big result sets are not "
                                    "counted row by row)"},
                       next_before={**NULL_INT, "description":
                                    "the cursor of the next page (send it as before), or "
                                    "null on the last"}),
    "SourcePage": _page("Source"),
    "EntityPage": _page("EntityRef"),
    "EvidenceList": _obj({"items": {"type": "array", "items": _ref("Evidence")}}),
    "AppearanceList": _obj({"items": {"type": "array", "items": _ref("Appearance")}}),
    "History": _obj({"items": {"type": "array", "items": _ref("StatusChange")}}),
    "Revisions": _obj({"items": {"type": "array", "items": _ref("Revision")}}),
    "AuditEvent": _obj({"id": {"type": "integer"}, "created_at": DATETIME,
                        "user": {**NULL_STR, "description": "null: the command line"},
                        "action": {"type": "string"},
                        "target_kind": {"enum": list(AUDIT_TARGETS)},
                        "target_id": {"type": "integer"},
                        "details": {"type": "object", "description":
                                    "names as they were then; a changed value is "
                                    "[before, after]"}}),
    "AuditPage": _obj({"items": {"type": "array", "items": _ref("AuditEvent")},
                       "next_before": {"type": ["integer", "null"]}}),
    "MatchList": _obj({"items": {"type": "array", "items": _ref("Match")}}),
    "Me": _obj({"id": {"type": "integer"}, "username": {"type": "string"},
                "role": {"enum": ["viewer", "editor", "admin"]}}),
}

_OPT_TEXT = {"type": "string", "maxLength": TEXT}
_CLAIM_FIELDS: dict[str, Any] = {
    "text": {"type": "string", "minLength": 1, "maxLength": TEXT},
    "restatement": _OPT_TEXT,
    "source_id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
    "source_url": URL,
    "source_title": {"type": "string", "maxLength": 500},
    "speaker": {"type": "string", "maxLength": 256,
                "description": "An entity name in any spelling, or #<entity id>"},
    "new_speaker_kind": {"enum": list(ENTITY_KINDS),
                         "description": "when no entity has the speaker's name: create it, "
                                        "as an entity of this kind, with the claim"},
    "claim_date": {**NULL_DATE, "description": "YYYY-MM-DD; null or \"\" clears it"},
    "claim_type": {"enum": list(CLAIM_TYPES)},
    "tags": {"type": "array", "maxItems": 20, "items": {"type": "string", "maxLength": 64}},
    "span_start": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
    "span_end": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
}
_EVIDENCE_FIELDS: dict[str, Any] = {
    "url": URL,
    "title": {"type": "string", "maxLength": 500},
    "publisher": {"type": "string", "maxLength": 200},
    "kind": {"enum": list(EVIDENCE_KINDS)},
    "stance": {"enum": list(EVIDENCE_STANCES)},
    "note": {"type": "string", "maxLength": 4000},
    "accessed_date": {"type": "string", "format": "date"},
}
VERSION = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
COMPONENTS.update({
    "ClaimCreate": {**_obj({**_CLAIM_FIELDS, "status": {"type": "string"},
                            "note": {"type": "string", "maxLength": 4000}}, ["text"]),
                    "description": "A claim needs its source: source_id (a stored source) "
                                   "or source_url (the source stored at that address, or a "
                                   "new one titled source_title); neither is a 422 naming "
                                   "source_id."},
    "MatchQuery": _obj({"text": {"type": "string", "minLength": 1, "maxLength": 2000}},
                       ["text"]),
    "ClaimPatch": _obj({**_CLAIM_FIELDS, "version": VERSION}, ["version"]),
    "StatusChangeRequest": _obj({"status": {"type": "string"}, "version": VERSION,
                                 "note": {"type": "string", "maxLength": 4000}},
                                ["status", "version"]),
    "EvidenceCreate": _obj(_EVIDENCE_FIELDS, []),
    # "version": the one the client saw; a stale one is a 409, never an overwrite.
    "EvidencePatch": _obj({**{name: _nullable(schema)
                              for name, schema in _EVIDENCE_FIELDS.items()},
                           "version": VERSION}, ["version"]),
    "AppearanceCreate": _obj({
        "url": URL,
        "title": {"type": "string", "maxLength": 500},
        "published_date": {"type": "string", "format": "date"}}, ["url"]),
    # "text": an article (at most 200,000 characters) or a saved page's HTML (at most 2 MiB
    # of markup; its article is held to the same 200,000).
    "SourceCreate": _obj({"text": {"type": "string", "minLength": 1, "maxLength": 2 * 1024 * 1024},
                          "url": URL,
                          "title": {"type": "string", "maxLength": 500},
                          "outlet": {"type": "string", "maxLength": 200}}, ["text"]),
    # "version": the one the client saw; a stale one is a 409. null clears a field.
    "SourcePatch": _obj({"version": VERSION,
                         "title": {"type": "string", "minLength": 1, "maxLength": 500},
                         "outlet": _nullable({"type": "string", "maxLength": 200}),
                         "author": _nullable({"type": "string", "maxLength": 200}),
                         "url": _nullable(URL),
                         "published_date": _nullable({"type": "string", "format": "date"})},
                        ["version"]),
    "EntityCreate": _obj({"kind": {"enum": list(ENTITY_KINDS)},
                          "name_ar": {"type": "string", "minLength": 1, "maxLength": 256},
                          "name_en": {"type": "string", "maxLength": 256},
                          "wikidata_id": {"type": "string", "maxLength": 300,
                                          "description": "Q and digits (Q7747; q and "
                                                         "Arabic-Indic digits accepted), or "
                                                         "the item's wikidata.org address; "
                                                         "stored as Q7747"},
                          "distinct": {"type": "boolean",
                                       "description": "true: a different entity that shares "
                                                      "a name with an existing one of its kind"}},
                         ["kind", "name_ar"]),
    "AliasCreate": _obj({"text": {"type": "string", "minLength": 1, "maxLength": 256},
                         "kind": {"enum": list(ALIAS_KINDS)},
                         "lang": {"enum": list(ALIAS_LANGS)}}, ["text"]),
    "Mention": _obj({"id": {"type": "integer"}, "entity": _ref("EntityRef"),
                     "surface": {"type": "string"}, "start": {"type": "integer"},
                     "end": {"type": "integer"}, "method": {"type": "string"},
                     "review": {"enum": list(MENTION_REVIEW)}}),
    "MentionList": _obj({"items": {"type": "array", "items": _ref("Mention")}}),
    "MentionReview": _obj({"review": {"enum": list(MENTION_REVIEW)}}),
    "Link": _obj({"claim_id": {"type": "integer"}, "other_id": {"type": "integer",
                  "description": "the other claim (for a duplicate: the one whose verdict "
                                 "the copy shares is other_id, or claim_id when the copy is "
                                 "this claim's other side)"},
                  "relation": {"enum": list(LINK_RELATIONS)}, "score": {"type": ["number", "null"]},
                  "reasons": {"type": "array", "items": {"type": "string"}},
                  "created_at": DATETIME}),
    "LinkList": _obj({"duplicate_of_id": NULL_INT,
                      "items": {"type": "array", "items": _ref("Link")}}),
    "LinkDecision": _obj({"other_id": {"type": "integer", "minimum": 1,
                                       "maximum": 2**31 - 1},
                          "relation": {"enum": list(LINK_RELATIONS)}}),
})


# Request bodies name only their own fields: a misspelt one ("stauts") would otherwise be
# dropped without a word, and the client would believe it had changed something.
REQUEST_BODIES = ("ClaimCreate", "ClaimPatch", "StatusChangeRequest", "EvidenceCreate",
                  "EvidencePatch", "AppearanceCreate", "SourceCreate", "SourcePatch",
                  "EntityCreate",
                  "AliasCreate", "MentionReview", "LinkDecision", "MatchQuery")
for _name in REQUEST_BODIES:
    COMPONENTS[_name]["additionalProperties"] = False


def components(status_ids: list[str]) -> dict[str, Any]:
    """The component schemas with the configured status vocabulary filled in."""
    result = copy.deepcopy(COMPONENTS)
    for name in ("ClaimCreate", "StatusChangeRequest"):
        result[name]["properties"]["status"] = {"enum": status_ids}
    return result


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def entity_ref(entity: Entity) -> dict[str, Any]:
    """An entity without its aliases."""
    return {"id": entity.id, "kind": entity.kind, "name_ar": entity.name_ar,
            "name_en": entity.name_en, "wikidata_id": entity.wikidata_id}


def alias_json(alias: Alias) -> dict[str, Any]:
    """One alias."""
    return {"id": alias.id, "text": alias.text, "kind": alias.kind, "lang": alias.lang}


def entity_json(entity: Entity, counts: dict[str, int]) -> dict[str, Any]:
    """An entity with its aliases and claim counts by status."""
    return {**entity_ref(entity), "aliases": [alias_json(a) for a in entity.aliases],
            "status_counts": counts}


def source_json(source: SourceDocument) -> dict[str, Any]:
    """A source document without its text."""
    return {"id": source.id, "title": source.title, "outlet": source.outlet, "url": source.url,
            "language": source.language, "published_date": _date(source.published_date),
            "author": source.author, "created_at": source.created_at.isoformat(),
            "version": source.version}


def claim_json(claim: Claim, statuses: dict[str, Status]) -> dict[str, Any]:
    """A claim with its speaker, source and tags."""
    status = statuses.get(claim.status)
    return {
        "id": claim.id, "text": claim.text, "restatement": claim.restatement,
        "status": claim.status,
        "status_label": {"ar": status.label_ar if status else claim.status,
                         "en": status.label_en if status else claim.status},
        "final": bool(status and status.final), "version": claim.version,
        "claim_type": claim.claim_type, "claim_date": _date(claim.claim_date),
        "speaker": entity_ref(claim.speaker) if claim.speaker else None,
        "source": source_json(claim.source), "span_start": claim.span_start,
        "span_end": claim.span_end, "tags": [t.name for t in claim.tags],
        "duplicate_of_id": claim.duplicate_of_id, "import_key": claim.import_key,
        "created_at": claim.created_at.isoformat(), "updated_at": claim.updated_at.isoformat(),
    }


def evidence_json(evidence: Evidence) -> dict[str, Any]:
    """One evidence item."""
    return {"id": evidence.id, "claim_id": evidence.claim_id, "url": evidence.url,
            "title": evidence.title, "publisher": evidence.publisher, "kind": evidence.kind,
            "stance": evidence.stance, "note": evidence.note,
            "accessed_date": _date(evidence.accessed_date),
            "created_at": evidence.created_at.isoformat(), "version": evidence.version}


def appearance_json(appearance: ClaimAppearance) -> dict[str, Any]:
    """One other place a claim was published."""
    return {"id": appearance.id, "claim_id": appearance.claim_id, "url": appearance.url,
            "title": appearance.title, "published_date": _date(appearance.published_date),
            "created_at": appearance.created_at.isoformat()}


def revision_json(revision: ClaimRevision) -> dict[str, Any]:
    """One recorded edit of a claim."""
    return {"id": revision.id, "version": revision.version,
            "user": revision.user.username if revision.user else None,
            "created_at": revision.created_at.isoformat(), "changes": revision.changes}


def mention_json(mention: Mention) -> dict[str, Any]:
    """One entity link found in a claim's text, with its review."""
    return {"id": mention.id, "entity": entity_ref(mention.entity), "surface": mention.surface,
            "start": mention.start, "end": mention.end, "method": mention.method,
            "review": mention.review}


def link_json(link: ClaimLink) -> dict[str, Any]:
    """An editor's decision about two claims."""
    return {"claim_id": link.claim_id, "other_id": link.other_id, "relation": link.relation,
            "score": link.score, "reasons": [r for r in link.reasons.split("; ") if r],
            "created_at": link.created_at.isoformat()}


def audit_json(event: AuditEvent) -> dict[str, Any]:
    """One audit event."""
    return {"id": event.id, "created_at": event.created_at.isoformat(),
            "user": event.user.username if event.user else None, "action": event.action,
            "target_kind": event.target_kind, "target_id": event.target_id,
            "details": event.details}


def history_json(change: StatusChange) -> dict[str, Any]:
    """One status-history row."""
    return {"id": change.id, "from_status": change.from_status, "to_status": change.to_status,
            "user": change.user.username if change.user else None, "note": change.note,
            "created_at": change.created_at.isoformat()}
