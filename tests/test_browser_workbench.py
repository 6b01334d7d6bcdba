"""Workbench end to end in headless Chromium: ingest the article, make claims from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_browser import OUTPUT, live_server, log_in, page  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser
DEMO_TEXT = Path(__file__).resolve().parent.parent / "claims" / "demo" / "article-ar.txt"


def test_ingest_article_make_claims_from_a_sentence_and_a_selection(page, live_server,  # noqa: F811
                                                                     seeded) -> None:
    page.goto(f"{live_server}/login")
    log_in(page, live_server, "editor")

    page.click("#nav-workbench")
    page.fill("#text", DEMO_TEXT.read_text(encoding="utf-8") + "\nشاركها.\nExit mobile version\n")
    page.click("#ingest-submit")
    page.wait_for_selector("#ranked")
    workbench_url = page.url
    assert "Exit mobile version" not in page.inner_text("#article")
    assert page.inner_text("#wb-place") == "موسكو"
    assert page.locator("#ranked .wb-sentence.wb-top").count() == 9
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "workbench-ar.png"), full_page=False)

    # One click on a ranked sentence: the claim keeps its span and its speaker.
    card = page.locator(".wb-sentence", has_text="وقال بوتين إن الصواريخ")
    card.locator("button.wb-make").first.click()
    page.wait_for_selector("#claim-text")
    assert page.inner_text("#claim-text").startswith("الصواريخ التي أطلقتها")
    assert "بوتين" in page.inner_text(".facts")
    assert "الصواريخ التي أطلقتها" in page.inner_text("#claim-span")

    # Selecting part of a sentence in the article offers a claim from just that part.
    page.goto(workbench_url)
    part = "صاروخين انفجرا على بعد 10 أمتار فقط من طائرة الركاب"
    page.evaluate(
        """(part) => {
          const article = document.getElementById('wb-article');
          const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
          let node;
          while ((node = walker.nextNode())) {
            const at = node.data.indexOf(part);
            if (at >= 0) {
              const range = document.createRange();
              range.setStart(node, at);
              range.setEnd(node, at + part.length);
              const selection = window.getSelection();
              selection.removeAllRanges();
              selection.addRange(range);
              article.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
              return;
            }
          }
          throw new Error('text not found');
        }""", part)
    page.wait_for_selector("#wb-selection:not([hidden])")
    assert page.inner_text("#selection-preview") == part
    page.locator("#wb-selection").scroll_into_view_if_needed()
    page.screenshot(path=str(OUTPUT / "workbench-selection-ar.png"), full_page=False)
    page.click("#selection-make")
    page.wait_for_selector("#claim-text")
    assert page.inner_text("#claim-text") == part

    # The article now shows both claims highlighted and linked.
    page.goto(workbench_url)
    assert page.locator("#wb-article a.claim-mark").count() == 2
    page.screenshot(path=str(OUTPUT / "workbench-claims-ar.png"), full_page=True)

    # Typing a conflicting claim on the form shows the existing one, scored, as you type.
    page.goto(f"{live_server}/claims/new")
    page.fill("#text", "قال بوتين إن صاروخين انفجرا على بعد 20 مترا فقط من طائرة الركاب")
    page.wait_for_selector("#match-panel:not([hidden]) #match-list li")
    assert "تعارض" in page.inner_text("#match-list")
    page.screenshot(path=str(OUTPUT / "claim-form-matching-ar.png"), full_page=False)
    page.select_option("#source_id", workbench_url.rsplit("/", 1)[-1])
    page.click("#claim-submit")
    page.wait_for_selector("#matches .wb-versus")
    assert "20≠10" in page.inner_text("#matches") or "10≠20" in page.inner_text("#matches")
    page.screenshot(path=str(OUTPUT / "claim-conflict-ar.png"), full_page=False)


def test_entity_tags_wrap_whole_on_a_phone(app, page, live_server, seeded) -> None:  # noqa: F811
    """A tag that reaches the end of a line moves to the next one whole, never split in two."""
    from claims.db import session_scope
    from claims.services.entities import load_gazetteer
    from claims.services.linker import aliases_changed

    with app.app_context(), session_scope(app) as session:
        load_gazetteer(session)  # the shipped names: several entities a sentence
        aliases_changed(session)
        session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/login")
    log_in(page, live_server, "editor")
    page.goto(f"{live_server}/workbench/ingest")
    page.fill("#text", DEMO_TEXT.read_text(encoding="utf-8"))
    page.click("#ingest-submit")
    page.wait_for_selector("#ranked")
    for lang in ("ar", "en"):
        split = page.evaluate("""() => Array.from(document.querySelectorAll('.wb-meta .tag'))
            .filter(tag => tag.getClientRects().length > 1).map(tag => tag.textContent)""")
        assert split == [], f"{lang}: tags broken across lines: {split}"
        page.click("#lang-switch")
        page.wait_for_selector("#ranked")
