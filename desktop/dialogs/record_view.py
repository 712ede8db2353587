"""One registration with its revision history (``RecordView``, a window of its own).

Shows the current revision's fields, status and provenance, and each revision with what it
changed. "Edit" (allowed until a reviewer has verified or rejected it: before sync, after
sync to correct a typo, when returned for correction) loads it into the form; saving then makes
a new revision. "Receipt" opens the receipt dialog (PDF, print, open PDF); "Reprint receipt"
goes straight to the print dialog, for any saved record whatever its status.

Given the record's sync state (``RegistrationService.state``), it also shows what the server
said: the reviewer's note of a returned record, the reason of a rejection, the registration it
may duplicate, and a conflict or an invalid answer with its errors in the catalog's words (a
conflict is shown, never resolved silently; such a record is editable).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from common.enums import Disability, Education, EmploymentStatus, RejectReason, Sex, Skill, Status
from common.errors import CATALOG, message
from common.i18n import Lang
from common.nik import mask_nik
from common.record import FIELD_LABELS
from common.regions import Regions
from desktop.i18n import arg, local_time
from desktop.widgets.form_rows import buddy_label

if TYPE_CHECKING:
    from common.record import Registration
    from desktop.services.registrations import RecordState, RevisionRow

EDITABLE = {Status.SAVED, Status.RECEIVED, Status.POTENTIAL_DUPLICATE, Status.RETURNED}
#: Room a window manager takes around a window: frame (width) and title bar (height).
_FRAME_ALLOWANCE = (24, 56)
_ENUMS = {
    "sex": Sex,
    "education": Education,
    "employment_status": EmploymentStatus,
    "disability": Disability,
}


def field_text(
    name: str, value: object, lang: Lang, areas: Regions | None, yes_no: tuple[str, str]
) -> str:
    """One applicant field as a clerk reads it: enum labels and skills in ``lang``, yes/no,
    a village as its full path; anything else as written (the record window and the
    read-back before saving show fields alike)."""
    if name in _ENUMS and isinstance(value, str) and value:
        return _ENUMS[name](value).label(lang)
    if name == "skills":
        return ", ".join(Skill(s).label(lang) for s in value) if isinstance(value, list) else ""
    if isinstance(value, bool):
        return yes_no[0] if value else yes_no[1]
    if name.endswith("village_code") and isinstance(value, str) and value and areas is not None:
        return areas.full_path(value, lang)
    return "" if value is None else str(value)


class RecordView(QDialog):
    editRequested = Signal(object)  # Registration
    receiptRequested = Signal(object)  # Registration
    printRequested = Signal(object)  # Registration: reprint straight away

    def __init__(
        self,
        registration: Registration,
        history: list[RevisionRow],
        lang: Lang,
        areas: Regions | None,
        conflict: bool = False,
        parent: QWidget | None = None,
        *,
        state: RecordState | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recordView")
        self.registration = registration
        self._lang = lang
        self._areas = areas
        self.state = state
        a = registration.applicant
        p = registration.provenance
        self.setWindowTitle(arg(self.tr("Registration %1"), registration.code))

        title = QLabel(arg(self.tr("%1 — %2"), registration.code, a.full_name), self)
        title.setObjectName("recordTitle")
        title.setProperty("loketData", True)
        title.setStyleSheet("font-weight: bold; font-size: 12pt;")
        status = QLabel(
            arg(
                self.tr("Status: %1 · revision %2 · channel %3"),
                p.status.label(lang),
                p.revision,
                p.channel.label(lang),
            ),
            self,
        )
        status.setObjectName("recordStatus")
        status.setProperty("loketData", True)

        details = QWidget(self)
        form = QFormLayout(details)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for name, value in self._rows(registration):
            label = QLabel(FIELD_LABELS[name][0 if lang is Lang.ID else 1], details)
            label.setProperty("loketData", True)  # label text from common (bilingual)
            val = QLabel(value, details)
            val.setObjectName(f"value_{name}")
            val.setWordWrap(True)
            val.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            val.setProperty("loketData", True)
            form.addRow(label, val)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(details)
        scroll.setAccessibleName(self.tr("Record details"))

        self.history = QTreeWidget(self)
        self.history.setObjectName("historyTree")
        self.history.setAccessibleName(self.tr("Revision history"))
        self.history.setHeaderLabels(
            [
                self.tr("Revision"),
                self.tr("Saved at"),
                self.tr("Operator"),
                self.tr("Changed fields"),
            ]
        )
        for row in history:
            changed = ", ".join(
                FIELD_LABELS.get(f, (f, f))[0 if lang is Lang.ID else 1] for f in row.changed_fields
            )
            if row.revision == 1 and not row.changed_fields:
                changed = self.tr("(first revision)")
            item = QTreeWidgetItem(
                [str(row.revision), local_time(row.created_at), row.operator, changed]
            )
            self.history.addTopLevelItem(item)
        self.history.resizeColumnToContents(0)
        self.history.setColumnWidth(1, 140)
        history_label = buddy_label(self.tr("Revision history"), self.history)

        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(history_label)
        rl.addWidget(self.history, 1)
        server_box = self._server_box(state) if state is not None else None
        if conflict and server_box is None:
            warn = QLabel(
                self.tr(
                    "The server reported a conflict for this record; it is kept as it is until "
                    "someone resolves it."
                ),
                self,
            )
            warn.setWordWrap(True)
            warn.setStyleSheet("color: #b3261e;")
            rl.addWidget(warn)
        splitter = QSplitter(self)
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setSizes([560, 420])

        self.edit_button = QPushButton(self.tr("Edit (creates a new revision)"), self)
        self.edit_button.setObjectName("editButton")
        self.edit_button.setEnabled(
            state.editable if state is not None else (p.status in EDITABLE or conflict)
        )
        if not self.edit_button.isEnabled():
            self.edit_button.setToolTip(
                self.tr("A reviewer has decided on this record: it can no longer be changed.")
            )
        self.receipt_button = QPushButton(self.tr("Receipt…"), self)
        self.receipt_button.setObjectName("receiptButton")
        self.reprint_button = QPushButton(self.tr("Reprint receipt…"), self)
        self.reprint_button.setObjectName("reprintButton")
        self.reprint_button.clicked.connect(lambda: self.printRequested.emit(self.registration))
        close = QPushButton(self.tr("Close"), self)
        close.setObjectName("closeButton")
        self.edit_button.clicked.connect(self._edit)
        self.receipt_button.clicked.connect(lambda: self.receiptRequested.emit(self.registration))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.receipt_button)
        buttons.addWidget(self.reprint_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        self._buttons = buttons
        self.next_button: QPushButton | None = None
        QShortcut(QKeySequence("Ctrl+E"), self, self._edit)
        QShortcut(QKeySequence("Ctrl+P"), self, self.reprint_button.click)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(status)
        if server_box is not None:
            layout.addWidget(server_box)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        close.setDefault(True)
        self._fit_to_screen(parent)

    def _fit_to_screen(self, parent: QWidget | None) -> None:
        """1000x640 where there is room; on a small or scaled screen (1366x768 at 125 % is
        1093x614 logical pixels) no larger than the screen's free area less the title bar and
        frame, and placed on it (the details and history scroll)."""
        screen = (
            parent.screen() if parent is not None else None
        ) or QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(1000, 640)
            return
        free = screen.availableGeometry()
        width = min(1000, free.width() - _FRAME_ALLOWANCE[0])
        height = min(640, free.height() - _FRAME_ALLOWANCE[1])
        hint = self.minimumSizeHint()
        self.resize(max(width, hint.width()), max(height, hint.height()))
        spare_height = free.height() - self.height() - _FRAME_ALLOWANCE[1]
        self.move(
            free.x() + max(0, (free.width() - self.width()) // 2),
            free.y() + max(0, spare_height // 2),
        )

    def set_next(self, open_next: Callable[[], None]) -> None:
        """Opened from the list of returned and rejected records: "Next" (Ctrl+Right) closes
        this one and calls ``open_next()`` to open the next of the list."""
        self.next_button = QPushButton(self.tr("Next"), self)
        self.next_button.setObjectName("nextButton")
        self.next_button.setAutoDefault(False)

        def go() -> None:
            self.accept()
            open_next()

        self.next_button.clicked.connect(go)
        self._buttons.insertWidget(self._buttons.count() - 1, self.next_button)
        QShortcut(QKeySequence("Ctrl+Right"), self, go)

    def _edit(self) -> None:
        if self.edit_button.isEnabled():
            self.editRequested.emit(self.registration)
            self.accept()

    def _server_box(self, state: RecordState) -> QGroupBox | None:
        """What the server said about this record: the reviewer's note (returned), the reason
        (rejected), the record it may duplicate, or a conflict / invalid answer with its
        errors in the catalog's words. None when there is nothing to say."""
        lines: list[QLabel] = []

        def line(text: str, name: str, data: bool = False, warn: bool = False) -> None:
            label = QLabel(text, self)
            label.setObjectName(name)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if data:
                label.setProperty("loketData", True)
            if warn:
                label.setStyleSheet("color: #b3261e;")
            lines.append(label)

        status = state.registration.provenance.status
        if state.review_note:
            line(arg(self.tr("Reviewer's note: %1"), state.review_note), "reviewNote")
        if status is Status.RETURNED:
            line(
                self.tr(
                    "Returned for correction: edit the record and save it; it is sent "
                    "again as a new revision."
                ),
                "returnedHint",
            )
        if state.reject_reason:
            line(
                arg(self.tr("Reason for rejection: %1"), self._reason(state.reject_reason)),
                "rejectReason",
            )
        if state.duplicate_of:
            line(
                arg(self.tr("Possibly the same person as registration %1"), state.duplicate_of),
                "duplicateOf",
            )
        elsewhere = _parse_detail(state.conflict_detail)
        if not state.conflict and elsewhere.get("outcome") == "changed_elsewhere":
            line(
                arg(
                    self.tr(
                        "Changed elsewhere: another device of the office saved revision %1 "
                        "of this record; this is that revision."
                    ),
                    str(elsewhere.get("server_revision") or ""),
                ),
                "changedElsewhere",
            )
        if state.conflict:
            detail = _parse_detail(state.conflict_detail)
            if detail.get("outcome") == "invalid":
                line(
                    self.tr(
                        "The server did not accept this revision. Correct the record and "
                        "save it again:"
                    ),
                    "conflictInvalid",
                    warn=True,
                )
                codes = [c for c in detail.get("errors") or [] if isinstance(c, str)]
                texts = [message(c, {}, self._lang) if c in CATALOG else c for c in codes]
                if texts:
                    line("\n".join(f"• {t}" for t in texts), "conflictErrors", data=True, warn=True)
            else:
                server_rev = detail.get("server_revision")
                if server_rev:
                    line(
                        arg(
                            self.tr(
                                "Conflict: the server holds revision %1 of this record, "
                                "changed elsewhere. Nothing was overwritten; check the record "
                                "and save it again, or ask the central office."
                            ),
                            server_rev,
                        ),
                        "conflictDetail",
                        warn=True,
                    )
                else:
                    line(
                        self.tr(
                            "The server reported a conflict for this record; it is kept as "
                            "it is until someone resolves it."
                        ),
                        "conflictDetail",
                        warn=True,
                    )
        if not lines:
            return None
        box = QGroupBox(self.tr("From the server"), self)
        box.setObjectName("serverBox")
        bl = QVBoxLayout(box)
        for label in lines:
            bl.addWidget(label)
        return box

    def _reason(self, code: str) -> str:
        reason = RejectReason.parse(code)  # the same labels the console shows
        return reason.label(self._lang) if reason is not None else code

    def _rows(self, reg: Registration) -> list[tuple[str, str]]:
        a = reg.applicant.to_dict()
        out: list[tuple[str, str]] = []
        yes, no = self.tr("Yes"), self.tr("No")
        for name, value in a.items():
            if name.startswith("domicile_") and name != "domicile_same" and a.get("domicile_same"):
                continue
            if name in ("nik", "kk_number"):  # both identify the person: masked alike
                text = mask_nik(str(value))
            else:
                text = field_text(name, value, self._lang, self._areas, (yes, no))
            out.append((name, text))
        return out


def _parse_detail(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
