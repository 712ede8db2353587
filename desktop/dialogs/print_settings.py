"""Print settings ("Pengaturan cetak", ``PrintSettingsDialog``): the receipt's paper (A5, A4,
80 mm or 58 mm thermal roll) and the printer preselected in the print dialog.

Stored in the UI settings of this computer (``desktop.ini``: ``print/layout``,
``print/printer``), not in the database: a printer belongs to the counter, not to the data.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop.services.receipt import Layout
from desktop.views.printing import PrintSettings


class PrintSettingsDialog(QDialog):
    def __init__(self, settings: PrintSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("printSettingsDialog")
        self.setWindowTitle(self.tr("Print settings"))
        self.settings = settings
        self.layout_box = QComboBox(self)
        self.layout_box.setObjectName("printLayout")
        names = {
            Layout.A5: self.tr("A5 sheet"),
            Layout.A4: self.tr("A4 sheet"),
            Layout.THERMAL_80: self.tr("Thermal roll 80 mm"),
            Layout.THERMAL_58: self.tr("Thermal roll 58 mm"),
        }
        for paper, name in names.items():
            self.layout_box.addItem(name, paper.value)
        self.layout_box.setCurrentIndex(max(0, self.layout_box.findData(settings.layout.value)))
        self.printer_box = QComboBox(self)
        self.printer_box.setObjectName("printPrinter")
        self.printer_box.addItem(self.tr("The system's default printer"), "")
        for name in _printer_names():
            self.printer_box.addItem(name, name)
        saved = settings.printer_name
        if saved and self.printer_box.findData(saved) < 0:
            self.printer_box.addItem(saved, saved)  # remembered, not connected right now
        self.printer_box.setCurrentIndex(max(0, self.printer_box.findData(saved)))
        hint = QLabel(
            self.tr(
                "The print dialog opens on this printer; the printer chosen there is "
                "remembered for the next receipt."
            ),
            self,
        )
        hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Receipt paper"), self.layout_box)
        form.addRow(self.tr("Printer"), self.printer_box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Save"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.layout_box.setFocus()

    def accept(self) -> None:
        self.settings.layout = Layout.parse(self.layout_box.currentData())
        self.settings.printer_name = str(self.printer_box.currentData() or "")
        super().accept()


def _printer_names() -> list[str]:
    from PySide6.QtPrintSupport import QPrinterInfo

    return list(QPrinterInfo.availablePrinterNames())
