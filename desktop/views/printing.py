"""Printing for the views (``Printing``): one path for every printed sheet (receipt, daily
tally) through Qt's print dialog, the print settings (``PrintSettings``: layout, last printer)
and "open PDF" (a private temporary copy shown in the system's PDF viewer).

The last printer the clerk printed to is remembered (``print/printer`` in the UI settings,
``desktop.ini``) and preselected in the next print dialog when the system still has it; the
layout (``print/layout``: ``a5``, ``a4``, ``80mm``, ``58mm``) is chosen in "Print settings…".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QWidget

from desktop.services.receipt import (
    DEFAULT_LAYOUT,
    Layout,
    Sheet,
    print_sheet,
    render_sheet_pdf,
    write_viewer_pdf,
)

if TYPE_CHECKING:  # QtPrintSupport is loaded when something is printed, not at start-up
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

PRINTER_KEY = "print/printer"
LAYOUT_KEY = "print/layout"


class PrintSettings:
    """The print preferences of this computer, in the UI's QSettings."""

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    @property
    def layout(self) -> Layout:
        return Layout.parse(self._settings.value(LAYOUT_KEY, DEFAULT_LAYOUT.value))

    @layout.setter
    def layout(self, value: Layout) -> None:
        self._settings.setValue(LAYOUT_KEY, Layout.parse(value).value)
        self._settings.sync()

    @property
    def printer_name(self) -> str:
        return str(self._settings.value(PRINTER_KEY, "") or "")

    @printer_name.setter
    def printer_name(self, name: str) -> None:
        self._settings.setValue(PRINTER_KEY, name)
        self._settings.sync()


class Printing(QObject):
    """Opens the print dialog for a sheet and prints it when the clerk accepts.

    ``open_dialog(dialog)`` shows a dialog the way the main window does (kept referenced,
    window-modal, findable by object name in tests).
    """

    printed = Signal(str)  # "printer" or "pdf" (a printer set to print to a file)

    def __init__(
        self, settings: QSettings, open_dialog: Callable[[QDialog], None], parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.settings = PrintSettings(settings)
        self._open_dialog = open_dialog
        self._parent = parent

    def new_printer(self) -> QPrinter:
        """A high-resolution QPrinter on the remembered printer when the system still has it."""
        from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        name = self.settings.printer_name
        if name and name in QPrinterInfo.availablePrinterNames():
            printer.setPrinterName(name)
        return printer

    def print_sheet(
        self, make_sheet: Callable[[], Sheet], done: Callable[[str], None] | None = None
    ) -> QPrintDialog:
        """Open the print dialog; on accept, paint ``make_sheet()`` in the chosen layout and
        remember the printer. Returns the (open) QPrintDialog."""
        from PySide6.QtPrintSupport import QPrintDialog

        printer = self.new_printer()
        dialog = QPrintDialog(printer, self._parent)
        dialog.setObjectName("printDialog")
        dialog.setWindowTitle(self.tr("Print"))

        def accepted() -> None:
            target = printer  # referenced here: the dialog does not own it (a crash if freed)
            print_sheet(make_sheet(), target, self.settings.layout)
            kind = "printer" if target.outputFileName() == "" else "pdf"
            if kind == "printer" and target.printerName():
                self.settings.printer_name = target.printerName()
            self.printed.emit(kind)
            if done is not None:
                done(kind)

        dialog.accepted.connect(accepted)
        self._open_dialog(dialog)
        return dialog

    def open_pdf(self, sheet: Sheet, stem: str) -> Path:
        """Write ``sheet`` to a private temporary PDF (outside the data folder) and open it in
        the system's viewer; returns its path. Deleted at log-out and at the next start."""
        path = write_viewer_pdf(render_sheet_pdf(sheet, self.settings.layout), stem)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        return path
