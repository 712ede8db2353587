"""Issue 14 in real Chromium against the server in its own process, with data from the real
desktop sync engine: the dashboard at 1366x768 with long office and device names keeps every
column on the screen (defect 12); two reviewers and a claim (a decision on work someone else
claimed is refused, in Indonesian and in English); the backlog a desktop reports on sync
reaches the dashboard ("backlog per office")."""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from typing import Any

from tests.browser.conftest import STAFF_PASSWORD
from tests.browser.test_console import sign_in

LONG_OFFICE = "Dinas Tenaga Kerja dan Transmigrasi " + "Kabupaten" * 14
LONG_DEVICE = "LAPTOP-LOKET-PELAYANAN-TERPADU-" + "X" * 120


def _enroll(server: Any, office: str, regency: str, office_name: str, device_name: str) -> None:
    code = server.office_and_code(office, regency, office_name)
    body = json.dumps({"code": code, "device_name": device_name, "app_version": "test"}).encode()
    req = urllib.request.Request(
        server.url + "/api/v1/devices/enroll", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 200


def _right_edges(page: Any, table: str) -> list[float]:
    return [
        float(box["x"] + box["width"])
        for cell in page.locator(f"{table} tbody tr td:last-child").all()
        if (box := cell.bounding_box()) is not None
    ]


def test_dashboard_columns_stay_on_screen_at_1366(
    browser_page: Any, console_server: Any, desks: dict[str, Any], applicants: list[Any]
) -> None:
    page, base = browser_page, console_server.url
    _enroll(console_server, "320199", "32.01", LONG_OFFICE, LONG_DEVICE)
    desks["bogor"].save(applicants[0])
    desks["bogor"].sync()
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, base, "rina")
    for width in (1366, 1920):
        page.set_viewport_size({"width": width, "height": 768})
        page.goto(base + "/console/")
        assert page.locator("#devices tbody tr", has_text="LAPTOP-LOKET").count() == 1
        for table in ("#devices", "#offices"):
            edges = _right_edges(page, table)
            assert edges and max(edges) <= width, (table, width, edges)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # the full name is still there, on hover
        assert page.locator(f'#devices span[title="{LONG_DEVICE}"]').count() == 1


def _second_reviewer(page: Any, server: Any, base: str, name: str) -> Any:
    server.cli("add-user", name, "--role", "reviewer", password=STAFF_PASSWORD)
    other = page.context.browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta")
    second = other.new_page()
    sign_in(second, base, name)
    return second


def test_a_claimed_record_is_refused_to_another_reviewer(
    browser_page: Any, console_server: Any, desks: dict[str, Any], applicants: list[Any]
) -> None:
    page, base = browser_page, console_server.url
    bogor = desks["bogor"]
    ids = [bogor.save(a) for a in applicants[:4]]
    bogor.sync()
    sign_in(page, base, "rina")
    page.goto(f"{base}/console/records/{ids[0]}")
    page.click("#claim-button")
    assert "Diklaim selama 30 menit" in page.locator(".flash.ok").inner_text()
    assert "Diklaim oleh Anda" in page.locator("#claim").inner_text()

    budi = _second_reviewer(page, console_server, base, "budi")
    try:
        budi.goto(f"{base}/console/records/{ids[0]}")
        assert budi.locator("#claim [data-claimed-by=rina]").count() == 1
        budi.click("form.decide button.primary")  # ✓ Verify
        refused = budi.locator("[data-error-code]")
        assert refused.get_attribute("data-error-code") == "DECISION_CLAIMED"
        assert "sedang ditangani oleh rina" in budi.locator("main").inner_text()
        # in English too
        budi.goto(f"{base}/console/records/{ids[0]}")
        budi.click("button[name=lang][value=en]")
        budi.click("form.decide button.primary")
        assert "is claimed by rina" in budi.locator("main").inner_text()
        budi.goto(f"{base}/console/records/{ids[0]}")
        assert budi.locator("h1 .badge.s-received").count() == 1  # nothing was decided

        # who is on what; a batch claim takes the oldest unclaimed waiting records
        budi.goto(f"{base}/console/claims/")
        budi.click("#claim-next")  # 10 at most: the three others
        assert "3 records claimed" in budi.locator(".flash.ok").inner_text()
        rows = budi.locator("#claims tbody tr")
        assert rows.count() == 4
        assert rows.filter(has_text="rina").count() == 1
        assert rows.filter(has_text="budi").count() == 3
    finally:
        budi.context.close()

    # the holder decides
    page.goto(f"{base}/console/records/{ids[0]}")
    page.click("form.decide button.primary")
    assert "Keputusan disimpan" in page.locator(".flash.ok").inner_text()
    page.goto(f"{base}/console/records/{ids[1]}")  # claimed by budi: refused to rina
    assert "budi" in page.locator("#claim").inner_text()
    page.click("form.decide button.primary")
    assert page.locator("[data-error-code]").get_attribute("data-error-code") == "DECISION_CLAIMED"


def test_the_desktop_backlog_reaches_the_dashboard(
    browser_page: Any, console_server: Any, desks: dict[str, Any], applicants: list[Any]
) -> None:
    from desktop.sync.engine import BatchSizer, SyncOutcome

    page, base = browser_page, console_server.url
    bogor = desks["bogor"]
    for a in applicants[:5]:
        bogor.save(a)
    bogor.engine.sizer = BatchSizer(initial=2, minimum=1, maximum=2)
    stop = threading.Event()
    # the first batch leaves with the whole outbox as backlog; then the sync is cancelled
    report = bogor.engine.run(progress=lambda _p: stop.set(), cancel=stop)
    assert report.outcome is SyncOutcome.CANCELLED and report.sent == 2

    sign_in(page, base, "rina")
    page.goto(base + "/console/")
    row = page.locator("#devices tbody tr", has_text="320101")
    assert re.match(r"^5\b", row.locator("td.unsent").inner_text().strip())
    office = page.locator('#offices tr[data-office="320101"]')
    assert office.locator("td.unsent").inner_text().strip() == "5"

    assert bogor.sync().sent == 3  # the rest; the pull reports what is left: nothing
    page.goto(base + "/console/")
    assert row.locator("td.unsent").inner_text().strip() == "0"
