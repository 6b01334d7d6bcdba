# ruff: noqa: E501  (the message catalogue reads best one message per line)
"""Interchange pages: API tokens, public ClaimReview, ClaimReview and CSV import, CSV export."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from claims import i18n
from claims.api import tokens
from claims.db import begin_write, get_engine, get_session, session_scope
from claims.errors import NotFound, ValidationFailed
from claims.i18n import current_language, gettext
from claims.lru import PerEngine
from claims.models import Claim
from claims.security import current_user, policy
from claims.services import claimreview, csv_io
from claims.services.claimreview_import import import_reviews
from claims.services.claimreview_read import NotClaimReview, extract_reviews
from claims.services.search import ClaimFilters

bp = Blueprint("interchange", __name__)
PREVIEW_TTL = 24 * 3600
i18n.register({
    "nav.tokens": ("رموز الواجهة البرمجية", "API tokens"),
    "nav.import": ("استيراد", "Import"),
    "tokens.title": ("رموز الواجهة البرمجية", "API tokens"),
    "tokens.help": ("استخدم الرمز في الترويسة Authorization: Bearer. يُعرض الرمز مرة واحدة فقط؛ نحفظ بصمته فقط.", "Send the token as Authorization: Bearer. It is shown once; only its hash is stored."),
    "tokens.name": ("اسم الرمز", "Token name"),
    "tokens.create": ("إنشاء رمز", "Create token"),
    "tokens.secret": ("انسخ الرمز الآن، لن يظهر مرة أخرى:", "Copy the token now, it will not be shown again:"),
    "tokens.owner": ("المالك", "Owner"),
    "tokens.prefix": ("البادئة", "Prefix"),
    "tokens.created": ("أنشئ", "Created"),
    "tokens.last_used": ("آخر استخدام", "Last used"),
    "tokens.revoked": ("ملغى", "Revoked"),
    "tokens.revoke": ("إلغاء", "Revoke"),
    "tokens.none": ("لا رموز بعد.", "No tokens yet."),
    "tokens.revoked_ok": ("أُلغي الرمز.", "Token revoked."),
    "tokens.revoke_confirm": ("إلغاء الرمز «{name}»؟ ستتوقف البرامج التي تستخدمه عن العمل.", "Revoke the token “{name}”? Programs that use it stop working."),
    "tokens.api_docs": ("توثيق الواجهة البرمجية", "API documentation"),
    "error.too_many_tokens": ("عدد الرموز كبير جدًا (الحد {max}).", "Too many tokens (at most {max})."),
    "import.title": ("استيراد", "Import"),
    "import.claimreview": ("مراجعات ClaimReview", "ClaimReview reviews"),
    "import.claimreview_help": ("ملف JSON-LD أو خلاصة JSON أو صفحة HTML محفوظة. إعادة الاستيراد لا تغيّر شيئًا.", "A JSON-LD file, a JSON feed or a saved HTML page. Importing again changes nothing."),
    "import.csv": ("ملف CSV", "CSV file"),
    "import.csv_help": ("أعمدة: text، status، speaker، claim_date، claim_type، tags، source_url، source_title. تُعرض معاينة قبل الحفظ.", "Columns: text, status, speaker, claim_date, claim_type, tags, source_url, source_title. You see a preview before anything is saved."),
    "import.file": ("الملف", "File"),
    "import.format": ("الصيغة", "Format"),
    "import.format_claims": ("ادعاءات (هذا المتتبع)", "Claims (this tracker)"),
    "import.format_ans": ("مدونة ANS (claim_s، fake_flag)", "ANS corpus (claim_s, fake_flag)"),
    "import.submit": ("استيراد", "Import"),
    "import.preview": ("معاينة", "Preview"),
    "import.no_file": ("اختر ملفًا أو الصق محتواه.", "Choose a file or paste its content."),
    "import.no_reviews": ("لم نجد أي ClaimReview في الملف.", "No ClaimReview found in the file."),
    "import.bad_json": ("الملف ليس JSON سليمًا (السطر {line}، العمود {column})؛ لم يُستورد منه شيء.", "The file is not valid JSON (line {line}, column {column}); nothing was imported."),
    "import.cr_done": ("ادعاءات أُنشئت: {created} · موجودة مسبقًا: {unchanged}.", "Claims created: {created} · already present: {unchanged}."),
    "error.no_appearance": ("لا تذكر المراجعة رابطًا للادعاء (appearance أو url).", "The review gives no address for the claim (appearance or url)."),
    "import.unmapped": ("تصنيفات غير معروفة (أُعطيت الحالة الافتراضية):", "Unknown labels (given the default status):"),
    "error.csv_empty": ("الملف فارغ.", "The file is empty."),
    "error.csv_duplicate_column": ("أكثر من عمود للحقل نفسه: {columns}؛ احذف أحدها. لم يُقرأ شيء من الملف.", "More than one column for the same field: {columns}; remove one. Nothing was read from the file."),
    "error.csv_no_text": ("لا يوجد عمود للنص (text أو claim أو claim_s أو نص).", "No text column (text, claim, claim_s or نص)."),
    "error.csv_malformed": ("الملف ليس CSV سليمًا عند السطر {line} (علامة اقتباس لم تُغلق أو في غير موضعها، أو خانة أطول من 128 كيلوبايت)؛ لم يُقرأ منه شيء.",
                            "The file is not valid CSV at line {line} (a quote never closed or out of place, or a cell over 128 KB); nothing was read from it."),
    "error.csv_too_many_rows": ("في الملف صفوف أكثر من المسموح (أقصى عدد: {max})؛ تُرك الباقي.", "More than {max} rows; the rest was ignored."),
    "import.problems": ("مشكلات", "Problems"),
    "import.csv_done": ("ادعاءات أُنشئت: {created} · صفوف تُخطيت: {skipped}.", "Claims created: {created} · rows skipped: {skipped}."),
    "csv.preview_title": ("معاينة الاستيراد", "Import preview"),
    "csv.summary": ("صفوف جاهزة: {ready} · مكررة: {duplicates} · بأخطاء: {errors}. لم يُحفظ شيء بعد.", "Rows ready: {ready} · duplicates: {duplicates} · with errors: {errors}. Nothing has been saved yet."),
    "csv.line": ("السطر", "Line"),
    "csv.state": ("نتيجة الفحص", "Row check"),
    "csv.ok": ("جاهز", "Ready"),
    "csv.duplicate": ("مستورد مسبقًا", "Already imported"),
    "csv.confirm": ("تأكيد الاستيراد", "Confirm import"),
    "csv.cancel": ("إلغاء", "Cancel"),
    "csv.export": ("تصدير CSV", "Export CSV"),
    "review.title": ("مراجعة الادعاء", "Claim review"),
    "review.verdict": ("الحكم", "Verdict"),
    "review.by": ("بقلم", "By"),
    "review.date": ("تاريخ الحكم", "Verdict given"),
    "review.modified": ("آخر تعديل", "Last updated"),
    "review.restatement": ("الادعاء بصياغتنا", "The claim, in our words"),
    "review.evidence": ("المصادر التي اعتمدنا عليها", "Sources we relied on"),
    "review.appearances": ("أين نُشر الادعاء", "Where the claim appeared"),
    "review.public_link": ("صفحة المراجعة العامة", "Public review page"),
    "api.docs_title": ("توثيق الواجهة البرمجية", "API documentation"),
    "api.docs_public": ("بيانات ClaimReview (JSON-LD من schema.org) متاحة للعموم دون رمز، للادعاءات ذات الحكم النهائي فقط:", "ClaimReview (schema.org JSON-LD) is public, without a token, for claims whose verdict is final only:"),
    "api.docs_feed": ("الخلاصة", "feed"),
    "api.docs_review_page": ("صفحة المراجعة", "review page"),
    "api.docs_private": ("كل ما عدا ذلك يحتاج إلى رمز أو جلسة دخول.", "Everything else needs a token or a session."),
    "api.docs_intro": ("الواجهة تحت", "The API lives under"),
    "api.docs_roles": ("القراءة لدور القارئ فما فوق، والكتابة لدور المحرر. الوثيقة الآلية:", "Reads need the viewer role, writes the editor role. Machine-readable document:"),
    "api.role": ("الدور", "Role"),
    "api.params": ("المعاملات", "Parameters"),
    "api.body": ("جسم الطلب", "Request body"),
    "api.responses": ("الاستجابات", "Responses"),
})


def _user() -> Any:
    user = current_user()
    assert user is not None
    return user


# --- API tokens --------------------------------------------------------------------------


def _tokens_page(secret: str | None = None, errors: dict[str, str] | None = None,
                 status: int = 200, name: str = "") -> ResponseReturnValue:
    rows = tokens.list_tokens(get_session(), _user())
    return render_template("interchange/tokens.html", rows=rows, secret=secret,
                           errors=errors or {}, name=name), status


@bp.get("/account/tokens", endpoint="tokens")
@policy("editor")
def tokens_page() -> ResponseReturnValue:
    """The user's API tokens (every token for an admin)."""
    return _tokens_page()


@bp.post("/account/tokens", endpoint="create_token")
@policy("editor")
def create_token() -> ResponseReturnValue:
    """Make a token for the current user; its secret is shown once."""
    db = get_session()
    begin_write(db)
    try:
        _, secret = tokens.create_token(db, _user(), request.form)
    except ValidationFailed as exc:
        db.rollback()
        return _tokens_page(errors={e.field: gettext(f"error.{e.code}", **e.params)
                                    for e in exc.errors}, status=422,
                            name=request.form.get("name", ""))
    page = _tokens_page(secret=secret, status=201)  # render first: the secret shows only here
    db.commit()
    return page


@bp.post("/account/tokens/<int:token_id>/revoke", endpoint="revoke_token")
@policy("editor")
def revoke_token(token_id: int) -> ResponseReturnValue:
    """Revoke a token (its owner, or an admin)."""
    db = get_session()
    begin_write(db)
    tokens.revoke_token(db, _user(), token_id)
    db.commit()
    flash(gettext("tokens.revoked_ok"), "success")
    return redirect(url_for("interchange.tokens"))


# --- ClaimReview out (public for final verdicts only) --------------------------------------


def review_base() -> str:
    """Where published reviews live: ``public_url`` when one is configured (not the internal
    address, nor a Host header, an editor's request happened to carry), else this request's."""
    return str(current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def review_url(claim: Claim) -> str:
    """The public page of a claim's review (under ``review_base``)."""
    return review_base() + url_for("interchange.review_page", claim_id=claim.id)


def _published(claim_id: int) -> tuple[Claim, dict[str, Any]]:
    claim = get_session().get(Claim, claim_id)
    review = claimreview.claim_review(claim, review_url(claim)) if claim is not None else None
    if claim is None or review is None:
        # The same answer either way: anonymous readers must not learn which unpublished
        # claims exist.
        raise NotFound(f"claim {claim_id} has no published review")
    return claim, review


@bp.app_template_global("claimreview_jsonld")
def claimreview_jsonld(claim: Claim) -> Markup:
    """The ClaimReview of a claim as script-safe JSON, or "" while it has no final verdict."""
    review = claimreview.claim_review(claim, review_url(claim))
    return Markup(claimreview.script_json(review)) if review else Markup("")  # noqa: S704


@bp.get("/reviews/<int:claim_id>", endpoint="review_page")
@policy("public")
def review_page(claim_id: int) -> ResponseReturnValue:
    """The public page of a published review (with its JSON-LD)."""
    claim, review = _published(claim_id)
    return render_template("interchange/review.html", claim=claim, review=review,
                           appearances=review["itemReviewed"].get("appearance", []))


@bp.get("/claims/<int:claim_id>/claimreview.json", endpoint="claimreview_json")
@policy("public")
def claimreview_json(claim_id: int) -> ResponseReturnValue:
    """The ClaimReview JSON-LD of one published claim."""
    _, review = _published(claim_id)
    return Response(claimreview.script_json(review), mimetype="application/ld+json")


@bp.get("/claimreview.json", endpoint="claimreview_feed")
@policy("public")
def claimreview_feed() -> ResponseReturnValue:
    """The newest 1,000 published reviews as one JSON-LD document (cached, see ``_feed``)."""
    body, etag, fresh_for = _feed()
    response = Response(body, mimetype="application/ld+json")
    response.cache_control.public = True
    response.cache_control.max_age = fresh_for
    response.set_etag(etag)
    return response.make_conditional(request)


# Per engine and public address: (monotonic time built, generation, body, ETag).
_feeds: PerEngine[str, tuple[float, tuple[int, int], bytes, str]] = PerEngine(16)


def _feed() -> tuple[bytes, str, int]:
    """The feed, its ETag and how many seconds it stays fresh: rebuilt when a status or claim
    text changed or after ``feed_max_age`` s.

    Building it takes ~100 ms at 100k claims; aggregators poll it anonymously. A verdict
    given or withdrawn shows at once in every worker (the generation moves); edits that
    leave status and text alone (a speaker, a source's title) show within ``feed_max_age``.
    """
    session = get_session()
    base, generation, now = review_base(), claimreview.feed_generation(session), time.monotonic()
    max_age = int(current_app.config.get("FEED_MAX_AGE", 0))
    store = _feeds(get_engine())
    found = store.get(base)
    if found is None or found[1] != generation or now - found[0] >= max_age:
        body = claimreview.script_json(claimreview.feed(session, review_url)).encode()
        found = (now, generation, body, hashlib.sha256(body).hexdigest()[:32])
        if max_age > 0:
            store.put(base, found)
    return found[2], found[3], max(0, int(found[0] + max_age - now))


# --- imports -----------------------------------------------------------------------------


def _import_dir() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _upload() -> tuple[str, bytes] | None:
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return Path(upload.filename).name[:120], upload.read()
    pasted = request.form.get("text", "")
    return ("pasted", pasted.encode("utf-8")) if pasted.strip() else None


@bp.get("/import", endpoint="import_page")
@policy("editor")
def import_page() -> ResponseReturnValue:
    """Upload forms for ClaimReview and CSV."""
    return render_template("interchange/import.html")


@bp.post("/import/claimreview", endpoint="import_claimreview")
@policy("editor")
def import_claimreview() -> ResponseReturnValue:
    """Import ClaimReview from an uploaded JSON-LD file, JSON feed or saved HTML page."""
    upload = _upload()
    if upload is None:
        flash(gettext("import.no_file"), "error")
        return render_template("interchange/import.html"), 422
    try:
        reviews = extract_reviews(upload[1])
    except NotClaimReview as exc:
        flash(gettext(f"import.{exc.code}", **exc.params), "error")
        return render_template("interchange/import.html"), 422
    db = get_session()
    begin_write(db)
    report = import_reviews(db, _user(), reviews)
    db.commit()
    return render_template("interchange/import.html", cr_report=report)  # says what was done


@bp.post("/import/csv", endpoint="import_csv")
@policy("editor")
def import_csv() -> ResponseReturnValue:
    """Parse an uploaded CSV and show the preview; nothing is written yet."""
    upload = _upload()
    fmt = request.form.get("format", "claims")
    if upload is None or fmt not in csv_io.FORMATS:
        flash(gettext("import.no_file"), "error")
        return render_template("interchange/import.html"), 422
    parsed = csv_io.parse(upload[1], upload[0], fmt)
    csv_io.check(get_session(), parsed)
    token = secrets.token_urlsafe(16)
    folder = _import_dir()
    for stale in folder.glob("*.json"):
        if stale.stat().st_mtime < time.time() - PREVIEW_TTL:
            stale.unlink(missing_ok=True)
    (folder / f"{token}.json").write_text(json.dumps(dataclasses.asdict(parsed)), "utf-8")
    session["csv_import"] = token
    unreadable = parsed.problems and not parsed.rows  # nothing in the file can be imported
    return render_template("interchange/csv_preview.html", parsed=parsed, token=token), \
        422 if unreadable else 200


@bp.post("/import/csv/confirm", endpoint="confirm_csv")
@policy("editor")
def confirm_csv() -> ResponseReturnValue:
    """Write the previewed rows (only the upload this session previewed)."""
    token = request.form.get("token", "")
    if not token or token != session.get("csv_import"):
        abort(400)
    path = _import_dir() / f"{token}.json"
    if not path.exists():
        abort(400)
    parsed = csv_io.Parsed.from_dict(json.loads(path.read_text("utf-8")))
    db = get_session()
    begin_write(db)
    csv_io.begin_import(db, parsed)  # rows imported meanwhile are now duplicates
    report = csv_io.import_parsed(db, _user(), parsed)
    db.commit()
    path.unlink(missing_ok=True)
    session.pop("csv_import", None)
    flash(gettext("import.csv_done", created=report.created, skipped=report.skipped), "success")
    return redirect(url_for("claims.index"))


@bp.get("/claims/export.csv", endpoint="export_csv")
@policy("viewer")
def export_csv() -> ResponseReturnValue:
    """The claims list with its current filters, as CSV (UTF-8 with BOM)."""
    filters = ClaimFilters.from_args(request.args, set(current_app.config["STATUSES"]))
    lang = current_language()
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def rows() -> Iterator[str]:
        # Its own session, closed when the stream ends (the request's is gone by then).
        with session_scope(app) as db:
            yield from csv_io.export_rows(db, filters, lang)

    response = Response(stream_with_context(rows()), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="claims.csv"'
    return response

