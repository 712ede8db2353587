"""Screenshots of the review console's main pages, rendered by headless Chromium.

    .venv/bin/python tools/console_screenshots.py [--out docs/screenshots] [--lang id|en]

Starts the real server in a temporary folder, enrolls three desktop installations (the real
desktop store and sync engine) that register synthetic applicants (with a NIK registered at
two offices, a family card with three registrations and a corrected record), signs in as an
admin in Debian's Chromium and saves docs/screenshots/console-<page>.png.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.support.liveserver import LiveServer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "kata-sandi-konsol"


def make_data(tmp: Path, server: LiveServer) -> dict[str, str]:
    from common.synthetic import generate
    from tests.browser.conftest import Desk

    desks = {
        "bogor": Desk(tmp / "bogor", server, "320101", "Disnaker Kab. Bogor"),
        "makassar": Desk(tmp / "makassar", server, "737101", "Disnaker Kota Makassar"),
        "medan": Desk(tmp / "medan", server, "127101", "Disnaker Kota Medan"),
    }
    people = [s.applicant for s in generate(160, seed=31, today=date.today())]
    ids: dict[str, str] = {}
    for k, a in enumerate(people[:70]):
        rid = desks["bogor"].save(a)
        ids.setdefault("first", rid)
        if k == 5:
            ids["corrected"] = rid
    for a in people[70:120]:
        desks["makassar"].save(a)
    for a in people[120:150]:
        desks["medan"].save(a)
    twin = dict(people[3], phone="081311112222", street="Jl. Pelabuhan No. 3", email="")
    ids["twin"] = desks["makassar"].save(twin)
    kk = people[10]["kk_number"]
    for a in people[150:153]:
        desks["medan"].save(dict(a, kk_number=kk))
    for d in desks.values():
        d.sync()
    # a correction: the reviewer returns one record, the office corrects it (revision 2), so
    # the record page shows a difference between revisions
    from syncserver import db
    from syncserver.decisions import record_decision

    engine = db.make_engine(f"sqlite:///{server.data_dir / 'loket-server.db'}")
    with db.transaction(db.session_factory(engine)) as s:
        record_decision(
            s, ids["corrected"], "returned", "rina", note="Periksa nomor HP dan nama ibu kandung"
        )
    engine.dispose()
    bogor = desks["bogor"]
    bogor.sync()
    raw = bogor.service.get(ids["corrected"]).applicant.to_dict()
    raw["mother_maiden_name"] = "Siti Aminah"
    raw["phone"] = "081234567890"
    assert bogor.service.save(raw, registration_id=ids["corrected"]).ok
    bogor.sync()
    for d in desks.values():
        d.close()
    return ids


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    p.add_argument("--lang", default="id", choices=("id", "en"))
    args = p.parse_args(argv)

    from tests.support.liveserver import LiveServer

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        server = LiveServer(tmp / "server").start()
        try:
            server.cli("add-user", "admin", "--role", "admin", password=PASSWORD)
            server.cli(
                "add-user", "rina", "--role", "reviewer", "--province", "32", password=PASSWORD
            )
            ids = make_data(tmp, server)
            # one device has been quiet for ten days (the dashboard warns)
            quiet = (datetime.now(UTC) - timedelta(days=10)).strftime("%Y-%m-%d %H:%M:%S.000000")
            with sqlite3.connect(server.data_dir / "loket-server.db") as conn:
                conn.execute(
                    "UPDATE devices SET last_seen_at = ?, last_push_at = ? WHERE office_code = '127101'",
                    (quiet, quiet),
                )
            shoot(server.url, args.out, args.lang, ids)
        finally:
            server.stop()
    return 0


def shoot(base: str, out: Path, lang: str, ids: dict[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    from tests.support.browser import launch_kwargs

    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_kwargs())
        page = browser.new_context(
            viewport={"width": 1366, "height": 900}, locale="id-ID", timezone_id="Asia/Jakarta"
        ).new_page()

        def snap(name: str, full: bool = True) -> None:
            path = out / f"console-{name}.png"
            page.screenshot(path=str(path), full_page=full)
            print(path)

        page.goto(base + "/console/login")
        if lang == "en":
            page.click("button[value=en]")
        snap("login", full=False)
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/console/")
        snap("dashboard")
        page.goto(base + "/console/batches/")
        snap("batches")
        page.goto(base + "/console/batches/?outcome=duplicate_nik")  # a batch with a flagged record
        page.locator("a.button.small").first.click()
        page.wait_for_load_state()
        snap("batch")
        page.goto(base + "/console/duplicates/")
        snap("duplicates")
        page.locator("a.button.primary").first.click()
        page.wait_for_load_state()
        snap("duplicate-group")
        page.goto(base + f"/console/records/{ids['corrected']}")
        snap("record")
        page.goto(base + "/console/records/")
        snap("records")
        page.goto(base + "/console/admin/offices")
        page.locator("form.inline button.small").first.click()
        page.wait_for_load_state()
        snap("admin")
        page.goto(base + "/console/admin/users")
        snap("admin-users")
        browser.close()


if __name__ == "__main__":
    raise SystemExit(main())
