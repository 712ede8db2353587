"""Paper-form import (``ImportDialog``): choose a CSV, check it (dry run) or import it.
The import runs on the database worker; the window keeps working meanwhile. Rejected rows go
to an error CSV the field officer can fix and import again (re-importing adds no duplicates),
and are listed in the dialog itself (row, field, reason), so the clerk sees why without opening
the error file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from common.errors import ApiError
from common.i18n import Lang
from common.record import FIELD_LABELS
from desktop.i18n import arg, ui_lang
from desktop.services.importer import default_errors_path
from desktop.widgets.form_rows import buddy_label, path_row

if TYPE_CHECKING:
    from desktop.services.importer import ImportReport
    from desktop.tasks import TaskManager
    from desktop.views.context import ImportCsv


class ImportDialog(QDialog):
    imported = Signal(object)  # ImportReport

    def __init__(
        self, import_csv: ImportCsv, tasks: TaskManager, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle(self.tr("Import paper forms"))
        self._import_csv = import_csv
        self._tasks = tasks
        self.report: ImportReport | None = None
        intro = QLabel(
            self.tr(
                "Choose a CSV file typed from paper forms (columns as in the template). Valid "
                "rows are saved; rejected rows are written to an error file with the reasons."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.file = QLineEdit(self)
        self.file.setObjectName("importFile")
        self.file.setAccessibleName(self.tr("CSV file"))
        file_row = path_row(self.file, self.tr("Choose…"), self._browse)
        self.errors = QLineEdit(self)
        self.errors.setObjectName("importErrorsFile")
        self.errors.setAccessibleName(self.tr("Error file"))
        self.errors.setPlaceholderText(self.tr("Next to the CSV file, ending in .errors.csv"))
        self.dry_run = QCheckBox(self.tr("Only check, do not save (dry run)"), self)
        self.dry_run.setObjectName("importDryRun")
        self.dry_run.setAccessibleName(self.tr("Only check, do not save (dry run)"))
        form = QFormLayout()
        form.addRow(buddy_label(self.tr("CSV file"), self.file), file_row)
        form.addRow(buddy_label(self.tr("Error file"), self.errors), self.errors)
        form.addRow("", self.dry_run)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("importResult")
        self.result_label.setWordWrap(True)
        self.result_label.setProperty("loketData", True)
        self.rejections = QTableWidget(0, 3, self)
        self.rejections.setObjectName("importRejections")
        self.rejections.setAccessibleName(self.tr("Rejected rows"))
        self.rejections.setHorizontalHeaderLabels(
            [self.tr("Row"), self.tr("Field"), self.tr("Reason")]
        )
        self.rejections.setProperty("loketData", True)  # the reasons come from the catalog
        self.rejections.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rejections.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rejections.verticalHeader().setVisible(False)
        self.rejections.horizontalHeader().setStretchLastSection(True)
        self.rejections.setWordWrap(True)
        self.rejections.setVisible(False)
        self.run_button = QPushButton(self.tr("Import"), self)
        self.run_button.setObjectName("runImportButton")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        close = QPushButton(self.tr("Close"), self)
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.run_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.result_label)
        layout.addWidget(self.rejections, 1)
        layout.addLayout(buttons)
        self.resize(720, 280)

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a CSV file"), self.file.text(), self.tr("CSV files (*.csv)")
        )
        if name:
            self.file.setText(name)

    def run(self) -> None:
        path = Path(self.file.text().strip())
        if not path.is_file():
            self.result_label.setStyleSheet("color: #b3261e;")
            self.result_label.setText(arg(self.tr("File not found: %1"), path))
            return
        errors_text = self.errors.text().strip()
        errors_path = Path(errors_text) if errors_text else default_errors_path(path)
        self.run_button.setEnabled(False)
        self.rejections.setRowCount(0)
        self.rejections.setVisible(False)
        self.result_label.setStyleSheet("")
        self.result_label.setText(self.tr("Importing…"))
        self._tasks.run_db(
            self._import_csv,
            path,
            dry_run=self.dry_run.isChecked(),
            errors_path=errors_path,
            on_done=self._done,
            on_error=self._failed,
        )

    def _done(self, report: ImportReport) -> None:
        self.report = report
        self.run_button.setEnabled(True)
        template = (
            self.tr(
                "%n row(s) checked: %1 valid, %2 already present, %3 rejected.", "", report.total
            )
            if report.dry_run
            else self.tr(
                "%n row(s) read: %1 saved, %2 already present, %3 rejected.", "", report.total
            )
        )
        text = arg(template, report.saved, report.already_present, report.rejected)
        if report.rejected and report.errors_path:
            text += "\n" + arg(self.tr("Rejected rows and their reasons: %1"), report.errors_path)
        self.result_label.setText(text)
        self._show_rejections(report)
        self.imported.emit(report)

    def _show_rejections(self, report: ImportReport) -> None:
        """One line per reason: the file's row number, the field's label, the message, all in
        the UI's language (the error file keeps Indonesian, for the field officer)."""
        lang = ui_lang()
        rows = report.rejections
        self.rejections.setRowCount(len(rows))
        for r, rejection in enumerate(rows):
            label = FIELD_LABELS.get(rejection.field, (rejection.field, rejection.field))
            field = label[1] if lang is Lang.EN else label[0]
            values = (str(rejection.row), field or self.tr("(whole row)"), rejection.message(lang))
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.rejections.setItem(r, c, item)
        self.rejections.resizeColumnToContents(0)
        self.rejections.resizeColumnToContents(1)
        self.rejections.resizeRowsToContents()
        self.rejections.setVisible(bool(rows))
        if rows:
            self.resize(self.width(), max(self.height(), 480))

    def _failed(self, exc: BaseException) -> None:
        self.run_button.setEnabled(True)
        self.result_label.setStyleSheet("color: #b3261e;")
        if isinstance(exc, ApiError):
            message = exc.message(ui_lang())
        elif isinstance(exc, OSError):  # the OS's own text is English: name the file instead
            message = arg(self.tr("the file %1 could not be read or written"), exc.filename or "")
        else:
            message = self.tr("an unexpected error (details are in the log)")
        self.result_label.setText(arg(self.tr("The import failed: %1"), message))
