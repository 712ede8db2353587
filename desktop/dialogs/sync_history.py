"""The sync history (``SyncHistoryView``, a window of its own): each attempt with when it
started, how long it took, its outcome, the records sent / accepted / needing attention, the
bytes sent, and any error in words a clerk understands (the error catalog's message, e.g.
"Perangkat ini dicabut; hubungi kantor pusat.").

Given a loader (``() -> list[SyncRunRow]``, run on the database worker) and the task manager;
``refresh()`` reloads (the main window calls it after each sync while the view is open).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from common import errors as E
from common.i18n import Lang, as_lang
from desktop.i18n import arg, local_time

if TYPE_CHECKING:
    from desktop.sync.controller import SyncRunRow
    from desktop.tasks import TaskManager

COLUMNS = 8
COL_STARTED, COL_DURATION, COL_OUTCOME, COL_SENT, COL_ACCEPTED, COL_FAILED, COL_BYTES, COL_ERROR = (
    range(COLUMNS)
)


def outcome_label(outcome: str) -> str:
    return {
        "ok": QCoreApplication.translate("SyncOutcome", "Succeeded"),
        "partial": QCoreApplication.translate("SyncOutcome", "Partly sent"),
        "unreachable": QCoreApplication.translate("SyncOutcome", "Server unreachable"),
        "refused": QCoreApplication.translate("SyncOutcome", "Refused"),
        "cancelled": QCoreApplication.translate("SyncOutcome", "Cancelled"),
        "running": QCoreApplication.translate("SyncOutcome", "Running"),
    }.get(outcome, outcome)


class SyncHistoryView(QDialog):
    def __init__(
        self,
        load: Callable[[], list[SyncRunRow]],
        tasks: TaskManager,
        lang: Lang | str = "id",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("syncHistoryView")
        self.setWindowTitle(self.tr("Sync history"))
        self.resize(1100, 480)
        self._load = load
        self._tasks = tasks
        self._lang = as_lang(lang)
        self.rows: list[SyncRunRow] = []

        heading = QLabel(self.tr("Each attempt to send and receive, newest first."), self)
        self.table = QTableWidget(0, COLUMNS, self)
        self.table.setObjectName("syncHistoryTable")
        self.table.setAccessibleName(self.tr("Sync history"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Started"),
                self.tr("Duration"),
                self.tr("Outcome"),
                self.tr("Sent"),
                self.tr("Accepted"),
                self.tr("Need attention"),
                self.tr("Bytes sent"),
                self.tr("Problem"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_ERROR, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel(self.tr("No sync has been attempted yet."), self)
        self.empty.setObjectName("syncHistoryEmpty")

        refresh = QPushButton(self.tr("Refresh"), self)
        refresh.setObjectName("refreshButton")
        refresh.clicked.connect(self.refresh)
        close = QPushButton(self.tr("Close"), self)
        close.setObjectName("closeButton")
        close.clicked.connect(self.reject)
        close.setDefault(True)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, self.refresh)
        buttons = QHBoxLayout()
        buttons.addWidget(refresh)
        buttons.addStretch(1)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        self._tasks.run_db(self._load, on_done=self.show_rows)

    def show_rows(self, rows: list[SyncRunRow]) -> None:
        self.rows = list(rows)
        self.empty.setVisible(not rows)
        self.table.setRowCount(len(rows))
        locale = QLocale()
        for r, row in enumerate(rows):
            seconds = row.seconds
            duration = (
                "" if seconds is None else arg(self.tr("%1 s"), locale.toString(seconds, "f", 1))
            )
            size = locale.formattedDataSize(
                int(row.bytes_sent), 1, QLocale.DataSizeFormat.DataSizeTraditionalFormat
            )
            values = [
                local_time(row.started_at, seconds=True),
                duration,
                outcome_label(row.outcome),
                str(row.sent),
                str(row.accepted),
                str(row.failed),
                size,
                self.error_text(row.error_code),
            ]
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c in (COL_SENT, COL_ACCEPTED, COL_FAILED, COL_BYTES):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if c == COL_ERROR and row.error_code:
                    item.setToolTip(row.error_code)  # the code, for the help desk
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()

    def error_text(self, code: str) -> str:
        if not code:
            return ""
        return E.message(code, {}, self._lang) if code in E.CATALOG else code
