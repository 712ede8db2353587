"""Issue 14 in real Chromium, against the server in its own process with records pushed by
the real desktop sync engine: defect 4 (search by any word or part of a name, phones, codes
and NIKs as people type them), defect 5 (sortable columns, match counts, a review queue
oldest first), the filters (lists, queue, export, audit log) and defect 13 (the export's times
in WIB with the offset, as the console shows them)."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Any

from tests.browser.test_console import sign_in

NAMES = ["Agus Duplianto Hidayat", "Siti Aminah", "Budi Santoso", "Citra Hidayati"]


def _seed(desks: dict[str, Any], applicants: list[dict[str, Any]]) -> list[str]:
    """Four records, each in its own sync (so each is received after the one before)."""
    bogor = desks["bogor"]
    ids = []
    for n, name in enumerate(NAMES):
        person = dict(applicants[n], full_name=name)
        if n == 0:
            person["phone"] = "081234567890"
        ids.append(bogor.save(person))
        assert bogor.sync().sent == 1
    return ids


def _listed(page: Any) -> list[str]:
    links = page.locator("table.grid tbody a[href*='/console/records/']")
    return [
        str(h).split("?")[0].rsplit("/", 1)[-1]
        for h in links.evaluate_all("els => els.map(e => e.href)")
    ]


def _search(page: Any, base: str, text: str) -> list[str]:
    page.goto(base + "/console/records/")
    page.fill("form.filters input[name=q]", text)
    page.click("form.filters button.primary")
    page.wait_for_load_state()
    return _listed(page)


def test_search_finds_what_reviewers_type(
    browser_page: Any, console_server: Any, desks: dict[str, Any], applicants: list[dict[str, Any]]
) -> None:
    page, base = browser_page, console_server.url
    ids = _seed(desks, applicants)
    sign_in(page, base, "rina")
    # any word or part of a name, any case, any order
    assert _search(page, base, "Hidayat") == [ids[3], ids[0]]  # "Hidayati" contains it
    assert _search(page, base, "Dupli") == [ids[0]]
    assert _search(page, base, "hidayat agus") == [ids[0]]
    assert _search(page, base, "AMINAH") == [ids[1]]
    assert "kata atau bagian nama" in page.locator("#search-kind").inner_text()
    # phones without the leading 0, with +62 and spaces
    for phone in ("81234567890", "+62 812-3456-7890", "0812 3456 7890"):
        assert _search(page, base, phone) == [ids[0]], phone
    # the code without dashes, with the letter O for zero; the NIK with spaces
    page.goto(f"{base}/console/records/{ids[0]}")
    code = re.search(r"\d{6}-\d{3}-\d{6}-[0-9A-Z]", page.content())
    assert code
    assert _search(page, base, code.group(0).replace("-", "")) == [ids[0]]
    assert _search(page, base, code.group(0).replace("0", "O").lower()) == [ids[0]]
    nik = applicants[0]["nik"]
    assert _search(page, base, " ".join(nik[i : i + 4] for i in range(0, 16, 4))) == [ids[0]]


def test_lists_sort_count_and_the_queue_is_oldest_first(
    browser_page: Any, console_server: Any, desks: dict[str, Any], applicants: list[dict[str, Any]]
) -> None:
    page, base = browser_page, console_server.url
    ids = _seed(desks, applicants)
    sign_in(page, base, "rina")
    page.goto(base + "/console/records/")
    assert _listed(page) == ids[::-1]  # the records list: newest first
    assert page.locator("#match-count").inner_text().strip() == "1–4 dari 4"
    # sort by name, then the other way round, by clicking the column head
    page.click("th[data-sort=name] a")
    page.wait_for_url(re.compile(r".*sort=name"))
    order = sorted(range(4), key=lambda n: NAMES[n].lower())
    assert _listed(page) == [ids[n] for n in order]
    assert page.locator("th[data-sort=name]").get_attribute("aria-sort") == "ascending"
    page.click("th[data-sort=name] a")
    page.wait_for_url(re.compile(r".*sort=-name"))
    assert _listed(page) == [ids[n] for n in reversed(order)]
    # decide one; the queue holds the rest, the longest waiting first
    page.goto(f"{base}/console/records/{ids[1]}")
    page.click("form.decide button.primary")
    assert "Keputusan disimpan" in page.locator(".flash.ok").inner_text()
    page.click("nav.main >> text=Antrean tinjauan")
    page.wait_for_url(re.compile(r".*/console/records/queue$"))
    assert _listed(page) == [ids[0], ids[2], ids[3]]
    assert page.locator("#match-count").inner_text().strip() == "1–3 dari 3"
    # in English, the count reads "of"
    page.click("button[value=en]")
    page.wait_for_url(re.compile(r".*/console/records/queue$"))
    assert page.locator("#match-count").inner_text().strip() == "1–3 of 3"


def test_filters_reach_lists_queue_export_and_audit_log(
    browser_page: Any, console_server: Any, desks: dict[str, Any], applicants: list[dict[str, Any]]
) -> None:
    page, base = browser_page, console_server.url
    ids = _seed(desks, applicants)
    sign_in(page, base, "admin")
    page.goto(f"{base}/console/records/{ids[2]}")
    page.click("form.decide button.primary")  # verified by admin
    # filter the list by decision and reviewer
    page.goto(base + "/console/records/")
    page.select_option("form.filters select[name=decision]", "verified")
    page.fill("form.filters input[name=reviewer]", "admin")
    page.click("form.filters button.primary")
    page.wait_for_load_state()
    assert _listed(page) == [ids[2]]
    # by device (the OOOOOO-DDD its codes start with), then export that filter
    page.goto(base + "/console/records/")
    page.fill("form.filters input[name=device]", "320101-001")
    page.fill("form.filters input[name=q]", "hidayat")
    page.click("form.filters button.primary")
    page.wait_for_load_state()
    assert _listed(page) == [ids[3], ids[0]]
    with page.expect_download() as info:
        page.click("text=Ekspor CSV")
    data = open(info.value.path(), "rb").read().decode("utf-8-sig")
    assert {r["id"] for r in csv.DictReader(io.StringIO(data))} == {ids[0], ids[3]}
    # the queue takes the filters too
    page.goto(base + "/console/records/queue?q=hidayat")
    assert _listed(page) == [ids[0], ids[3]]
    # the audit log by who, what and when
    page.goto(base + "/console/admin/audit")
    page.fill("#audit-filter input[name=who]", "admin")
    page.fill("#audit-filter input[name=what]", "export")
    today = page.locator("table.grid tbody tr td").nth(1).inner_text()[:10]
    page.fill("#audit-filter input[name=from]", today)
    page.fill("#audit-filter input[name=to]", today)
    page.click("#audit-filter button.primary")
    page.wait_for_load_state()
    actions = page.locator("table.grid tbody td code").all_inner_texts()
    assert actions == ["export.csv"]
    page.fill("#audit-filter input[name=what]", "decision")
    page.click("#audit-filter button.primary")
    page.wait_for_load_state()
    assert page.locator("table.grid tbody td code").all_inner_texts() == ["decision.verified"]


def test_export_times_are_wib_with_the_offset_as_the_console_shows_them(
    browser_page: Any, console_server: Any, desks: dict[str, Any], applicants: list[dict[str, Any]]
) -> None:
    page, base = browser_page, console_server.url
    bogor = desks["bogor"]
    rid = bogor.save(applicants[0])
    assert bogor.sync().sent == 1
    sign_in(page, base, "rina")
    page.goto(base + "/console/records/?office=320101")
    cells = page.locator("table.grid tbody tr").first.locator("td")
    shown_time = cells.nth(7).inner_text().strip()  # "2026-12-02 09:14 WIB"
    assert shown_time.endswith(" WIB")
    with page.expect_download() as info:
        page.click("text=Ekspor CSV")
    data = open(info.value.path(), "rb").read().decode("utf-8-sig")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(data))}
    value = rows[rid]["received_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", value), value
    assert datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M WIB") == shown_time
