"""What stopped a save (``SaveProblemsDialog``): every remaining problem, one per line.
Enter closes it and puts the cursor in the first problem's field (or the one selected)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from common.i18n import Lang
from common.record import FIELD_LABELS
from common.validation import Problem
from desktop.i18n import arg


class SaveProblemsDialog(QDialog):
    def __init__(self, problems: list[Problem], lang: Lang, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("saveProblemsDialog")
        self.setWindowTitle(self.tr("Not saved yet"))
        self.problems = problems
        intro = QLabel(
            arg(self.tr("The record was not saved. Please fix these %1 problems:"), len(problems)),
            self,
        )
        intro.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("problemList")
        self.list.setAccessibleName(self.tr("Problems"))
        intro.setBuddy(self.list)
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        idx = 0 if lang is Lang.ID else 1
        for p in problems:
            label = FIELD_LABELS.get(p.field, (p.field, p.field))[idx]
            item = QListWidgetItem(arg(self.tr("%1: %2"), label, p.message(lang)), self.list)
            item.setData(Qt.ItemDataRole.UserRole, p.field)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _i: self.accept())
        buttons = QDialogButtonBox(self)
        go = buttons.addButton(self.tr("Go to the field"), QDialogButtonBox.ButtonRole.AcceptRole)
        go.setObjectName("goToFieldButton")
        go.setDefault(True)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(760, 380)

    def chosen_field(self) -> str:
        item = self.list.currentItem()
        if item is None:
            return self.problems[0].field if self.problems else ""
        return str(item.data(Qt.ItemDataRole.UserRole))
