"""CSV export of the filtered list, import with a preview, idempotent re-import, bulk ANS."""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from claims.db import get_engine, session_scope
from claims.models import Claim
from tests.conftest import shared_path


def _claim(client: FlaskClient, seeded: dict[str, int], text: str, status: str = "unstarted",
           **extra: str) -> int:
    data = {"text": text, "source_id": seeded["source"], "status": status} | extra
    response = client.post("/claims/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def _count(app: Flask) -> int:
    with app.app_context(), session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(Claim)) or 0


def _upload(client: FlaskClient, content: str, fmt: str = "claims", name: str = "in.csv"):
    return client.post("/import/csv", data={"format": fmt, "file": (
        io.BytesIO(content.encode("utf-8-sig")), name)}, content_type="multipart/form-data")


def _confirm(client: FlaskClient, preview_html: str):
    token = re.search(r'name="token" value="([^"]+)"', preview_html)
    assert token
    return client.post("/import/csv/confirm", data={"token": token.group(1)})


def test_export_keeps_filters_bom_and_arabic(app: Flask, editor_client, seeded) -> None:
    said = _claim(editor_client, seeded, "قال بوتين إن 38 شخصاً قتلوا", "false", speaker="بوتين",
                  tags="طيران، روسيا")
    _claim(editor_client, seeded, "=HYPERLINK(\"http://evil\")", "true")
    listing = editor_client.get("/claims?status=false").get_data(as_text=True)
    assert 'href="/claims/export.csv?status=false"' in listing
    response = editor_client.get("/claims/export.csv?status=false")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [int(r["id"]) for r in rows] == [said]
    assert rows[0]["text"] == "قال بوتين إن 38 شخصاً قتلوا" and rows[0]["status_label"] == "زائف"
    assert rows[0]["speaker"] == "فلاديمير بوتين" and rows[0]["tags"] == "روسيا, طيران"
    everything = editor_client.get("/claims/export.csv").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK" in everything  # no formula reaches a spreadsheet


def test_import_preview_writes_nothing_until_confirmed(app: Flask, editor_client,
                                                       seeded) -> None:
    content = ("text,status,speaker,claim_date,source_url\n"
               "قال بوتين إن الطائرة سقطت,زائف,بوتين,2024-12-25,https://example.org/a\n"
               ",false,,,\n"
               "نص بحالة غريبة,bogus,,,\n"
               "نص بتاريخ خاطئ,true,,2024-13-45,\n"
               "نص بقائل مجهول,true,مجهول تماما,,\n"
               "قال علييف إن التحقيق مستمر,in_progress,علييف,,\n")
    preview = _upload(editor_client, content)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and _count(app) == 0
    for line in (3, 4, 5, 6):
        assert f'id="line-{line}"' in html
    # Each problem names the column and says what is wrong, in the interface's language.
    lines = {n: html.split(f'id="line-{n}"')[1].split("</tr>")[0] for n in (3, 4, 5, 6)}
    column = '<bdi class="problem-field" dir="ltr">{}</bdi>: '
    assert column.format("text") + "هذا الحقل مطلوب." in lines[3]
    assert column.format("status") + "حالة غير معروفة: bogus." in lines[4]
    assert column.format("claim_date") + "تاريخ غير صالح" in lines[5]
    assert column.format("speaker") + "لا يوجد كيان بهذا الاسم: مجهول تماما." in lines[6]
    assert "_choice" not in html and "unknown_" not in html
    assert "صفوف جاهزة: 2 ·" in html
    assert _confirm(editor_client, html).status_code == 302
    assert _count(app) == 2
    with app.app_context(), session_scope(app) as session:
        first = session.scalar(select(Claim).where(Claim.text.startswith("قال بوتين")))
        assert first.status == "false" and first.speaker.key == "test:putin"
        assert first.source.url == "https://example.org/a" and first.import_key
        assert first.version == 1 and first.history[0].to_status == "false"
    again = _upload(editor_client, content).get_data(as_text=True)
    assert "صفوف جاهزة: 0 ·" in again
    assert _confirm(editor_client, again).status_code == 302
    assert _count(app) == 2


def _refused_whole(app: Flask, client, content: str, message: str) -> None:
    """The file is refused as a whole with ``message``: no row offered, nothing written."""
    preview = _upload(client, content)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 422
    assert message in html
    assert "صفوف جاهزة: 0 ·" in html and 'id="line-' not in html
    assert _confirm(client, html).status_code == 302 and _count(app) == 0


def test_a_malformed_file_is_refused_by_line_with_nothing_offered(app: Flask, editor_client,
                                                                  seeded) -> None:
    huge = "text\nقال بوتين إن الطائرة سقطت\n" + "ب" * 140_000 + "\n"
    # A quote never closed swallows the rest of the file into one cell, past the limit.
    unclosed = 'text\n"قال علييف إن التحقيق مستمر\n' + "قال بوتين إن الطائرة سقطت\n" * 6000
    for content, line in ((huge, 3), (unclosed, 5043)):  # where the cell passed 128 KiB
        _refused_whole(app, editor_client, content, f"الملف ليس CSV سليمًا عند السطر {line} ")


def test_a_quote_never_closed_in_a_short_file_is_refused(app: Flask, editor_client,
                                                        seeded) -> None:
    # Well under the cell limit: the rows after the stray quote must not become one claim.
    content = ('text,source_url\n"قال علييف إن التحقيق مستمر,https://a.example/1\n'
               "قال بوتين إن الطائرة سقطت,https://a.example/2\n")
    _refused_whole(app, editor_client, content, "الملف ليس CSV سليمًا عند السطر 3 ")
    # A quote inside an unquoted cell is text; one closed mid-cell is not CSV either.
    assert _upload(editor_client, 'text\nقال "نعم" ثم مضى\n').status_code == 200
    assert _upload(editor_client, 'text\n"قال" نعم\n').status_code == 422


def test_two_columns_for_one_field_are_refused_by_name(app: Flask, editor_client,
                                                      seeded) -> None:
    content = ("نص,text,date,claim_date\n"
               "قال بوتين إن الطائرة سقطت,قال علييف إن التحقيق مستمر,2024-12-25,2024-12-26\n")
    _refused_whole(app, editor_client, content,
                   "أكثر من عمود للحقل نفسه: نص / text; date / claim_date")


def test_semicolon_tab_and_utf16_files_are_read(app: Flask, editor_client, seeded) -> None:
    # Excel saves ";" where the decimal mark is a comma, and "Unicode text" as UTF-16 + tabs.
    semicolon = "text;source_url;status\nقال بوتين إن 38 شخصاً قتلوا;https://a.example/1;زائف\n"
    html = _upload(editor_client, semicolon).get_data(as_text=True)
    assert "صفوف جاهزة: 1 ·" in html, html
    assert _confirm(editor_client, html).status_code == 302
    utf16 = "text\tsource_url\nقال علييف إن التحقيق مستمر\thttps://a.example/2\n"
    preview = editor_client.post("/import/csv", data={"format": "claims", "file": (
        io.BytesIO(utf16.encode("utf-16")), "unicode.csv")}, content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "صفوف جاهزة: 1 ·" in html, html
    assert _confirm(editor_client, html).status_code == 302
    with app.app_context(), session_scope(app) as session:
        rows = {(c.text, c.status, c.source.url) for c in session.scalars(select(Claim))}
    assert rows == {("قال بوتين إن 38 شخصاً قتلوا", "false", "https://a.example/1"),
                    ("قال علييف إن التحقيق مستمر", "unstarted", "https://a.example/2")}


def test_confirm_needs_this_sessions_preview(app: Flask, editor_client, seeded) -> None:
    html = _upload(editor_client, "text\nادعاء أول\n").get_data(as_text=True)
    assert editor_client.post("/import/csv/confirm", data={"token": "../../etc"}).status_code \
        == 400
    other = app.test_client()
    from tests.conftest import login_as

    login_as(other, app, "admin")
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    assert other.post("/import/csv/confirm", data={"token": token}).status_code == 400
    assert _count(app) == 0
    assert _confirm(editor_client, html).status_code == 302 and _count(app) == 1
    assert _confirm(editor_client, html).status_code == 400  # used once


def test_export_then_import_round_trip(app: Flask, editor_client, seeded) -> None:
    _claim(editor_client, seeded, "قال بوتين إن 38 شخصاً قتلوا", "false", speaker="بوتين")
    _claim(editor_client, seeded, "-5 درجات في موسكو", "true")
    exported = editor_client.get("/claims/export.csv").get_data().decode("utf-8-sig")
    with get_engine(app).begin() as conn:  # history rows refuse ORM deletes; empty by SQL
        for table in ("status_changes", "claim_tags", "claims"):
            conn.execute(text(f"DELETE FROM {table}"))
    html = _upload(editor_client, exported).get_data(as_text=True)
    assert _confirm(editor_client, html).status_code == 302
    with app.app_context(), session_scope(app) as session:
        rows = {(c.text, c.status, c.speaker_id) for c in session.scalars(select(Claim))}
    assert rows == {("قال بوتين إن 38 شخصاً قتلوا", "false", seeded["putin"]),
                    ("-5 درجات في موسكو", "true", None)}


def test_our_own_export_read_back_in_imports_nothing(app: Flask, editor_client,
                                                      seeded) -> None:
    _claim(editor_client, seeded, "قال بوتين إن 38 شخصاً قتلوا", "false", speaker="بوتين")
    _claim(editor_client, seeded, "-5 درجات في موسكو", "true")
    exported = editor_client.get("/claims/export.csv").get_data().decode("utf-8-sig")
    html = _upload(editor_client, exported).get_data(as_text=True)
    assert "صفوف جاهزة: 0 · مكررة: 2" in html
    assert _confirm(editor_client, html).status_code == 302 and _count(app) == 2
    # a row naming one of our ids with other words is another claim, and is imported
    changed = exported.replace("درجات في موسكو", "درجات في باكو")
    html = _upload(editor_client, changed).get_data(as_text=True)
    assert "صفوف جاهزة: 1 · مكررة: 1" in html
    assert _confirm(editor_client, html).status_code == 302 and _count(app) == 3


def test_cli_imports_ans_format_idempotently(app: Flask, runner, tmp_path: Path) -> None:
    path = tmp_path / "ans.csv"
    path.write_text("claim_s,fake_flag\nتراجع التضخم في الجزائر,1\nصكوك من الكويت,0\n"
                    "سطر معطوب,7\n", "utf-8")
    first = runner.invoke(args=["import", "csv", str(path), "--format", "ans"])
    assert first.exit_code == 0, first.output
    assert "created 2 claims, skipped 1" in first.output and "line 4" in first.output
    second = runner.invoke(args=["import", "csv", str(path), "--format", "ans"])
    assert "created 0 claims, skipped 3" in second.output
    with app.app_context(), session_scope(app) as session:
        statuses = dict(session.execute(select(Claim.text, Claim.status)).all())
    assert statuses == {"تراجع التضخم في الجزائر": "false", "صكوك من الكويت": "true"}


def test_bulk_ans_train_under_a_minute(app: Flask, runner) -> None:
    path = shared_path("data", "ans", "claim", "train.csv")
    started, cpu = time.perf_counter(), time.process_time()
    result = runner.invoke(args=["import", "csv", str(path), "--format", "ans"])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert result.exit_code == 0, result.output
    print(f"\nANS train.csv: {result.output.strip().splitlines()[-1]} "
          f"(wall {seconds:.1f} s, CPU {cpu:.1f} s, {app.config['DATABASE_URL'].split(':')[0]})")
    assert "created 3185 claims" in result.output
    # CPU time of this process: on a shared CI machine the wall clock measures the neighbours.
    assert cpu < 60
    assert _count(app) == 3185
