"""The optional review before saving (``ReviewDialog``): a compact summary of the record that
the clerk reads back to the applicant at the counter. Enter saves, Esc goes back to the form
with nothing saved. Off by default; "Review before saving" in the Registration menu turns it
on (kept in the data folder's settings, ``REVIEW_SETTING``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from common.i18n import Lang
from common.record import FIELD_LABELS
from common.regions import Regions
from desktop.dialogs.record_view import field_text

if TYPE_CHECKING:
    from common.record import Applicant

# The settings key (desktop.application.ui_settings) that turns the review on.
REVIEW_SETTING = "form/review_before_save"

_ORDER = (
    "full_name",
    "nik",
    "kk_number",
    "birth_place",
    "birth_date",
    "sex",
    "mother_maiden_name",
    "phone",
    "email",
    "street",
    "rt",
    "rw",
    "village_code",
    "postal_code",
    "domicile_street",
    "domicile_rt",
    "domicile_rw",
    "domicile_village_code",
    "domicile_postal_code",
    "education",
    "employment_status",
    "disability",
    "former_migrant_worker",
    "skills",
    "motivation",
)


def _grouped(digits: str) -> str:
    """``3201014507990001`` -> ``3201 0145 0799 0001``: read back four digits at a time."""
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


class ReviewDialog(QDialog):
    """``applicant`` is the normalised :class:`common.record.Applicant` about to be saved."""

    def __init__(
        self, applicant: Applicant, lang: Lang, areas: Regions | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reviewDialog")
        self.setWindowTitle(self.tr("Check with the applicant"))
        self._lang = lang
        self._areas = areas
        intro = QLabel(
            self.tr("Read this back to the applicant. Enter saves; Esc goes back to the form."),
            self,
        )
        intro.setWordWrap(True)
        body = QWidget(self)
        form = QFormLayout(body)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setVerticalSpacing(3)
        self.values: dict[str, str] = {}
        for name, text in self._rows(applicant):
            label = QLabel(FIELD_LABELS[name][0 if lang is Lang.ID else 1], body)
            label.setProperty("loketData", True)  # label text from common (bilingual)
            value = QLabel(text, body)
            value.setObjectName(f"review_{name}")
            value.setProperty("loketData", True)
            value.setWordWrap(True)
            value.setStyleSheet("font-weight: bold;")
            form.addRow(label, value)
            self.values[name] = text
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        buttons = QDialogButtonBox(self)
        self.save_button = buttons.addButton(
            self.tr("Save (Enter)"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName("reviewSaveButton")
        self.back_button = buttons.addButton(
            self.tr("Back to the form (Esc)"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.back_button.setObjectName("reviewBackButton")
        self.save_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        self.save_button.setFocus()
        screen = parent.screen() if parent is not None else None
        height = 560 if screen is None else min(560, screen.availableGeometry().height() - 60)
        self.resize(640, max(height, 300))

    def _rows(self, a: Applicant) -> list[tuple[str, str]]:
        data = a.to_dict()
        yes, no = self.tr("Yes"), self.tr("No")
        out: list[tuple[str, str]] = []
        for name in _ORDER:
            value = data.get(name)
            if name.startswith("domicile_") and data.get("domicile_same"):
                continue
            if name in ("nik", "kk_number") and value:
                text = _grouped(str(value))
            elif name.endswith("birth_date") and value:
                text = "-".join(reversed(str(value).split("-")))  # day first, as on the ID card
            else:
                text = field_text(name, value, self._lang, self._areas, (yes, no))
            if text:
                out.append((name, text))
        return out
