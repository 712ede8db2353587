"""Issue 14, defect 7, in real Chromium: a record opened from a list knows its list; after a
decision the list's next record opens (same filter, same order), after its last one the list
itself; keyboard shortcuts V (verify), X (reject), R (return), N (next) are listed on the page
and never fire while the reviewer types in a field."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.test_console import sign_in


def _list_ids(page: Any) -> list[str]:
    hrefs = page.locator("#bulk tbody a[href*='/console/records/']").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))"
    )
    return [re.sub(r".*/console/records/([^?]+).*", r"\1", h) for h in hrefs]


def _on(page: Any, rid: str) -> None:
    page.wait_for_url(re.compile(rf".*/console/records/{rid}\?list=.*"))


def test_next_record_after_a_decision_and_shortcuts(
    browser_page: Any, console_server: Any, desks: dict[str, Any], applicants: list[dict[str, Any]]
) -> None:
    page, base = browser_page, console_server.url
    bogor = desks["bogor"]
    for a in applicants[:6]:
        bogor.save(a)
    bogor.sync()
    sign_in(page, base, "rina")
    page.goto(base + "/console/records/?status=received")
    order = _list_ids(page)
    assert len(order) == 6

    page.locator("#bulk tbody a").first.click()
    _on(page, order[0])
    shortcuts = page.locator("#shortcuts").inner_text()
    for key, what in (
        ("V", "Verifikasi"),
        ("X", "Tolak"),
        ("R", "Kembalikan"),
        ("N", "berikutnya"),
    ):
        assert key in shortcuts and what in shortcuts

    # V verifies; the next record of the list opens
    page.keyboard.press("v")
    _on(page, order[1])
    assert "Keputusan disimpan" in page.locator(".flash.ok").inner_text()

    # typing in a field never fires a shortcut; N (outside the field) opens the next one
    note = page.locator("form.decide input[name=note]")
    note.click()
    page.keyboard.type("vnrx VNRX")
    assert note.input_value() == "vnrx VNRX"
    assert order[1] in page.url and page.locator("h1 .badge.s-received").count() == 1
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    _on(page, order[2])
    assert page.locator(".flash.ok").count() == 0  # nothing decided on the way

    # R moves into the return note; the return opens the next record
    page.keyboard.press("r")
    textarea = page.locator("#return-form textarea[name=note]")
    assert textarea.evaluate("t => t === document.activeElement")
    page.keyboard.type("Periksa nama ibu kandung")
    assert textarea.input_value() == "Periksa nama ibu kandung"
    page.locator("#return-form button[type=submit]").click()
    _on(page, order[3])

    # X moves to the rejection's reason
    page.keyboard.press("x")
    reason = page.locator("form.decide select[name=reason]")
    assert reason.evaluate("s => s === document.activeElement")
    reason.select_option("incomplete")
    page.locator("form.decide button.danger").click()
    _on(page, order[4])

    # the list's last record: after the decision, the list itself (with its filter)
    page.goto(base + "/console/records/?status=received")
    page.locator(f"#bulk tbody a[href*='{order[5]}']").click()
    _on(page, order[5])
    assert page.locator("#next-record").count() == 0
    page.keyboard.press("v")
    page.wait_for_url(re.compile(r".*/console/records/\?status=received$"))
    assert "Keputusan disimpan" in page.locator(".flash.ok").inner_text()
    assert set(_list_ids(page)) == {order[1], order[4]}

    page.goto(base + "/console/records/?status=verified")
    assert set(_list_ids(page)) == {order[0], order[5]}
    page.goto(base + "/console/records/?status=returned")
    assert _list_ids(page) == [order[2]]
    page.goto(base + "/console/records/?status=rejected")
    assert _list_ids(page) == [order[3]]
