"""Items on a claim's page: evidence, other appearances and entity-link reviews.

Routes of the ``claims`` blueprint (registered by importing this module, see ``init_web``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from claims import i18n
from claims.db import begin_write, get_session
from claims.errors import Conflict, ValidationFailed
from claims.i18n import gettext
from claims.models import Claim, User
from claims.models.claims import EVIDENCE_FIELDS
from claims.security import policy
from claims.services import claims as service
from claims.services import evidence as evidence_service
from claims.services.inputs import Inputs
from claims.web import once
from claims.web.claims import bp, detail_page, field_messages, signed_in_user

i18n.register({
    "evidence.changed": ("عُدّل هذا الدليل بعد فتحك الصفحة، فلم يُحذف. راجع نسخته الحالية أدناه.",
                         "This evidence was changed after you opened the page, so it was not "
                         "removed. Check its current version below."),
    "evidence.edit": ("تعديل", "Edit"),
    "evidence.save": ("حفظ الدليل", "Save evidence"),
    "evidence.updated_ok": ("حُفظ الدليل.", "Evidence saved."),
    "evidence.gone": ("حذف شخص آخر هذا الدليل بينما كنت تعدّله، فلم يُحفظ تعديلك.",
                      "Someone else removed this evidence while you were editing it, so your "
                      "change was not saved."),
    "evidence.edit_conflict": ("عدّل شخص آخر هذا الدليل بعد أن فتحت الصفحة، فلم يُحفظ تعديلك. "
                               "نسخته الحالية معروضة أعلاه وما كتبته باقٍ في النموذج؛ احفظ "
                               "مجدداً لتحلّ محلها.",
                               "Someone else changed this evidence after you opened the page, so "
                               "your change was not saved. Its current version is shown above "
                               "and what you typed is still in the form; save again to replace "
                               "it."),
})


@bp.post("/<int:claim_id>/evidence", endpoint="add_evidence")
@policy("editor")
def add_evidence(claim_id: int) -> ResponseReturnValue:
    """Attach evidence to a claim."""
    return _add(evidence_service.add_evidence, claim_id, "evidence", "evidence.added_ok",
                "#evidence")


@bp.post("/<int:claim_id>/evidence/<int:evidence_id>/delete", endpoint="remove_evidence")
@policy("editor")
def remove_evidence(claim_id: int, evidence_id: int) -> ResponseReturnValue:
    """Remove an evidence item, as the page showed it (one edited since is kept)."""
    inputs = Inputs(request.form)
    version = inputs.integer("version", required=True)
    inputs.check()  # a missing or tampered version is refused, never taken as "any version"

    def remove(session: Session, claim: Claim, item_id: int) -> None:
        evidence_service.remove_evidence(session, claim, signed_in_user(), item_id,
                                         cast(int, version))

    try:
        return _remove(remove, claim_id, evidence_id, "evidence.removed_ok", "#evidence")
    except Conflict:
        get_session().rollback()
        flash(gettext("evidence.changed"), "error")
        return redirect(url_for("claims.detail", claim_id=claim_id) + "#evidence")


@bp.post("/<int:claim_id>/evidence/<int:evidence_id>", endpoint="edit_evidence")
@policy("editor")
def edit_evidence(claim_id: int, evidence_id: int) -> Any:
    """Change an evidence item as the page showed it; an item edited since is a conflict that
    shows its current state beside what the user typed (nothing is overwritten unseen)."""
    session = get_session()
    begin_write(session)
    claim = service.get_claim(session, claim_id)
    # The form sends every field, each time: an emptied box clears that field (leaving a
    # field out to keep it is the API's PATCH).
    data = {name: request.form.get(name, "") for name in EVIDENCE_FIELDS}
    data["version"] = request.form.get("version", "")
    try:
        evidence_service.update_evidence(session, claim, signed_in_user(), evidence_id, data)
    except ValidationFailed as exc:
        session.rollback()
        return _edit_again(claim_id, evidence_id, request.form, field_messages(exc)), 422
    except Conflict as exc:
        session.rollback()
        if exc.current_version is None:  # removed by someone else meanwhile
            flash(gettext("evidence.gone"), "error")
            return redirect(url_for("claims.detail", claim_id=claim_id) + "#evidence")
        values = {**request.form, "version": str(exc.current_version)}
        return _edit_again(claim_id, evidence_id, values, {}, conflict=True), 409
    session.commit()
    flash(gettext("evidence.updated_ok"), "success")
    return redirect(url_for("claims.detail", claim_id=claim_id) + f"#evidence-{evidence_id}")


def _edit_again(claim_id: int, evidence_id: int, values: Mapping[str, Any],
                errors: dict[str, str], conflict: bool = False) -> str:
    """The claim page with one evidence item's edit form open on what the user typed."""
    claim = service.get_claim(get_session(), claim_id)
    return detail_page(claim, evidence_edit={"id": evidence_id, "values": values,
                                             "errors": errors, "conflict": conflict})


@bp.post("/<int:claim_id>/mentions/<int:mention_id>", endpoint="review_mention")
@policy("editor")
def review_mention(claim_id: int, mention_id: int) -> ResponseReturnValue:
    """Confirm or reject an automatic entity link."""
    session = get_session()
    begin_write(session)
    claim = service.get_claim(session, claim_id)
    service.set_mention_review(session, claim, signed_in_user(), mention_id,
                               request.form.get("review", ""))
    session.commit()
    return redirect(url_for("claims.detail", claim_id=claim_id) + "#entities")


@bp.post("/<int:claim_id>/appearances", endpoint="add_appearance")
@policy("editor")
def add_appearance(claim_id: int) -> ResponseReturnValue:
    """Record another place the claim was published."""
    return _add(service.add_appearance, claim_id, "appearance", "appearance.added_ok",
                "#appearances")


@bp.post("/<int:claim_id>/appearances/<int:appearance_id>/delete",
         endpoint="remove_appearance")
@policy("editor")
def remove_appearance(claim_id: int, appearance_id: int) -> ResponseReturnValue:
    """Forget a recorded appearance."""
    def remove(session: Session, claim: Claim, item_id: int) -> None:
        service.remove_appearance(session, claim, signed_in_user(), item_id)

    return _remove(remove, claim_id, appearance_id, "appearance.removed_ok", "#appearances")


def _add(adder: Callable[[Session, Claim, User, Mapping[str, Any]], object], claim_id: int,
         form: str, message: str, anchor: str) -> ResponseReturnValue:
    """Attach one item to a claim from the page's ``form`` ("evidence", "appearance"): back
    to that part of the page, or the page again with that form's errors and what was typed."""
    session = get_session()
    begin_write(session)
    user = signed_in_user()

    def add() -> int:
        adder(session, service.get_claim(session, claim_id), user, request.form)
        return claim_id

    try:
        _, made = once.create(session, user, add)
    except ValidationFailed as exc:
        session.rollback()
        claim = service.get_claim(session, claim_id)
        return detail_page(claim, **{f"{form}_errors": field_messages(exc),
                                     f"{form}_values": request.form}), 422
    session.commit()
    once.flash_saved(made, message)
    return redirect(url_for("claims.detail", claim_id=claim_id) + anchor)


def _remove(remover: Callable[[Session, Claim, int], None], claim_id: int, item_id: int,
            message: str, anchor: str) -> ResponseReturnValue:
    """Delete one item attached to a claim and go back to that part of its page."""
    session = get_session()
    begin_write(session)
    remover(session, service.get_claim(session, claim_id), item_id)
    session.commit()
    flash(gettext(message), "success")
    return redirect(url_for("claims.detail", claim_id=claim_id) + anchor)
