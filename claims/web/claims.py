"""Claim pages: list and search, create, the claim page, edit and status changes.

Evidence, appearances and entity-link reviews, which also live on the claim page, are in
``claim_items``."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any, cast

from flask import (
    Blueprint,
    current_app,
    flash,
    get_flashed_messages,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from markupsafe import Markup, escape
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from claims import i18n
from claims.db import begin_write, get_session
from claims.errors import Conflict, NotFound, ValidationFailed
from claims.i18n import field_label, gettext
from claims.models import (
    Claim,
    ClaimRevision,
    Entity,
    Mention,
    SourceDocument,
    StatusChange,
    User,
)
from claims.models.claims import CLAIM_TYPES, EVIDENCE_KINDS, EVIDENCE_STANCES
from claims.models.entities import ENTITY_KINDS
from claims.security import csrf_token, current_user, policy, reads_only
from claims.services import claims as service
from claims.services import workbench_links as links
from claims.services.entities import resolve_entity
from claims.services.inputs import Inputs
from claims.services.search import ClaimFilters, search_ids
from claims.services.search_syntax import MAX_EXCLUDED, MAX_PHRASES, parse_query
from claims.services.suggestions import suggestions_for
from claims.text.arabic import strip_controls
from claims.web import list_cache, once, page_cache
from claims.web.interchange import claimreview_jsonld, review_base

bp = Blueprint("claims", __name__, url_prefix="/claims")
bp.record_once(lambda state: page_cache.install(state.app))

i18n.register({
    "match.show_similar": ("عرض الادعاءات المشابهة والمتعارضة",
                           "Show similar and conflicting claims"),
    "claims.count_about": ("نحو {n} ادعاء", "about {n} claims"),
    "revision.edited": ("عُدّل", "Edited"),
    "revision.show": ("عرض التغييرات", "Show changes"),
    "revision.before": ("قبل:", "Before:"),
    "revision.after": ("بعد:", "After:"),
    "revision.span": ("الموضع في المصدر", "Position in the source"),
    "revision.evidence_added": ("أُضيف دليل", "Evidence added"),
    "revision.evidence_edited": ("عُدّل دليل", "Evidence edited"),
    "revision.evidence_removed": ("حُذف دليل", "Evidence removed"),
    "revision.appearance_added": ("أُضيف موضع نشر", "Appearance added"),
    "revision.appearance_edited": ("عُدّل موضع نشر", "Appearance edited"),
    "revision.appearance_removed": ("أُزيل موضع نشر", "Appearance removed"),
    "revision.link": ("قرار مطابقة مع الادعاء", "Match decision on claim"),
    "link.relation.duplicate": ("الادعاء نفسه", "same claim"),
    "link.relation.conflict": ("تعارض", "conflict"),
    "link.relation.dismissed": ("غير مرتبط", "not related"),
    "revision.mention": ("الربط بالكيان", "Link to entity"),
    "mention.review.auto": ("ربط تلقائي", "automatic"),
    "mention.review.confirmed": ("مؤكَّد", "confirmed"),
    "mention.review.rejected": ("مرفوض", "rejected"),
    "claims.filter_ignored": ("تجاهلنا عامل التصفية «{field}»: {problem}",
                              "Filter “{field}” ignored: {problem}"),
}, plurals={
    "claims.count_about": ({"few": "نحو {n} ادعاءات", "many": "نحو {n} ادعاءً"}, {}),
})

# The label of each field an edit can change (services.revisions.FIELDS).
REVISION_LABELS = {"text": "claim.text", "restatement": "claim.restatement",
                   "speaker": "claim.speaker", "source": "claim.source",
                   "claim_date": "claim.claim_date", "claim_type": "claim.claim_type",
                   "tags": "claim.tags", "span": "revision.span", "evidence": "claim.evidence",
                   "appearance": "claim.appearances"}

# The list's filters by query parameter, with the label the filter form shows for each.
_FILTER_LABELS = {"q": "claims.search", "status": "claim.status", "entity": "claim.entities",
                  "speaker": "claim.speaker", "source": "claim.source", "tag": "claim.tags",
                  "unit": "claims.with_number", "from": "claims.date_from",
                  "to": "claims.date_to"}


def signed_in_user() -> User:
    """The logged-in user of a view whose policy already required one."""
    user = current_user()
    assert user is not None  # the policy check guarantees a user here
    return user


@bp.app_template_filter("word_diff")
def word_diff(pair: list[str | None]) -> tuple[Markup, Markup]:
    """An edit's before and after text with the words it removed and added marked."""
    # Words with the spaces after them, compared without those spaces: a run of changed
    # words is marked once, not word by word around unchanged spaces.
    before, after = (re.findall(r"\s*\S+\s*", value or "") for value in pair)
    matcher = SequenceMatcher(None, [w.strip() for w in before], [w.strip() for w in after],
                              autojunk=False)
    old, new = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = escape("".join(before[i1:i2])), escape("".join(after[j1:j2]))
        old.append(removed if op == "equal" else Markup("<del>{}</del>").format(removed)
                   if removed else Markup(""))
        new.append(added if op == "equal" else Markup("<ins>{}</ins>").format(added)
                   if added else Markup(""))
    return Markup("").join(old), Markup("").join(new)


def _ignored_filters(filters: ClaimFilters) -> list[str]:
    """Why each malformed filter parameter was ignored (a bad page number just means page 1).

    Bidi controls in a quoted value are stripped by the templates' finaliser when printed."""
    return [gettext("claims.filter_ignored", field=gettext(_FILTER_LABELS[p.field]),
                    problem=gettext(f"error.{p.code}", **p.params))
            for p in filters.problems if p.field in _FILTER_LABELS]


def field_messages(exc: ValidationFailed) -> dict[str, str]:
    """One message per failing field, in the interface language."""
    messages: dict[str, str] = {}
    for error in exc.errors:
        messages.setdefault(error.field, gettext(f"error.{error.code}", **error.params))
    return messages


def flash_field_errors(exc: ValidationFailed) -> None:
    """Flash each failing field's message after the field's name (for a page redirected to)."""
    for name, message in field_messages(exc).items():
        flash(f"{field_label(name)}: {message}", "error")


@bp.get("", endpoint="index")
@policy("viewer")
@reads_only
def index() -> str:
    """The claims list with filters and search, newest first."""
    session = get_session()
    filters = ClaimFilters.from_args(request.args, set(current_app.config["STATUSES"]))
    result = search_ids(session, filters, int(current_app.config["PAGE_SIZE"]))
    # Each card (``macros.claim_card``) rendered once per shown state of its claim.
    cards = list_cache.claim_cards(session, result.ids, i18n.current_language(),
                                   get_template_attribute("macros.html", "claim_card"))
    chosen = {}
    for name in ("entity", "speaker"):
        entity_id = getattr(filters, name)
        if entity_id is not None:
            chosen[name] = session.get(Entity, entity_id)
    # The source filter's choices: plain rows (100 ORM objects cost ~1 ms a search), their
    # <option> elements rendered once per set of rows and choice.
    sources = list_cache.source_options(
        session, filters.source, get_template_attribute("macros.html", "source_options"))
    main = render_template("claims/_list_main.html", result=result, cards=cards,
                           filters=filters, chosen=chosen, source_options=sources,
                           ignored=_ignored_filters(filters),
                           syntax=parse_query(filters.q) if filters.q else None,
                           max_phrases=MAX_PHRASES, max_excluded=MAX_EXCLUDED)
    # The navigation, user and language form around it come from the cached page shell.
    return _in_shell("claims/list.html", "", Markup(""), Markup(main))  # noqa: S704 - rendered


def _source_choices(limit: int) -> Select[SourceDocument]:
    """The newest sources for a select box: titles only, never the article texts."""
    return (select(SourceDocument).order_by(SourceDocument.id.desc()).limit(limit)
            .options(load_only(SourceDocument.title, SourceDocument.outlet)))


def _form_context(values: Any, errors: dict[str, str] | None = None) -> dict[str, Any]:
    session = get_session()
    sources = list(session.scalars(_source_choices(200)))
    chosen = Inputs(values).integer("source_id")
    if chosen is not None and all(source.id != chosen for source in sources):
        # An older source stays chosen: the edited claim's, or the article a workbench names.
        sources += session.scalars(_source_choices(1).where(SourceDocument.id == chosen))
    return {"values": values, "errors": errors or {}, "sources": sources,
            "claim_types": CLAIM_TYPES, "entity_kinds": ENTITY_KINDS,
            "speaker_unknown": _names_no_entity(str(values.get("speaker") or ""))}


def _names_no_entity(speaker: str) -> bool:
    """Whether a typed speaker names no entity (the form then offers to create one)."""
    if not speaker.strip():
        return False
    try:
        resolve_entity(get_session(), speaker, "speaker")
    except ValidationFailed as exc:
        return [e.code for e in exc.errors] == ["unknown_entity"]
    return False


@bp.route("/new", methods=["GET", "POST"], endpoint="new")
@policy("editor")
def new() -> Any:
    """Create a claim."""
    if request.method != "POST":  # GET or HEAD
        # Pre-filled from the address (the workbench's "open in form" link).
        values = {name: request.args.get(name, "")
                  for name in ("text", "span_start", "span_end", "speaker", "claim_date")}
        values |= {"source_id": request.args.get("source", ""), "status": "unstarted"}
        return render_template("claims/form.html", mode="new", **_form_context(values))
    session = get_session()
    begin_write(session)
    user = signed_in_user()
    try:
        claim_id, made = once.create(
            session, user, lambda: service.create_claim(session, user, request.form).id)
    except ValidationFailed as exc:
        session.rollback()
        return render_template("claims/form.html", mode="new",
                               **_form_context(request.form, field_messages(exc))), 422
    session.commit()
    once.flash_saved(made, "claim.created_ok")
    return redirect(url_for("claims.detail", claim_id=claim_id))


def _load_claim(claim_id: int) -> Claim:
    """The claim with everything its page shows, one query per relationship (or NotFound)."""
    session = get_session()
    claim = session.scalar(select(Claim).where(Claim.id == claim_id).options(
        joinedload(Claim.source), joinedload(Claim.speaker), joinedload(Claim.created_by),
        selectinload(Claim.tags), selectinload(Claim.quantities), selectinload(Claim.evidence),
        selectinload(Claim.appearances),
        selectinload(Claim.mentions).joinedload(Mention.entity),
        selectinload(Claim.history).joinedload(StatusChange.user),
        selectinload(Claim.revisions).joinedload(ClaimRevision.user)))
    return claim if claim is not None else service.get_claim(session, claim_id)


def _fragment(claim: Claim, found: links.Relations | None = None,
              **extra: Any) -> page_cache.Fragment:
    """The claim-specific part of the page: JSON-LD for the head and the main content."""
    editor = signed_in_user().can("editor")
    suggestions = suggestions_for(claim) if editor else []
    relations = links.decided_relations(get_session(), claim)
    main = render_template("claims/_detail_main.html", claim=claim, editor_view=editor,
                           evidence_kinds=EVIDENCE_KINDS, evidence_stances=EVIDENCE_STANCES,
                           suggestions=suggestions, entity_kinds=ENTITY_KINDS,
                           relations=relations, found=found,
                           revision_labels=REVISION_LABELS, **extra)
    # Through strip_controls as the template's finalize did: no bidi overrides in the HTML.
    review = Markup(strip_controls(claimreview_jsonld(claim)))  # noqa: S704 - only removes
    head = Markup('<script type="application/ld+json">{}</script>').format(review) \
        if review else Markup("")
    return head, Markup(main)  # noqa: S704 - rendered, autoescaped


def _page(claim_id: int, fragment: page_cache.Fragment) -> str:
    """The page shell (navigation, user, flashes) around a claim fragment."""
    head, main = fragment
    return _in_shell("claims/detail.html", str(claim_id), head, main)


def _in_shell(template: str, title: str, head: Markup, main: Markup) -> str:
    """The page shell of ``template`` (navigation, user, flashes) around ``main``.

    The shell is rendered once per user, language and role with placeholders; the title,
    head and main content, this request's path, flashes and CSRF token are filled in on every
    response (``main`` gets the token in place of the placeholder of cached fragments).
    """
    user = signed_in_user()
    key = (request.endpoint, template, i18n.current_language(), user.id, user.username,
           user.display_name, user.role)
    slot = page_cache.slots()
    shell = page_cache.shell(key, lambda: render_template(
        template, claim_id=slot["title"], claimreview_ld=slot["head"],
        main=slot["main"], shell_next=slot["next"], shell_flashes=slot["flashes"]))
    token = csrf_token()
    # As base.html shows them (the shell itself must not consume the flashes).
    messages = cast(list[tuple[str, str]], get_flashed_messages(with_categories=True))
    flashes = Markup("").join(
        Markup('<div class="flash flash-{}" role="status">{}</div>\n').format(
            category, strip_controls(message)) for category, message in messages)
    return page_cache.fill(shell, {
        "title": title, "head": head, "main": page_cache.personalise(main, token),
        "next": str(escape(strip_controls(request.full_path.rstrip("?")))), "flashes": flashes,
        "csrf": token})


def detail_page(claim: Claim, **extra: Any) -> str:
    """A claim page that shows a form's errors or a conflict: rendered, never cached."""
    return _page(claim.id, _fragment(claim, **extra))


@bp.get("/<int:claim_id>", endpoint="detail")
@policy("viewer")
@reads_only
def detail(claim_id: int) -> str:
    """One claim with its source, entities, evidence and history."""
    session = get_session()
    if request.args.get("matches") == "1":
        # Candidates scored inline for browsers without JavaScript (otherwise the page
        # fetches them from /claims/<id>/matches after it has rendered): not cached.
        claim = _load_claim(claim_id)
        found = links.candidate_relations(session, claim)
        return _page(claim_id, _fragment(claim, found=found))
    state = page_cache.state_key(session, claim_id)
    if state is None:
        service.get_claim(session, claim_id)  # raises NotFound
    # The page depends on the viewer only through the language and whether they edit (and
    # its JSON-LD on the address reviews are published under).
    key = (claim_id, i18n.current_language(), signed_in_user().can("editor"), review_base(), state)
    return _page(claim_id, page_cache.cached(
        session, key, lambda: _fragment(_load_claim(claim_id)),
        lambda: page_cache.state_key(session, claim_id) == state))


@bp.get("/<int:claim_id>/matches", endpoint="matches")
@policy("viewer")
def matches(claim_id: int) -> ResponseReturnValue:
    """HTML fragment: detected conflicts and same-claim candidates for the claim page."""
    session = get_session()
    claim = service.get_claim(session, claim_id)
    decided = links.decided_relations(session, claim)
    found = links.candidate_relations(session, claim, decided)
    if not (found.conflicts or found.candidates):
        return "", 200, {"Content-Type": "text/html; charset=utf-8"}
    return render_template("workbench/_claim_candidates.html", claim=claim, found=found,
                           decided=decided)


@bp.route("/<int:claim_id>/edit", methods=["GET", "POST"], endpoint="edit")
@policy("editor")
def edit(claim_id: int) -> Any:
    """Edit a claim's fields (not its status, which has its own form and history)."""
    session = get_session()
    if request.method == "POST":
        begin_write(session)
    claim = service.get_claim(session, claim_id)
    if request.method != "POST":  # GET or HEAD
        values = {
            "text": claim.text, "restatement": claim.restatement or "",
            "source_id": claim.source_id,
            "speaker": claim.speaker.name_ar if claim.speaker else "",
            "claim_date": claim.claim_date.isoformat() if claim.claim_date else "",
            "claim_type": claim.claim_type, "tags": ", ".join(t.name for t in claim.tags),
            "span_start": "" if claim.span_start is None else claim.span_start,
            "span_end": "" if claim.span_end is None else claim.span_end,
            "version": claim.version,
        }
        return render_template("claims/form.html", mode="edit", claim=claim,
                               **_form_context(values))
    try:
        service.update_claim(session, claim, signed_in_user(), request.form)
    except ValidationFailed as exc:
        session.rollback()
        return render_template("claims/form.html", mode="edit", claim=claim,
                               **_form_context(request.form, field_messages(exc))), 422
    except Conflict:
        session.rollback()
        # The user's edit stays in the form, beside the version saved meanwhile; saving again
        # (now against that version) replaces it knowingly, never silently.
        claim = service.get_claim(session, claim_id)
        values = {**request.form.to_dict(), "version": claim.version}
        return render_template("claims/form.html", mode="edit", claim=claim, conflict=True,
                               **_form_context(values)), 409
    session.commit()
    flash(gettext("claim.saved_ok"), "success")
    return redirect(url_for("claims.detail", claim_id=claim.id))


@bp.post("/<int:claim_id>/status", endpoint="status")
@policy("editor")
def change_status(claim_id: int) -> Any:
    """Move a claim to another status with a note; conflicts show the current state."""
    session = get_session()
    # The status and version (not the whole claim: a redirect follows) are read under the
    # write lock: a primary-key read costs less there than a separate read transaction.
    begin_write(session)
    try:
        service.set_status(session, service.claim_state(session, claim_id), signed_in_user(),
                           request.form)
    except NotFound:
        session.rollback()  # let the next writer in before the error page is rendered
        raise
    except ValidationFailed as exc:
        session.rollback()
        claim = service.get_claim(session, claim_id)
        return detail_page(claim, status_errors=field_messages(exc),
                           status_values=request.form), 422
    except Conflict as exc:
        session.rollback()
        claim = service.get_claim(session, claim_id)
        return detail_page(claim, conflict=exc, status_values=request.form), 409
    session.commit()
    flash(gettext("claim.status_ok"), "success")
    return redirect(url_for("claims.detail", claim_id=claim_id) + "#history")
