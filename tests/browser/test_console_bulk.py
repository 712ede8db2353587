"""Issue 14, defect 6, in real Chromium at 1366x768: bulk decisions have no default decision,
ask "Verifikasi 37 pendaftaran?" before anything is written (a dialog with the page's script,
a server-side confirmation page without it), keep their bar on screen above and beside a
page of 50 rows, and keep the ticks, decision and note after a refused (incomplete) form."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from common.synthetic import generate
from tests.browser.test_console import sign_in


@pytest.fixture
def many(desks: dict[str, Any]) -> list[str]:
    bogor = desks["bogor"]
    ids = [bogor.save(s.applicant) for s in generate(56, seed=1414, today=date.today())]
    bogor.sync()
    return ids


def _in_viewport(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"]
    )


def _ticked(page: Any) -> int:
    return int(page.locator("#bulk input[name=ids]:checked").count())


def test_bulk_decision_is_chosen_confirmed_on_screen_and_keeps_ticks(
    browser_page: Any, console_server: Any, many: list[str]
) -> None:
    page, base = browser_page, console_server.url
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, base, "rina")
    page.goto(base + "/console/records/?status=received")
    rows = page.locator("#bulk tbody tr")
    assert rows.count() == 50

    # the bar is on screen without scrolling, and still after scrolling to the last row
    assert page.evaluate("window.scrollY") == 0
    assert _in_viewport(page, "fieldset.bulk")
    rows.last.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 0
    assert _in_viewport(page, "fieldset.bulk")
    page.evaluate("window.scrollTo(0, 0)")

    # no default decision
    action = page.locator("fieldset.bulk select[name=action]")
    assert action.input_value() == ""

    boxes = page.locator("#bulk tbody input[name=ids]")
    chosen = [boxes.nth(i).get_attribute("value") for i in range(37)]
    for i in range(37):
        boxes.nth(i).check()

    # incomplete (a return without a note): refused, the ticks and the choice kept
    action.select_option("returned")
    page.locator("fieldset.bulk button.primary").click()
    assert "Tulis catatan" in page.locator(".flash.error").inner_text()
    assert _ticked(page) == 37
    assert {
        b.get_attribute("value") for b in page.locator("#bulk input[name=ids]:checked").all()
    } == set(chosen)
    assert page.locator("fieldset.bulk select[name=action]").input_value() == "returned"
    assert page.locator("#bulk tbody tr").count() == 50  # the same list (filter kept)

    # the question names the count; dismissed, nothing is decided
    questions: list[str] = []

    def answer(dialog: Any, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.locator("fieldset.bulk select[name=action]").select_option("verified")
    page.locator("fieldset.bulk button.primary").click()
    assert questions == ["Verifikasi 37 pendaftaran?"]
    assert page.locator(".flash.ok").count() == 0
    assert _ticked(page) == 37

    page.once("dialog", lambda d: answer(d, True))
    page.locator("fieldset.bulk button.primary").click()
    assert "37 pendaftaran diputuskan" in page.locator(".flash.ok").inner_text()
    assert questions[-1] == "Verifikasi 37 pendaftaran?"
    page.goto(base + "/console/records/?status=verified")
    assert page.locator("#bulk tbody tr").count() == 37


def test_bulk_confirmation_without_javascript(
    chromium_browser: Any, console_server: Any, many: list[str]
) -> None:
    context = chromium_browser.new_context(
        java_script_enabled=False, locale="id-ID", timezone_id="Asia/Jakarta"
    )
    try:
        page, base = context.new_page(), console_server.url
        sign_in(page, base, "rina")
        page.goto(base + "/console/records/?status=received")
        boxes = page.locator("#bulk tbody input[name=ids]")
        for i in range(3):
            boxes.nth(i).check()
        page.locator("fieldset.bulk select[name=action]").select_option("rejected")
        page.locator("fieldset.bulk select[name=reason]").select_option("incomplete")
        page.locator("fieldset.bulk button.primary").click()
        confirm = page.locator("#bulk-confirm")
        assert confirm.locator("h1").inner_text() == "Tolak 3 pendaftaran?"
        other = context.new_page()  # nothing decided yet
        other.goto(base + "/console/records/?status=rejected")
        assert other.locator("#bulk tbody input[name=ids]").count() == 0
        other.close()
        page.locator("#bulk-confirm button.primary").click()
        assert "3 pendaftaran diputuskan" in page.locator(".flash.ok").inner_text()
        page.goto(base + "/console/records/?status=rejected")
        assert page.locator("#bulk tbody input[name=ids]").count() == 3
    finally:
        context.close()
