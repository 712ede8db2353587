"""Issue 14, defect 10, in real Chromium at 1366x768: the staff page's provinces picker shows
every one of the 38 provinces of the region data (it was a multiple select two rows high),
"all provinces" is a choice of its own, and an empty selection is refused with a message
instead of silently meaning "all"."""

from __future__ import annotations

from typing import Any

from common.regions import regions
from tests.browser.test_console import sign_in


def _row(page: Any, username: str) -> Any:
    return page.locator(f"tr[data-user='{username}']")


def test_every_province_is_offered_and_all_is_chosen_explicitly(
    browser_page: Any, console_server: Any
) -> None:
    page, base = browser_page, console_server.url
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, base, "admin")
    page.goto(base + "/console/admin/users")
    new = page.locator("#new-account")
    boxes = new.locator("input[type=checkbox][name=provinces]")
    provinces = regions().children("")
    assert len(provinces) == 38
    assert boxes.count() == 38
    assert sorted(boxes.evaluate_all("bs => bs.map(b => b.value)")) == [a.code for a in provinces]
    for i in range(38):  # each one on screen (after scrolling the page), none hidden in a box
        box = boxes.nth(i)
        box.scroll_into_view_if_needed()
        assert box.is_visible()
        assert box.evaluate(
            "b => { const r = b.getBoundingClientRect(); const e = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2); return e === b || b.closest('label').contains(e); }"
        )
    for a in provinces:
        assert new.locator("label.check", has_text=a.name).count() >= 1

    # nothing chosen: refused, no account
    new.locator("input[name=username]").fill("tanpa")
    new.locator("input[name=password]").fill("kata-sandi-baru-1")
    new.locator("button.primary").click()
    assert "Pilih provinsi" in page.locator(".flash.error").inner_text()
    assert _row(page, "tanpa").count() == 0

    # "all" chosen explicitly
    new = page.locator("#new-account")
    new.locator("input[name=username]").fill("semua")
    new.locator("input[name=password]").fill("kata-sandi-baru-1")
    new.locator("input[name=scope][value=all]").check()
    new.locator("button.primary").click()
    assert "semua" in page.locator(".flash.ok").inner_text()
    assert _row(page, "semua").locator("details.scope summary").inner_text() == "Semua provinsi"

    # the last two provinces of the list (they were never on screen)
    new = page.locator("#new-account")
    new.locator("input[name=username]").fill("timur")
    new.locator("input[name=password]").fill("kata-sandi-baru-1")
    last_two = provinces[-2:]
    for a in last_two:
        new.locator(f"input[name=provinces][value='{a.code}']").check()
    assert new.locator("input[name=scope][value=some]").is_checked()  # ticking means "only these"
    new.locator("button.primary").click()
    summary = _row(page, "timur").locator("details.scope summary").inner_text()
    assert summary == ", ".join(a.name for a in last_two)

    # an existing account: "only the ticked" with nothing ticked is refused, nothing changes
    row = _row(page, "timur")
    row.locator("details.scope summary").click()
    for a in last_two:
        row.locator(f"input[name=provinces][value='{a.code}']").uncheck()
    row.locator("button", has_text="Simpan").click()
    assert "Pilih provinsi" in page.locator(".flash.error").inner_text()
    assert _row(page, "timur").locator("details.scope summary").inner_text() == summary

    # and "all" for it, explicitly
    row = _row(page, "timur")
    row.locator("details.scope summary").click()
    row.locator("input[name=scope][value=all]").check()
    assert row.locator("input[name=provinces]:checked").count() == 0
    row.locator("button", has_text="Simpan").click()
    assert "timur" in page.locator(".flash.ok").inner_text()
    assert _row(page, "timur").locator("details.scope summary").inner_text() == "Semua provinsi"
