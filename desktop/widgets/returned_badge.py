"""Records the central office sent back, in the status bar (``ReturnedBadge``) and as a list
(``ReturnedListDialog``).

The badge says how many records wait for the clerk ("2 dikembalikan, 1 ditolak": returned
for correction, and rejected ones not opened yet; ``RegistrationService.attention``) and is
hidden when none do. Clicking it (or its shortcut) opens the list; Enter on a row opens the
record, whose window then has "Berikutnya" to go on to the next one (the main window wires
that). The badge reads the store on the database worker: after a sync, a save, a record
opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from common.enums import RejectReason, Status
from common.i18n import Lang
from desktop.i18n import arg

if TYPE_CHECKING:
    from desktop.services.registrations import AttentionRow

ATTENTION_SHORTCUT = "Ctrl+R"


class ReturnedBadge(QToolButton):
    """Hidden while nothing waits; else the counts, in the alert colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("returnedBadge")
        self.setProperty("loketData", True)
        self.setAutoRaise(True)
        self.setStyleSheet(
            "QToolButton#returnedBadge { background: #b3261e; color: white; font-weight: bold;"
            " border-radius: 8px; padding: 1px 8px; }"
        )
        self.setToolTip(self.tr("Records returned or rejected by the central office"))
        self.rows: list[AttentionRow] = []
        self.hide()

    def show_rows(self, rows: list[AttentionRow]) -> None:
        self.rows = list(rows)
        returned = sum(1 for r in rows if r.status is Status.RETURNED)
        rejected = len(rows) - returned
        parts = []
        if returned:
            parts.append(arg(self.tr("%1 returned"), returned))
        if rejected:
            parts.append(arg(self.tr("%1 rejected"), rejected))
        self.setText(", ".join(parts))
        self.setAccessibleName(self.text())
        self.setVisible(bool(rows))


class ReturnedListDialog(QDialog):
    """The records the badge counts; Enter (or a double click) opens one."""

    openRecord = Signal(str)  # registration id

    def __init__(self, rows: list[AttentionRow], lang: Lang, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("returnedList")
        self.setWindowTitle(self.tr("Returned and rejected records"))
        self.rows = list(rows)
        intro = QLabel(
            self.tr(
                "Correct each returned record and save it again; tell the applicant of a "
                "rejection. Open one with Enter; in the record, \u201cNext\u201d goes on."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(len(rows), 4, self)
        self.table.setObjectName("returnedTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Code"), self.tr("Name"), self.tr("Status"), self.tr("Note or reason")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        for i, r in enumerate(rows):
            reason = RejectReason.parse(r.reason)
            said = r.note or (reason.label(lang) if reason is not None else r.reason)
            values = (r.code, r.full_name, r.status.label(lang), said)
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, r.id)
                self.table.setItem(i, c, item)
        self.table.resizeColumnsToContents()
        self.table.doubleClicked.connect(lambda _i: self.open_current())
        self.table.activated.connect(lambda _i: self.open_current())
        if rows:
            self.table.selectRow(0)
        open_button = QPushButton(self.tr("Open"), self)
        open_button.setObjectName("returnedOpen")
        open_button.setAutoDefault(False)
        open_button.clicked.connect(self.open_current)
        close = QPushButton(self.tr("Close"), self)
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(open_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(720, 360)
        self.table.setFocus()

    def ids(self) -> list[str]:
        return [r.id for r in self.rows]

    def open_current(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows):
            self.openRecord.emit(self.rows[row].id)
