"""Issue 16 item 3 in real Chromium against the server in its own process: an intake operator
signs in, uploads a field laptop's records bundle on "Impor berkas", sees the device and the
counts per outcome, downloads the acknowledgement file (sealed to the laptop), is told the
file was imported before on a second upload, and finds the batches under source "bundle"."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import requests

from common import bundle as B
from common import protocol as P
from common.record import content_hash, new_registration_id
from common.regcode import make_code
from common.synthetic import generate
from tests.browser.conftest import STAFF_PASSWORD
from tests.browser.test_console import sign_in
from tests.support.bundles import BundleDevice, device_key, open_ack, records_bundle


def _laptop(server: Any) -> BundleDevice:
    """A field laptop enrolled over HTTP with its bundle keys."""
    pair = B.KeyPair.generate()
    code = server.office_and_code("320101", "32.01", "Disnaker Kab. Bogor")
    r = requests.post(
        server.url + "/api/v1/devices/enroll",
        json={"code": code, "device_name": "Laptop desa Cibodas", "device_key": device_key(pair)},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    e = P.decode(P.EnrollResponse, r.json())
    return BundleDevice(e.device_id, e.office_code, e.device_no, e.credential, pair, e.bundle_keys)


def _records(device: BundleDevice, count: int) -> list[P.PushRecord]:
    people = generate(count, seed=1616, today=date.today())
    return [
        P.PushRecord(
            new_registration_id(),
            make_code(device.office_code, device.device_no, i + 1),
            1,
            0,
            content_hash(s.applicant),
            s.applicant,
            "petugas",
            "counter",
            f"{date.today().isoformat()}T09:00:00+07:00",
        )
        for i, s in enumerate(people)
    ]


def test_intake_operator_uploads_a_bundle_and_takes_the_acknowledgement(
    browser_page: Any, console_server: Any, tmp_path: Path
) -> None:
    page, base = browser_page, console_server.url
    console_server.cli("add-user", "pak_intake", "--role", "intake", password=STAFF_PASSWORD)
    laptop = _laptop(console_server)
    sent = _records(laptop, 30)
    bundle = tmp_path / "cibodas-minggu-1.loket"
    bundle.write_bytes(records_bundle(laptop, [sent[:20], sent[20:]]))

    sign_in(page, base, "pak_intake")
    page.click("nav.main >> text=Impor berkas")
    page.wait_for_url(re.compile(r".*/console/bundles/$"))
    assert page.locator("#bundle-imports tbody tr").inner_text().strip() == (
        "Belum ada berkas yang diimpor."
    )
    page.set_input_files("#bundle-upload input[name=bundle]", str(bundle))
    page.click("#bundle-upload button.primary")

    result = page.locator("#bundle-result")
    assert result.locator("h2").inner_text() == "Diimpor"
    assert page.locator("#bundle-records").inner_text() == "30"
    assert laptop.id in page.locator("#bundle-device").inner_text()
    assert "Laptop desa Cibodas" in page.locator("#bundle-device").inner_text()
    assert "320101" in page.locator("#bundle-office").inner_text()
    accepted = page.locator("#bundle-counts .badge[data-outcome=accepted]")
    assert accepted.inner_text() == "diterima: 30"
    assert page.locator("#bundle-imports tbody tr[data-import]").count() == 1
    assert "pak_intake" in page.locator("#bundle-imports tbody tr").first.inner_text()

    # the acknowledgement file, for the laptop
    with page.expect_download() as info:
        page.click("#ack-form button.primary")
    download = info.value
    assert download.suggested_filename == "cibodas-minggu-1.loket.ack"
    ack_path = tmp_path / download.suggested_filename
    download.save_as(ack_path)
    sealed = B.read(ack_path.read_bytes())
    assert sealed.kind is B.Kind.ACK and sealed.header.recipient_id == laptop.id
    ack = open_ack(laptop, ack_path.read_bytes())
    assert sorted(x.id for x in ack.results) == sorted(r.id for r in sent)

    # the same file again: imported before, nothing new
    page.set_input_files("#bundle-upload input[name=bundle]", str(bundle))
    page.click("#bundle-upload button.primary")
    assert page.locator("#bundle-result h2").inner_text() == "Sudah pernah diimpor"
    assert page.locator("#imported-before").count() == 1
    assert page.locator("#bundle-imports tbody tr[data-import]").count() == 1

    # a file that is not a bundle: the code and its message, nothing imported
    junk = tmp_path / "foto.jpg"
    junk.write_bytes(b"\xff\xd8\xff\xe0 not a bundle")
    page.set_input_files("#bundle-upload input[name=bundle]", str(junk))
    page.click("#bundle-upload button.primary")
    refused = page.locator("#bundle-refused")
    assert refused.locator("[data-error-code]").inner_text() == "BUNDLE_UNREADABLE"
    assert "bukan berkas Loket yang utuh" in refused.inner_text()

    # the batches it brought, under their source
    page.goto(base + "/console/batches/?source=bundle")
    rows = page.locator("table.grid tbody tr")
    assert rows.count() == 2
    assert "berkas bundel" in rows.first.inner_text()
