"""The review console in real headless Chromium against the server in its own process, with
data pushed by the real desktop sync engine: sign in, dashboard, a batch, a duplicate group
resolved, a record returned for correction and that decision in the device's next pull, a
CSV export checked row by row."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from common.enums import Status
from tests.browser.conftest import STAFF_PASSWORD

NOTE = "Nama ibu kandung salah ketik; periksa KTP"


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/console/records/")
    assert "/console/login" in page.url  # signed out: sent to sign in
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/records/$"))


def test_reviewer_journey(
    browser_page: Any, console_server: Any, desks: dict[str, Any], applicants: list[dict[str, Any]]
) -> None:
    page, base = browser_page, console_server.url
    bogor, makassar = desks["bogor"], desks["makassar"]
    ids = [bogor.save(a) for a in applicants[:20]]
    twin = dict(
        applicants[0], phone="081311112222", street="Jl. Pelabuhan No. 3"
    )  # same NIK elsewhere
    twin_id = makassar.save(twin)
    assert bogor.sync().sent == 20
    assert makassar.sync().outcomes.get("accepted") == 1  # flagged, not told (finding 4)

    # sign in; the dashboard
    sign_in(page, base, "rina")
    page.click("nav.main >> text=Dasbor")
    assert page.locator(".tile.total b").inner_text() == "21"
    assert page.locator(".bars .bar").count() >= 1
    assert "Disnaker Kab. Bogor" in page.locator("#devices").inner_text()

    # a batch and its records
    page.click("nav.main >> text=Kiriman")
    page.locator("text=Buka").first.click()
    page.wait_for_url(re.compile(r".*/console/batches/\d+$"))
    rows = page.locator("table.grid tbody tr")
    assert rows.count() in (1, 20)
    assert page.locator(".badge.o-accepted, .badge.o-duplicate_nik").count() >= 1

    # the duplicate group: same person, keep the first registration
    page.click("nav.main >> text=Data ganda")
    page.locator("text=Bandingkan dan selesaikan").first.click()
    assert page.locator("tr.differs th", has_text="Nomor HP").count() == 1
    assert page.locator("td.diff").count() >= 2
    page.click("button[value=same_person]")
    page.wait_for_url(re.compile(r".*/console/duplicates/$"))
    assert "Kelompok diselesaikan" in page.locator(".flash.ok").inner_text()
    assert page.locator("text=Antrean kosong.").count() == 1

    # return a record for correction
    target = ids[5]
    page.goto(f"{base}/console/records/{target}")
    page.fill("#return-form textarea[name=note]", NOTE)
    page.click("#return-form button[type=submit]")
    assert "Keputusan disimpan" in page.locator(".flash.ok").inner_text()
    assert page.locator("h1 .badge.s-returned").count() == 1

    # the devices learn the decisions at their next sync
    assert bogor.sync().changes_applied >= 2  # the kept record verified, the return
    state = bogor.service.state(target)
    assert state.registration.provenance.status is Status.RETURNED and state.review_note == NOTE
    assert bogor.service.get(ids[0]).provenance.status is Status.VERIFIED
    makassar.sync()
    assert makassar.service.get(twin_id).provenance.status is Status.REJECTED

    # export the office's records as CSV
    page.goto(f"{base}/console/records/?office=320101")
    with page.expect_download() as info:
        page.click("text=Ekspor CSV")
    data = open(info.value.path(), "rb").read().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert len(rows) == 20 and {r["office_code"] for r in rows} == {"320101"}
    assert {r["id"] for r in rows} == set(ids)
    by_id = {r["id"]: r for r in rows}
    assert by_id[target]["status"] == "returned" and by_id[ids[0]]["status"] == "verified"
    nik = applicants[3]["nik"]
    # masked to its last four digits, so that the row's other columns cannot rebuild it
    assert by_id[ids[3]]["nik"] == "*" * 12 + nik[-4:]

    # sign out
    page.click("text=Keluar")
    page.wait_for_url(re.compile(r".*/console/login$"))
    page.goto(base + "/console/")
    assert "/console/login" in page.url


def test_viewer_cannot_decide_and_language_switch(browser_page: Any, console_server: Any) -> None:
    page, base = browser_page, console_server.url
    page.goto(base + "/console/login")
    page.click("button[value=en]")
    assert page.locator("h1").inner_text() == "Sign in"
    page.fill("input[name=username]", "lihat")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/$"))
    assert "Registrations by province" in page.content()
    assert page.locator("nav.main >> text=Admin").count() == 0
    response = page.goto(base + "/console/admin/users")
    assert response.status == 403
