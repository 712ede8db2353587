"""Issue 14, defect 8, in real Chromium: the duplicate comparison compares values in one
written form (phone as +62…, RT/RW with three digits, letter case and spacing ignored), so a
formatting difference is not highlighted; the value as typed is shown beside it; a real
difference still is highlighted."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.test_console import sign_in


def _row(page: Any, label: str) -> Any:
    return page.locator(
        "table.compare tbody tr",
        has=page.locator("th", has_text=re.compile(f"^{re.escape(label)}$")),
    ).first


def test_formatting_is_not_a_difference(
    browser_page: Any, console_server: Any, desks: dict[str, Any], applicants: list[dict[str, Any]]
) -> None:
    page, base = browser_page, console_server.url
    first = dict(applicants[0], phone="0812-3456-7890", rt="3", rw="7", street="Jl. Melati No. 5")
    first["full_name"] = first["full_name"].title()
    twin = dict(
        first,
        phone="+62 812 3456 7890",
        rt="003",
        rw="007",
        street="JL.  MELATI  NO. 5",
        full_name=first["full_name"].upper(),
        birth_place="Kota Lain Sekali",  # a real difference
    )
    desks["bogor"].save(first)
    desks["makassar"].save(twin)
    desks["bogor"].sync()
    desks["makassar"].sync()

    sign_in(page, base, "rina")
    page.goto(base + "/console/duplicates/")
    page.locator("text=Bandingkan dan selesaikan").first.click()
    differing = page.locator("table.compare tbody tr.differs th").all_inner_texts()
    assert differing == ["Tempat lahir"], differing
    assert page.locator("td.diff").count() == 1
    for label in ("Nomor HP", "RT", "RW", "Nama lengkap", "Alamat (jalan)"):
        row = _row(page, label)
        assert row.count() == 1, label
        assert "differs" not in (row.get_attribute("class") or ""), label
    phone = _row(page, "Nomor HP").locator("td").all_inner_texts()
    assert all(cell.startswith("+6281234567890") for cell in phone), phone
    rt = _row(page, "RT").locator("td").all_inner_texts()
    assert all(cell.startswith("003") for cell in rt), rt
    assert any("diketik: 3" in cell for cell in rt), rt  # the raw value beside it
