"""The daily tally ("Rekap harian", ``TallyDialog``): registered today by this operator and on
this device, sent and waiting; refreshed on demand and printable through the same print path
as the receipt (``desktop.views.printing``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop.i18n import arg

if TYPE_CHECKING:
    from desktop.services.tally import Tally
    from desktop.tasks import TaskManager


class TallyDialog(QDialog):
    def __init__(
        self,
        load: Callable[[], Tally],
        tasks: TaskManager,
        on_print: Callable[[Tally], None],
        parent: QWidget | None = None,
    ) -> None:
        """``load()`` runs on the database worker and returns a ``Tally``;
        ``on_print(tally)`` prints it."""
        super().__init__(parent)
        self.setObjectName("tallyDialog")
        self.setWindowTitle(self.tr("Daily tally"))
        self._load = load
        self._tasks = tasks
        self._on_print = on_print
        self.tally: Tally | None = None
        self.heading = QLabel(self)
        self.heading.setObjectName("tallyHeading")
        self.heading.setStyleSheet("font-weight: bold;")
        self.values: dict[str, QLabel] = {}
        form = QFormLayout()
        rows = (
            ("by_operator", self.tr("Registered today by you")),
            ("by_device", self.tr("Registered today on this device")),
            ("sent", self.tr("Sent to the server")),
            ("waiting", self.tr("Waiting to be sent")),
        )
        for key, text in rows:
            value = QLabel("–", self)
            value.setObjectName(f"tally_{key}")
            value.setProperty("loketData", True)
            value.setStyleSheet("font-weight: bold; font-size: 12pt;")
            self.values[key] = value
            form.addRow(text, value)
        self.print_button = QPushButton(self.tr("Print…"), self)
        self.print_button.setObjectName("tallyPrintButton")
        self.print_button.setEnabled(False)
        refresh = QPushButton(self.tr("Refresh"), self)
        refresh.setObjectName("tallyRefreshButton")
        close = QPushButton(self.tr("Close"), self)
        close.setObjectName("tallyCloseButton")
        close.setDefault(True)
        self.print_button.clicked.connect(self._print)
        refresh.clicked.connect(self.refresh)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(refresh)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.resize(440, 220)
        self.refresh()

    def refresh(self) -> None:
        self._tasks.run_db(self._load, on_done=self._show)

    def _print(self) -> None:
        if self.tally is not None:  # the button is enabled once the count came back
            self._on_print(self.tally)

    def _show(self, tally: Tally) -> None:
        if not isValid(self):
            return  # closed (and deleted) before the count came back
        self.tally = tally
        self.heading.setText(arg(self.tr("Today, %1"), tally.as_of))
        for key, label in self.values.items():
            label.setText(str(getattr(tally, key)))
        self.print_button.setEnabled(True)
