"""The one background-work primitive of the desktop app (shaped like Anki's ``TaskManager``).

* ``run_db(fn, ...)``: everything that touches the local database runs here, on ONE worker
  thread, so writes are serialised in the order they were asked for (opening the store, a
  login, a save and the next search queue up behind each other).
* ``run_io(fn, ...)``: a small pool for network calls and other slow work that does not write
  the database (building the village search index, the sync client's HTTP calls).

The result (or the exception) comes back to the GUI thread through a queued signal and is
handed to ``on_done(result)`` / ``on_error(exc)`` there. Two rules:

1. work running in the background never touches a widget (it gets plain data, returns plain
   data);
2. an exception the caller did not handle (no ``on_error``) surfaces as an error dialog.

Cancelling and progress belong to the job, not to this primitive: the one long job, the sync,
takes a ``threading.Event`` its controller sets at quit and log-out, and reports structured
progress through the controller's own signal (sync/controller.py).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

import desktop.qt_compat  # noqa: F401  (before any signal is emitted)
from desktop.i18n import arg, catalog_message

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class TaskManager(QObject):
    """Runs callables off the GUI thread and delivers their outcome back on it."""

    #: (callback, payload, is_error), emitted from worker threads, delivered queued.
    _delivered = Signal(object, object, bool)
    #: emitted on the GUI thread after every callback ran (tests wait on it)
    finished = Signal()

    def __init__(self, parent_widget: QWidget | None = None, io_workers: int = 3) -> None:
        super().__init__()
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="loket-db")
        self._io = ThreadPoolExecutor(max_workers=io_workers, thread_name_prefix="loket-io")
        self._parent_widget = parent_widget
        self._pending = 0
        self._closed = False
        self._delivered.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    # --- public ---------------------------------------------------------------------------
    def set_dialog_parent(self, widget: QWidget | None) -> None:
        self._parent_widget = widget

    def run_db(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Done | None = None,
        on_error: Failed | None = None,
        **kwargs: Any,
    ) -> Future[Any]:
        """Run ``fn(*args, **kwargs)`` on the single database worker."""
        return self._submit(self._db, fn, args, kwargs, on_done, on_error)

    def run_io(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Done | None = None,
        on_error: Failed | None = None,
        **kwargs: Any,
    ) -> Future[Any]:
        """Run ``fn(*args, **kwargs)`` on the network / slow-work pool (never writes the DB)."""
        return self._submit(self._io, fn, args, kwargs, on_done, on_error)

    @property
    def closed(self) -> bool:
        """Shut down: no more work is taken (a late signal's refresh checks it)."""
        return self._closed

    @property
    def pending(self) -> int:
        """Jobs submitted whose callbacks have not run yet."""
        return self._pending

    def shutdown(self, wait: bool = True) -> None:
        """Finish queued database work (a save must land), then stop both pools."""
        self._closed = True
        self._db.shutdown(wait=wait)
        self._io.shutdown(wait=False, cancel_futures=True)

    # --- internals ------------------------------------------------------------------------
    def _submit(
        self,
        pool: ThreadPoolExecutor,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        on_done: Done | None,
        on_error: Failed | None,
    ) -> Future[Any]:
        if self._closed:
            raise RuntimeError("TaskManager is shut down")
        self._pending += 1

        def work() -> Any:
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # delivered to the GUI thread, never lost
                try:
                    exc.__loket_tb__ = traceback.format_exc()  # type: ignore[attr-defined]
                except (
                    AttributeError,
                    TypeError,
                ):  # frozen/slotted exceptions (common.errors.ApiError)
                    pass
                self._delivered.emit(on_error or self._show_error, exc, True)
                raise
            self._delivered.emit(on_done, result, False)
            return result

        return pool.submit(work)

    @Slot(object, object, bool)
    def _deliver(
        self, callback: Callable[[Any], None] | None, payload: Any, is_error: bool
    ) -> None:
        self._pending -= 1
        try:
            if callback is not None:
                callback(payload)
        finally:
            self.finished.emit()

    def _show_error(self, exc: BaseException) -> None:
        tb = getattr(exc, "__loket_tb__", "")
        log.error("background task failed: %r\n%s", exc, tb)
        box = QMessageBox(self._parent_widget)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(self.tr("Something went wrong"))
        known = catalog_message(exc)  # the catalog's words, never str(exc) (English, technical)
        box.setText(
            arg(self.tr("The operation could not be completed: %1"), known)
            if known
            else self.tr("The operation could not be completed. The details are in the app's log.")
        )
        box.setDetailedText(tb)
        box.setObjectName("taskErrorDialog")
        box.open()
