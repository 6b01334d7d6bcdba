"""Forms on a phone in headless Chromium: a refused form is shown where it was filled in."""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_browser import live_server, log_in, page, submit_new_claim  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def in_view(tab: Any, selector: str) -> bool:
    """Whether the element is on the screen as the page opened, without scrolling."""
    box = tab.locator(selector).bounding_box()
    return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"]


def test_a_refused_evidence_or_status_form_opens_at_its_message(page, live_server,  # noqa: F811
                                                               seeded) -> None:
    """The claim page is three screens tall on a phone: its error must not open at the top."""
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/login")
    log_in(page, live_server, "editor")
    page.goto(f"{live_server}/claims/new")
    submit_new_claim(page, seeded["source"], "قال بوتين إن 38 شخصاً قتلوا")
    page.click("details.add-evidence summary")
    page.fill("#ev-url", "reuters.com/world")
    page.fill("#ev-title", "تقرير رويترز")
    page.click("details.add-evidence button[type=submit]")
    page.wait_for_selector("#url-error")
    assert in_view(page, "#url-error")
    assert page.input_value("#ev-title") == "تقرير رويترز"

    page.select_option("#status", "unstarted")  # already its status: refused
    page.fill("#note", "لا جديد")
    page.click("#status-form button[type=submit]")
    page.wait_for_selector("#status-error")
    assert in_view(page, "#status-error")
    assert page.input_value("#note") == "لا جديد"

    seen = page.input_value("#status-form input[name=version]")
    page.select_option("#status", "false")
    page.click("#status-form button[type=submit]")
    page.wait_for_selector("text=تم تغيير الحالة")
    page.select_option("#status", "true")
    page.fill("#note", "تأكد من مصدر ثان")  # sent as of the version seen before the change
    page.evaluate("v => document.querySelector('#status-form input[name=version]').value = v",
                  seen)
    page.click("#status-form button[type=submit]")
    page.wait_for_selector("#conflict")
    assert in_view(page, "#conflict")
    assert page.input_value("#note") == "تأكد من مصدر ثان"


def test_setting_a_password_on_a_phone_stays_inside_the_users_table(page,  # noqa: F811
                                                                   live_server) -> None:  # noqa: F811
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/login")
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/users")
    row = page.locator("tr", has_text="viewer")
    row.locator("details summary").click()
    row.locator("input[name=password]").fill("short")
    row.locator("details button[type=submit]").click()
    page.wait_for_selector("#password-error")
    table = page.locator("table.table")
    assert table.evaluate("el => el.scrollWidth <= el.clientWidth"), "the table scrolls sideways"
    field = page.locator("tr", has_text="viewer").locator("input[name=password]").bounding_box()
    assert field is not None and field["x"] >= 0 and field["x"] + field["width"] <= PHONE["width"]
