"""Issue 13, defect 1 and the counter's paper: printing through Qt's print dialog in the layout
of the print settings (A5, A4, 80 mm and 58 mm rolls), the last printer remembered, a reprint
from the record window, "open PDF" (a private temporary copy, never in the data folder), the
receipt in Indonesian whatever the UI language and its time in the office's zone (WIB), the
daily tally and the About box for the helpdesk.

Every print goes to a real QPrinter writing a PDF (Qt's own PDF engine, as "Print to File
(PDF)" does); the PDF's page size and text are read back with poppler (pdfinfo, pdftotext).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit
from sqlalchemy import delete, update

from common.enums import Status
from common.i18n import Lang
from common.timezones import WIB
from desktop.application import install_translator, ui_settings
from desktop.services.operators import Operator
from desktop.services.receipt import Layout, print_receipt, viewer_dir, write_receipt_pdf
from desktop.services.registrations import RegistrationService
from desktop.services.tally import daily_tally
from desktop.store import settings as S
from desktop.store.models import OutboxEntry, RegistrationRecord
from desktop.tasks import TaskManager
from desktop.views.context import DeskContext
from desktop.views.main_window import MainWindow
from desktop.views.printing import LAYOUT_KEY, PRINTER_KEY, PrintSettings
from tests.support import unavailable

#: paper width x height in millimetres (rolls: the width; their length follows the receipt)
PAPER_MM = {
    Layout.A5: (148, 210),
    Layout.A4: (210, 297),
    Layout.THERMAL_80: (80, None),
    Layout.THERMAL_58: (58, None),
}


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        unavailable(f"{tool} (poppler-utils) not installed")
    return path


def pdf_text(path: Path) -> str:
    out = subprocess.run(
        [_poppler("pdftotext"), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def pdf_pages_mm(path: Path) -> tuple[int, float, float]:
    """(pages, width mm, height mm) of the first page."""
    info = subprocess.run(
        [_poppler("pdfinfo"), str(path)], capture_output=True, text=True, check=True
    ).stdout
    pages_match = re.search(r"^Pages:\s+(\d+)", info, re.M)
    size_match = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert pages_match is not None and size_match is not None, info
    pages = int(pages_match.group(1))
    w, h = size_match.groups()
    return pages, float(w) * 25.4 / 72, float(h) * 25.4 / 72


def assert_receipt(path: Path, registration: Any, layout: Layout, office: str) -> str:
    pages, width, height = pdf_pages_mm(path)
    assert pages == 1
    paper_w, paper_h = PAPER_MM[layout]
    assert abs(width - paper_w) < 1, (layout, width)
    if paper_h is not None:
        assert abs(height - paper_h) < 1, (layout, height)
    else:  # a roll: as long as the receipt, not a whole sheet
        assert 80 < height < 260, (layout, height)
    text = pdf_text(path)
    flat = " ".join(text.split())
    nik = registration.applicant.nik
    assert registration.code in flat
    assert nik[:4] + "********" + nik[-4:] in flat
    assert nik not in flat
    assert "TANDA TERIMA PENDAFTARAN" in flat and "Kode pendaftaran" in flat
    assert " ".join(registration.applicant.full_name.split()[:1]) in flat
    assert office.split()[0] in flat
    # saved at 03:00 UTC (the test clock) in an office of Jawa Barat: 10:00 WIB
    assert "02-03-2026 10:00 WIB" in flat
    assert "UTC" not in flat
    return flat


def accept_as_pdf(dialog: Any, path: Path) -> None:
    """What a clerk does in Qt's print dialog: pick "Print to File (PDF)", type the file name,
    press Print (accept)."""
    printers = dialog.findChild(QComboBox, "printers")
    assert printers is not None
    pdf = next(i for i in range(printers.count()) if "PDF" in printers.itemText(i))
    printers.setCurrentIndex(pdf)
    name = dialog.findChild(QLineEdit, "filename")
    assert name is not None
    name.setText(str(path))
    dialog.accept()


class Desk:
    """The main window on a real store, with the print settings of its data folder."""

    def __init__(
        self,
        qtbot: Any,
        data_dir: Path,
        service: RegistrationService,
        operator: Operator,
        lang: Lang = Lang.ID,
        office_name: str = "Disnaker Kab. Bogor",
        office_code: str = "320101",
    ) -> None:
        self.qtbot = qtbot
        self.settings = ui_settings(data_dir)
        self.tasks = TaskManager()
        self.service = service
        self.ctx = DeskContext(
            operator=operator,
            lang=lang,
            data_dir=data_dir,
            office_name=office_name,
            office_code=office_code,
            write_receipt=lambda reg, path: write_receipt_pdf(reg, office_name, operator, path),
            import_csv=lambda *a, **k: None,
            settings=self.settings,
        )
        self.window = MainWindow(service, self.tasks, self.ctx, None)
        qtbot.addWidget(self.window)

    def set_layout(self, layout: Layout) -> None:
        self.settings.setValue(LAYOUT_KEY, layout.value)

    def print_dialog(self) -> Any:
        self.qtbot.waitUntil(lambda: self.window.dialog("printDialog") is not None, timeout=5_000)
        dialog = self.window.dialog("printDialog")
        assert dialog.isVisible()
        return dialog

    def wait_idle(self) -> None:
        self.qtbot.waitUntil(lambda: self.tasks.pending == 0, timeout=10_000)

    def close(self) -> None:
        self.wait_idle()
        self.window.close()
        self.tasks.shutdown()


@pytest.fixture
def desk(
    qtbot: Any, data_dir: Path, service: RegistrationService, operator: Operator
) -> Iterator[Desk]:
    d = Desk(qtbot, data_dir, service, operator)
    yield d
    d.close()


@pytest.fixture
def saved(service: RegistrationService, applicant: Any) -> Any:
    return service.save(applicant()).registration


# --- the layouts, straight on a QPrinter ---------------------------------------------------------
@pytest.mark.parametrize("layout", list(Layout))
def test_each_layout_prints_on_a_qprinter_writing_a_pdf(
    qtbot, tmp_path: Path, saved, operator, layout: Layout
) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    out = tmp_path / f"{layout.value}.pdf"
    printer.setOutputFileName(str(out))
    print_receipt(saved, "Disnaker Kab. Bogor", operator, printer, layout=layout)
    assert_receipt(out, saved, layout, "Disnaker Kab. Bogor (320101)")


def test_a_long_name_wraps_and_stays_on_one_58mm_receipt(
    qtbot, tmp_path: Path, service, operator, applicant
) -> None:
    raw = applicant()
    raw["full_name"] = "Raden Ayu Siti Nurhaliza Kusumawardhani Prameswari Hadiningrat"
    reg = service.save(raw).registration
    assert reg is not None, "the long name is a valid name"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    out = tmp_path / "long.pdf"
    printer.setOutputFileName(str(out))
    print_receipt(
        reg,
        "Dinas Tenaga Kerja dan Transmigrasi Kabupaten Bogor",
        operator,
        printer,
        layout=Layout.THERMAL_58,
    )
    flat = assert_receipt(out, reg, Layout.THERMAL_58, "Dinas")
    assert "Hadiningrat" in flat and "Simpan tanda terima ini" in flat  # nothing cut off


# --- through the print dialog, from the window ---------------------------------------------------
@pytest.mark.parametrize("layout", [Layout.A4, Layout.THERMAL_80, Layout.THERMAL_58])
def test_print_from_the_receipt_dialog_through_the_print_dialog(
    qtbot, tmp_path: Path, desk: Desk, saved, layout: Layout
) -> None:
    desk.set_layout(layout)
    desk.window.open_receipt(saved)
    receipt: Any = desk.window.dialog("receiptDialog")
    receipt.print_button.click()
    out = tmp_path / "printed.pdf"
    accept_as_pdf(desk.print_dialog(), out)
    qtbot.waitUntil(lambda: desk.window.dialog("printDialog") is None, timeout=5_000)
    assert_receipt(out, saved, layout, "Disnaker Kab. Bogor (320101)")
    desk.wait_idle()
    with desk.service.store.session(write=False) as s:
        from desktop.store.models import AuditEvent

        kinds = [e.detail_json for e in s.query(AuditEvent).filter_by(action="printed")]
    assert any('"pdf"' in k for k in kinds)
    # a printer set to print to a file is not "the last printer"
    assert desk.settings.value(PRINTER_KEY, "") == ""


def test_the_print_settings_dialog_chooses_the_layout(
    qtbot, tmp_path: Path, desk: Desk, saved
) -> None:
    desk.window.act_print_settings.trigger()
    qtbot.waitUntil(lambda: desk.window.dialog("printSettingsDialog") is not None)
    dialog = desk.window.dialog("printSettingsDialog")
    combo = dialog.layout_box
    assert combo.currentData() == "a5"  # the default
    combo.setCurrentIndex(combo.findData("58mm"))
    dialog.accept()
    assert desk.settings.value(LAYOUT_KEY) == "58mm"
    assert PrintSettings(ui_settings(desk.ctx.data_dir)).layout is Layout.THERMAL_58  # kept on disk
    desk.window.print_receipt(saved)
    out = tmp_path / "roll.pdf"
    accept_as_pdf(desk.print_dialog(), out)
    assert_receipt(out, saved, Layout.THERMAL_58, "Disnaker")


def test_the_remembered_printer_is_preselected(qtbot, desk: Desk) -> None:
    from PySide6.QtPrintSupport import QPrinterInfo

    names = QPrinterInfo.availablePrinterNames()
    # a remembered printer that is not there (unplugged): the system's default, no error
    desk.settings.setValue(PRINTER_KEY, "Gone-Printer")
    printer = desk.window.printing.new_printer()
    assert printer.printerName() != "Gone-Printer"
    if names:  # a machine with printers: the remembered one is the dialog's choice
        desk.settings.setValue(PRINTER_KEY, names[-1])
        assert desk.window.printing.new_printer().printerName() == names[-1]


def test_reprint_from_the_record_window_for_a_record_already_decided(
    qtbot, tmp_path: Path, desk: Desk, saved
) -> None:
    with desk.service.store.session() as s:  # the central office verified it meanwhile
        s.execute(
            update(RegistrationRecord)
            .where(RegistrationRecord.id == saved.id)
            .values(status=Status.VERIFIED.value)
        )
        s.execute(delete(OutboxEntry).where(OutboxEntry.registration_id == saved.id))
    desk.window.open_record(saved.id)
    qtbot.waitUntil(lambda: desk.window.dialog("recordView") is not None, timeout=5_000)
    record = desk.window.dialog("recordView")
    assert record.reprint_button.isEnabled()
    record.reprint_button.click()
    out = tmp_path / "reprint.pdf"
    accept_as_pdf(desk.print_dialog(), out)
    assert_receipt(out, saved, Layout.A5, "Disnaker Kab. Bogor (320101)")


class _Viewer(QObject):
    """Stands in for the system's PDF viewer: Qt hands it the URL QDesktopServices opens."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def show(self, url: QUrl) -> None:
        self.urls.append(url)


def test_open_pdf_writes_a_private_copy_outside_the_data_folder(qtbot, desk: Desk, saved) -> None:
    viewer = _Viewer()
    QDesktopServices.setUrlHandler("file", viewer, "show")
    try:
        desk.window.open_receipt(saved)
        receipt: Any = desk.window.dialog("receiptDialog")
        receipt.open_button.click()
        qtbot.waitUntil(lambda: bool(viewer.urls), timeout=5_000)
    finally:
        QDesktopServices.unsetUrlHandler("file")
    path = Path(viewer.urls[0].toLocalFile())
    assert path.is_file() and path.parent == viewer_dir()
    assert not path.resolve().is_relative_to(desk.ctx.data_dir.resolve())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert_receipt(path, saved, Layout.A5, "Disnaker Kab. Bogor (320101)")
    desk.close()  # closing the window (log-out, quit) deletes the viewer's copy
    assert not path.exists()


def test_the_receipt_is_indonesian_with_the_ui_in_english(
    qtbot, tmp_path: Path, data_dir: Path, service, operator, saved
) -> None:
    translator = install_translator(QApplication.instance(), Lang.EN)
    d = Desk(qtbot, data_dir, service, operator, lang=Lang.EN)
    try:
        assert d.window.act_tally.text() == "Daily tally…"  # the clerk's UI is in English
        d.window.print_receipt(saved)
        out = tmp_path / "en-ui.pdf"
        accept_as_pdf(d.print_dialog(), out)
        flat = assert_receipt(out, saved, Layout.A5, "Disnaker")
        for english in ("REGISTRATION RECEIPT", "Registration code", "Keep this receipt", "Name"):
            assert english not in flat
    finally:
        d.close()
        install_translator(QApplication.instance(), Lang.EN, translator)  # as other tests expect


# --- the daily tally -----------------------------------------------------------------------------
def test_daily_tally_counts_the_office_day(store, operator, clock, applicant) -> None:
    mine = RegistrationService(store, operator, clock)
    other = RegistrationService(store, Operator("budi", "Budi"), clock)
    clock.now = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)  # 23:30 WIB on 1 March: yesterday
    assert mine.save(applicant()).ok
    clock.now = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)  # 00:30 WIB on 2 March: today
    first = mine.save(applicant()).registration
    clock.now = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    assert mine.save(applicant()).ok
    assert other.save(applicant()).ok
    with store.session() as s:  # the server acknowledged the first of today
        s.execute(delete(OutboxEntry).where(OutboxEntry.registration_id == first.id))
    # budi edits ani's record: it stays ani's registration
    edited = first.applicant.to_dict() | {"phone": "081234567890"}
    assert other.save(edited, registration_id=first.id).ok
    # a record of another device of the office, brought by a sync today: not this device's
    from common.enums import Channel
    from common.validation import applicant_from_dict
    from desktop.services.registrations import new_registration_values

    pulled = applicant_from_dict(applicant())
    with store.session() as s:
        s.add(
            RegistrationRecord(
                **new_registration_values(
                    pulled,
                    "320101-002-000009-X",
                    9,
                    "320101",
                    "another-device",
                    "ani",
                    Channel.COUNTER,
                    datetime(2026, 3, 2, 4, 0, tzinfo=UTC),
                )
            )
        )
    tally = daily_tally(store, "ani", now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    assert (tally.by_operator, tally.by_device, tally.sent, tally.waiting) == (2, 3, 0, 3)
    assert tally.day.isoformat() == "2026-03-02" and tally.as_of == "02-03-2026 16:00 WIB"
    with store.session() as s:
        s.execute(delete(OutboxEntry).where(OutboxEntry.registration_id == first.id))
    tally = daily_tally(store, "ani", now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    assert (tally.sent, tally.waiting) == (1, 2)


def test_the_tally_dialog_shows_and_prints_the_counts(
    qtbot, tmp_path: Path, desk: Desk, applicant
) -> None:
    for _ in range(2):
        assert desk.service.save(applicant()).ok
    desk.window.act_tally.trigger()
    qtbot.waitUntil(lambda: desk.window.dialog("tallyDialog") is not None)
    dialog = desk.window.dialog("tallyDialog")
    qtbot.waitUntil(lambda: dialog.print_button.isEnabled(), timeout=5_000)
    # the service's clock is 2 March 03:00 UTC; the tally counts the real today: compare to it
    expected = daily_tally(desk.service.store, "ani")
    assert dialog.values["by_operator"].text() == str(expected.by_operator)
    assert dialog.values["waiting"].text() == str(expected.waiting)
    dialog.print_button.click()
    out = tmp_path / "tally.pdf"
    accept_as_pdf(desk.print_dialog(), out)
    flat = " ".join(pdf_text(out).split())
    assert "REKAP HARIAN" in flat and "Disnaker Kab. Bogor (320101)" in flat
    assert "Menunggu dikirim" in flat and "Ani Lestari" in flat


def test_the_tally_counts_what_was_saved_today(
    qtbot, tmp_path: Path, data_dir: Path, store, operator, applicant
) -> None:
    live = RegistrationService(store, operator)  # the real clock: saved today
    d = Desk(qtbot, data_dir, live, operator)
    try:
        for _ in range(3):
            assert live.save(applicant()).ok
        d.window.open_tally()
        qtbot.waitUntil(lambda: d.window.dialog("tallyDialog") is not None)
        dialog = d.window.dialog("tallyDialog")
        qtbot.waitUntil(lambda: dialog.values["by_device"].text() == "3", timeout=5_000)
        assert dialog.values["by_operator"].text() == "3"
        assert dialog.values["sent"].text() == "0"
        assert dialog.values["waiting"].text() == "3"
    finally:
        d.close()


# --- About, for the helpdesk ---------------------------------------------------------------------
def test_about_shows_device_office_version_and_last_sync(qtbot, desk: Desk) -> None:
    store = desk.service.store
    with store.session() as s:
        device_id = S.DEVICE_ID.get(s) or ""
    desk.window.act_about.trigger()
    qtbot.waitUntil(lambda: desk.window.dialog("aboutDialog") is not None, timeout=5_000)
    about = desk.window.dialog("aboutDialog")
    qtbot.waitUntil(lambda: about.details is not None, timeout=5_000)  # read on the worker
    from desktop.dialogs.about import VERSION

    text = about.details_text()
    assert VERSION in text
    assert about.findChild(QObject, "aboutLastSync").text() in ("never", "belum pernah")
    device = about.findChild(QObject, "aboutDeviceId").text()
    assert device and (not device_id or device == device_id)
    assert "320101" in about.findChild(QObject, "aboutOffice").text()
    about.copy_details()
    assert device in QApplication.clipboard().text()
    about.accept()
    qtbot.waitUntil(lambda: desk.window.dialog("aboutDialog") is None)

    synced = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    with store.session() as s:
        S.LAST_SYNC_SUCCESS.set(s, synced.isoformat())
    desk.window.open_about()
    about = desk.window.dialog("aboutDialog")
    assert about is not None  # at once; its details follow from the database worker
    qtbot.waitUntil(lambda: about.details is not None, timeout=5_000)
    shown = about.findChild(QObject, "aboutLastSync").text()
    wib = synced.astimezone(WIB.tzinfo)  # the office (320101) is in Jawa Barat
    assert shown == wib.strftime("%d-%m-%Y %H:%M") + " WIB"


def test_the_new_dialogs_speak_indonesian(
    qtbot, unenrolled_data_dir: Path, start_app, keyboard
) -> None:
    from tests.desktop.gui.conftest import log_in
    from tests.desktop.gui.test_translations import assert_indonesian

    seen: list[str] = []
    loket = start_app(unenrolled_data_dir)  # Indonesian, the default
    log_in(qtbot, keyboard, loket)
    window = loket.main_window
    assert window.act_print_settings.text() == "Pengaturan cetak…"
    assert window.act_tally.text() == "Rekap harian…"
    window.open_print_settings()
    assert_indonesian(window.dialog("printSettingsDialog"), seen)
    window.dialog("printSettingsDialog").reject()
    window.open_tally()
    tally = window.dialog("tallyDialog")
    qtbot.waitUntil(lambda: tally.print_button.isEnabled(), timeout=10_000)
    assert_indonesian(tally, seen)
    tally.reject()
    window.open_about()
    about = window.dialog("aboutDialog")
    qtbot.waitUntil(lambda: about.details is not None, timeout=10_000)
    assert_indonesian(about, seen)
    assert about.findChild(QObject, "aboutLastSync").text() == "belum pernah"
    assert "(belum didaftarkan)" in about.findChild(QObject, "aboutOffice").text()


def test_ctrl_p_prints_from_the_receipt_and_the_record(
    qtbot, tmp_path: Path, desk: Desk, saved
) -> None:
    from PySide6.QtCore import Qt

    desk.window.show()
    desk.window.open_receipt(saved)
    receipt: Any = desk.window.dialog("receiptDialog")
    receipt.activateWindow()
    qtbot.waitUntil(receipt.isActiveWindow)
    qtbot.keyClick(receipt, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    accept_as_pdf(desk.print_dialog(), tmp_path / "a.pdf")
    qtbot.waitUntil(lambda: desk.window.dialog("printDialog") is None)
    receipt.reject()
    desk.window.open_record(saved.id)
    qtbot.waitUntil(lambda: desk.window.dialog("recordView") is not None, timeout=5_000)
    record = desk.window.dialog("recordView")
    record.activateWindow()
    qtbot.waitUntil(record.isActiveWindow)
    qtbot.keyClick(record, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    accept_as_pdf(desk.print_dialog(), tmp_path / "b.pdf")
    for name in ("a.pdf", "b.pdf"):
        assert_receipt(tmp_path / name, saved, Layout.A5, "Disnaker")


def test_viewer_copies_of_a_gone_process_are_purged_and_a_running_ones_kept() -> None:
    from desktop.services.receipt import purge_stale_viewer_files, viewer_root

    root = viewer_root()
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert not root.resolve().is_relative_to(Path.cwd().resolve())
    gone = subprocess.Popen(["true"])
    gone.wait()  # a process that ended (a crashed Loket): its pid is free
    dead, alive = root / str(gone.pid), root / str(os.getppid())
    for folder in (dead, alive):
        folder.mkdir(mode=0o700, exist_ok=True)
        (folder / "320101-007-000001-6-x.pdf").write_bytes(b"%PDF-1.4")
    try:
        purge_stale_viewer_files()
        assert not dead.exists()
        assert (alive / "320101-007-000001-6-x.pdf").exists()  # another Loket still shows it
    finally:
        shutil.rmtree(dead, ignore_errors=True)
        (alive / "320101-007-000001-6-x.pdf").unlink(missing_ok=True)


def test_closing_the_tally_or_about_before_their_counts_come_back_is_harmless(
    qtbot, desk: Desk
) -> None:
    for _ in range(3):
        desk.window.open_tally()
        desk.window.dialog("tallyDialog").reject()
        desk.window.open_about()
        desk.window.dialog("aboutDialog").reject()
    desk.wait_idle()
    qtbot.wait(50)  # the answers reach the (deleted) dialogs: no error in a slot
    assert desk.window.dialog("tallyDialog") is None and desk.window.dialog("aboutDialog") is None
