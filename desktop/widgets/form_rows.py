"""Small builders the views and dialogs share for their form rows: a label that leads to its
field (``buddy_label``: the mnemonic and screen readers name the field by it) and a path field
with its "Choose…" button (``path_row``)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A label for ``buddy``, with the same parent."""
    label = QLabel(text, buddy.parentWidget())
    label.setBuddy(buddy)
    return label


def path_row(edit: QLineEdit, button_text: str, choose: Callable[[], None]) -> QHBoxLayout:
    """``edit`` stretched, then a button calling ``choose()`` (never the default button: Enter
    keeps doing the dialog's own action)."""
    button = QPushButton(button_text, edit.parentWidget())
    button.setAutoDefault(False)
    button.clicked.connect(choose)
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return row
