"""Issue 12, finding 2, in real Chromium: the reviewer has revision 1 open, meanwhile the
record is returned (in another tab), corrected at the office and revision 2 arrives; the
reviewer's "Verify" on the old page is refused with what changed, and nothing is decided
until they have seen revision 2."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.test_console import sign_in


def test_a_verification_of_a_revision_never_seen_is_refused_with_the_changes(
    browser_page: Any, console_server: Any, desks: dict[str, Any], applicants: list[dict[str, Any]]
) -> None:
    page, base = browser_page, console_server.url
    bogor = desks["bogor"]
    rid = bogor.save(applicants[0])
    assert bogor.sync().sent == 1

    sign_in(page, base, "rina")
    page.goto(f"{base}/console/records/{rid}")
    assert page.locator("form.decide input[name=revision]").first.get_attribute("value") == "1"

    # meanwhile, in another tab, the record is returned; the office corrects it: revision 2
    other = page.context.new_page()
    other.goto(f"{base}/console/records/{rid}")
    other.fill("#return-form textarea[name=note]", "Periksa nama ibu kandung")
    other.click("#return-form button[type=submit]")
    assert "Keputusan disimpan" in other.locator(".flash.ok").inner_text()
    other.close()
    assert bogor.sync().changes_applied >= 1
    edited = dict(applicants[0], mother_maiden_name="Orang Lain Sekali")
    assert bogor.service.save(edited, registration_id=rid).ok
    assert bogor.sync().sent == 1

    page.click("form.decide button.primary")  # ✓ Verify, on the page of revision 1
    stale = page.locator("section.stale")
    assert stale.get_attribute("data-error-code") == "DECISION_STALE_REVISION"
    assert "revisi 1, sekarang 2" in stale.inner_text()
    change = stale.locator("table.diff tbody tr", has_text="Nama ibu kandung")
    assert change.locator("td.ins").inner_text() == "Orang Lain Sekali"

    # nothing was decided; back on the record, revision 2 can be verified
    page.click("section.stale a.button.primary")
    page.wait_for_url(re.compile(rf".*/console/records/{rid}$"))
    assert page.locator("h1 .badge.s-received").count() == 1  # revision 2, waiting for review
    assert page.locator("form.decide input[name=revision]").first.get_attribute("value") == "2"
    page.click("form.decide button.primary")
    assert "Keputusan disimpan" in page.locator(".flash.ok").inner_text()
    assert page.locator("h1 .badge.s-verified").count() == 1
