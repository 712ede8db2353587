"""About Loket (``AboutDialog``): version, data folder, the region data's attribution (ODbL)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from desktop.i18n import arg

try:
    from importlib.metadata import version as _version

    VERSION = _version("loket")
except Exception:  # noqa: BLE001 (running from a source tree without metadata)
    VERSION = "0.1.0"


class AboutDialog(QDialog):
    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About"))  # Qt adds "— Loket" itself
        title = QLabel(arg(self.tr("Loket %1"), VERSION), self)
        title.setStyleSheet("font-weight: bold; font-size: 13pt;")
        body = QLabel(
            self.tr(
                "Offline registration for the pre-employment training programme, for "
                "labour offices and field officers."
            ),
            self,
        )
        body.setWordWrap(True)
        folder = QLabel(arg(self.tr("Data folder: %1"), data_dir), self)
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        folder.setWordWrap(True)
        folder.setProperty("loketData", True)
        credit = QLabel(
            self.tr(
                "Administrative areas: idn-area-data 4.0.1 (Kemendagri codes), "
                "Open Database License (ODbL)."
            ),
            self,
        )
        credit.setWordWrap(True)
        buttons = QDialogButtonBox(self)
        close = buttons.addButton(self.tr("Close"), QDialogButtonBox.ButtonRole.AcceptRole)
        close.setDefault(True)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        for w in (title, body, folder, credit):
            layout.addWidget(w)
        layout.addWidget(buttons)
        self.resize(520, 260)
