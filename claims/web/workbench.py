# ruff: noqa: E501  (a message catalogue reads best one message per line)
"""Article workbench: ingest an article, rank its sentences, turn them into claims, match claims."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage

from claims import i18n
from claims.db import MAX_ID, begin_write, get_session
from claims.errors import ValidationFailed
from claims.i18n import current_language, gettext
from claims.models import Claim
from claims.security import policy
from claims.services import claims as claim_service
from claims.services import ingest as ingest_service
from claims.services import workbench as service
from claims.services import workbench_links as links
from claims.web import once
from claims.web.claims import field_messages, flash_field_errors, signed_in_user

bp = Blueprint("workbench", __name__, url_prefix="/workbench")

i18n.register({
    "nav.workbench": ("إدخال مقال", "Ingest article"),
    "wb.ingest_title": ("إدخال مقال", "Ingest an article"),
    "wb.ingest_intro": ("الصق نص المقال أو ارفع ملفًا نصيًا (txt) أو صفحة HTML محفوظة. لا يُجلب أي شيء من الإنترنت.", "Paste the article, or upload a .txt file or a saved .html page. Nothing is fetched from the internet."),
    "wb.paste": ("نص المقال", "Article text"),
    "wb.file": ("أو ارفع ملفًا (txt أو HTML)", "or upload a file (.txt or .html)"),
    "wb.optional": ("بيانات اختيارية (تُستخرج تلقائيًا إن تُركت فارغة)", "Optional details (extracted automatically when left empty)"),
    "wb.url": ("رابط المقال", "Article URL"),
    "wb.title": ("العنوان", "Title"),
    "wb.outlet": ("الوسيلة", "Outlet"),
    "wb.submit": ("تحليل المقال", "Analyse article"),
    "wb.created": ("أُدخل المقال. هذه جمله مرتبة حسب قابليتها للتحقق.", "Article ingested. Here are its sentences, most checkable first."),
    "wb.filled": ("أُضيف إلى النسخة المحفوظة ما كان ينقصها من هذه النسخة: {fields}.", "Added to the stored copy what it lacked and this version has: {fields}."),
    "wb.field.url": ("الرابط", "address"),
    "wb.field.author": ("الكاتب", "author"),
    "wb.field.published_date": ("تاريخ النشر", "publication date"),
    "wb.field.outlet": ("الوسيلة", "outlet"),
    "wb.existing": ("هذا المقال موجود مسبقًا؛ فُتحت النسخة المحفوظة.", "This article is already here; the stored copy was opened."),
    "wb.open": ("منضدة التحقق", "Workbench"),
    "wb.author": ("الكاتب", "Author"),
    "wb.agency": ("الوكالة", "Agency"),
    "wb.place": ("المكان", "Place"),
    "wb.sentences": ("{n} جملة", "{n} sentences"),
    "wb.ranked": ("الجمل الأجدر بالتحقق", "Most check-worthy sentences"),
    "wb.ranked_help": ("الثلث الأعلى مظلل مع أسباب ترتيبه.", "The top third is highlighted with the reasons for its rank."),
    "wb.rest": ("بقية الجمل ({n})", "Remaining sentences ({n})"),
    "wb.paged": ("المقال طويل، فتُحلَّل جمله {size} جملة في كل صفحة، الأجدر بالتحقق أولًا؛ المقال كاملًا أدناه.", "A long article: its sentences are analysed {size} per page, most check-worthy first; the whole article is below."),
    "wb.page": ("الجمل {first}–{last} من {n} حسب الترتيب", "Sentences {first}–{last} of {n} by rank"),
    "wb.prev": ("الجمل السابقة", "Previous sentences"),
    "wb.next": ("الجمل التالية ({n})", "Next sentences ({n})"),
    "wb.article": ("المقال", "Article"),
    "wb.select_help": ("حدد جزءًا من جملة لتحويله إلى ادعاء.", "Select part of a sentence to turn it into a claim."),
    "wb.make_claim": ("إنشاء ادعاء", "Make claim"),
    "wb.open_form": ("فتح في النموذج", "Open in form"),
    "wb.make_selection": ("ادعاء من التحديد", "Claim from selection"),
    "wb.selection_form": ("التحديد في النموذج", "Selection in form"),
    "wb.became_claim": ("صار ادعاءً", "Became a claim"),
    "wb.speaker_guess": ("القائل المقترح", "Proposed speaker"),
    "wb.unresolved": ("غير مرتبط بكيان", "not linked to an entity"),
    "wb.entities": ("كيانات", "Entities"),
    "wb.numbers": ("أرقام", "Numbers"),
    "wb.similar": ("ادعاءات مشابهة موجودة", "Similar existing claims"),
    "wb.same_as": ("إنشاء كنسخة من #{id}", "Create as copy of #{id}"),
    "wb.rank": ("الترتيب {n}", "Rank {n}"),
    "wb.score": ("التشابه", "Similarity"),
    "wb.no_sentences": ("لا توجد جمل.", "No sentences."),
    "wb.claim_made": ("أنشئ الادعاء من المقال.", "Claim created from the article."),
    "reason.quantity": ("رقم", "quantity"),
    "reason.statistic": ("إحصاء", "statistic"),
    "reason.comparison": ("مقارنة", "comparison"),
    "reason.superlative": ("تفضيل", "superlative"),
    "reason.attribution": ("إسناد", "attribution"),
    "reason.entity": ("كيان", "entity"),
    "reason.date": ("تاريخ", "date"),
    "reason.quote": ("اقتباس", "quote"),
    "relation.same": ("الادعاء نفسه", "same claim"),
    "relation.related": ("قريب", "related"),
    "relation.conflict": ("تعارض", "conflict"),
    "conflict.quantity": ("رقم مختلف", "different figure"),
    "conflict.year": ("سنة مختلفة", "different year"),
    "conflict.negation": ("نفي", "negation"),
    "conflict.antonym": ("معنى معاكس", "opposite meaning"),
    "conflict.wording": ("صياغة متعارضة", "contradicting wording"),
    "conflict.place": ("مكان مختلف", "different place"),
    "conflict.currency": ("عملة مختلفة", "different currency"),
    "conflict.direction": ("اتجاه مختلف", "different direction"),
    "match.title": ("ادعاءات تقول الشيء نفسه", "Claims that say the same thing"),
    "match.typing_help": ("تظهر هنا ادعاءات موجودة مشابهة أثناء الكتابة؛ تأكيد التطابق يتم في صفحة الادعاء بعد الحفظ.", "Similar existing claims appear here as you type; confirm a match on the claim page after saving."),
    "match.none": ("لا ادعاءات مشابهة.", "No similar claims."),
    "match.confirm": ("الادعاء نفسه", "Same claim"),
    "match.dismiss": ("تجاهل", "Dismiss"),
    "match.confirm_conflict": ("تأكيد التعارض", "Confirm conflict"),
    "match.duplicate_of": ("هذا الادعاء نسخة من #{id} ويأخذ حكمه:", "This claim is a copy of #{id} and shares its verdict:"),
    "match.duplicates": ("نسخ من هذا الادعاء", "Copies of this claim"),
    "match.conflicts": ("ادعاءات متعارضة", "Conflicting claims"),
    "match.this_claim": ("هذا الادعاء", "This claim"),
    "match.confirmed": ("مؤكد", "confirmed"),
    "match.detected": ("مكتشف تلقائيًا", "detected"),
    "match.candidates": ("قد يكون الادعاء نفسه", "Possibly the same claim"),
    "match.saved": ("حُفظ القرار.", "Decision saved."),
    "error.paste_or_upload": ("الصق نص المقال أو ارفع ملفًا واحدًا (لا الاثنين).", "Paste the article or upload one file (not both)."),
    "error.bad_file_type": ("نوع الملف غير مدعوم؛ ارفع ملفًا نصيًا (txt) أو صفحة HTML.", "Unsupported file type; upload a .txt or .html file."),
    "error.file_too_large": ("الملف أكبر من الحد المسموح ({max} ك.ب).", "The file is larger than the limit ({max} KB)."),
    "error.file_too_long": ("نص المقال في الملف أطول من المسموح (أقصى عدد للأحرف: {max}).", "The article in the file is longer than the limit ({max} characters)."),
    "error.not_text": ("الملف ليس نصًا.", "The file is not text."),
    "error.empty_article": ("لم يُعثر على نص مقال.", "No article text was found."),
    "error.no_article_in_page": ("لا نص مقال في هذه الصفحة، بل قوائم وعناوين فقط؛ احفظ صفحة المقال نفسه أو الصق نصه.", "This page holds no article text, only menus and headlines: save the article's own page, or paste its text."),
    "error.empty_text": ("النص المُلصق فارغ (مسافات فقط).", "The pasted text is empty (only spaces)."),
}, plurals={
    "wb.sentences": ({"zero": "لا جمل", "one": "جملة واحدة", "two": "جملتان", "few": "{n} جمل",
                      "many": "{n} جملةً"}, {"one": "1 sentence"}),
})




def _upload(file: FileStorage | None) -> ingest_service.Upload | None:
    if file is None or not file.filename:
        return None
    max_bytes = ingest_service.limits()[0]
    data = file.stream.read(max_bytes + 1)
    return ingest_service.Upload(file.filename, data)


@bp.route("/ingest", methods=["GET", "POST"], endpoint="ingest")
@policy("editor")
def ingest() -> Any:
    """The ingest form; a valid article opens its workbench (the stored one if already in)."""
    if request.method != "POST":  # GET or HEAD
        return render_template("workbench/ingest.html", values={}, errors={})
    session = get_session()
    begin_write(session)
    try:
        result = ingest_service.ingest_article(session, signed_in_user(), request.form,
                                               _upload(request.files.get("file")))
    except ValidationFailed as exc:
        session.rollback()
        return render_template("workbench/ingest.html", values=request.form,
                               errors=field_messages(exc)), 422
    source_id = result.source.id
    session.commit()
    flash(gettext("wb.created" if result.created else "wb.existing"),
          "success" if result.created else "info")
    if result.filled:
        fields = gettext("list.comma").join(gettext(f"wb.field.{name}") for name in result.filled)
        flash(gettext("wb.filled", fields=fields), "info")
    return redirect(url_for("workbench.detail", source_id=source_id))


@bp.get("/<int:source_id>", endpoint="detail")
@policy("viewer")
def detail(source_id: int) -> str:
    """The article's sentences ranked, annotated (a page of them in a long article), and one
    click away from becoming claims."""
    session = get_session()
    # Not a number: the first page; past either end: the nearest page (the service clamps).
    page = request.args.get("page", 1, type=int) or 1
    bench = service.build_workbench(session, service.get_source(session, source_id), page=page)
    return render_template("workbench/detail.html", bench=bench, source=bench.source,
                           segments=service.sentence_segments, page_size=service.PAGE_SIZE)


@bp.post("/<int:source_id>/claims", endpoint="make_claim")
@policy("editor")
def make_claim(source_id: int) -> ResponseReturnValue:
    """Create a claim straight from a sentence or a selected span of the article."""
    session = get_session()
    begin_write(session)
    source = service.get_source(session, source_id)
    user = signed_in_user()
    try:
        claim_id, made = once.create(session, user, lambda: service.create_from_span(
            session, user, source, request.form).id)
    except ValidationFailed as exc:
        session.rollback()
        flash_field_errors(exc)
        return redirect(url_for("workbench.detail", source_id=source_id)), 303
    session.commit()
    once.flash_saved(made, "wb.claim_made")
    return redirect(url_for("claims.detail", claim_id=claim_id))


def conflict_reason(reason: str) -> str:
    """A conflict reason ("quantity:39≠38", "negation") in the interface's language."""
    kind, _, detail = reason.partition(":")
    if f"conflict.{kind}" not in i18n.MESSAGES:
        return reason
    label = gettext(f"conflict.{kind}")
    return f"{label}: {detail}" if detail else label


def _candidate_json(item: links.Related) -> dict[str, Any]:
    claim: Claim = item.claim
    status = claim_service.statuses().get(claim.status)
    return {"id": claim.id, "text": claim.text, "score": item.score, "relation": item.relation,
            "relation_label": gettext(f"relation.{item.relation}"),
            "reasons": [conflict_reason(r) for r in item.reasons],
            "status": claim.status,
            "status_label": status.label(current_language()) if status else claim.status,
            "url": url_for("claims.detail", claim_id=claim.id)}


@bp.get("/match", endpoint="match")
@policy("editor")
def match() -> ResponseReturnValue:
    """JSON: existing claims similar to ``text`` (the claim form asks while the user types)."""
    text = (request.args.get("text") or "")[:2000]
    # Not an id ("²" passes str.isdigit() but not int(), or past the databases' integers):
    # nothing to exclude, rather than a 500 the typing page's script never shows.
    exclude = request.args.get("exclude", type=int)
    found = links.candidates_for_text(get_session(), text,
                                      exclude if exclude and 1 <= exclude <= MAX_ID else None)
    return jsonify({"candidates": [_candidate_json(item) for item in found]})


@bp.post("/claims/<int:claim_id>/links", endpoint="decide")
@policy("editor")
def decide(claim_id: int) -> ResponseReturnValue:
    """Confirm "same claim" or a conflict, or dismiss a suggested match."""
    session = get_session()
    begin_write(session)
    claim = claim_service.get_claim(session, claim_id)
    try:
        links.decide(session, signed_in_user(), claim, request.form)
    except ValidationFailed as exc:
        session.rollback()
        flash_field_errors(exc)
        return redirect(url_for("claims.detail", claim_id=claim_id) + "#matches"), 303
    session.commit()
    flash(gettext("match.saved"), "success")
    return redirect(url_for("claims.detail", claim_id=claim_id) + "#matches")
