"""The sync client's part of the status bar (``SyncStatusWidget``).

Shows the connection state, the records waiting to be sent, the last successful sync as a
relative time ("3 menit yang lalu"), a progress bar with records and bytes while a sync runs
(only once it has lasted more than half a second: a quick sync does not flash a bar), and a
"Sinkronkan sekarang" button (F9).

It is given the controller (``desktop.sync.controller.SyncController`` or anything with the
same signals and ``sync_now()``), formats what the controller reports and throttles progress
to a few repaints a second.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLocale, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from common.i18n import Lang, as_lang
from desktop.i18n import arg, local_time
from desktop.sync.versions import APP_VERSION, VersionNotice, VersionState

if TYPE_CHECKING:
    from desktop.sync.controller import SyncController
    from desktop.sync.engine import SyncProgress, SyncReport

#: Progress bar appears only after a sync has lasted this long.
PROGRESS_DELAY_MS = 500
#: At most this often the bar is repainted from the (possibly very chatty) progress.
PROGRESS_THROTTLE_MS = 100
SYNC_SHORTCUT = "F9"


def relative_time(then: datetime | None, now: datetime | None = None) -> str:
    """ "baru saja", "3 menit yang lalu", "2 jam yang lalu", "kemarin", "5 hari yang lalu"
    (in the installed language; English without a translator)."""
    if then is None:
        return QCoreApplication.translate("RelativeTime", "never")
    now = now or datetime.now(UTC)
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    seconds = (now - then).total_seconds()
    if seconds < 60:  # also a device clock behind the stored time: never "in 3 minutes"
        return QCoreApplication.translate("RelativeTime", "just now")
    minutes = int(seconds // 60)
    if minutes < 60:
        if minutes == 1:
            return QCoreApplication.translate("RelativeTime", "1 minute ago")
        return arg(QCoreApplication.translate("RelativeTime", "%1 minutes ago"), minutes)
    hours = minutes // 60
    if hours < 24:
        if hours == 1:
            return QCoreApplication.translate("RelativeTime", "1 hour ago")
        return arg(QCoreApplication.translate("RelativeTime", "%1 hours ago"), hours)
    days = hours // 24
    if days == 1:
        return QCoreApplication.translate("RelativeTime", "yesterday")
    return arg(QCoreApplication.translate("RelativeTime", "%1 days ago"), days)


def _clock(when: datetime, seconds: bool = False) -> str:
    """The time of day on the clerk's clock: ``09:42`` (``09:42:15``)."""
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    return aware.astimezone().strftime("%H:%M:%S" if seconds else "%H:%M")


class SyncStatusWidget(QWidget):
    def __init__(
        self, controller: SyncController, lang: Lang | str = "id", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self.controller = controller
        self._lang = as_lang(lang)
        self._last_success: datetime | None = None
        self._latest: SyncProgress | None = None  # the newest progress, painted by the throttle
        self._state = ""
        self._next_attempt: datetime | None = None  # the controller's next automatic attempt

        self.state_label = QLabel(self)
        self.state_label.setObjectName("syncState")
        self.pending_label = QLabel(self)
        self.pending_label.setObjectName("syncPending")
        self.last_label = QLabel(self)
        self.last_label.setObjectName("syncLast")
        self.version_label = QLabel(self)  # "Versi baru tersedia: X" / "Pembaruan wajib: …"
        self.version_label.setObjectName("syncVersion")
        self.version_label.setWordWrap(False)
        self.version_label.hide()
        self.bar = QProgressBar(self)
        self.bar.setObjectName("syncProgress")
        self.bar.setMaximumWidth(260)
        self.bar.setMinimumWidth(200)
        self.bar.setTextVisible(True)
        self.bar.setAccessibleName(self.tr("Sync progress"))
        self.bar.hide()

        self.sync_action = QAction(self.tr("Sync now"), self)
        self.sync_action.setObjectName("actSyncNow")
        self.sync_action.setShortcut(QKeySequence(SYNC_SHORTCUT))
        self.sync_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.sync_action.setToolTip(arg(self.tr("Send and receive now (%1)"), SYNC_SHORTCUT))
        self.sync_action.triggered.connect(self.sync_now)
        self.addAction(self.sync_action)
        self.button = QToolButton(self)
        self.button.setObjectName("syncNowButton")
        self.button.setDefaultAction(self.sync_action)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        for w in (
            self.state_label,
            self.pending_label,
            self.last_label,
            self.version_label,
            self.bar,
            self.button,
        ):
            layout.addWidget(w)

        self._show_after = QTimer(self)  # the bar, only if the sync lasts more than a moment
        self._show_after.setSingleShot(True)
        self._show_after.timeout.connect(self._reveal_bar)
        self._throttle = QTimer(self)
        self._throttle.setInterval(PROGRESS_THROTTLE_MS)
        self._throttle.timeout.connect(self._paint_progress)
        self._tick = QTimer(self)  # "3 menit yang lalu" becomes "4 menit yang lalu"
        self._tick.setInterval(30_000)
        self._tick.timeout.connect(self._paint_last)
        self._tick.start()

        controller.state_changed.connect(self.set_state)
        controller.started.connect(self._sync_started)
        controller.progress.connect(self._progress)
        controller.finished.connect(self._sync_finished)
        controller.pending_changed.connect(self.set_pending)
        controller.last_success_changed.connect(self.set_last_success)
        controller.versions_changed.connect(self.set_versions)
        controller.next_attempt_changed.connect(self.set_next_attempt)

        self.set_state(controller.state.value)
        self.set_pending(controller.pending)
        self.set_last_success(controller.last_success)
        self.set_versions(controller.versions)

    # --- slots ---------------------------------------------------------------------------
    def sync_now(self) -> None:
        self.controller.sync_now()

    def set_state(self, state: str) -> None:
        texts = {
            "online": self.tr("Online"),
            "offline": self.tr("Offline"),
            "syncing": self.tr("Syncing…"),
            "refused": self.tr("Refused by the server"),
            "not_enrolled": self.tr("Device not enrolled"),
        }
        colours = {
            "online": "#1b7a3a",
            "offline": "#8a5a00",
            "syncing": "#1b4f9c",
            "refused": "#b3261e",
            "not_enrolled": "#5f6368",
        }
        self._state = state
        text = texts.get(state, state)
        if state == "offline" and self._next_attempt is not None:
            # a clerk waiting for a slow or absent link sees that it will be tried, and when
            text = arg(self.tr("Offline · trying again at %1"), _clock(self._next_attempt))
        self.state_label.setText(text)
        self.state_label.setStyleSheet(f"color: {colours.get(state, '#000')}; font-weight: bold;")
        self.sync_action.setEnabled(state not in ("syncing", "not_enrolled"))
        report = self.controller.last_report
        if state in ("offline", "refused") and report is not None and report.error_code:
            from common.errors import message

            self.state_label.setToolTip(message(report.error_code, {}, self._lang))
            self.state_label.setProperty("loketData", True)  # the catalog's words (bilingual)
        else:
            self.state_label.setToolTip("")
            self.state_label.setProperty("loketData", False)

    def set_next_attempt(self, when: datetime | None) -> None:
        self._next_attempt = when
        if self._state:
            self.set_state(self._state)

    def set_pending(self, n: int) -> None:
        self.pending_label.setText(arg(self.tr("Waiting to be sent: %1"), n))

    def set_last_success(self, when: datetime | None) -> None:
        self._last_success = when
        self._paint_last()

    def set_versions(self, n: VersionNotice) -> None:
        """What the server said of this app's version: an update required (red, with whom to
        call) or available; nothing when up to date or not known. Saving, exporting and
        syncing go on either way (the server never refuses records for the version)."""
        if n.state is VersionState.REQUIRED:
            text = arg(self.tr("Update required: minimum version %1; call the IT staff"), n.minimum)
            tip = arg(
                self.tr(
                    "This is version %1. You can keep working: records are still saved, "
                    "exported and accepted by the server. Ask the office's IT staff to install "
                    "version %2 or newer."
                ),
                APP_VERSION,
                n.current or n.minimum,
            )
            style = "color: #b3261e; font-weight: bold;"
        elif n.state is VersionState.AVAILABLE:
            text = arg(self.tr("New version available: %1"), n.current)
            tip = arg(
                self.tr("This is version %1; nothing needs to be done right away."), APP_VERSION
            )
            style = "color: #1b4f9c;"
        else:
            self.version_label.clear()
            self.version_label.setToolTip("")
            self.version_label.hide()
            return
        self.version_label.setText(text)
        self.version_label.setToolTip(tip)
        self.version_label.setStyleSheet(style)
        self.version_label.show()

    def _paint_last(self) -> None:
        self.last_label.setText(arg(self.tr("Last sync: %1"), relative_time(self._last_success)))
        if self._last_success is not None:
            self.last_label.setToolTip(local_time(self._last_success, seconds=True))

    def _sync_started(self) -> None:
        self._latest = None
        self.bar.setRange(0, 0)  # busy until the first numbers arrive
        self.bar.setFormat(self.tr("Connecting…"))
        self._show_after.start(PROGRESS_DELAY_MS)
        self._throttle.start()

    def _reveal_bar(self) -> None:
        self._paint_progress()
        self.bar.show()

    def _progress(self, p: SyncProgress) -> None:
        self._latest = p

    def _paint_progress(self) -> None:
        p = self._latest
        if p is None:
            return
        size = QLocale().formattedDataSize(
            int(p.bytes_sent), 1, QLocale.DataSizeFormat.DataSizeTraditionalFormat
        )
        if p.stage == "retry" and p.retry_at is not None:
            # the batch got no answer (a slow or lost link): say so, and when it goes again
            self.bar.setFormat(
                arg(
                    self.tr("No answer for %1 records; sending again at %2"),
                    p.sending,
                    _clock(p.retry_at, seconds=True),
                )
            )
        elif p.stage == "push" and p.records_total:
            self.bar.setRange(0, p.records_total)
            self.bar.setValue(p.records_sent)
            if p.sending:  # on its way: a slow link takes a while to answer
                text = arg(
                    self.tr("%1 of %2 records · sending %3…"),
                    p.records_sent,
                    p.records_total,
                    p.sending,
                )
            else:
                text = arg(self.tr("%1 of %2 records · %3"), p.records_sent, p.records_total, size)
            self.bar.setFormat(text)
            self.set_pending(
                max(0, p.records_total - p.records_sent)
            )  # falls as batches are answered
        else:
            self.bar.setRange(0, 0)
            self.bar.setFormat(arg(self.tr("Receiving decisions: %1"), p.changes_applied))

    def _sync_finished(self, _report: SyncReport) -> None:
        self._show_after.stop()
        self._throttle.stop()
        self._latest = None
        self.bar.hide()
