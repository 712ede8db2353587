"""Half-filled forms kept as drafts (``DraftsView``): Enter resumes one, Delete removes it
after the clerk confirms (a draft is an applicant's typing; one stray key must not lose it).
Drafts stay on this device; they are never synced."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.i18n import arg, local_time
from desktop.widgets.form_rows import buddy_label

if TYPE_CHECKING:
    from desktop.services.registrations import DraftRow, RegistrationService
    from desktop.tasks import TaskManager


class DraftsView(QWidget):
    resumeDraft = Signal(str)  # draft id

    def __init__(
        self, service: RegistrationService, tasks: TaskManager, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("draftsView")
        self._service = service
        self._tasks = tasks
        intro = QLabel(
            self.tr("Unfinished forms kept on this device. They are not sent to the server."), self
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("draftsTable")
        self.table.setAccessibleName(self.tr("Drafts"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Last changed"), self.tr("NIK"), self.tr("Name"), self.tr("Operator")]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setTabKeyNavigation(False)
        for col, width in enumerate((160, 170, 300)):
            self.table.setColumnWidth(col, width)
        self.table.installEventFilter(self)
        self.table.doubleClicked.connect(lambda idx: self._resume_row(idx.row()))
        label = buddy_label(self.tr("Drafts"), self.table)
        self.resume_button = QPushButton(self.tr("Resume (Enter)"), self)
        self.resume_button.setObjectName("resumeDraftButton")
        self.delete_button = QPushButton(self.tr("Delete (Del)"), self)
        self.delete_button.setObjectName("deleteDraftButton")
        self.resume_button.clicked.connect(lambda: self._resume_row(self.table.currentRow()))
        self.delete_button.clicked.connect(self._delete_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.resume_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(intro)
        layout.addWidget(label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._ids: list[str] = []
        self.confirm: QMessageBox | None = None  # the open "delete this draft?" question

    def refresh(self) -> None:
        self._tasks.run_db(self._service.list_drafts, on_done=self._fill)

    def _fill(self, drafts: list[DraftRow]) -> None:
        self._ids = []
        self.table.setRowCount(len(drafts))
        for r, d in enumerate(drafts):
            cells = [local_time(d.updated_at), d.nik_masked, d.full_name, d.operator]
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
            self._ids.append(str(d.id))
        if drafts and self.table.currentRow() < 0:
            self.table.selectRow(0)

    def focus_table(self) -> None:
        self.table.setFocus()
        if self.table.rowCount() and self.table.currentRow() < 0:
            self.table.selectRow(0)

    def _resume_row(self, row: int) -> None:
        if 0 <= row < len(self._ids):
            self.resumeDraft.emit(self._ids[row])

    def _delete_current(self) -> None:
        """Ask first (window-modal, "Cancel" the default, so Enter or Esc keeps the draft)."""
        row = self.table.currentRow()
        if not 0 <= row < len(self._ids) or self.confirm is not None:
            return
        draft_id = self._ids[row]
        name_item = self.table.item(row, 2)
        name = name_item.text() if name_item is not None else ""
        box = QMessageBox(self)
        box.setObjectName("confirmDeleteDraft")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Delete draft"))
        box.setText(
            arg(self.tr("Delete the draft of %1? What was typed is lost."), name)
            if name
            else self.tr("Delete this draft? What was typed is lost.")
        )
        delete = box.addButton(self.tr("Delete"), QMessageBox.ButtonRole.DestructiveRole)
        delete.setObjectName("confirmDeleteButton")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)

        def answered(_result: int) -> None:
            self.confirm = None
            if box.clickedButton() is delete:
                self._tasks.run_db(
                    self._service.delete_draft, draft_id, on_done=lambda _r: self.refresh()
                )
            box.deleteLater()

        box.finished.connect(answered)
        self.confirm = box
        box.open()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if (
            obj is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
        ):
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._resume_row(self.table.currentRow())
                return True
            if event.key() == Qt.Key.Key_Delete:
                self._delete_current()
                return True
        return super().eventFilter(obj, event)
