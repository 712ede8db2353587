"""Issue 16's USB journey end to end, in real Chromium against the server in its own process:
a field laptop (a real desktop store, enrolled once) registers 1,000 applicants with no
network, exports them to a file, an intake operator imports the file on the console's upload
page and downloads the acknowledgement, and the laptop imports it: every record is then
received or flagged, and the laptop never synced over the network."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from common.enums import Status
from common.synthetic import generate
from desktop.services import bundles
from desktop.store.queries import sync as runs
from tests.browser.conftest import STAFF_PASSWORD, Desk
from tests.browser.test_console import sign_in


def test_field_laptop_to_console_and_back_on_a_usb_stick(
    browser_page: Any, console_server: Any, tmp_path: Path
) -> None:
    page, base = browser_page, console_server.url
    console_server.cli("add-user", "pak_intake", "--role", "intake", password=STAFF_PASSWORD)
    samples = generate(1000, seed=1617, today=date.today())
    # the office's counter PC registered one of the applicants over the network already
    counter = Desk(tmp_path / "counter", console_server, "320101", "Disnaker Kab. Bogor")
    counter.save(samples[0].applicant)
    counter.sync()
    counter.close()

    laptop = Desk(tmp_path / "laptop", console_server, "320101", "Disnaker Kab. Bogor")
    try:
        for sample in samples:  # in the village: no network
            laptop.save(sample.applicant)
        assert laptop.service.pending_count() == 1000
        stick = tmp_path / "usb"
        stick.mkdir()
        exported = bundles.export_bundle(laptop.store, stick / "cibodas.loket", operator="petugas")
        assert exported.records == 1000 and exported.bytes < 2_000_000
        assert bundles.in_transit(laptop.store).records == 1000

        # at the regency office: the console's upload page
        sign_in(page, base, "pak_intake")
        page.click("nav.main >> text=Impor berkas")
        page.wait_for_url(re.compile(r".*/console/bundles/$"))
        page.set_input_files("#bundle-upload input[name=bundle]", str(exported.path))
        page.click("#bundle-upload button.primary")
        assert page.locator("#bundle-result h2").inner_text() == "Diimpor"
        assert page.locator("#bundle-records").inner_text() == "1.000"  # Indonesian digits
        with page.expect_download() as info:
            page.click("#ack-form button.primary")
        ack_path = stick / info.value.suggested_filename
        info.value.save_as(ack_path)
        assert ack_path.name == "cibodas.loket.ack"

        # back in the village: the acknowledgement from the stick
        applied = bundles.import_ack(laptop.store, ack_path, operator="petugas")
        assert applied.outcomes == {"accepted": 999, "duplicate_nik": 1}
        assert applied.pending_after == 0 and laptop.service.pending_count() == 0
        statuses = Counter({s: n for s, n in laptop.service.counts_by_status().items() if n})
        assert statuses == {Status.RECEIVED: 999, Status.POTENTIAL_DUPLICATE: 1}
        assert bundles.in_transit(laptop.store).records == 0
        with laptop.store.read() as s:
            assert runs.history(s) == []  # not one network sync on the laptop
    finally:
        laptop.close()
