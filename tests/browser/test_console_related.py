"""Issue 14, "related records", in real Chromium: a record page lists the other registrations
on its family card or with its phone number (in any written form), with the reviewer's
province scope and masking kept: one outside their provinces shows only that it exists."""

from __future__ import annotations

from datetime import date
from typing import Any

from common.synthetic import generate
from tests.browser.conftest import STAFF_PASSWORD
from tests.browser.test_console import sign_in


def test_related_records_share_the_family_card_or_phone(
    browser_page: Any, console_server: Any, desks: dict[str, Any]
) -> None:
    page, base = browser_page, console_server.url
    bogor, makassar = desks["bogor"], desks["makassar"]
    # a record's province is its applicant's address: four in West Java, one in South Sulawesi
    people = [s.applicant for s in generate(300, seed=77, today=date.today())]
    a, b, c, d = (dict(x) for x in [p for p in people if p["village_code"][:2] == "32"][:4])
    e = dict(next(p for p in people if p["village_code"][:2] == "73"))
    b["kk_number"] = a["kk_number"]  # same family card, same office
    c["phone"] = "+62" + a["phone"].lstrip("0").removeprefix("+62")  # same phone, written otherwise
    e["kk_number"] = a["kk_number"]  # same family card, in South Sulawesi
    ids = {k: bogor.save(x) for k, x in (("a", a), ("b", b), ("c", c), ("d", d))}
    ids["e"] = makassar.save(e)
    bogor.sync()
    makassar.sync()
    console_server.cli(
        "add-user", "jabar", "--role", "reviewer", "--province", "32", password=STAFF_PASSWORD
    )

    sign_in(page, base, "rina")  # every province
    page.goto(f"{base}/console/records/{ids['a']}")
    related = page.locator("#related tbody tr")
    shown = {r.get_attribute("data-related"): r.inner_text() for r in related.all()}
    assert set(shown) == {ids["b"], ids["c"], ids["e"]}
    assert "KK" in shown[ids["b"]] and "nomor HP" not in shown[ids["b"]]
    assert "nomor HP" in shown[ids["c"]] and "KK" not in shown[ids["c"]]
    assert c["full_name"] in shown[ids["c"]]
    page.locator(f"#related a[href$='/console/records/{ids['c']}']").click()
    assert [r.get_attribute("data-related") for r in related.all()] == [ids["a"]]

    # West Java only: the South Sulawesi one is masked (no code, name, NIK, office). A context
    # of its own: clearing the first one's cookies raced a response still setting rina's
    # session cookie (CI saw the sign-in page skipped, signed in as rina)
    context = page.context.browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta")
    try:
        page = context.new_page()
        related = page.locator("#related tbody tr")
        sign_in(page, base, "jabar")
        page.goto(f"{base}/console/records/{ids['a']}")
        rows = {r.get_attribute("data-related"): r.inner_text() for r in related.all()}
        assert set(rows) == {ids["b"], ids["c"], "masked"}
        assert ids["e"] not in page.content()
        assert e["full_name"] not in page.content()
        assert "provinsi lain" in rows["masked"] and "KK" in rows["masked"]
        # the masked NIK of a related record in scope (decide pages show reviewers full NIKs)
        assert b["nik"][-4:] in rows[ids["b"]]
    finally:
        context.close()
