"""After a save: the receipt (``ReceiptDialog``). Enter saves the PDF to the path shown
(``<documents>/<code>.pdf`` unless changed); "Print…" goes through QPrintDialog; "Open PDF"
shows it in the system's PDF viewer (a private temporary copy, ``desktop.views.printing``).
The applicant takes the receipt home: programme, code, name, masked NIK, QR of the code.

Loket keeps no copy: the PDF is rendered in memory and written only where the clerk
chose, never inside the data folder (issue 12; retention deletes receipts that earlier
versions left in ``data_dir/receipts``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from common.nik import mask_nik
from desktop.i18n import arg
from desktop.widgets.form_rows import buddy_label, path_row

if TYPE_CHECKING:
    from common.record import Registration
    from desktop.views.context import DeskContext

# Writes the audit trail: (action, registration id, detail).
Audit = Callable[[str, str | None, dict[str, Any]], None]

log = logging.getLogger(__name__)


class ReceiptDialog(QDialog):
    pdfWritten = Signal(str)  # path
    printRequested = Signal(object)  # registration
    openPdfRequested = Signal(object)  # registration

    def __init__(
        self,
        registration: Registration,
        ctx: DeskContext,
        audit: Audit | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("receiptDialog")
        self.registration = registration
        self._ctx = ctx
        self._audit = audit
        self.setWindowTitle(self.tr("Receipt"))
        a = registration.applicant
        saved = QLabel(arg(self.tr("Saved. Registration code: %1"), registration.code), self)
        saved.setObjectName("receiptSaved")
        saved.setStyleSheet("font-weight: bold; font-size: 12pt; color: #1b5e20;")
        who = QLabel(arg(self.tr("%1, NIK %2"), a.full_name, mask_nik(a.nik)), self)
        who.setProperty("loketData", True)
        self.path = QLineEdit(str(ctx.receipts_dir / f"{registration.code}.pdf"), self)
        self.path.setObjectName("receiptPath")
        self.path.setProperty("loketData", True)
        path_label = buddy_label(self.tr("Save the receipt as"), self.path)
        self.path.setAccessibleName(self.tr("Receipt file"))
        choose_row = path_row(self.path, self.tr("Choose…"), self._browse)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("receiptResult")
        self.result_label.setProperty("loketData", True)
        self.result_label.setWordWrap(True)

        self.pdf_button = QPushButton(self.tr("Save PDF (Enter)"), self)
        self.pdf_button.setObjectName("savePdfButton")
        self.pdf_button.setDefault(True)
        self.print_button = QPushButton(self.tr("Print…"), self)
        self.print_button.setObjectName("printButton")
        self.print_button.setAutoDefault(False)
        self.print_button.setShortcut(QKeySequence("Ctrl+P"))
        self.open_button = QPushButton(self.tr("Open PDF"), self)
        self.open_button.setObjectName("openPdfButton")
        self.open_button.setAutoDefault(False)
        close = QPushButton(self.tr("Next applicant (Esc)"), self)
        close.setObjectName("closeReceiptButton")
        close.setAutoDefault(False)
        self.pdf_button.clicked.connect(self.save_pdf)
        self.print_button.clicked.connect(lambda: self.printRequested.emit(self.registration))
        self.open_button.clicked.connect(lambda: self.openPdfRequested.emit(self.registration))
        close.clicked.connect(self.reject)

        buttons = QHBoxLayout()
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(saved)
        layout.addWidget(who)
        layout.addSpacing(8)
        layout.addWidget(path_label)
        layout.addLayout(choose_row)
        layout.addWidget(self.result_label)
        layout.addLayout(buttons)
        self.resize(620, 220)
        self.pdf_button.setFocus()

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the receipt as"), self.path.text(), self.tr("PDF files (*.pdf)")
        )
        if name:
            self.path.setText(name)

    def save_pdf(self) -> None:
        path = Path(self.path.text().strip()).expanduser()
        if _inside(path, Path(self._ctx.data_dir)):
            self.result_label.setStyleSheet("color: #b3261e;")
            self.result_label.setText(
                self.tr("Receipts are not kept in Loket's data folder: choose another folder.")
            )
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            written = self._ctx.write_receipt(self.registration, path)
        except Exception as exc:  # shown to the clerk, who can pick another path
            log.error("receipt not written to %s: %r", path, exc)
            self.result_label.setStyleSheet("color: #b3261e;")
            self.result_label.setText(
                arg(
                    self.tr(
                        "The receipt could not be written to %1. Choose another folder (this one "
                        "may be read-only or full)."
                    ),
                    path,
                )
            )
            return
        self.result_label.setStyleSheet("color: #1b5e20;")
        self.result_label.setText(arg(self.tr("Receipt saved: %1"), written))
        if self._audit is not None:
            self._audit("printed", self.registration.id, {"kind": "pdf", "path": str(written)})
        self.pdfWritten.emit(str(written))


def _inside(path: Path, folder: Path) -> bool:
    """True when ``path`` would land in ``folder`` (symbolic links and ``..`` resolved)."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False
