"""A lazy table model over the local registrations (``RegistrationTableModel``).

It never loads the whole table: ``rowCount`` is the filtered count, and rows are read in
pages of :data:`PAGE` from ``RegistrationService.search(offset=, limit=)`` when the view first
asks for them (only the visible rows are asked for). At most :data:`MAX_PAGES` pages are kept.
A change of filter or sort re-counts and drops the cache.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from common.enums import Status
from common.i18n import Lang
from desktop.i18n import local_time

if TYPE_CHECKING:
    from desktop.services.registrations import ListRow, RegistrationService

PAGE = 200
MAX_PAGES = 30
ID_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Filters:
    query: str = ""
    status: Status | None = None
    date_from: date | None = None
    date_to: date | None = None


# (attribute of ListRow, sort key passed to search()); headers are set in __init__ (tr).
COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("code", "code"),
    ("nik_masked", "nik"),
    ("full_name", "full_name"),
    ("phone", None),
    ("status", "status"),
    ("created_at", "created_at"),
    ("revision", None),
)


class RegistrationTableModel(QAbstractTableModel):
    def __init__(
        self, source: RegistrationService, lang: Lang, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._lang = lang
        self._filters = Filters()
        self._sort_column = 5
        self._sort_key = "created_at"  # what search() sorts by: COLUMNS[_sort_column][1]
        self._descending = True
        self._count = 0
        self._pages: OrderedDict[int, list[ListRow]] = OrderedDict()
        self._headers = [
            self.tr("Registration code"),
            self.tr("NIK"),
            self.tr("Name"),
            self.tr("Phone"),
            self.tr("Status"),
            self.tr("Registered at"),
            self.tr("Revision"),
        ]
        self.pages_loaded = 0  # for tests and benchmarks

    # --- filters and refresh ----------------------------------------------------------------
    @property
    def filters(self) -> Filters:
        return self._filters

    def set_filters(self, filters: Filters) -> None:
        self._filters = filters
        self.refresh()

    def refresh(self) -> None:
        """Re-count and drop cached pages (after a filter change, a save, a sync)."""
        f = self._filters
        self.beginResetModel()
        self._pages.clear()
        self._count = self._source.count(f.query, f.status, f.date_from, f.date_to)
        self.endResetModel()

    def total(self) -> int:
        return self._count

    # --- Qt model API -----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        if role == ID_ROLE:
            return row.id
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        attr = COLUMNS[index.column()][0]
        value = getattr(row, attr)
        if attr == "status":
            return Status(value).label(self._lang)
        if attr == "created_at" and isinstance(value, datetime):
            return local_time(value)
        return "" if value is None else str(value)

    def is_sortable(self, column: int) -> bool:
        return COLUMNS[column][1] is not None

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self._descending else Qt.SortOrder.AscendingOrder

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1]
        if key is None:
            return  # the service cannot sort by it; the view puts the indicator back
        self._sort_column = column
        self._sort_key = key
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.refresh()

    # --- rows -------------------------------------------------------------------------------
    def row_at(self, row: int) -> ListRow | None:
        if not 0 <= row < self._count:
            return None
        page_no = row // PAGE
        page = self._pages.get(page_no)
        if page is None:
            page = self._load_page(page_no)
        else:
            self._pages.move_to_end(page_no)
        offset = row - page_no * PAGE
        return page[offset] if offset < len(page) else None

    def id_at(self, row: int) -> str | None:
        r = self.row_at(row)
        return None if r is None else str(r.id)

    def _load_page(self, page_no: int) -> list[ListRow]:
        f = self._filters
        page = self._source.search(
            f.query,
            f.status,
            f.date_from,
            f.date_to,
            sort=self._sort_key,
            descending=self._descending,
            offset=page_no * PAGE,
            limit=PAGE,
        )
        self.pages_loaded += 1
        self._pages[page_no] = page
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        return page
