"""The main window (``MainWindow``): tabs for the registration form, the list and the drafts;
menus with the keyboard shortcuts; a status bar with the operator, the office and the sync
client's status widget (connection, pending, last sync, "Sinkronkan sekarang").

Transfer by file (issue 16): the Sync menu exports this device's waiting records to a
``.loket`` file, imports an acknowledgement (``.ack``) and sends another device's ``.loket``
file over this device's connection (desktop/dialogs/bundles.py); both kinds of file can be
dropped on the window too. The sync slot shows what is in transit by file and since when.

Shortcuts: Ctrl+S save, Ctrl+Shift+S keep as draft, Ctrl+N new applicant, Ctrl+F search the
list, Ctrl+1/2/3 the tabs, Ctrl+I import, Ctrl+Q quit; F9 sync now, Ctrl+H sync history.

Printing (receipts, the daily tally) goes through ``desktop.views.printing.Printing``: Qt's
print dialog on the remembered printer, in the layout of "Print settings…" (File menu).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from common.regions import Regions
from desktop.dialogs.about import AboutDetails, AboutDialog
from desktop.dialogs.import_dialog import ImportDialog
from desktop.dialogs.receipt import ReceiptDialog
from desktop.dialogs.record_view import RecordView
from desktop.dialogs.save_problems import SaveProblemsDialog
from desktop.dialogs.sync_history import SyncHistoryView
from desktop.i18n import arg
from desktop.views.context import DeskContext
from desktop.views.drafts import DraftsView
from desktop.views.printing import Printing
from desktop.views.registration_form import RegistrationFormView
from desktop.views.registration_list import RegistrationListView

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrintDialog

    from common.record import Registration
    from common.validation import Problem
    from desktop.dialogs.bundles import BundleDialog, BundleMode
    from desktop.services.bundles import InTransit
    from desktop.services.device import DeviceInfo
    from desktop.services.receipt import Sheet
    from desktop.services.registrations import (
        AttentionRow,
        RecordState,
        RegistrationService,
        RevisionRow,
    )
    from desktop.services.tally import Tally
    from desktop.sync.controller import SyncController
    from desktop.sync.engine import SyncReport
    from desktop.tasks import TaskManager

TAB_FORM, TAB_LIST, TAB_DRAFTS = 0, 1, 2
# The window's size where the screen has room for it; a smaller (or scaled) screen gets
# at most this share of its free area (1366x768 at 125 % is 1093x614 logical pixels).
PREFERRED_SIZE = QSize(1366, 768)
SCREEN_SHARE = 0.9

# What the record window is opened with: the record, its revisions, its sync state.
LoadedRecord = tuple["Registration | None", "list[RevisionRow]", "RecordState | None"]


class MainWindow(QMainWindow):
    logoutRequested = Signal()
    languageRequested = Signal(str)  # "id" / "en", from View > Language

    def __init__(
        self,
        service: RegistrationService,
        tasks: TaskManager,
        ctx: DeskContext,
        areas: Regions | None = None,
        parent: QWidget | None = None,
        sync: SyncController | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.service = service
        self.tasks = tasks
        self.ctx = ctx
        self.areas = areas
        self.sync = sync  # None: no sync in this run
        self.dialogs: list[QDialog] = []  # open dialogs (kept referenced; tests find them here)
        self.printing = Printing(ctx.ui_settings(), self._open_dialog, self)
        self._show_office()
        # closing asks about unsaved changes to a record; the app sets False when it closes
        # the window itself (shut-down, another operator) and nobody could answer
        self.ask_on_close = True

        self.form = RegistrationFormView(service, tasks, ctx.lang, self)
        self.form.review_before_save = self._review_setting()
        self.list = RegistrationListView(service, ctx.lang, self)
        self.drafts = DraftsView(service, tasks, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(self.form, self.tr("New registration"))
        self.tabs.addTab(self.list, self.tr("Registrations"))
        self.tabs.addTab(self.drafts, self.tr("Drafts"))
        self.tabs.setAccessibleName(self.tr("Screens"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.setCentralWidget(self.tabs)

        self._build_menus()
        self.act_review.setChecked(self.form.review_before_save)
        self._build_status_bar()
        self.m_sync.menuAction().setVisible(sync is not None)
        if sync is not None:
            self._build_sync(sync)

        self.form.saved.connect(self._on_saved)
        self.form.existingFound.connect(self._on_existing)
        self.form.problemsFound.connect(self._on_problems)
        self.form.enrollmentNeeded.connect(self._on_enrollment_needed)
        self.form.draftSaved.connect(lambda _d: self.drafts.refresh())
        self.form.statusMessage.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.list.openRecord.connect(self.open_record)
        self.drafts.resumeDraft.connect(self.resume_draft)
        if areas is not None:
            self.form.set_regions(areas)

        self.list.apply_filters()
        self.drafts.refresh()
        self.update_pending()
        self.refresh_attention()
        self._fit_to_screen()

    # --- building -----------------------------------------------------------------------------
    def _fit_to_screen(self) -> None:
        """:data:`PREFERRED_SIZE`, or :data:`SCREEN_SHARE` of the screen's free area where
        that is smaller (the window manager's frame and the taskbar stay visible)."""
        size = QSize(PREFERRED_SIZE)
        screen = self.screen()
        if screen is not None:
            free = screen.availableGeometry().size()
            size = size.boundedTo(
                QSize(int(free.width() * SCREEN_SHARE), int(free.height() * SCREEN_SHARE))
            )
        self.resize(size.expandedTo(self.minimumSizeHint()))

    def _action(
        self,
        text: str,
        shortcut: str | QKeySequence.StandardKey | None,
        slot: Callable[..., object],
        name: str,
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        m_file = bar.addMenu(self.tr("&File"))
        self.act_import = self._action(
            self.tr("Import paper forms…"), "Ctrl+I", self.open_import, "actImport"
        )
        self.act_logout = self._action(
            self.tr("Log out"),
            None,
            lambda: self.form.leave(self.logoutRequested.emit),
            "actLogout",
        )
        self.act_quit = self._action(self.tr("Quit"), "Ctrl+Q", self.close, "actQuit")
        self.act_print_settings = self._action(
            self.tr("Print settings…"), None, self.open_print_settings, "actPrintSettings"
        )
        m_file.addAction(self.act_import)
        m_file.addAction(self.act_print_settings)
        m_file.addSeparator()
        m_file.addAction(self.act_logout)
        m_file.addAction(self.act_quit)

        m_reg = bar.addMenu(self.tr("&Registration"))
        self.act_new = self._action(
            self.tr("New applicant"), "Ctrl+N", self.new_applicant, "actNew"
        )
        self.act_save = self._action(self.tr("Save"), "Ctrl+S", self.save, "actSave")
        self.act_draft = self._action(
            self.tr("Keep as draft"), "Ctrl+Shift+S", self.save_draft, "actDraft"
        )
        for a in (self.act_new, self.act_save, self.act_draft):
            m_reg.addAction(a)
        self.act_tally = self._action(self.tr("Daily tally…"), None, self.open_tally, "actTally")
        m_reg.addSeparator()
        m_reg.addAction(self.act_tally)
        self.act_review = self._action(
            self.tr("Review before saving"), None, self._review_toggled, "actReview"
        )
        self.act_review.setCheckable(True)
        m_reg.addAction(self.act_review)

        m_view = bar.addMenu(self.tr("&View"))
        self.act_form = self._action(
            self.tr("Registration form"), "Ctrl+1", lambda: self.show_tab(TAB_FORM), "actForm"
        )
        self.act_list = self._action(
            self.tr("Registration list"), "Ctrl+2", lambda: self.show_tab(TAB_LIST), "actList"
        )
        self.act_drafts = self._action(
            self.tr("Drafts"), "Ctrl+3", lambda: self.show_tab(TAB_DRAFTS), "actDrafts"
        )
        self.act_find = self._action(
            self.tr("Search registrations"), "Ctrl+F", self.focus_search, "actFind"
        )
        for a in (self.act_form, self.act_list, self.act_drafts, self.act_find):
            m_view.addAction(a)
        self._build_language_menu(m_view)

        self.m_sync = bar.addMenu(self.tr("S&ync"))

        m_help = bar.addMenu(self.tr("&Help"))
        self.act_about = self._action(self.tr("About Loket"), None, self.open_about, "actAbout")
        m_help.addAction(self.act_about)

    def _review_setting(self) -> bool:
        from desktop.dialogs.review import REVIEW_SETTING

        value = self.ctx.ui_settings().value(REVIEW_SETTING, False)
        return value in (True, "true", "1", 1)

    def _review_toggled(self, on: bool) -> None:
        """The read-back before saving, on or off; kept in the data folder's settings."""
        from desktop.dialogs.review import REVIEW_SETTING

        self.form.review_before_save = bool(on)
        settings = self.ctx.ui_settings()
        settings.setValue(REVIEW_SETTING, bool(on))
        settings.sync()

    def _build_language_menu(self, parent_menu: QMenu) -> None:
        """View > Language: the same choice as on the login window, switched at once (the app
        rebuilds this window in the new language, keeping what the form holds) and remembered."""
        menu = parent_menu.addMenu(self.tr("Language"))
        menu.setObjectName("languageMenu")
        group = QActionGroup(self)
        group.setExclusive(True)
        self.language_actions: dict[str, QAction] = {}
        # each language named in itself (data, not translated)
        for code, name in (("id", "Bahasa Indonesia"), ("en", "English")):
            action = QAction(name, self)
            action.setObjectName(f"actLanguage_{code}")
            action.setCheckable(True)
            action.setChecked(self.ctx.lang.value == code)
            action.triggered.connect(lambda _c=False, c=code: self.languageRequested.emit(c))
            group.addAction(action)
            menu.addAction(action)
            self.language_actions[code] = action

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        name = self.ctx.operator.full_name or self.ctx.operator.username
        self.operator_label = QLabel(arg(self.tr("Operator: %1"), name), self)
        self.operator_label.setObjectName("operatorLabel")
        self.operator_label.setProperty("loketData", True)
        bar.addPermanentWidget(self.operator_label)
        #: Issue 5 (sync client) puts its connection / progress / "sync now" widget here.
        self.sync_slot = QWidget(self)
        self.sync_slot.setObjectName("syncStatusSlot")
        slot_layout = QHBoxLayout(self.sync_slot)
        slot_layout.setContentsMargins(0, 0, 0, 0)
        self.pending_label = QLabel(self.sync_slot)
        self.pending_label.setObjectName("pendingLabel")
        self.pending_label.setProperty("loketData", True)
        slot_layout.addWidget(self.pending_label)
        bar.addPermanentWidget(self.sync_slot)
        self._build_returned_badge()

    def _build_returned_badge(self) -> None:
        """Records returned or rejected by the central office: a badge with the count that
        opens their list (issue 13)."""
        from desktop.widgets.returned_badge import ATTENTION_SHORTCUT, ReturnedBadge

        self.returned_badge = ReturnedBadge(self)
        self.returned_badge.clicked.connect(self.open_attention_list)
        self.statusBar().addPermanentWidget(self.returned_badge)
        self.act_attention = self._action(
            self.tr("Returned and rejected records…"),
            ATTENTION_SHORTCUT,
            self.open_attention_list,
            "actAttention",
        )
        self._attention_ids: list[str] = []  # the list last opened, for "Next"

    def refresh_attention(self) -> None:
        self.tasks.run_db(self.service.attention, on_done=self.returned_badge.show_rows)

    def open_attention_list(self) -> None:
        from desktop.widgets.returned_badge import ReturnedListDialog

        def show(rows: list[AttentionRow]) -> None:
            self.returned_badge.show_rows(rows)
            old = self.dialog("returnedList")
            if old is not None:
                old.close()
            dialog = ReturnedListDialog(rows, self.ctx.lang, self)
            self._attention_ids = dialog.ids()
            dialog.openRecord.connect(self.open_record)
            dialog.finished.connect(lambda _r: self._attention_ids.clear())  # "Next": from it only
            self._open_dialog(dialog)

        self.tasks.run_db(self.service.attention, on_done=show)

    def _build_sync(self, sync: SyncController) -> None:
        """The sync client's status widget, menu and history (issue 5)."""
        from desktop.widgets.sync_status import SyncStatusWidget

        self.sync_status = SyncStatusWidget(sync, self.ctx.lang, self.sync_slot)
        self.pending_label.hide()  # the sync widget shows the pending count itself
        self.add_status_widget(self.sync_status)
        self.act_sync_history = self._action(
            self.tr("Sync history…"), "Ctrl+H", self.open_sync_history, "actSyncHistory"
        )
        self.act_enroll = self._action(
            self.tr("Enroll device…"), None, self.open_enroll, "actEnroll"
        )
        self.m_sync.addAction(self.sync_status.sync_action)
        self.m_sync.addAction(self.act_sync_history)
        self.m_sync.addSeparator()
        self._build_bundles()
        self.m_sync.addSeparator()
        self.m_sync.addAction(self.act_enroll)
        sync.finished.connect(self._synced)
        self._wire_nik_check(sync)

    def _build_bundles(self) -> None:
        """Transfer by file (issue 16): three actions in the Sync menu, the "in transit by
        file" line in the sync slot, and ``.loket`` / ``.ack`` files dropped on the window."""
        from desktop.dialogs.bundles import BundleMode

        self.act_export_bundle = self._action(
            self.tr("Export sync file…"),
            None,
            lambda: self.open_bundle(BundleMode.EXPORT),
            "actExportBundle",
        )
        self.act_import_ack = self._action(
            self.tr("Import acknowledgement…"),
            None,
            lambda: self.open_bundle(BundleMode.ACK),
            "actImportAck",
        )
        self.act_relay_bundle = self._action(
            self.tr("Send a file from another device…"),
            None,
            lambda: self.open_bundle(BundleMode.RELAY),
            "actRelayBundle",
        )
        for a in (self.act_export_bundle, self.act_import_ack, self.act_relay_bundle):
            self.m_sync.addAction(a)
        from desktop.widgets.elided_label import ElidedLabel

        self.in_transit_label = ElidedLabel(self.sync_slot)
        self.in_transit_label.setObjectName("inTransitLabel")
        self.in_transit_label.hide()
        self.add_status_widget(self.in_transit_label)
        self.in_transit: InTransit | None = None
        self.relay_confirm: QMessageBox | None = None  # the open "send this file?" question
        self.setAcceptDrops(True)
        self.refresh_in_transit()

    def _wire_nik_check(self, sync: SyncController) -> None:
        """The form asks the server about a typed NIK while the sync status is online."""
        from desktop.services.nik_check import remote_nik_matches
        from desktop.sync.controller import ConnectionState

        lang = self.ctx.lang.value
        online = (ConnectionState.ONLINE, ConnectionState.SYNCING)
        self.form.set_remote_nik_check(
            lambda nik: remote_nik_matches(sync.store, nik, lang), lambda: sync.state in online
        )

    def _synced(self, report: SyncReport) -> None:
        if report.sent or report.changes_applied:
            self.list.refresh()  # statuses and decisions came back
            self.refresh_attention()
            self.refresh_in_transit()  # a network sync confirms records sent by file too
        history = self.dialog("syncHistoryView")
        if isinstance(history, SyncHistoryView):
            history.refresh()

    # --- transfer by file (issue 16) ---------------------------------------------------------
    def refresh_in_transit(self) -> None:
        """Re-read what is in transit by file (after an export, an acknowledgement, a sync)."""
        from desktop.services import bundles

        if self.sync is None or self.tasks.closed:  # a sync ending while the app shuts down
            return
        self.tasks.run_db(
            bundles.in_transit,
            self.sync.store,
            on_done=self._show_in_transit,
            on_error=self._in_transit_failed,
        )

    def _show_in_transit(self, state: InTransit) -> None:
        from desktop.i18n import local_time

        self.in_transit = state
        label = self.in_transit_label
        if state.records <= 0 and state.bundles <= 0:
            label.clear()
            label.hide()
            return
        if state.since is not None:
            text = arg(
                self.tr("%1 record(s) in transit by file since %2"),
                state.records,
                local_time(state.since),
            )
        else:
            text = arg(self.tr("%1 record(s) in transit by file"), state.records)
        label.setText(text)
        label.setToolTip(
            text
            + "\n"
            + arg(self.tr("Sync files exported and not yet acknowledged: %1"), state.bundles)
        )
        label.show()

    def _in_transit_failed(self, exc: BaseException) -> None:
        import logging

        logging.getLogger(__name__).error(
            "cannot read what is in transit by file: %r\n%s",
            exc,
            getattr(exc, "__loket_tb__", ""),
        )

    def open_bundle(self, mode: BundleMode, path: Path | None = None) -> BundleDialog | None:
        """The export / acknowledgement / relay dialog; with ``path`` (a dropped file) it runs
        at once. The work is bound to the store and the signed-in operator."""
        from desktop.dialogs.bundles import BundleDialog, BundleMode, default_export_name
        from desktop.services import bundles

        if self.sync is None:
            return None
        name = f"bundleDialog_{mode.value}"
        existing = self.dialog(name)
        if isinstance(existing, BundleDialog):
            if path is not None and not existing.running:
                existing.file.setText(str(path))
                existing.run()
            existing.raise_()
            existing.activateWindow()
            return existing
        store, operator = self.sync.store, self.ctx.operator.username
        work: Callable[[Path], object]
        if mode is BundleMode.EXPORT:
            initial = self.ctx.receipts_dir / default_export_name(self.ctx.office_code)

            def work(out: Path) -> object:
                return bundles.export_bundle(store, out, operator=operator)

            runner = self.tasks.run_db
        elif mode is BundleMode.ACK:
            initial = path or Path()

            def work(src: Path) -> object:
                return bundles.import_ack(store, src, operator=operator)

            runner = self.tasks.run_db
        else:
            initial = path or Path()

            def work(src: Path) -> object:
                return bundles.relay_bundle(store, src, operator=operator)

            runner = self.tasks.run_io  # a network call, as the sync's are

        text = "" if initial == Path() else str(initial)
        dialog = BundleDialog(
            mode, work, runner, text, self, after=lambda _summary: self._bundle_done(mode)
        )
        self._open_dialog(dialog)
        if path is not None:
            dialog.run()
        return dialog

    def _bundle_done(self, mode: BundleMode) -> None:
        from desktop.dialogs.bundles import BundleMode

        self.refresh_in_transit()
        if mode is BundleMode.ACK:  # outcomes and decisions came back, as after a sync
            self.list.refresh()
            self.refresh_attention()
            self.update_pending()

    @staticmethod
    def _dropped_bundles(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        from desktop.dialogs.bundles import bundle_kind

        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return []
        paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
        return [p for p in paths if bundle_kind(p) is not None]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.sync is not None and self._dropped_bundles(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: Any) -> None:
        if self.sync is not None and self._dropped_bundles(event):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        """A dropped ``.ack`` is imported; a dropped ``.loket`` is relayed after the clerk
        confirms (one file at a time: the first of each kind)."""
        from desktop.dialogs.bundles import BundleMode, bundle_kind, confirm_relay

        paths = self._dropped_bundles(event) if self.sync is not None else []
        if not paths:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        ack = next((p for p in paths if bundle_kind(p) is BundleMode.ACK), None)
        records = next((p for p in paths if bundle_kind(p) is BundleMode.RELAY), None)
        if ack is not None:
            self.open_bundle(BundleMode.ACK, ack)
        if records is not None:
            self.relay_confirm = confirm_relay(
                self, records, lambda: self.open_bundle(BundleMode.RELAY, records)
            )

    def open_sync_history(self) -> None:
        from desktop.sync.controller import read_history

        if self.sync is None:
            return
        existing = self.dialog("syncHistoryView")
        if isinstance(existing, SyncHistoryView):
            existing.refresh()
            existing.raise_()
            return
        store = self.sync.store
        self._open_dialog(
            SyncHistoryView(lambda: read_history(store), self.tasks, self.ctx.lang, self)
        )

    def open_enroll(self, first_start: bool = False) -> None:
        from desktop.dialogs.enroll import EnrollDialog
        from desktop.sync.commands import enroll_device

        sync = self.sync
        if sync is None or self.dialog("enrollDialog") is not None:
            return
        store = sync.store

        def enroll(url: str, code: str, ca: str | None) -> DeviceInfo:
            return enroll_device(store, url, code, ca_bundle=ca)

        dialog = EnrollDialog(
            enroll, self.tasks, self.ctx.lang, parent=self, first_start=first_start
        )
        dialog.enrolled.connect(self.office_changed)
        dialog.enrolled.connect(lambda _info: sync.device_enrolled())
        self._open_dialog(dialog)

    def office_changed(self, info: DeviceInfo) -> None:
        """Enrolled (``DeviceInfo``): the office's code and name hold from now on, for the
        title and every receipt (the context is shared with the receipt writer)."""
        self.ctx.set_office(info.office_code, info.office_name)
        self._show_office()

    def _show_office(self) -> None:
        name = self.ctx.office_name or arg(self.tr("Office %1"), self.ctx.office_code or "000000")
        # Qt adds the application's name ("— Loket") to every window title itself
        self.setWindowTitle(arg(self.tr("Registration — %1"), name))

    def add_status_widget(self, widget: QWidget) -> None:
        """For the sync client: put a widget in the status bar's sync slot."""
        layout = self.sync_slot.layout()
        assert layout is not None
        layout.addWidget(widget)

    # --- actions ------------------------------------------------------------------------------
    def show_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)
        if index == TAB_FORM:
            self.form.focus_first() if not self.form.dirty else self.form.setFocus()
        elif index == TAB_LIST:
            self.list.table.setFocus()
        else:
            self.drafts.focus_table()

    def _tab_changed(self, index: int) -> None:
        if index == TAB_LIST:
            self.list.refresh()  # records may have come from an import or a sync meanwhile
        elif index == TAB_DRAFTS:
            self.drafts.refresh()

    def save(self) -> None:
        if self.tabs.currentIndex() != TAB_FORM:
            self.tabs.setCurrentIndex(TAB_FORM)
        self.form.save()

    def save_draft(self) -> None:
        self.tabs.setCurrentIndex(TAB_FORM)
        self.form.save_draft()

    def new_applicant(self) -> None:
        self.tabs.setCurrentIndex(TAB_FORM)
        self.form.new_applicant()

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(TAB_LIST)
        self.list.focus_search()

    def set_regions(self, areas: Regions) -> None:
        self.areas = areas
        self.form.set_regions(areas)

    def update_pending(self) -> None:
        self.tasks.run_db(self.service.pending_count, on_done=self._show_pending)
        if self.sync is not None:
            self.sync.refresh_pending()

    def _show_pending(self, n: int) -> None:
        self.pending_label.setText(arg(self.tr("Waiting to be sent: %1"), n))

    def _open_dialog(self, dialog: QDialog) -> None:
        self.dialogs.append(dialog)
        dialog.finished.connect(lambda _r, d=dialog: self._forget(d))
        # QDialog's own open(): PySide6's QPrintDialog.open only has the (receiver, member)
        # overload, so dialog.open() raised a TypeError and printing did nothing
        QDialog.open(dialog)

    def _forget(self, dialog: QDialog) -> None:
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)
        dialog.deleteLater()

    def dialog(self, object_name: str) -> QDialog | None:
        """The open dialog with this object name, or None (for tests and the shell)."""
        return next((d for d in self.dialogs if d.objectName() == object_name), None)

    # --- reactions ----------------------------------------------------------------------------
    def _on_saved(self, registration: Registration) -> None:
        self.list.refresh()
        self.update_pending()
        if self.sync is not None:
            self.sync.record_saved()  # sent soon when the server answers (coalesced)
        self.refresh_attention()  # a corrected returned record leaves the count
        self.drafts.refresh()
        self.open_receipt(registration)

    def open_receipt(self, registration: Registration) -> None:
        dialog = ReceiptDialog(registration, self.ctx, self.audit, self)
        dialog.printRequested.connect(self.print_receipt)
        dialog.openPdfRequested.connect(self.open_receipt_pdf)
        dialog.finished.connect(
            lambda _r: self.form.focus_first() if self.tabs.currentIndex() == TAB_FORM else None
        )
        self._open_dialog(dialog)

    def _receipt_sheet(self, registration: Registration) -> Sheet:
        """The receipt as printed: in Indonesian (it is the applicant's), for the office the
        device is in now."""
        from desktop.services.receipt import receipt_sheet

        office = self.ctx.office_name_for(registration.provenance.office_code)
        return receipt_sheet(
            registration, office, self.ctx.operator, zone_office=self.ctx.office_code
        )

    def print_receipt(self, registration: Registration) -> QPrintDialog:
        """The print dialog for the receipt (also a reprint from the record window)."""
        return self.printing.print_sheet(
            lambda: self._receipt_sheet(registration),
            done=lambda kind: self.audit("printed", registration.id, {"kind": kind}),
        )

    def open_receipt_pdf(self, registration: Registration) -> Path:
        """The receipt in the system's PDF viewer (a private temporary copy)."""
        path = self.printing.open_pdf(self._receipt_sheet(registration), registration.code)
        self.audit("printed", registration.id, {"kind": "viewer"})
        return path

    def open_print_settings(self) -> None:
        from desktop.dialogs.print_settings import PrintSettingsDialog

        if self.dialog("printSettingsDialog") is None:
            self._open_dialog(PrintSettingsDialog(self.printing.settings, self))

    def open_tally(self) -> None:
        from desktop.dialogs.tally import TallyDialog
        from desktop.services.receipt import tally_sheet
        from desktop.services.tally import daily_tally

        if self.dialog("tallyDialog") is not None:
            return
        store, operator = self.service.store, self.ctx.operator

        def print_tally(tally: Tally) -> None:
            name = operator.full_name or operator.username
            office = self.ctx.office_name_for(tally.office_code)
            self.printing.print_sheet(lambda: tally_sheet(tally, office, name))

        self._open_dialog(
            TallyDialog(
                lambda: daily_tally(store, operator.username), self.tasks, print_tally, self
            )
        )

    def audit(self, action: str, registration_id: str | None, detail: dict[str, Any]) -> None:
        self.tasks.run_db(self.service.audit, action, registration_id, detail)

    def _on_existing(self, registration_id: str) -> None:
        self.statusBar().showMessage(
            self.tr("This NIK is already registered on this device: opening the existing record."),
            10000,
        )
        self.open_record(registration_id)

    def _on_enrollment_needed(self) -> None:
        """A save before enrollment (issue 13 defect 2): say why, offer to enroll or keep a
        draft; the form keeps what was typed."""
        from desktop.dialogs.enroll_needed import EnrollNeededDialog

        if self.dialog("enrollNeededDialog") is not None:
            return
        dialog = EnrollNeededDialog(self.ctx.lang.value, self.sync is not None, self)
        dialog.enrollRequested.connect(self.open_enroll)
        dialog.draftRequested.connect(self.save_draft)
        self._open_dialog(dialog)

    def _on_problems(self, problems: list[Problem]) -> None:
        dialog = SaveProblemsDialog(problems, self.ctx.lang, self)
        dialog.accepted.connect(lambda: self.form.focus_field(dialog.chosen_field()))
        dialog.rejected.connect(
            lambda: self.form.focus_field(problems[0].field) if problems else None
        )
        self._open_dialog(dialog)

    def open_record(self, registration_id: str) -> None:
        def load() -> LoadedRecord:
            self.service.mark_seen(registration_id)  # a rejection opened leaves the count
            return (
                self.service.get(registration_id),
                self.service.history(registration_id),
                self.service.state(registration_id),
            )

        self.tasks.run_db(load, on_done=self._show_record)

    def _show_record(self, loaded: LoadedRecord) -> None:
        registration, history, state = loaded
        if registration is None:
            return
        conflict = bool(state.conflict) if state is not None else False
        view = RecordView(
            registration, history, self.ctx.lang, self.areas, conflict, self, state=state
        )
        view.editRequested.connect(self.edit_registration)
        view.receiptRequested.connect(self.open_receipt)
        view.printRequested.connect(self.print_receipt)
        ids = self._attention_ids
        if registration.id in ids and ids.index(registration.id) + 1 < len(ids):
            following = ids[ids.index(registration.id) + 1]
            view.set_next(lambda: self.open_record(following))  # "Berikutnya"
        self._open_dialog(view)
        self.refresh_attention()

    def edit_registration(self, registration: Registration) -> None:
        self.form.leave(lambda: self._edit_registration(registration))

    def _edit_registration(self, registration: Registration) -> None:
        self.tabs.setCurrentIndex(TAB_FORM)
        self.form.load(
            registration.applicant.to_dict(),
            registration_id=registration.id,
            code=registration.code,
            revision=registration.provenance.revision,
        )
        self.form.focus_first()

    def resume_draft(self, draft_id: str) -> None:
        def done(raw: dict[str, Any]) -> None:
            self.tabs.setCurrentIndex(TAB_FORM)
            self.form.load(raw, draft_id=draft_id)
            self.form.focus_first()

        def load() -> None:
            self.tasks.run_db(self.service.load_draft, draft_id, on_done=done)

        self.form.leave(load)

    def open_import(self) -> None:
        dialog = ImportDialog(self.ctx.import_csv, self.tasks, self)
        dialog.imported.connect(self._imported)
        self._open_dialog(dialog)

    def _imported(self, _report: object) -> None:
        self.list.refresh()
        self.update_pending()

    def open_about(self) -> None:
        """About, with the device's id, office and last sync for a helpdesk call."""
        from desktop.dialogs.about import about_details

        if self.dialog("aboutDialog") is not None:
            return
        dialog = AboutDialog(self.ctx.data_dir, self)
        self._open_dialog(dialog)

        def show(details: AboutDetails) -> None:
            if dialog in self.dialogs:  # not closed meanwhile (then it is deleted)
                dialog.set_details(details)

        self.tasks.run_db(about_details, self.service.store, on_done=show)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Nothing typed is lost: a new applicant's typing is kept as a draft, changes to a
        record are saved or discarded as the clerk answers (the window stays meanwhile)."""
        if self.form.has_unsaved():
            if self.form.registration_id is None:
                self.form.keep_draft_now()
            elif self.ask_on_close:
                event.ignore()
                self.form.leave(self._close_again)
                return
        for d in list(self.dialogs):
            d.close()
        from desktop.services.receipt import purge_viewer_files

        purge_viewer_files()  # "open PDF" copies: Loket keeps no receipt
        super().closeEvent(event)

    def _close_again(self) -> None:
        """After the clerk answered about the unsaved changes."""
        self.close()
