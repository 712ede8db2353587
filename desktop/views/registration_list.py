"""The local registration list (``RegistrationListView``): search by NIK, name or phone, filter
by status and date, sort by any column; a lazy model, so 100,000 records stay responsive.
Enter (or a double click) on a row opens the record."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from common.enums import Status
from common.i18n import Lang
from desktop.widgets.form_rows import buddy_label
from desktop.widgets.registration_table_model import Filters, RegistrationTableModel

if TYPE_CHECKING:
    from desktop.services.registrations import RegistrationService


class RegistrationListView(QWidget):
    openRecord = Signal(str)  # registration id

    def __init__(
        self, service: RegistrationService, lang: Lang, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("registrationList")
        self._lang = lang
        self.model = RegistrationTableModel(service, lang, self)

        self.search = QLineEdit(self)
        self.search.setObjectName("listSearch")
        self.search.setPlaceholderText(self.tr("Search by NIK, name, phone or code (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        search_label = buddy_label(self.tr("Search"), self.search)
        self.search.setAccessibleName(self.tr("Search registrations"))

        self.status = QComboBox(self)
        self.status.setObjectName("listStatus")
        self.status.addItem(self.tr("All statuses"), "")
        for s in Status:
            if s is not Status.DRAFT:
                self.status.addItem(s.label(lang), s.value)
        status_label = buddy_label(self.tr("Status"), self.status)
        self.status.setAccessibleName(self.tr("Filter by status"))

        self.use_dates = QCheckBox(self.tr("Registered between"), self)
        self.use_dates.setObjectName("listUseDates")
        self.use_dates.setAccessibleName(self.tr("Filter by registration date"))
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-30), self)
        self.date_to = QDateEdit(today, self)
        for edit, name, acc in (
            (self.date_from, "listDateFrom", self.tr("From date")),
            (self.date_to, "listDateTo", self.tr("To date")),
        ):
            edit.setObjectName(name)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setCalendarPopup(True)
            edit.setAccessibleName(acc)
            edit.setEnabled(False)
        and_label = buddy_label(self.tr("and"), self.date_to)

        self.table = QTableView(self)
        self.table.setObjectName("listTable")
        self.table.setAccessibleName(self.tr("Registrations"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(5, Qt.SortOrder.DescendingOrder)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((190, 150, 250, 150, 200, 140, 70)):
            self.table.setColumnWidth(col, width)
        header.setStretchLastSection(True)
        header.sortIndicatorChanged.connect(self._sort_changed)
        self.table.doubleClicked.connect(lambda idx: self._open_row(idx.row()))
        self.table.installEventFilter(self)

        self.count_label = QLabel(self)
        self.count_label.setObjectName("listCount")
        self.count_label.setProperty("loketData", True)

        top = QHBoxLayout()
        top.addWidget(search_label)
        top.addWidget(self.search, 3)
        top.addSpacing(12)
        top.addWidget(status_label)
        top.addWidget(self.status, 1)
        top.addSpacing(12)
        top.addWidget(self.use_dates)
        top.addWidget(self.date_from)
        top.addWidget(and_label)
        top.addWidget(self.date_to)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._search_enter)
        self.status.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.use_dates.toggled.connect(self._dates_toggled)
        self.date_from.dateChanged.connect(lambda _d: self.apply_filters())
        self.date_to.dateChanged.connect(lambda _d: self.apply_filters())
        QWidget.setTabOrder(self.search, self.status)
        QWidget.setTabOrder(self.status, self.use_dates)
        QWidget.setTabOrder(self.use_dates, self.date_from)
        QWidget.setTabOrder(self.date_from, self.date_to)
        QWidget.setTabOrder(self.date_to, self.table)

    # --- behaviour ----------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def current_filters(self) -> Filters:
        status_code = self.status.currentData()
        dates = self.use_dates.isChecked()
        return Filters(
            query=self.search.text().strip(),
            status=Status(status_code) if status_code else None,
            date_from=_to_date(self.date_from.date()) if dates else None,
            date_to=_to_date(self.date_to.date()) if dates else None,
        )

    def apply_filters(self) -> None:
        self._debounce.stop()
        self.model.set_filters(self.current_filters())
        self._update_count()

    def refresh(self) -> None:
        self.model.refresh()
        self._update_count()

    def _update_count(self) -> None:
        # plural forms per language through Qt (%Ln: the count in the UI's number format)
        self.count_label.setText(self.tr("%Ln registration(s)", "", self.model.total()))
        if self.model.total() and not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def _sort_changed(self, column: int, _order: Qt.SortOrder) -> None:
        if not self.model.is_sortable(column):
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(self.model.sort_column, self.model.sort_order)
            header.blockSignals(False)

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.apply_filters()

    def _search_enter(self) -> None:
        """Enter in the search box: exactly one hit opens it (the clerk asked for one person);
        several move to the list, the first selected."""
        self.apply_filters()
        if self.model.total() == 1:
            self.table.selectRow(0)
            self._open_row(0)
        elif self.model.total():
            self.table.setFocus()
            self.table.selectRow(0)

    def _open_row(self, row: int) -> None:
        rid = self.model.id_at(row)
        if rid:
            self.openRecord.emit(rid)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if (
            obj is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
        ):
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                idx = self.table.currentIndex()
                if idx.isValid():
                    self._open_row(idx.row())
                return True
        return super().eventFilter(obj, event)


def _to_date(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())
