"""One adapter per kind of editor the form uses, so that the form never asks what an editor is.

An :class:`Editor` wraps one widget and knows how to read its value for validation
(:meth:`Editor.value`), say whether it holds anything (:meth:`Editor.text`), fill it from a
record (:meth:`Editor.load`), empty it (:meth:`Editor.clear`), report the clerk's changes
(:meth:`Editor.connect_changed`) and treat Enter (:meth:`Editor.keeps_enter`,
:meth:`Editor.refuses_enter`). The functions at the end (``line``, ``date_line``, ``choice``,
``check``, ``village``, ``skills``, ``long_text``) are what the field table
(:mod:`.fields`) names: each makes the editor of a field when the form is built (texts come
translated).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Generic, Protocol, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QListWidget, QListWidgetItem, QWidget

from common.i18n import Lang
from common.regions import Regions
from common.validation import clean_typed_text
from desktop.widgets.clean_text import CleanTextValidator, OneLineTextEdit
from desktop.widgets.village_edit import VillageEdit

_DMY = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\s*$")


def parse_typed_date(text: str) -> str:
    """``"17-08-1990"`` / ``"17/08/1990"`` -> ``"1990-08-17"``; other text is returned as typed
    (ISO passes through; anything else is reported by validation as DATE_INVALID)."""
    m = _DMY.match(text)
    if m:
        try:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
        except ValueError:
            return text.strip()
    return text.strip()


W = TypeVar("W", bound=QWidget, covariant=True)


class Editor(ABC, Generic[W]):
    """A field's widget as the form sees it."""

    def __init__(self, widget: W) -> None:
        self.widget = widget

    @abstractmethod
    def value(self) -> object:
        """The value for ``common.validation.check`` (the form's ``raw()``)."""

    @abstractmethod
    def text(self) -> str:
        """The value as text, ``""`` when the field is empty."""

    @abstractmethod
    def load(self, value: object) -> None:
        """Show ``value`` from a record or a draft (``None``: the field's empty state)."""

    @abstractmethod
    def clear(self) -> None:
        """The field as on an empty form."""

    @abstractmethod
    def connect_changed(self, slot: Callable[[], None]) -> None:
        """Call ``slot`` when the clerk (not the program) changes the value."""

    def unchosen(self) -> bool:
        """Whether the field shows typed text its value does not hold yet (a village typed
        but not picked from the list)."""
        return False

    def typed(self) -> str | None:
        """The typed text when it says more than the value (unsaved typing), else ``None``."""
        return None

    def keeps_enter(self) -> bool:
        """Whether Enter belongs to the widget now (else the form moves to the next field)."""
        return False

    def connect_finished(self, slot: Callable[[], None]) -> None:
        """Call ``slot`` when the widget itself ends the field at Enter (:meth:`keeps_enter`)."""

    def refuses_enter(self) -> bool:
        """Whether Enter with a modifier (Shift+Enter) is swallowed, not passed on."""
        return False


class LineEditor(Editor[QLineEdit]):
    """A one-line text; ``compact`` fields (NIK, KK) are numbers typed with spaces."""

    def __init__(self, widget: QLineEdit, compact: bool = False) -> None:
        super().__init__(widget)
        self._compact = compact

    def value(self) -> object:
        text = self.widget.text()
        return text.replace(" ", "") if self._compact else text

    def text(self) -> str:
        return self.widget.text()

    def load(self, value: object) -> None:
        self.widget.setText("" if value is None else clean_typed_text(str(value)))
        self.widget.setCursorPosition(0)

    def clear(self) -> None:
        self.widget.clear()

    def connect_changed(self, slot: Callable[[], None]) -> None:
        self.widget.textEdited.connect(lambda *_: slot())


class DateEditor(LineEditor):
    """A date typed as text: day first (17-08-1990) or ISO; the value is ISO."""

    def value(self) -> object:
        return parse_typed_date(self.widget.text())


class VillageEditor(Editor[VillageEdit]):
    """A village chosen from the type-ahead: the value is its code, not the text."""

    def value(self) -> object:
        """The chosen village's code; typed text only when it is a code (else: not chosen)."""
        if self.widget.code():
            return self.widget.code()
        text = self.widget.text().strip()
        return text if text and text.replace(".", "").isdigit() else ""

    def text(self) -> str:
        return self.widget.code()

    def load(self, value: object) -> None:
        self.widget.set_code(str(value or ""))

    def clear(self) -> None:
        self.widget.set_code("")

    def connect_changed(self, slot: Callable[[], None]) -> None:
        self.widget.textEdited.connect(lambda *_: slot())
        self.widget.villageChosen.connect(lambda *_: slot())

    def unchosen(self) -> bool:
        return self.widget.pending()

    def typed(self) -> str | None:
        return self.widget.text()  # typed, not chosen yet, is typing too

    def keeps_enter(self) -> bool:
        return True  # returnPressed moves on (after the completer picked)

    def connect_finished(self, slot: Callable[[], None]) -> None:
        self.widget.returnPressed.connect(slot)


class ComboEditor(Editor[QComboBox]):
    """A choice from a list; the items' data are the codes."""

    def value(self) -> object:
        return self.text()

    def text(self) -> str:
        return str(self.widget.currentData() or "")

    def load(self, value: object) -> None:
        self.widget.setCurrentIndex(max(self.widget.findData(value or ""), 0))

    def clear(self) -> None:
        self.widget.setCurrentIndex(0)

    def connect_changed(self, slot: Callable[[], None]) -> None:
        self.widget.currentIndexChanged.connect(lambda *_: slot())

    def keeps_enter(self) -> bool:
        view = self.widget.view()
        return view is not None and view.isVisible()  # Enter picks from the open list


class CheckEditor(Editor[QCheckBox]):
    """A yes/no box; ``default`` is its state on an empty form."""

    def __init__(self, widget: QCheckBox, default: bool = False) -> None:
        super().__init__(widget)
        self._default = default
        widget.setChecked(default)

    def value(self) -> object:
        return self.widget.isChecked()

    def text(self) -> str:
        return "1" if self.widget.isChecked() else ""

    def load(self, value: object) -> None:
        self.widget.setChecked(bool(value) if value is not None else self._default)

    def clear(self) -> None:
        self.widget.setChecked(self._default)

    def connect_changed(self, slot: Callable[[], None]) -> None:
        self.widget.toggled.connect(lambda *_: slot())


class SkillsEditor(Editor[QListWidget]):
    """A list of boxes to tick (arrow keys move, Space ticks); the value is the ticked codes."""

    def value(self) -> object:
        return self.checked()

    def checked(self) -> list[str]:
        out = []
        for i in range(self.widget.count()):
            item = self.widget.item(i)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def text(self) -> str:
        return ";".join(self.checked())

    def load(self, value: object) -> None:
        if isinstance(value, str):  # a CSV or an old draft: "a;b"
            chosen = {s for s in re.split(r"[;,|]", value) if s}
        elif isinstance(value, list | tuple | set | frozenset):
            chosen = {str(code) for code in value}
        else:
            chosen = set()
        self._tick(lambda code: code in chosen)

    def clear(self) -> None:
        self._tick(lambda _code: False)
        self.widget.setCurrentRow(0)

    def _tick(self, checked: Callable[[str], bool]) -> None:
        for i in range(self.widget.count()):
            item = self.widget.item(i)
            if item is not None:
                on = checked(str(item.data(Qt.ItemDataRole.UserRole)))
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def connect_changed(self, slot: Callable[[], None]) -> None:
        self.widget.itemChanged.connect(lambda *_: slot())


class LongTextEditor(Editor[OneLineTextEdit]):
    """A wrapping text that is still one line (desktop.widgets.clean_text)."""

    def value(self) -> object:
        return self.widget.toPlainText()

    def text(self) -> str:
        return self.widget.toPlainText()

    def load(self, value: object) -> None:
        self.widget.setPlainText(clean_typed_text(str(value or "")))

    def clear(self) -> None:
        self.widget.clear()

    def connect_changed(self, slot: Callable[[], None]) -> None:
        self.widget.textChanged.connect(lambda *_: slot())

    def refuses_enter(self) -> bool:
        return True  # Shift+Enter: no line break (saving refuses one in every field)


# ===== what the field table names ============================================================
@dataclass(frozen=True)
class Build:
    """What an editor is made with: the form (parent), its language and the region data
    (``None`` until the search index is built)."""

    parent: QWidget
    lang: Lang
    areas: Regions | None


AnyEditor = Editor[QWidget]
MakeEditor = Callable[[Build], AnyEditor]


class Labelled(Protocol):
    """An item of a ``common.enums`` enum: a code and its label in a language."""

    @property
    def value(self) -> str: ...

    def label(self, lang: Lang) -> str: ...


def _line_edit(ui: Build, max_len: int, digits: bool, placeholder: str) -> QLineEdit:
    edit = QLineEdit(ui.parent)
    edit.setMaxLength(max_len)
    # nothing saving refuses can be typed or pasted (digits-only fields: digits and spaces)
    edit.setValidator(CleanTextValidator(r"[0-9 ]*" if digits else None, edit))
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def line(
    max_len: int, *, digits: bool = False, placeholder: str = "", compact: bool = False
) -> MakeEditor:
    """A one-line text of at most ``max_len`` characters (``digits``: digits and spaces)."""

    def make(ui: Build) -> AnyEditor:
        return LineEditor(_line_edit(ui, max_len, digits, placeholder), compact)

    return make


def date_line(placeholder: str) -> MakeEditor:
    """A date typed as text (normalised to ISO when the clerk leaves the field)."""

    def make(ui: Build) -> AnyEditor:
        return DateEditor(_line_edit(ui, 10, False, placeholder))

    return make


def choice(items: Iterable[Labelled], *, blank: str = "") -> MakeEditor:
    """A choice of ``items`` (an enum of ``common.enums`` with labels); with ``blank`` (its
    text), an empty item first, so that nothing is chosen until the clerk does."""

    def make(ui: Build) -> AnyEditor:
        combo = QComboBox(ui.parent)
        if blank:
            combo.addItem(blank, "")
        for item in items:
            combo.addItem(item.label(ui.lang), item.value)
        return ComboEditor(combo)

    return make


def check(text: str, *, default: bool = False) -> MakeEditor:
    """A box to tick, saying ``text``; ``default``: ticked on an empty form."""

    def make(ui: Build) -> AnyEditor:
        return CheckEditor(QCheckBox(text, ui.parent), default)

    return make


def village() -> MakeEditor:
    """A village from the type-ahead over the region data."""

    def make(ui: Build) -> AnyEditor:
        edit = VillageEdit(ui.lang, ui.areas, ui.parent)
        edit.setValidator(CleanTextValidator(parent=edit))  # nothing saving refuses
        return VillageEditor(edit)

    return make


def skills(items: Iterable[Labelled], *, tooltip: str, height: int = 150) -> MakeEditor:
    """Boxes to tick, one per item of ``items``."""

    def make(ui: Build) -> AnyEditor:
        widget = QListWidget(ui.parent)
        for skill in items:
            item = QListWidgetItem(skill.label(ui.lang), widget)
            item.setData(Qt.ItemDataRole.UserRole, skill.value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        widget.setFixedHeight(height)
        widget.setToolTip(tooltip)
        widget.setCurrentRow(0)
        return SkillsEditor(widget)

    return make


def long_text(placeholder: str, *, height: int = 64) -> MakeEditor:
    """A wrapping one-line text (no Enter, no pasted line break)."""

    def make(ui: Build) -> AnyEditor:
        edit = OneLineTextEdit(ui.parent)
        edit.setFixedHeight(height)
        edit.setPlaceholderText(placeholder)
        return LongTextEditor(edit)

    return make
