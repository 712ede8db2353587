"""Issue 13, defect 7: after enrolling in the window (Sync menu -> enroll dialog), the window
title, the receipts (saved PDF, printed, open PDF) and the About box name the enrolled office
at once, not "Kantor 000000" until the next login. And the receipt the app writes is in
Indonesian when the clerk's UI is in English.

The whole app (``LoketApp``: login, main window, sync controller) on a real store; the real
server in its own process for the enrollment.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QComboBox, QLineEdit

from tests.desktop.gui.conftest import log_in
from tests.support import unavailable
from tests.support.liveserver import LiveServer

pytestmark = pytest.mark.timeout(180)


def pdf_text(path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        unavailable("pdftotext (poppler-utils) not installed")
    out = subprocess.run([tool, str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    yield server
    server.stop()
    print(server.log_path.read_text(errors="replace")[-4000:])  # shown when a test fails


def save_one(loket: Any, applicant: Any) -> Any:
    result = loket.main_window.service.save(applicant())
    assert result.ok, result.problems
    return result.registration


def saved_receipt(qtbot: Any, window: Any, registration: Any, path: Path) -> str:
    """The receipt dialog's "Save PDF", through the app's own receipt writer."""
    window.open_receipt(registration)
    qtbot.waitUntil(lambda: window.dialog("receiptDialog") is not None)
    dialog = window.dialog("receiptDialog")
    dialog.path.setText(str(path))
    dialog.pdf_button.click()
    qtbot.waitUntil(lambda: path.exists(), timeout=10_000)
    dialog.reject()
    qtbot.waitUntil(lambda: window.dialog("receiptDialog") is None)
    return pdf_text(path)


def printed_receipt(qtbot: Any, window: Any, registration: Any, path: Path) -> str:
    window.print_receipt(registration)
    qtbot.waitUntil(lambda: window.dialog("printDialog") is not None)
    dialog = window.dialog("printDialog")
    printers = dialog.findChild(QComboBox, "printers")
    printers.setCurrentIndex(
        next(i for i in range(printers.count()) if "PDF" in printers.itemText(i))
    )
    dialog.findChild(QLineEdit, "filename").setText(str(path))
    dialog.accept()
    assert path.exists()
    return pdf_text(path)


def test_the_office_follows_an_enrollment_made_in_the_window(
    qtbot,
    keyboard,
    start_app,
    unenrolled_data_dir: Path,
    tmp_path: Path,
    live_server: LiveServer,
    applicant,
) -> None:
    loket = start_app(unenrolled_data_dir)
    log_in(qtbot, keyboard, loket)
    window = loket.main_window
    assert "000000" in window.windowTitle()  # not enrolled, no office yet

    window.act_enroll.trigger()  # Sync menu -> "Daftarkan perangkat…"
    qtbot.waitUntil(lambda: window.dialog("enrollDialog") is not None)
    dialog = window.dialog("enrollDialog")
    dialog.url.setText(live_server.url)
    dialog.code.setText(live_server.office_and_code("320101", "32.01", "Disnaker Kab. Bogor"))
    dialog.submit()
    qtbot.waitUntil(lambda: window.dialog("enrollDialog") is None, timeout=30_000)

    assert "Disnaker Kab. Bogor" in window.windowTitle()
    assert "000000" not in window.windowTitle()
    registration = save_one(loket, applicant)
    assert registration.code.startswith("320101-")
    for text in (
        saved_receipt(qtbot, window, registration, tmp_path / "out" / "saved.pdf"),
        printed_receipt(qtbot, window, registration, tmp_path / "out" / "printed.pdf"),
    ):
        assert "Disnaker Kab. Bogor (320101)" in text
        assert "000000" not in text
        assert "WIB" in text

    window.open_about()
    qtbot.waitUntil(lambda: window.dialog("aboutDialog") is not None, timeout=10_000)
    about = window.dialog("aboutDialog")
    qtbot.waitUntil(lambda: about.details is not None, timeout=10_000)
    assert "Disnaker Kab. Bogor (320101)" in about.findChild(QObject, "aboutOffice").text()
    assert live_server.url in about.findChild(QObject, "aboutServer").text()


def test_the_app_writes_an_indonesian_receipt_with_the_ui_in_english(
    qtbot, keyboard, start_app, gui_data_dir: Path, tmp_path: Path, applicant
) -> None:
    loket = start_app(gui_data_dir, lang="en")
    log_in(qtbot, keyboard, loket)
    window = loket.main_window
    assert window.act_quit.text() == "Quit"  # the clerk reads English
    registration = save_one(loket, applicant)
    for text in (
        saved_receipt(qtbot, window, registration, tmp_path / "out" / "saved.pdf"),
        printed_receipt(qtbot, window, registration, tmp_path / "out" / "printed.pdf"),
    ):
        assert "TANDA TERIMA PENDAFTARAN" in text and "Kode pendaftaran" in text
        assert "Simpan tanda terima ini" in text and "Petugas" in text
        for english in ("REGISTRATION RECEIPT", "Registration code", "Keep this receipt", "Office"):
            assert english not in text
