"""Printing opens Qt's print dialog (it raised a TypeError in the main window, so "Cetak..."
did nothing and the clerk saw nothing), and any exception nobody caught reaches the app's log
and a plain message to the clerk (desktop/crash.py)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any, cast

import pytest
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from common.i18n import Lang
from desktop import crash
from desktop.services.receipt import write_receipt_pdf
from desktop.tasks import TaskManager
from desktop.views.context import DeskContext
from desktop.views.main_window import MainWindow


def test_print_opens_the_print_dialog(qtbot, data_dir: Path, service, operator, applicant) -> None:
    saved = service.save(applicant()).registration
    ctx = DeskContext(
        operator=operator,
        lang=Lang.ID,
        data_dir=data_dir,
        office_name="Kantor",
        write_receipt=lambda reg, path: write_receipt_pdf(reg, "Kantor", operator, path),
        import_csv=lambda *a, **k: None,
    )
    window = MainWindow(service, TaskManager(), ctx, None)
    qtbot.addWidget(window)
    window.open_receipt(saved)
    receipt: Any = window.dialog("receiptDialog")
    receipt.print_button.click()  # a TypeError here before the fix (pytest-qt fails the test)
    qtbot.waitUntil(lambda: window.dialog("printDialog") is not None, timeout=5_000)
    printing = window.dialog("printDialog")
    assert printing.isVisible()
    printing.reject()
    qtbot.waitUntil(lambda: window.dialog("printDialog") is None, timeout=5_000)


class _Emitter(QObject):
    fire = Signal()


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_reaches_the_log_and_the_clerk(
    qtbot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    previous = crash.install()
    try:
        emitter = _Emitter()

        def broken() -> None:
            raise RuntimeError("slot failed on purpose")

        emitter.fire.connect(broken)
        with caplog.at_level(logging.ERROR, logger="desktop"):
            QTimer.singleShot(0, emitter.fire.emit)
            qtbot.waitUntil(
                lambda: any(
                    isinstance(w, QMessageBox) and w.objectName() == "crashMessage"
                    for w in QApplication.topLevelWidgets()
                ),
                timeout=5_000,
            )
        box = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "crashMessage")
        assert "helpdesk" in box.text() or "log" in box.text()
        assert "slot failed on purpose" not in box.text()  # plain words, not the exception
        logged = [r for r in caplog.records if r.name == "desktop" and r.exc_info]
        assert logged and "slot failed on purpose" in str(logged[0].exc_info[1])
        box.close()
    finally:
        sys.excepthook = previous


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_button_handler_of_the_window_reaches_the_log_and_the_clerk(
    qtbot: Any, caplog: pytest.LogCaptureFixture, data_dir: Path, service, operator, applicant
) -> None:
    """A real button of the window (the receipt dialog's "Print…") whose handler fails: the
    one hook logs the traceback and shows the plain message over the window."""
    saved = service.save(applicant()).registration
    ctx = DeskContext(
        operator=operator,
        lang=Lang.ID,
        data_dir=data_dir,
        office_name="Kantor",
        write_receipt=lambda reg, path: path,
        import_csv=lambda *a, **k: None,
    )
    window = MainWindow(service, TaskManager(), ctx, None)
    qtbot.addWidget(window)
    window.show()

    def broken(_registration: Any) -> None:
        raise ValueError("print handler failed on purpose")

    cast(Any, window).print_receipt = broken
    previous = crash.install()
    try:
        window.open_receipt(saved)
        receipt: Any = window.dialog("receiptDialog")
        receipt.printRequested.disconnect()
        receipt.printRequested.connect(window.print_receipt)
        with caplog.at_level(logging.ERROR, logger="desktop"):
            qtbot.mouseClick(receipt.print_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(
                lambda: any(
                    w.objectName() == "crashMessage"
                    for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.isVisible()
                ),
                timeout=5_000,
            )
        box = next(
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.objectName() == "crashMessage" and w.isVisible()
        )
        assert "print handler failed on purpose" not in box.text()
        assert box.text() and "helpdesk" in box.text()
        logged = [r for r in caplog.records if r.name == "desktop" and r.exc_info]
        assert any("print handler failed on purpose" in str(r.exc_info[1]) for r in logged)
        assert any("Traceback" in r.getMessage() or r.exc_info[2] is not None for r in logged)
        box.close()
        assert window.isVisible()  # the app carries on
    finally:
        sys.excepthook = previous
        window.close()
