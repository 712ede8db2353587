"""Issue 14 in real Chromium, with records sent by the real desktop sync engine: a rejected
duplicate verified from its record page is refused and its group offered to reopen (defect
1); a NIK sent again after "different people" gets an action on the page and on the
dashboard (defect 2); a reviewer limited to a province acts on their own member of a group
whose first registration is elsewhere (defect 3); a family-card group lists its three people
and returns one for correction (defect 9)."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import STAFF_PASSWORD
from tests.browser.test_console import sign_in

SULSEL_VILLAGE = {
    "village_code": "73.06.08.1002",
    "postal_code": "47116",
    "rt": "014",
    "rw": "010",
    "street": "Jl. Pelabuhan Makassar No. 7",
}


def _twins(desks: dict[str, Any], applicant: dict[str, Any], **twin: Any) -> tuple[str, str]:
    """One person registered in Bogor and again (same NIK) in Makassar."""
    first = desks["bogor"].save(applicant)
    second = desks["makassar"].save(dict(applicant, phone="081311112222", **twin))
    assert desks["bogor"].sync().sent == 1 and desks["makassar"].sync().sent == 1
    return first, second


def _open_group(page: Any, base: str) -> None:
    page.goto(f"{base}/console/duplicates/")
    page.locator("text=Bandingkan dan selesaikan").first.click()
    page.wait_for_url(re.compile(r".*/console/duplicates/\d+$"))


def _open_groups_tile(page: Any, base: str) -> str:
    page.goto(f"{base}/console/")
    return str(page.locator(".tile.warn b").inner_text())


def test_a_rejected_duplicate_is_not_verified_and_its_group_reopens(
    browser_page: Any, console_server: Any, desks: dict[str, Any], applicants: list[dict[str, Any]]
) -> None:
    page, base = browser_page, console_server.url
    first, second = _twins(desks, applicants[0])
    sign_in(page, base, "rina")
    _open_group(page, base)
    page.click("button[value=same_person]")  # keeps the first registered
    assert "Kelompok diselesaikan" in page.locator(".flash.ok").inner_text()

    page.goto(f"{base}/console/records/{first}")
    kept_code = page.locator("h1 small.mono").inner_text()
    page.goto(f"{base}/console/records/{second}")
    assert page.locator("h1 .badge.s-rejected").count() == 1
    page.click("form.decide button.primary")  # ✓ Verify the rejected duplicate
    refusal = page.locator("section.rule-refused")
    assert refusal.get_attribute("data-error-code") == "DECISION_NIK_VERIFIED"
    assert kept_code in refusal.inner_text()
    page.click("form.reopen button")
    page.wait_for_url(re.compile(r".*/console/duplicates/\d+$"))
    assert "Kelompok dibuka kembali" in page.locator(".flash.ok").inner_text()
    page.check(f"input[name=keep][value='{second}']")
    page.click("button[value=same_person]")
    assert "Kelompok diselesaikan" in page.locator(".flash.ok").inner_text()
    page.goto(f"{base}/console/records/{second}")
    assert page.locator("h1 .badge.s-verified").count() == 1
    page.goto(f"{base}/console/records/{first}")
    assert page.locator("h1 .badge.s-rejected").count() == 1


def test_a_nik_sent_again_after_different_people_gets_an_action(
    browser_page: Any, console_server: Any, desks: dict[str, Any], applicants: list[dict[str, Any]]
) -> None:
    page, base = browser_page, console_server.url
    first, second = _twins(desks, applicants[1])
    sign_in(page, base, "rina")
    assert _open_groups_tile(page, base) == "1"
    _open_group(page, base)
    # different people: the first registered is returned, the other one not ticked
    page.check(f"input[name=ids][value='{first}']")
    page.uncheck(f"input[name=ids][value='{second}']")
    page.fill("input[name=note]", "Periksa NIK pada KTP")
    page.click("button[value=different_people]")
    assert page.locator(".flash.ok").count() == 1

    # the office checked the KTP: the NIK is right, the record goes back with it
    bogor = desks["bogor"]
    assert bogor.sync().changes_applied >= 1
    assert bogor.service.save(dict(applicants[1], phone="081311112223"), registration_id=first).ok
    assert bogor.sync().sent == 1
    # the group waits in the queue, counted on the dashboard, with its actions
    assert _open_groups_tile(page, base) == "1"
    page.goto(f"{base}/console/records/{second}")
    page.click("text=Buka kelompok ganda")
    assert page.locator("button[value=same_person]").count() == 1
    page.check(f"input[name=keep][value='{first}']")
    page.click("button[value=same_person]")
    assert "Kelompok diselesaikan" in page.locator(".flash.ok").inner_text()
    assert _open_groups_tile(page, base) == "0"
    page.goto(f"{base}/console/records/{second}")
    assert page.locator("h1 .badge.s-rejected").count() == 1


def test_a_province_limited_reviewer_acts_on_their_member(
    browser_page: Any, console_server: Any, desks: dict[str, Any], applicants: list[dict[str, Any]]
) -> None:
    page, base = browser_page, console_server.url
    person = next(a for a in applicants[2:] if not a["village_code"].startswith("73"))
    first, mine = _twins(desks, person, **SULSEL_VILLAGE)
    console_server.cli(
        "add-user", "sulsel", "--role", "reviewer", "--province", "73", password=STAFF_PASSWORD
    )
    sign_in(page, base, "sulsel")
    _open_group(page, base)
    assert page.locator("th.member.masked").count() == 1  # the first registered, elsewhere
    assert first not in page.content()
    # same person as the one registered first (masked): theirs is rejected as its duplicate
    page.locator("td input[name=keep]").first.check()
    page.click("button[value=same_person]")
    assert page.locator(".flash.ok").count() == 1, page.content()
    page.goto(f"{base}/console/records/{mine}")
    assert page.locator("h1 .badge.s-rejected").count() == 1
    response = page.goto(f"{base}/console/records/{first}")
    assert response is not None and response.status == 403  # still not theirs to see


def test_a_family_card_group_lists_three_and_returns_one(
    browser_page: Any, console_server: Any, desks: dict[str, Any], applicants: list[dict[str, Any]]
) -> None:
    page, base = browser_page, console_server.url
    bogor = desks["bogor"]
    kk = applicants[5]["kk_number"]
    ids = [bogor.save(dict(a, kk_number=kk)) for a in applicants[5:8]]
    assert bogor.sync().sent == 3
    sign_in(page, base, "rina")
    page.goto(f"{base}/console/duplicates/?kind=kk")
    row = page.locator("table.grid tbody tr").first
    for rid in ids:
        assert row.locator(f"a[href$='/console/records/{rid}']").count() == 1
    row.locator("text=Bandingkan dan selesaikan").click()
    assert page.locator("th.member").count() == 3
    for rid in ids:
        page.set_checked(f"input[name=ids][value='{rid}']", rid == ids[2])
    page.fill("input[name=note]", "Periksa nomor KK pada kartu")
    page.click("button[value=kk_return]")
    assert page.locator(".flash.ok").count() == 1
    page.goto(f"{base}/console/records/{ids[2]}")
    assert page.locator("h1 .badge.s-returned").count() == 1
    assert "Periksa nomor KK pada kartu" in page.content()
