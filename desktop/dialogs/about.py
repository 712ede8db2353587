"""About Loket (``AboutDialog``): version, data folder, the region data's attribution (ODbL),
and, for a helpdesk call, this device's id, its office, whether it is enrolled and when it
last synced (``AboutDetails``, read by :func:`about_details`); "Copy details" puts them on
the clipboard to paste into a message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop.i18n import arg

if TYPE_CHECKING:
    from desktop.services.device import DeviceInfo
    from desktop.store import Store

try:
    from importlib.metadata import version as _version

    VERSION = _version("loket")
except Exception:  # running from a source tree without metadata
    VERSION = "0.1.0"


@dataclass(frozen=True, slots=True)
class AboutDetails:
    device: DeviceInfo
    last_sync: datetime | None


def about_details(store: Store) -> AboutDetails:
    """Read the device's identity and last successful sync (on the database worker)."""
    from common.record import parse_datetime
    from desktop.services.device import device_info
    from desktop.store import settings as S

    info = device_info(store)
    last = store.get(S.LAST_SYNC_SUCCESS)
    return AboutDetails(info, parse_datetime(last) if last else None)


class AboutDialog(QDialog):
    def __init__(
        self, data_dir: Path, parent: QWidget | None = None, details: AboutDetails | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.details: AboutDetails | None = None
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
        for w in (title, body, folder):
            layout.addWidget(w)
        self._head: list[tuple[str, str]] = [
            (self.tr("Version"), VERSION),
            (self.tr("Data folder"), str(data_dir)),
        ]
        self.fields: dict[str, tuple[str, QLabel]] = {}
        layout.addLayout(self._details_form())
        copy = buttons.addButton(self.tr("Copy details"), QDialogButtonBox.ButtonRole.ActionRole)
        copy.setObjectName("aboutCopyButton")
        copy.setAutoDefault(False)
        copy.clicked.connect(self.copy_details)
        if details is not None:
            self.set_details(details)
        layout.addWidget(credit)
        layout.addWidget(buttons)
        self.resize(560, 340)

    def _details_form(self) -> QFormLayout:
        """The helpdesk rows, "…" until :meth:`set_details` (read on the database worker)."""
        rows = [
            ("aboutDeviceId", self.tr("Device id")),
            ("aboutDeviceNo", self.tr("Device number")),
            ("aboutOffice", self.tr("Office")),
            ("aboutServer", self.tr("Server address")),
            ("aboutLastSync", self.tr("Last sync")),
        ]
        form = QFormLayout()
        for name, label in rows:
            field = QLabel("…", self)
            field.setObjectName(name)
            field.setProperty("loketData", True)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, field)
            self.fields[name] = (label, field)
        return form

    def set_details(self, d: AboutDetails) -> None:
        from desktop.services.receipt import format_office_time, office_label

        device = d.device
        office = office_label(device.office_name, device.office_code)
        if not device.enrolled:
            office = arg(self.tr("%1 (not enrolled)"), office)
        last = (
            format_office_time(d.last_sync, device.office_code) if d.last_sync else self.tr("never")
        )
        values = {
            "aboutDeviceId": device.device_id,
            "aboutDeviceNo": f"{device.device_no:03d}",
            "aboutOffice": office,
            "aboutServer": device.server_url or "–",
            "aboutLastSync": last,
        }
        for name, value in values.items():
            self.fields[name][1].setText(value)
        self.details = d

    def details_text(self) -> str:
        """What "Copy details" puts on the clipboard (no applicant data in it)."""
        rows = self._head + [(label, field.text()) for label, field in self.fields.values()]
        return "\n".join(f"{label}: {value}" for label, value in rows)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details_text())
