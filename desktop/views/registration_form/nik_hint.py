"""The two notes under a typed NIK: what it says (``NikHint``: birth date, sex and district,
what the form filled in from it, where the typed values disagree with it), and that it is
registered already (``NikDuplicate``, with a button to open the record on this device)."""

from __future__ import annotations

from collections.abc import Set
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from common.enums import Sex
from common.i18n import Lang
from common.nik import NikParts
from common.regions import Regions
from desktop.i18n import arg


class NikHint(QLabel):
    """The box under the NIK; hidden while the NIK says nothing (not 16 digits, say)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nikSuggestion")
        self.setWordWrap(False)  # explicit lines; a wrapped label grows too tall
        self.setAccessibleName(self.tr("What the NIK says"))
        self.setProperty("loketData", True)
        self.setStyleSheet(
            "background: #eef4fb; border: 1px solid #b9cde5; border-radius: 3px; padding: 4px;"
        )
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setMaximumWidth(820)
        self.hide()

    def show_for(
        self,
        parts: NikParts | None,
        *,
        areas: Regions | None,
        lang: Lang,
        typed_birth: str,
        sex_code: str,
        prefilled: Set[str],
    ) -> None:
        """Say what ``parts`` (the parsed NIK; ``None`` hides the box) says, beside the typed
        date of birth (ISO when it is a date) and the chosen sex; ``prefilled`` are the fields
        that still hold what the form filled in from the NIK."""
        if parts is None:
            self.hide()
            return
        if areas is not None and parts.district_code in areas:
            region = areas.full_path(parts.district_code, lang)
        else:
            region = arg(self.tr("district code %1 (not in the region list)"), parts.district_code)
        born = parts.birth_date.isoformat() if parts.birth_date else self.tr("not a real date")
        lines = [
            arg(
                self.tr("The NIK says: born %1, %2, registered in %3."),
                born,
                parts.sex.label(lang),
                region,
            )
        ]
        filled = set(prefilled) - {"birth_place"}
        if filled == {"birth_date", "sex"}:
            lines.append(self.tr("Date of birth and sex were filled in from the NIK; check them."))
        elif filled == {"birth_date"}:
            lines.append(self.tr("Date of birth was filled in from the NIK; check it."))
        elif filled == {"sex"}:
            lines.append(self.tr("Sex was filled in from the NIK; check it."))
        if "birth_place" in prefilled:
            lines.append(
                self.tr(
                    "Place of birth suggested from the NIK's regency; type over it "
                    "if the applicant was born elsewhere."
                )
            )
        if parts.birth_date and typed_birth and "birth_date" not in prefilled:
            try:
                typed = date.fromisoformat(typed_birth)
            except ValueError:
                typed = None
            if typed is not None and typed != parts.birth_date:
                lines.append(
                    arg(self.tr("Disagrees: date of birth typed as %1."), typed.isoformat())
                )
        if sex_code and sex_code != parts.sex.value and "sex" not in prefilled:
            lines.append(arg(self.tr("Disagrees: sex chosen as %1."), Sex(sex_code).label(lang)))
        self.setText("\n".join(lines))
        self.show()


class NikDuplicate(QWidget):
    """The warning right after the 16th digit: this NIK is registered already, on this device
    (``open_button`` opens that record, Ctrl+O) or at another counter of the office."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nikDuplicate")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self)
        self.label.setObjectName("nikDuplicateLabel")
        self.label.setProperty("loketData", True)
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: #8a5a00; font-weight: bold;")
        self.open_button = QPushButton(self.tr("Open the existing record (Ctrl+O)"), self)
        self.open_button.setObjectName("openExistingButton")
        self.open_button.setShortcut(QKeySequence("Ctrl+O"))
        self.open_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        row.addWidget(self.label, 1)
        row.addWidget(self.open_button, 0)
        self.hide()

    def show_found(self, local_code: str | None, remote_codes: list[str]) -> None:
        """Say where the NIK is registered: ``local_code`` on this device, ``remote_codes`` at
        other counters; hidden when neither."""
        if local_code is not None:
            self.label.setText(
                arg(self.tr("This NIK is already registered on this device: %1."), local_code)
            )
        elif remote_codes:
            self.label.setText(
                arg(
                    self.tr("This NIK is already registered in this office (another counter): %1."),
                    ", ".join(remote_codes),
                )
            )
        self.open_button.setVisible(local_code is not None)
        self.setVisible(local_code is not None or bool(remote_codes))
