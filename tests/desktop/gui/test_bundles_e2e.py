"""Transfer by file in the window, end to end with the real server (issue 16): the server in
its own process, devices enrolled with it for real (their bundle keys registered), the main
window of each with its sync controller never started (the field laptop meets no network).

* The USB journey: the field laptop exports through the Sync menu, the office imports the
  file (``loket-server import-bundle``), the acknowledgement dropped on the laptop's window
  makes every record received and empties "waiting" and "in transit by file".
* The relay: the file dropped on the office PC's window is sent after the clerk confirms; the
  acknowledgement is saved beside it for the laptop, which imports it through the menu. The
  laptop's own file dropped on its own window is refused in the catalog's words.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from common.i18n import Lang
from common.protocol import Outcome
from common.synthetic import generate
from desktop.application import install_translator
from desktop.services.operators import Operator
from desktop.services.registrations import RegistrationService
from desktop.store import Store
from desktop.store.keys import KeySlots
from desktop.sync.commands import enroll_device
from desktop.sync.controller import SyncController
from desktop.sync.schedule import SyncSchedule
from desktop.tasks import TaskManager
from desktop.views.context import DeskContext
from desktop.views.main_window import MainWindow
from tests.support.liveserver import LiveServer

from .test_bundles_ui import drop_files, export_through_menu

pytestmark = pytest.mark.timeout(180)


class Device:
    """An enrolled device of office 320101 with its main window (sync never started)."""

    def __init__(self, qtbot: Any, folder: Path, server: LiveServer, operator: str) -> None:
        folder.mkdir(parents=True)
        self.store = Store.open(folder, KeySlots.new_key())
        self.info = enroll_device(self.store, server.url, server.office_and_code("320101", "32.01"))
        self.operator = Operator(operator, operator.title())
        self.service = RegistrationService(self.store, self.operator)
        self.tasks = TaskManager()
        self.sync = SyncController(
            self.store,
            self.tasks,
            schedule=SyncSchedule(interval_s=3600),
            use_network_information=False,
        )
        ctx = DeskContext(
            operator=self.operator,
            lang=Lang.ID,
            data_dir=folder,
            office_name="Disnaker Kab. Bogor",
            write_receipt=lambda reg, path: path,
            import_csv=lambda *a, **k: None,
            office_code="320101",
        )
        self.window = MainWindow(self.service, self.tasks, ctx, None, sync=self.sync)
        qtbot.addWidget(self.window)
        self.window.show()
        qtbot.waitExposed(self.window)

    def save(self, n: int, seed: int) -> list[str]:
        ids = []
        for sample in generate(n, seed, today=date.today()):
            result = self.service.save(sample.applicant)
            assert result.ok, result.problems
            ids.append(result.registration.id)
        self.window.update_pending()
        return ids

    def close(self) -> None:
        self.sync.stop()
        self.window.close()
        self.tasks.shutdown(wait=True)
        self.store.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path / "server").start()
    yield live
    live.stop()
    print(live.log_path.read_text(errors="replace")[-4000:])  # shown when a test fails


@pytest.fixture
def devices(qtbot: Any, tmp_path: Path, server: LiveServer) -> Iterator[Any]:
    translator = install_translator(QApplication.instance(), Lang.ID)  # as the app does
    made: list[Device] = []

    def make(name: str) -> Device:
        device = Device(qtbot, tmp_path / name, server, name)
        made.append(device)
        return device

    yield make
    for device in made:
        device.close()
    install_translator(QApplication.instance(), Lang.EN, translator)


def wait_done(qtbot: Any, dialog: Any) -> Any:
    qtbot.waitUntil(lambda: dialog.summary is not None or dialog.error is not None, timeout=60_000)
    assert dialog.error is None, dialog.result_label.text()
    return dialog.summary


def test_usb_journey_export_import_at_the_office_ack_dropped_on_the_laptop(
    qtbot: Any, devices: Any, server: LiveServer, tmp_path: Path
) -> None:
    laptop = devices("laptop")
    ids = laptop.save(5, seed=1601)
    usb = tmp_path / "usb"
    usb.mkdir()
    out = usb / "desa-sukamaju.loket"
    export_through_menu(qtbot, laptop.window, out)
    qtbot.waitUntil(laptop.window.in_transit_label.isVisible)
    assert laptop.window.in_transit_label.text().startswith(
        "5 data dalam perjalanan lewat berkas sejak "
    )

    ack = usb / "desa-sukamaju.loket.ack"
    result = server.cli("import-bundle", str(out), "--ack-out", str(ack))
    assert "5 records in 1 batches" in result.stdout, result.stdout

    assert drop_files(laptop.window, ack) == (True, True)
    qtbot.waitUntil(lambda: laptop.window.dialog("bundleDialog_ack") is not None)
    dialog: Any = laptop.window.dialog("bundleDialog_ack")
    summary = wait_done(qtbot, dialog)
    assert summary.outcomes[Outcome.ACCEPTED.value] == 5 and summary.pending_after == 0
    assert dialog.result_label.text().startswith(
        "Tanda terima diimpor: 5 diterima, 0 ditandai, 0 perlu perhatian."
    )
    qtbot.waitUntil(lambda: not laptop.window.in_transit_label.isVisible())
    qtbot.waitUntil(lambda: laptop.window.sync_status.pending_label.text() == "Menunggu dikirim: 0")
    assert all(laptop.service.state(i).server_outcome == Outcome.ACCEPTED.value for i in ids)


def test_relay_through_the_office_pc_then_the_laptop_imports_the_ack(
    qtbot: Any, devices: Any, tmp_path: Path
) -> None:
    laptop = devices("laptop")
    office_pc = devices("kantor")
    ids = laptop.save(3, seed=1602)
    usb = tmp_path / "usb"
    usb.mkdir()
    out = usb / "lapangan.loket"
    export_through_menu(qtbot, laptop.window, out)

    # the laptop's own file is not relayed by the laptop: it says why
    assert drop_files(laptop.window, out) == (True, True)
    own_box = laptop.window.relay_confirm
    next(b for b in own_box.buttons() if b.objectName() == "confirmRelayButton").click()
    qtbot.waitUntil(lambda: laptop.window.dialog("bundleDialog_relay") is not None)
    own: Any = laptop.window.dialog("bundleDialog_relay")
    qtbot.waitUntil(lambda: own.error is not None or own.summary is not None, timeout=30_000)
    assert own.error is not None and own.summary is None
    assert own.result_label.text() == "Berkas tidak dikirim: " + own.error.message("id")

    # at the office PC: dropped, confirmed, sent; the acknowledgement beside the file
    assert drop_files(office_pc.window, out) == (True, True)
    box = office_pc.window.relay_confirm
    assert "lapangan.loket" in box.text()
    next(b for b in box.buttons() if b.objectName() == "confirmRelayButton").click()
    qtbot.waitUntil(lambda: office_pc.window.dialog("bundleDialog_relay") is not None)
    relay: Any = office_pc.window.dialog("bundleDialog_relay")
    summary = wait_done(qtbot, relay)
    assert summary.device_id == laptop.info.device_id and summary.records == 3
    assert summary.ack_path == usb / "lapangan.loket.ack" and summary.ack_path.is_file()
    text = relay.result_label.text()
    assert f"Terkirim ke server: 3 data dari perangkat {laptop.info.device_id}." in text
    assert f"disimpan di sini: {summary.ack_path}" in text
    assert office_pc.service.pending_count() == 0  # nothing of the laptop's became the PC's

    # back at the laptop: the acknowledgement through the menu
    laptop.window.act_import_ack.trigger()
    qtbot.waitUntil(lambda: laptop.window.dialog("bundleDialog_ack") is not None)
    dialog: Any = laptop.window.dialog("bundleDialog_ack")
    dialog.file.setText(str(summary.ack_path))
    dialog.run_button.click()
    ack = wait_done(qtbot, dialog)
    assert ack.outcomes[Outcome.ACCEPTED.value] == 3 and ack.pending_after == 0
    qtbot.waitUntil(lambda: not laptop.window.in_transit_label.isVisible())
    assert all(laptop.service.state(i).server_outcome == Outcome.ACCEPTED.value for i in ids)


def test_a_network_sync_after_an_export_clears_the_in_transit_line(
    qtbot: Any, devices: Any, tmp_path: Path
) -> None:
    """The laptop exported, then met a network before the file reached the office: the sync
    sends the same records and the line goes (the file, imported later, changes nothing)."""
    laptop = devices("laptop")
    laptop.save(2, seed=1603)
    export_through_menu(qtbot, laptop.window, tmp_path / "tertinggal.loket")
    qtbot.waitUntil(laptop.window.in_transit_label.isVisible)
    with qtbot.waitSignal(laptop.sync.finished, timeout=60_000) as finished:
        assert laptop.sync.sync_now()
    assert finished.args[0].sent == 2
    qtbot.waitUntil(lambda: not laptop.window.in_transit_label.isVisible())
    assert laptop.service.pending_count() == 0
