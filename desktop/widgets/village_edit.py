"""Village type-ahead: type part of a village's name, pick from suggestions showing the full
path ("Desa X, Kec. Y, Kab. Z, Prov. W"), drawn from all 83,762 villages.

``VillageSuggestionModel`` answers a typed query with :meth:`common.regions.Regions.search`
(a bisect over a sorted index built once, in the background, at start-up); when the NIK gave
a district, that district's villages come first. ``VillageEdit`` is the line edit with its
completer; its value is the chosen village code (``code()``), not the text.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QCompleter, QLineEdit, QWidget

from common.i18n import Lang
from common.regions import Regions, dotted, normalise

CODE_ROLE = Qt.ItemDataRole.UserRole + 1
# focus changes that mean the clerk left the field (not a popup or another window opening)
_LEAVING = (
    Qt.FocusReason.TabFocusReason,
    Qt.FocusReason.BacktabFocusReason,
    Qt.FocusReason.MouseFocusReason,
    Qt.FocusReason.OtherFocusReason,
    Qt.FocusReason.ShortcutFocusReason,
)
LIMIT = 20

_Index = QModelIndex | QPersistentModelIndex


class VillageSuggestionModel(QAbstractListModel):
    """The current suggestions: (code, full path) pairs."""

    def __init__(self, areas: Regions | None, lang: Lang, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._areas = areas
        self._lang = lang
        self._rows: list[tuple[str, str]] = []
        self.prefer_district = ""  # "32.01.01": that district's villages first

    def set_regions(self, areas: Regions) -> None:
        self._areas = areas

    @property
    def ready(self) -> bool:
        return self._areas is not None

    def update_for(self, query: str) -> int:
        """Replace the suggestions with those for ``query``; returns how many there are."""
        rows: list[tuple[str, str]] = []
        areas = self._areas
        if areas is not None and query.strip():
            codes: list[str] = []
            q = query.strip()
            digits = q.replace(".", "")
            if digits.isdigit() and len(digits) == 10 and dotted(digits) in areas:
                codes.append(dotted(digits))  # a typed village code
            else:
                if self.prefer_district and "," not in q:
                    key = normalise(q)
                    for area in areas.children(self.prefer_district):
                        norm = normalise(area.name)
                        if norm.startswith(key) or f" {key}" in f" {norm}":
                            codes.append(area.code)
                seen = set(codes)
                for area in areas.search(q, limit=LIMIT):
                    if area.code not in seen:
                        codes.append(area.code)
                        seen.add(area.code)
            rows = [(c, areas.full_path(c, self._lang)) for c in codes[:LIMIT]]
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()
        return len(rows)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        code, path = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return path
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{path} ({code})"
        if role == CODE_ROLE:
            return code
        return None

    def code_at(self, row: int) -> str:
        return self._rows[row][0]

    def path_at(self, row: int) -> str:
        return self._rows[row][1]


class VillageEdit(QLineEdit):
    """A line edit whose value is a village code chosen from type-ahead suggestions."""

    villageChosen = Signal(str)

    def __init__(
        self, lang: Lang, areas: Regions | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._lang = lang
        self._code = ""
        self.suggestions = VillageSuggestionModel(areas, lang, self)
        self._completer = QCompleter(self.suggestions, self)
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setMaxVisibleItems(10)
        self._completer.setWidget(self)
        # the stubs do not type the overloads of a signal (activated: text or index)
        self._completer.activated[QModelIndex].connect(self._on_activated)  # type: ignore[index]
        self._popup().setObjectName("villagePopup")
        # after the completer's own filters, so these run first: Tab in the list before the
        # completer hides it, and leaving the field before the completer eats the FocusOut
        self._popup().installEventFilter(self)
        self.installEventFilter(self)
        self.textEdited.connect(self._on_text_edited)
        self._set_placeholder()

    # --- public -----------------------------------------------------------------------------
    def set_regions(self, areas: Regions) -> None:
        """Called once the search index is built (in the background at start-up)."""
        self.suggestions.set_regions(areas)
        self._set_placeholder()
        if self.hasFocus() and self.text() and not self._code:
            self._on_text_edited(self.text())

    def set_preferred_district(self, district_code: str) -> None:
        self.suggestions.prefer_district = district_code

    def code(self) -> str:
        return self._code

    def set_code(self, code: str) -> None:
        """Show the village ``code`` (its full path), or clear with ``""``."""
        areas = self.suggestions._areas
        self._code = code
        if not code:
            self.clear()
        elif areas is not None and code in areas:
            self.setText(areas.full_path(code, self._lang))
        else:
            self.setText(code)
        self.setCursorPosition(0)

    def pending(self) -> bool:
        """Text typed but no village taken from the list (the value is still empty)."""
        text = self.text().strip()
        return bool(text) and not self._code and not text.replace(".", "").isdigit()

    def take_suggestion(self) -> bool:
        """Take the highlighted suggestion while the list is open, else the only one there
        is for the typed text; ``True`` if a village is now chosen."""
        if self._code or not self.pending():
            return bool(self._code)
        popup = self._popup()
        row = popup.currentIndex().row() if popup.isVisible() else -1
        if row < 0:
            if not self.suggestions.ready or self.suggestions.update_for(self.text()) != 1:
                return False
            row = 0
        self._on_activated(self.suggestions.index(row, 0))
        popup.hide()
        return True

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Tab (or Shift+Tab) in the open list takes the highlighted village and moves on, as
        Enter does; the completer alone closed the list and left the field empty. Leaving the
        field otherwise (Tab to the field itself, Enter, a click elsewhere) takes the
        highlighted village of the open list, or the only match of the typed text."""
        if (
            obj is self._completer.popup()
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
        ):
            self.take_suggestion()
        elif (
            obj is self
            and event.type() == QEvent.Type.FocusOut
            and isinstance(event, QFocusEvent)
            and event.reason() in _LEAVING
        ):
            self.take_suggestion()
        return super().eventFilter(obj, event)

    def popup_visible(self) -> bool:
        return self._popup().isVisible()

    def completer(self) -> QCompleter:
        return self._completer

    # --- internals --------------------------------------------------------------------------
    def _popup(self) -> QAbstractItemView:
        popup = self._completer.popup()
        assert popup is not None  # the completer makes its list on first use
        return popup

    def _set_placeholder(self) -> None:
        if self.suggestions.ready:
            self.setPlaceholderText(self.tr("Type part of the village name, e.g. Sukamaju"))
        else:
            self.setPlaceholderText(self.tr("Loading the village list…"))

    def _on_text_edited(self, text: str) -> None:
        self._code = ""
        if self.suggestions.update_for(text):
            self._completer.complete()
            popup = self._popup()
            popup.setMinimumWidth(max(self.width(), 560))
            if popup.currentIndex().row() < 0:
                popup.setCurrentIndex(self.suggestions.index(0, 0))
        else:
            self._popup().hide()

    def _on_activated(self, index: QModelIndex) -> None:
        code = self.suggestions.code_at(index.row())
        self._code = code
        self.setText(self.suggestions.path_at(index.row()))
        self.setCursorPosition(0)
        self.villageChosen.emit(code)
