"""Transfer by file (issue 16): the Sync menu's "Export sync file…", "Import acknowledgement…"
and "Send a file from another device…" (``BundleDialog``), and the confirmation before a
dropped ``.loket`` file is relayed (``confirm_relay``).

Each dialog is the import dialog's shape: a file field (typed, or "Choose…" for the system's
file dialog), one button that runs the work in the background (the database worker for an
export and an acknowledgement, the I/O pool for a relay, which is a network call), and a
result line: the summary, or the catalog's words for a refusal. A failure is logged with its
traceback as well as shown; it never disappears.

The work itself is ``desktop/services/bundles.py`` (export_bundle, import_ack, relay_bundle),
bound to the store and the signed-in operator by the main window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QLocale, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from common.protocol import Outcome
from desktop.i18n import arg, catalog_message
from desktop.widgets.form_rows import buddy_label, path_row

if TYPE_CHECKING:
    from desktop.services.bundles import AckSummary, ExportSummary, RelaySummary

log = logging.getLogger(__name__)

# The file name endings of the two kinds of bundle file.
RECORDS_SUFFIX = ".loket"
ACK_SUFFIX = ".ack"

RECEIVED = (Outcome.ACCEPTED.value, Outcome.ALREADY_RECEIVED.value)
FLAGGED = (Outcome.DUPLICATE_NIK.value, Outcome.KK_LIMIT.value)

# ``runner(fn, *args, on_done=..., on_error=...)``: TaskManager.run_db or run_io.
Runner = Callable[..., Future[Any]]


class BundleMode(StrEnum):
    EXPORT = "export"  # write this device's waiting records to a file
    ACK = "ack"  # apply the central office's acknowledgement file
    RELAY = "relay"  # send another device's file over this device's connection


def default_export_name(office_code: str, today: date | None = None) -> str:
    """``loket-<office>-<date>.loket``, the name the export proposes."""
    day = (today or date.today()).isoformat()
    return f"loket-{office_code or '000000'}-{day}{RECORDS_SUFFIX}"


def bundle_kind(path: Path) -> BundleMode | None:
    """What a dropped file is, by its name: a records bundle to relay, an acknowledgement to
    import, or neither (None)."""
    suffix = path.suffix.lower()
    if suffix == RECORDS_SUFFIX:
        return BundleMode.RELAY
    if suffix == ACK_SUFFIX:
        return BundleMode.ACK
    return None


def data_size(n: int) -> str:
    return QLocale().formattedDataSize(int(n), 1, QLocale.DataSizeFormat.DataSizeTraditionalFormat)


class BundleDialog(QDialog):
    """One transfer by file. ``work(path) -> summary`` runs through ``runner``; ``completed``
    carries the summary (ExportSummary, AckSummary or RelaySummary) when it succeeded, and
    ``after(summary)`` is called then even when the clerk closed the dialog meanwhile (the
    work goes on; the window refreshes what it changed)."""

    completed = Signal(object)

    def __init__(
        self,
        mode: BundleMode,
        work: Callable[[Path], object],
        runner: Runner,
        initial_path: str = "",
        parent: QWidget | None = None,
        after: Callable[[object], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.mode = mode
        self._after = after
        self._closed = False  # closed while the work ran: its widgets are gone
        self._owner = parent  # a failure after closing is shown on it
        self._path: Path | str = initial_path
        self.late_failure: QMessageBox | None = None
        self.setObjectName(f"bundleDialog_{mode.value}")
        self._work = work
        self._runner = runner
        self.summary: object | None = None
        self.error: BaseException | None = None
        self.running = False

        titles = {
            BundleMode.EXPORT: self.tr("Export sync file"),
            BundleMode.ACK: self.tr("Import acknowledgement"),
            BundleMode.RELAY: self.tr("Send a file from another device"),
        }
        intros = {
            BundleMode.EXPORT: self.tr(
                "Every record not yet confirmed by the central office is written to one file, "
                "encrypted for the server and signed by this device. Take it to the office (on "
                "a USB stick, for example). The records stay waiting until the acknowledgement "
                "comes back."
            ),
            BundleMode.ACK: self.tr(
                "Choose the acknowledgement file (.ack) the central office made for this device. "
                "It applies the outcome of every record and the office's decisions, as a sync "
                "would."
            ),
            BundleMode.RELAY: self.tr(
                "Choose a sync file (.loket) brought from a field laptop of this office. It is "
                "sent to the server over this device's connection; this device cannot read it. "
                "The acknowledgement for the laptop is saved here, to take back on the next visit."
            ),
        }
        buttons_text = {
            BundleMode.EXPORT: self.tr("Export"),
            BundleMode.ACK: self.tr("Import"),
            BundleMode.RELAY: self.tr("Send"),
        }
        self._title = titles[mode]
        self.setWindowTitle(titles[mode])
        intro = QLabel(intros[mode], self)
        intro.setWordWrap(True)
        self.file = QLineEdit(self)
        self.file.setObjectName("bundleFile")
        self.file.setText(initial_path)
        label = self.tr("Save as") if mode is BundleMode.EXPORT else self.tr("File")
        self.file.setAccessibleName(label)
        file_row = path_row(self.file, self.tr("Choose…"), self._browse)
        form = QFormLayout()
        form.addRow(buddy_label(label, self.file), file_row)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("bundleResult")
        self.result_label.setWordWrap(True)
        self.result_label.setProperty("loketData", True)  # counts, paths and catalog words
        self.run_button = QPushButton(buttons_text[mode], self)
        self.run_button.setObjectName("runBundleButton")
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
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.resize(680, 260)

    def _browse(self) -> None:
        if self.mode is BundleMode.EXPORT:
            name, _ = QFileDialog.getSaveFileName(
                self,
                self.tr("Save the sync file as"),
                self.file.text(),
                self.tr("Loket sync files (*.loket)"),
            )
        elif self.mode is BundleMode.ACK:
            name, _ = QFileDialog.getOpenFileName(
                self,
                self.tr("Choose an acknowledgement file"),
                self.file.text(),
                self.tr("Loket acknowledgements (*.ack)"),
            )
        else:
            name, _ = QFileDialog.getOpenFileName(
                self,
                self.tr("Choose a sync file"),
                self.file.text(),
                self.tr("Loket sync files (*.loket)"),
            )
        if name:
            self.file.setText(name)

    def done(self, result: int) -> None:
        self._closed = True
        super().done(result)

    # --- running ------------------------------------------------------------------------
    def run(self) -> None:
        if self.running:
            return
        text = self.file.text().strip()
        if not text:
            self._show_problem(self.tr("Choose a file first."))
            return
        path = Path(text).expanduser()
        if self.mode is BundleMode.EXPORT:
            if path.is_dir():
                self._show_problem(arg(self.tr("%1 is a folder: give a file name."), path))
                return
            if not path.suffix:
                path = path.with_suffix(RECORDS_SUFFIX)
                self.file.setText(str(path))
        elif not path.is_file():
            self._show_problem(arg(self.tr("File not found: %1"), path))
            return
        self.running = True
        self._path = path
        self.summary = None
        self.error = None
        self.run_button.setEnabled(False)
        self.result_label.setStyleSheet("")
        self.result_label.setText(
            {
                BundleMode.EXPORT: self.tr("Writing the file…"),
                BundleMode.ACK: self.tr("Importing…"),
                BundleMode.RELAY: self.tr("Sending to the server…"),
            }[self.mode]
        )
        self._runner(self._work, path, on_done=self._done, on_error=self._failed)

    def _show_problem(self, text: str) -> None:
        self.result_label.setStyleSheet("color: #b3261e;")
        self.result_label.setText(text)

    def _done(self, summary: Any) -> None:
        self.running = False
        self.summary = summary
        if self._after is not None:
            self._after(summary)
        if self._closed:
            log.info("bundle %s finished after its dialog was closed", self.mode.value)
            return
        self.run_button.setEnabled(True)
        self.result_label.setStyleSheet("color: #1b5e20;")
        if self.mode is BundleMode.EXPORT:
            self.result_label.setText(self.export_text(summary))
        elif self.mode is BundleMode.ACK:
            self.result_label.setText(self.ack_text(summary))
        else:
            self.result_label.setText(self.relay_text(summary))
        self.completed.emit(summary)

    def _failed(self, exc: BaseException) -> None:
        """The catalog's words for a refusal, a plain sentence for anything else; logged with
        the traceback either way. Closed meanwhile: the same words in a message box on the
        window instead (a failure never goes unseen)."""
        self.running = False
        self.error = exc
        log.error(
            "bundle %s of %s failed: %r\n%s",
            self.mode.value,
            self._path,
            exc,
            getattr(exc, "__loket_tb__", ""),
        )
        text = failure_text(self.mode, exc, self._path)
        if self._closed:
            owner = self._owner
            if owner is not None:
                box = QMessageBox(QMessageBox.Icon.Warning, self._title, text, parent=owner)
                box.setObjectName("bundleFailedBox")
                box.open()
                self.late_failure = box
            return
        self.run_button.setEnabled(True)
        self._show_problem(text)

    # --- summaries ------------------------------------------------------------------------
    def export_text(self, s: ExportSummary) -> str:
        return "\n".join(
            (
                arg(self.tr("Sync file saved: %1"), s.path),
                arg(
                    self.tr("%1 record(s) in %2 batch(es), %3."),
                    s.records,
                    s.batches,
                    data_size(s.bytes),
                ),
                self.tr(
                    "The records stay waiting to be sent until the acknowledgement is imported "
                    "(or the next sync confirms them)."
                ),
            )
        )

    def ack_text(self, s: AckSummary) -> str:
        if s.already_applied:
            return self.tr("This acknowledgement was imported before: nothing changed.")
        received = sum(s.outcomes.get(k, 0) for k in RECEIVED)
        flagged = sum(s.outcomes.get(k, 0) for k in FLAGGED)
        return "\n".join(
            (
                arg(
                    self.tr(
                        "Acknowledgement imported: %1 received, %2 flagged, %3 need attention."
                    ),
                    received,
                    flagged,
                    s.needs_attention,
                ),
                arg(
                    self.tr("Changes from the central office applied: %1. Still waiting: %2."),
                    s.changes_applied,
                    s.pending_after,
                ),
            )
        )

    def relay_text(self, s: RelaySummary) -> str:
        first = (
            arg(
                self.tr("The server had received this file before (device %1, %2 record(s))."),
                s.device_id,
                s.records,
            )
            if s.already_imported
            else arg(
                self.tr("Sent to the server: %1 record(s) of device %2."), s.records, s.device_id
            )
        )
        return "\n".join(
            (
                first,
                arg(self.tr("The acknowledgement for that device was saved here: %1"), s.ack_path),
                self.tr(
                    "Copy it to the field laptop and import it there (Sync > Import "
                    "acknowledgement…)."
                ),
            )
        )


def failure_text(mode: BundleMode, exc: BaseException, path: Path | str) -> str:
    """What the clerk reads when the work failed: the catalog's words for a refusal, the file's
    name for the system's own error (its text is English), else a plain sentence."""

    known = catalog_message(exc)
    if known is not None:
        message = known
    elif isinstance(exc, OSError):
        message = arg(
            QCoreApplication.translate("BundleDialog", "the file %1 could not be read or written"),
            exc.filename or path,
        )
    else:
        message = QCoreApplication.translate(
            "BundleDialog", "an unexpected error (details are in the log)"
        )
    template = {
        BundleMode.EXPORT: QCoreApplication.translate("BundleDialog", "The export failed: %1"),
        BundleMode.ACK: QCoreApplication.translate(
            "BundleDialog", "The acknowledgement was not imported: %1"
        ),
        BundleMode.RELAY: QCoreApplication.translate("BundleDialog", "The file was not sent: %1"),
    }[mode]
    return arg(template, message)


def confirm_relay(parent: QWidget, path: Path, then: Callable[[], object]) -> QMessageBox:
    """The question before a dropped ``.loket`` file is sent (window-modal, "Cancel" the
    default, so Enter or Esc sends nothing). ``then()`` runs when the clerk says send."""
    box = QMessageBox(parent)
    box.setObjectName("confirmRelay")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(
        QCoreApplication.translate("BundleDialog", "Send a file from another device")
    )
    box.setText(
        arg(
            QCoreApplication.translate(
                "BundleDialog",
                "Send the sync file %1 to the server over this device's connection? The "
                "acknowledgement for the device that made it is saved on this computer.",
            ),
            path.name,
        )
    )
    send = box.addButton(
        QCoreApplication.translate("BundleDialog", "Send"), QMessageBox.ButtonRole.AcceptRole
    )
    send.setObjectName("confirmRelayButton")
    cancel = box.addButton(
        QCoreApplication.translate("BundleDialog", "Cancel"), QMessageBox.ButtonRole.RejectRole
    )
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)

    def answered(_result: int) -> None:
        if box.clickedButton() is send:
            then()
        box.deleteLater()

    box.finished.connect(answered)
    box.open()
    return box
