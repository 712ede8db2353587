"""Saving before enrollment (``EnrollNeededDialog``): a device not enrolled with the server
has no device number of its own, so it gives out no registration code (two devices working
offline first gave ``000000-000-000001-Y`` to two applicants; issue 13 defect 2). The clerk
reads why in the catalog's words (``SAVE_NEEDS_ENROLLMENT``) and chooses: enroll now (the
enroll dialog), keep what was typed as a draft, or close; the form keeps its content either
way.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from common import errors as E


class EnrollNeededDialog(QMessageBox):
    enrollRequested = Signal()
    draftRequested = Signal()

    def __init__(self, lang: str, can_enroll: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enrollNeededDialog")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(self.tr("Device not enrolled"))
        self.setText(self.tr("Not saved: this device is not enrolled yet."))
        self.setInformativeText(E.message(E.SAVE_NEEDS_ENROLLMENT, {}, lang))
        self.enroll_button = self.addButton(
            self.tr("Enroll device…"), QMessageBox.ButtonRole.AcceptRole
        )
        self.enroll_button.setObjectName("enrollNeededEnroll")
        self.enroll_button.setVisible(can_enroll)
        self.draft_button = self.addButton(
            self.tr("Keep as draft"), QMessageBox.ButtonRole.ActionRole
        )
        self.draft_button.setObjectName("enrollNeededDraft")
        close = self.addButton(self.tr("Close"), QMessageBox.ButtonRole.RejectRole)
        close.setObjectName("enrollNeededClose")
        self.setDefaultButton(self.enroll_button if can_enroll else self.draft_button)
        self.setEscapeButton(close)
        self.buttonClicked.connect(self._clicked)

    def _clicked(self, button: object) -> None:
        if button is self.enroll_button:
            self.enrollRequested.emit()
        elif button is self.draft_button:
            self.draftRequested.emit()
