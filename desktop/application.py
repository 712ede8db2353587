"""The application shell: QApplication, language, the login window, then the main window.

``desktop.__main__`` parses the command line and calls :func:`main` with the namespace
(``.data_dir``, ``.lang``). :class:`LoketApp` owns the pieces of one run and hands each view
only what it needs (the registration service, the task manager, a :class:`DeskContext`);
there are no global singletons, so tests build a ``LoketApp`` on a temporary folder.

Start-up is kept short (the login window must appear within 2 s on an office PC): the window
is shown first and the village search index is built on the I/O pool. The local database is
encrypted, so it opens at the first login (the operator's key slot gives its key, on the
database worker); a new data folder shows "create the first operator" instead. After
``idle_lock_minutes`` (a setting, default 10) without input the main window hides behind the
login window; the store stays open and the same or another operator unlocks it.

``LOKET_DESK_EXIT_AFTER_SHOW=1`` quits as soon as the login window is shown (the cold-start
benchmark uses it); it prints ``LOKET_LOGIN_SHOWN <time.monotonic()>``.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale, QObject, QSettings, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

import desktop.qt_compat  # noqa: F401  (before any signal is emitted)
from common import errors as E
from common.errors import ApiError
from common.i18n import Lang, as_lang
from common.regions import Regions, regions
from desktop import paths
from desktop.i18n import arg, catalog_message, qm_path
from desktop.store import settings as S
from desktop.tasks import TaskManager
from desktop.views.context import DeskContext
from desktop.views.login import IdleWatcher, LoginView

log = logging.getLogger(__name__)

EXIT_AFTER_SHOW_ENV = "LOKET_DESK_EXIT_AFTER_SHOW"
SETTINGS_FILE = "desktop.ini"
LANG_KEY = "ui/language"
#: ``false``: do not offer the enroll dialog at start on a device not enrolled
OFFER_ENROLL_KEY = "sync/offer_enrollment"


def ui_settings(data_dir: Path) -> QSettings:
    """Preferences of this computer's UI (language, window geometry): an INI file in the data
    folder, readable before the database is open. Records never go here."""
    return QSettings(str(data_dir / SETTINGS_FILE), QSettings.Format.IniFormat)


def choose_language(cli_value: str | None, settings: QSettings) -> Lang:
    """``--lang``, then the saved choice, then Indonesian."""
    if cli_value:
        return as_lang(cli_value)
    saved = settings.value(LANG_KEY, "")
    return as_lang(str(saved)) if saved else Lang.ID


def install_translator(
    app: QCoreApplication, lang: Lang, old: QTranslator | None = None
) -> QTranslator | None:
    """Install ``loket_<lang>.qm``. The source strings are English; the English file carries
    only the plural forms of the counts (``%n registration(s)`` -> 1 registration / 2
    registrations), so it is installed too."""
    if old is not None:
        app.removeTranslator(old)
    QLocale.setDefault(
        QLocale(QLocale.Language.Indonesian if lang is Lang.ID else QLocale.Language.English)
    )
    translator = QTranslator(app)
    if not translator.load(str(qm_path(lang.value))):
        log.warning("translation %s not found; showing English", qm_path(lang.value))
        return None
    app.installTranslator(translator)
    return translator


class LoketApp(QObject):
    """One run of the desktop app on one data folder."""

    def __init__(self, app: QApplication, data_dir: Path, lang: str | None = None) -> None:
        super().__init__()
        self.app = app
        self.data_dir = data_dir
        self.settings = ui_settings(data_dir)
        self.lang = choose_language(lang, self.settings)
        self._translator = install_translator(app, self.lang)
        self.tasks = TaskManager()
        self.store: Any = None
        self.areas: Regions | None = None
        self.login: LoginView | None = None
        self.main_window: Any = None
        self.service: Any = None
        self.operator: Any = None
        self._store_future: Future[Any] | None = None
        self._closed = False
        self.sync: Any = None  # desktop.sync.controller.SyncController, from the first login
        self._pending_store: Any = None  # opened by a login on the database worker
        self._idle_minutes: float = 10
        self.idle: IdleWatcher | None = None
        self.ready = False  # the first-run check has answered
        self._first_start = False  # the first operator was just created here

    # --- start-up -----------------------------------------------------------------------------
    def start(self) -> None:
        self.show_login()
        # the store is encrypted: it opens at login; until then, only "is this a new folder?"
        self._store_future = self.tasks.run_db(
            self._first_run_check, on_done=self._store_opened, on_error=self._store_failed
        )
        self.tasks.run_io(_warm_regions, on_done=self._regions_ready)

    def _first_run_check(self) -> bool:
        from desktop.services.operators import needs_first_operator

        return needs_first_operator(self.data_dir)

    def _store_opened(self, first_run: bool) -> None:
        self.ready = True
        if first_run and self.login is not None:
            self.login.show_welcome()  # the guided first start (issue 18)

    def _store_failed(self, exc: BaseException) -> None:
        log.error("cannot open the local store: %r", exc)
        if self.login is not None:
            known = catalog_message(exc, self.lang)
            self.login.show_error(
                arg(self.tr("The local database cannot be opened: %1"), known)
                if known
                else self.tr(
                    "The local database cannot be opened. The details are in the app's log."
                )
            )
            self.login.set_busy(True)

    def _regions_ready(self, areas: Regions) -> None:
        self.areas = areas
        if self.main_window is not None:
            self.main_window.set_regions(areas)

    # --- login ----------------------------------------------------------------------------------
    def show_login(self) -> None:
        login = LoginView(self.lang)
        login.loginRequested.connect(self._login_requested)
        login.authorisedLoginRequested.connect(
            lambda user, password, by, by_password: self._login_requested(
                user, password, (by, by_password)
            )
        )
        login.createRequested.connect(self._create_requested)
        login.languageChanged.connect(self._language_changed)
        self.tasks.set_dialog_parent(login)
        self.login = login
        login.show()
        if self.store is not None:
            from desktop.services.operators import list_operators

            self.tasks.run_db(
                list_operators,
                self.store,
                on_done=lambda ops: None if ops else login.show_no_operators_hint(),
            )

    def _language_changed(self, code: str) -> None:
        lang = as_lang(code)
        if lang is self.lang:
            return
        self.settings.setValue(LANG_KEY, lang.value)
        self.settings.sync()
        self.lang = lang
        self._translator = install_translator(self.app, lang, self._translator)
        old = self.login
        self.show_login()  # rebuilt in the new language
        if old is not None and self.login is not None:
            self.login.username.setText(old.username.text())
            if old._creating:
                if old.welcome.isVisible():
                    self.login.show_welcome()
                else:
                    self.login.show_first_operator_form()
                    self.login.show_first_step()
            self.login.move(old.pos())
            old.close()
            old.deleteLater()

    def _main_language_changed(self, code: str) -> None:
        """View > Language in the main window: remembered like the login window's choice, and
        the window is rebuilt in the new language at once (its texts are set when it is built),
        with the form, its unsaved typing, the tab and the geometry as they were."""
        from desktop.views.main_window import MainWindow

        lang = as_lang(code)
        old = self.main_window
        if lang is self.lang or old is None:
            return
        self.settings.setValue(LANG_KEY, lang.value)
        self.settings.sync()
        self.lang = lang
        self._translator = install_translator(self.app, lang, self._translator)
        if self.sync is not None and hasattr(self.sync, "lang"):
            self.sync.lang = lang.value
        form = old.form
        state = (
            form.raw(),
            form.registration_id,
            form.draft_id,
            getattr(form, "_edit_code", ""),
            getattr(form, "_edit_revision", 0),
            form.dirty,
        )
        tab, geometry = old.tabs.currentIndex(), old.saveGeometry()
        ctx = replace(old.ctx, lang=lang)
        window = MainWindow(self.service, self.tasks, ctx, self.areas, sync=self.sync)
        window.logoutRequested.connect(self.logout)
        window.languageRequested.connect(self._main_language_changed)
        raw, registration_id, draft_id, edit_code, edit_revision, dirty = state
        if dirty or registration_id or draft_id:
            window.form.load(
                raw,
                registration_id=registration_id,
                draft_id=draft_id,
                code=edit_code,
                revision=edit_revision,
            )
            window.form._dirty = dirty  # still unsaved: closing later keeps it as a draft
        window.restoreGeometry(geometry)
        window.tabs.setCurrentIndex(tab)
        self.main_window = window
        self.tasks.set_dialog_parent(window)
        for d in list(old.dialogs):
            d.close()
        old.hide()  # not close(): its close keeps unsaved typing as a draft, the new window has it
        old.deleteLater()
        window.show()
        window.activateWindow()

    def _login_requested(
        self, username: str, password: str, authoriser: tuple[str, str] | None = None
    ) -> None:
        def check() -> tuple[Any, Any]:  # on the database worker: logins run one at a time
            from desktop.services.device import device_info
            from desktop.services.operators import authenticate, unlock

            store = self.store or self._pending_store
            if store is None:  # the first login opens the encrypted store with the slot's key
                store, operator = unlock(self.data_dir, username, password, authoriser=authoriser)
                self._pending_store = store
            else:  # the idle lock, or after a logout: verify against the slot
                operator = authenticate(store, username, password, authoriser=authoriser)
            self._idle_minutes = store.get(S.IDLE_LOCK_MINUTES)
            return operator, device_info(store)

        self.tasks.run_db(check, on_done=self._logged_in, on_error=self._login_failed)

    def _create_requested(self, username: str, full_name: str, password: str) -> None:
        def create() -> tuple[Any, Any]:
            from desktop.services.device import device_info
            from desktop.services.operators import create_first_operator

            store, operator = create_first_operator(self.data_dir, username, password, full_name)
            self._pending_store = store
            self._first_start = True  # step 2 of the first start: enrollment
            return operator, device_info(store)

        self.tasks.run_db(create, on_done=self._logged_in, on_error=self._login_failed)

    def _login_failed(self, exc: BaseException) -> None:
        if self.login is None:
            return
        if isinstance(exc, ApiError) and exc.code == E.OPERATOR_NEEDS_AUTHORISATION:
            self.login.show_authoriser_form(exc.message(self.lang))  # a first login here
        elif isinstance(exc, ApiError):
            self.login.show_error(exc.message(self.lang))
        elif (known := catalog_message(exc, self.lang)) is not None:
            self.login.show_error(known)  # e.g. PASSWORD_TOO_SHORT for a first operator
        else:  # never the exception's own (English) text inside an Indonesian sentence
            log.error("login failed: %r", exc)
            self.login.show_error(
                self.tr("Login is not possible right now. The details are in the app's log.")
            )

    def _logged_in(self, result: tuple[Any, Any]) -> None:
        from desktop.services.registrations import RegistrationService
        from desktop.views.main_window import MainWindow

        operator, device = result
        if self.store is None:
            self.store = self._pending_store
        if self.main_window is not None:  # unlocking after the idle lock
            if operator.username == self.operator.username:
                self._unlocked()
                return
            self._close_main_window()  # another operator: their own window
        self.operator = operator
        self.service = RegistrationService(self.store, operator)
        ctx = DeskContext(
            operator=operator,
            lang=self.lang,
            data_dir=self.data_dir,
            office_name=device.office_name,
            write_receipt=lambda _r, path: path,  # bound to the context just below
            import_csv=self._importer(operator),
            office_code=device.office_code,
            settings=self.settings,
        )
        ctx.write_receipt = self._receipt_writer(ctx)
        first_login = self.sync is None
        if first_login:
            self.sync = self._make_sync()
        window = MainWindow(self.service, self.tasks, ctx, self.areas, sync=self.sync)
        window.logoutRequested.connect(self.logout)
        window.languageRequested.connect(self._main_language_changed)
        self.main_window = window
        self.tasks.set_dialog_parent(window)
        window.show()
        window.form.focus_first()
        self._start_idle_lock()
        if first_login:
            self.sync.start()
            if not device.enrolled and self.settings.value(OFFER_ENROLL_KEY, True) not in (
                False,
                "false",
            ):
                # first run: enroll now, or work offline (step 2 of the guided first start)
                window.open_enroll(first_start=self._first_start)
        if self.login is not None:
            self.login.close()
            self.login.deleteLater()
            self.login = None

    def raise_window(self) -> None:
        """A second instance was started on this data folder: show this one's window instead
        (the login window while locked or logged out, else the main window)."""
        window = self.login if self.login is not None else self.main_window
        if window is None:
            return
        window.showNormal()
        window.raise_()
        window.activateWindow()

    def _start_idle_lock(self) -> None:
        if self.idle is None:
            self.idle = IdleWatcher(self.app, self._idle_minutes, parent=self)
            self.idle.idle.connect(self.lock)
        self.idle.timer.setInterval(max(1, int(self._idle_minutes * 60_000)))
        self.idle.start()

    def lock(self) -> None:
        """The idle time passed: hide the main window behind the login window (the store and
        a running sync carry on); the same or another operator unlocks."""
        if self.main_window is None or self.login is not None:
            return
        if self.idle is not None:
            self.idle.stop()
        self.main_window.hide()
        self.show_login()
        if self.login is not None:
            self.login.show_locked(self.operator.username)

    def _unlocked(self) -> None:
        self.main_window.show()
        self.main_window.activateWindow()
        self.tasks.set_dialog_parent(self.main_window)
        if self.login is not None:
            self.login.close()
            self.login.deleteLater()
            self.login = None
        self._start_idle_lock()

    def _close_main_window(self) -> None:
        window = self.main_window
        self.main_window = None
        if window is not None:
            window.ask_on_close = False  # another operator logs in: nobody to answer
            window.close()
            window.deleteLater()

    def _make_sync(self) -> Any:
        from desktop.services.retention import purge_after_sync
        from desktop.sync.controller import SyncController

        store = self.store
        return SyncController(
            store,
            self.tasks,
            lang=self.lang.value,
            # retention: decided records past the period lose their personal data once a
            # pull has brought the decisions in
            after_pull=lambda: purge_after_sync(store),
            parent=self,
        )

    def _receipt_writer(self, ctx: DeskContext) -> Any:
        """Writes a receipt PDF for the office the context holds *at that moment* (enrolling
        in the window changes it, issue 13 defect 7), in Indonesian whatever the UI language
        (the receipt is the applicant's), in the layout of the print settings."""

        def write(registration: Any, path: Path) -> Path:
            from desktop.services.receipt import write_receipt_pdf
            from desktop.views.printing import PrintSettings

            # Loket keeps no receipt (issue 12): never one inside its own data folder
            if Path(path).resolve().is_relative_to(self.data_dir.resolve()):
                raise OSError(self.tr("receipts are not kept in Loket's data folder"))
            office = ctx.office_name_for(registration.provenance.office_code)
            layout = PrintSettings(ctx.ui_settings()).layout
            return write_receipt_pdf(
                registration, office, ctx.operator, path, layout=layout, zone_office=ctx.office_code
            )

        return write

    def _importer(self, operator: Any) -> Any:
        def run(path: Path, *, dry_run: bool = False, errors_path: Path | None = None) -> Any:
            from desktop.services.importer import import_csv

            return import_csv(
                self.store, path, operator=operator, dry_run=dry_run, errors_path=errors_path
            )

        return run

    def logout(self) -> None:
        if self.idle is not None:
            self.idle.stop()
        window = self.main_window
        self.main_window = None
        self.service = None
        self.operator = None
        self.show_login()
        if window is not None:
            window.ask_on_close = False  # the log-out action asked already
            window.close()
            window.deleteLater()

    # --- shut-down ------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Close the windows, let queued database work finish (a save must land), close the store."""
        if self._closed:
            return
        self._closed = True
        if self.main_window is not None:
            self.main_window.ask_on_close = False  # quitting: nobody to answer
            self.main_window.close()
        if self.login is not None:
            self.login.close()
        if self.sync is not None:
            self.sync.stop()  # cancel a running sync; it lets go at the next batch
        self.tasks.shutdown(wait=True)
        if self.store is None:  # a login opened it but its answer never reached the window
            self.store = self._pending_store
        if self.idle is not None:
            self.idle.remove()
        if self.store is not None:
            self.store.close()
            self.store = None
        if self._translator is not None:
            self.app.removeTranslator(self._translator)
            self._translator = None


def _warm_regions() -> Regions:
    areas = regions()
    areas.warm()
    return areas


def create_qapplication(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    QCoreApplication.setOrganizationName("Kemnaker")
    QCoreApplication.setApplicationName("Loket")
    app = QApplication(argv or sys.argv[:1])
    app.setApplicationDisplayName("Loket")
    return app


def _purge_old_receipts(data_dir: Path) -> None:
    """Receipts an earlier version kept in the data folder go at start-up too (a device that
    never syncs never runs the purge after a sync)."""
    from desktop.services.receipt import purge_stale_viewer_files
    from desktop.services.retention import purge_receipt_files

    try:
        purge_receipt_files(data_dir)
        purge_stale_viewer_files()  # "open PDF" copies a crash left behind
    except OSError:
        log.warning("old receipt files could not all be deleted", exc_info=True)


def _second_instance(app: QApplication, guard: Any, data_dir: Path, lang: str | None) -> int:
    """This data folder is open in another Loket: its window is raised and this one exits. If
    the other cannot be reached (it is starting or stuck), a plain message says so."""
    if guard.notify_first():
        log.info("Loket is already open on %s: its window was raised", data_dir)
        print(
            "Loket is already open for this data folder; its window was brought to the front.",
            file=sys.stderr,
        )
        return 0
    translator = install_translator(app, choose_language(lang, ui_settings(data_dir)))
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(
        QMessageBox.Icon.Information,
        app.applicationDisplayName(),
        QCoreApplication.translate(
            "LoketApp",
            "Loket is already open for this data folder in another "
            "window. Use that window, or close it first.",
        ),
    )
    box.setObjectName("alreadyRunningMessage")
    if not os.environ.get(EXIT_AFTER_SHOW_ENV):
        box.exec()
    if translator is not None:
        app.removeTranslator(translator)
    return 1


def main(args: Any) -> int:
    """Start the GUI (called by ``desktop.__main__`` with the parsed namespace)."""
    data_dir = paths.resolve_data_dir(getattr(args, "data_dir", None))
    paths.setup_logging(data_dir)
    from desktop import crash

    crash.install()  # an exception in any slot reaches the log and the clerk
    app = create_qapplication(["loket-desk", *getattr(args, "qt_args", [])])
    from desktop.instance import InstanceGuard

    guard = InstanceGuard(data_dir)
    if not guard.acquire():  # another Loket has this data folder open: bring it forward
        return _second_instance(app, guard, data_dir, getattr(args, "lang", None))
    _purge_old_receipts(data_dir)
    loket = LoketApp(app, data_dir, getattr(args, "lang", None))
    guard.raiseRequested.connect(loket.raise_window)
    app.aboutToQuit.connect(loket.shutdown)
    app.aboutToQuit.connect(guard.release)
    loket.start()
    if os.environ.get(EXIT_AFTER_SHOW_ENV):

        def shown() -> None:
            print(f"LOKET_LOGIN_SHOWN {time.monotonic():.6f}", flush=True)
            app.quit()

        QTimer.singleShot(0, shown)
    return app.exec()
