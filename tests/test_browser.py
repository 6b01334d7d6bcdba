"""End to end in real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
# One folder per engine: CI runs the SQLite and PostgreSQL suites side by side.
OUTPUT = Path(__file__).resolve().parent.parent / "test-output" / (
    "postgresql" if os.environ.get("CLAIMS_TEST_DATABASE_URL") else "sqlite")

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(app: Flask, seeded) -> Iterator[str]:
    """The app served on a free loopback port in a background thread."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def page(live_server: str):
    """A Chromium page; skipped clearly when Debian's chromium is not installed."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is required in CI")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        context = browser.new_context(locale="ar", viewport={"width": 1280, "height": 900})
        yield context.new_page()
        browser.close()


def log_in(page: Any, live_server: str, username: str) -> None:
    """Log in through the login page (the browser is already on it) and land on the list."""
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server}/claims")


def submit_new_claim(page: Any, source_id: int, text: str, speaker: str = "",
                     tags: str = "") -> None:
    """Fill and send the new-claim form (the browser is on it) and wait for the claim page."""
    page.fill("#text", text)
    if speaker:
        page.fill("#speaker", speaker)
    page.select_option("#source_id", str(source_id))
    if tags:
        page.fill("#tags", tags)
    page.click("#claim-submit")
    page.wait_for_selector("#claim-text")


def test_log_in_create_change_status_find_by_clitic_and_see_history(page, live_server,
                                                                     seeded) -> None:
    page.goto(f"{live_server}/claims")
    assert "/login" in page.url
    log_in(page, live_server, "editor")

    page.click("text=ادعاء جديد")
    submit_new_claim(page, seeded["source"],
                     "قال بوتين إن صاروخين انفجرا على بعد ١٠ أمتار من طائرة الركاب",
                     speaker="بوتين", tags="طائرة أذربيجان")
    claim_url = page.url
    assert "صاروخين" in page.inner_text("#claim-text")

    page.select_option("#status", "misleading")
    page.fill("#note", "الرقم لم يتأكد من مصدر مستقل")
    page.click("#status-form button[type=submit]")
    page.wait_for_selector("text=تم تغيير الحالة")

    page.click(".mainnav >> text=الادعاءات")
    page.wait_for_selector("#result-count")
    page.fill("input[name=q]", "وبوتين")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("#result-count")
    assert page.locator(f"a[href='{claim_url.replace(live_server, '')}']").count() >= 1
    page.click(f"a[href='{claim_url.replace(live_server, '')}']")
    page.wait_for_selector("#history")
    history = page.inner_text("#history")
    assert "مضلل" in history and "الرقم لم يتأكد من مصدر مستقل" in history
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "claim-page-ar.png"), full_page=True)

    page.click("#lang-switch")
    page.wait_for_selector("html[lang=en]")
    assert "History" in page.inner_text("#history")
    page.screenshot(path=str(OUTPUT / "claim-page-en.png"), full_page=True)


def test_pages_fit_a_phone_screen(page, live_server, seeded) -> None:
    """At 390 px (a phone) no page is wider than the screen: the menu wraps, grids shrink."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/login")
    log_in(page, live_server, "admin")
    page.click("#lang-switch")  # English too: the longer menu labels
    page.wait_for_selector("html[lang=en]")
    page.goto(f"{live_server}/claims/new")
    submit_new_claim(page, seeded["source"],
                     "قال بوتين إن صاروخين انفجرا على بعد ١٠ أمتار من طائرة الركاب",
                     speaker="بوتين", tags="طائرة أذربيجان، روسيا، حرب، طيران مدني، عقوبات")
    claim = page.url.replace(live_server, "")
    for path in ("/claims", claim, "/entities", f"/entities/{seeded['putin']}", "/sources",
                 f"/sources/{seeded['source']}", f"/workbench/{seeded['source']}",
                 "/workbench/ingest", "/import", "/account/tokens", "/admin/users",
                 "/admin/audit", "/claims/new", f"{claim}/edit"):
        page.goto(f"{live_server}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide on a 390 px screen"
    page.goto(f"{live_server}/claims")
    page.screenshot(path=str(OUTPUT / "claims-list-phone-en.png"))


def test_removing_evidence_asks_first(page, live_server, seeded) -> None:
    page.goto(f"{live_server}/login")
    log_in(page, live_server, "editor")
    page.goto(f"{live_server}/claims/new")
    submit_new_claim(page, seeded["source"], "قال بوتين إن 38 شخصاً قتلوا")
    page.click("details.add-evidence summary")
    page.fill("#ev-title", "تقرير رويترز")
    page.click("details.add-evidence button[type=submit]")
    page.wait_for_selector(".evidence-item")
    questions: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.click(".evidence-item form[data-confirm] button")
    page.wait_for_timeout(300)
    assert questions == ["حذف هذا الدليل؟ لا يمكن التراجع عن ذلك."]
    assert page.locator(".evidence-item").count() == 1  # dismissed: nothing sent
    page.once("dialog", lambda d: answer(d, True))
    page.click(".evidence-item form[data-confirm] button")
    page.wait_for_selector("text=حذف الدليل.")
    assert page.locator(".evidence-item").count() == 0


def test_an_empty_search_box_reads_right_to_left_in_arabic(page, live_server) -> None:
    """Its hint starts at the right edge: on a phone the end of the hint is cut, not its start."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/login")
    log_in(page, live_server, "viewer")
    box = page.locator("input[type=search][name=q]").first
    assert box.evaluate("el => getComputedStyle(el).direction") == "rtl"
    box.fill("Putin")  # what is typed still sets its own direction
    assert box.evaluate("el => getComputedStyle(el).direction") == "ltr"
