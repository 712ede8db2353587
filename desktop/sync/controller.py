"""Automatic sync in the app (``SyncController``): when to sync, one sync at a time, off the
GUI thread, and what the status bar needs to know.

* The sync itself is :meth:`SyncEngine.run`, run in ``TaskManager.run_io`` (never on the GUI
  thread) with a ``threading.Event`` to cancel it between batches and HTTP calls.
* When: :class:`SyncSchedule` (a regular interval while things work, exponential back-off with
  jitter while the server cannot be reached, nothing automatic while the device is refused).
  Before an automatic sync after a failed one, ``SyncClient.health()`` is the real check
  (after one that worked, the sync's own first request is); the operating system's
  connectivity hint (``QNetworkInformation``, default backend) only says "do not bother, the
  cable is out" and "the network is back, try soon". Without a backend the health check alone
  decides, at the schedule's pace.
* What the views see: signals carrying plain data (``state_changed``, ``progress``,
  ``finished``, ``pending_changed``, ``last_success_changed``). The widget formats and
  throttles them.

Injected: the store (read for the pending count and the last success, written by the engine)
and the task manager; the client factory and schedule are seams for tests.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

import desktop.qt_compat  # noqa: F401  (before any signal is emitted)
from common import errors as E
from common.errors import ApiError
from common.record import parse_datetime
from desktop.store import Store
from desktop.store import settings as S
from desktop.store.queries import outbox
from desktop.store.queries import sync as runs
from desktop.store.queries.sync import SyncRunRow as SyncRunRow
from desktop.sync.client import SyncClient
from desktop.sync.commands import make_client
from desktop.sync.engine import BatchSizer, SyncEngine, SyncOutcome, SyncProgress, SyncReport
from desktop.sync.link import LinkEstimate
from desktop.sync.schedule import SyncSchedule
from desktop.sync.versions import VersionNotice, VersionState, notice

if TYPE_CHECKING:
    from desktop.tasks import TaskManager

log = logging.getLogger(__name__)


class ConnectionState(StrEnum):
    ONLINE = "online"  # the server answered the last time we asked
    OFFLINE = "offline"  # no network, or the server could not be reached
    SYNCING = "syncing"
    REFUSED = "refused"  # the server refused this device (revoked, credential, TLS)
    NOT_ENROLLED = "not_enrolled"


@dataclass(frozen=True, slots=True)
class SyncSnapshot:
    """What the status bar shows, read from the store in one go."""

    enrolled: bool
    pending: int
    last_success: datetime | None
    #: the server's stated client versions (desktop/sync/versions.py)
    versions: VersionNotice = VersionNotice(VersionState.UNKNOWN, None, None)


def read_snapshot(store: Store) -> SyncSnapshot:
    """Read without the write lock (a sync writing meanwhile does not hold it up)."""
    with store.read() as s:
        enrolled = S.ENROLLED.get(s)
        last = S.LAST_SYNC_SUCCESS.get(s)
        pending = outbox.pending_count(s)
        stated = notice(S.CLIENT_MIN_VERSION.get(s), S.CLIENT_CURRENT_VERSION.get(s))
    return SyncSnapshot(enrolled, pending, parse_datetime(last) if last else None, stated)


def read_history(store: Store, limit: int = 500) -> list[SyncRunRow]:
    """The newest sync attempts first."""
    with store.read() as s:
        return runs.history(s, limit)


ClientFactory = Callable[[Store], SyncClient]


class SyncController(QObject):
    """Owns automatic sync for one store. Lives on the GUI thread."""

    state_changed = Signal(str)  # ConnectionState value
    started = Signal()
    progress = Signal(object)  # SyncProgress (records sent / total, bytes)
    finished = Signal(object)  # SyncReport
    pending_changed = Signal(int)
    last_success_changed = Signal(object)  # datetime | None
    enrolled_changed = Signal(bool)
    versions_changed = Signal(object)  # VersionNotice
    #: when the next automatic attempt is due (aware datetime), or None when none is planned
    next_attempt_changed = Signal(object)

    #: emitted from the worker thread; delivered queued to the GUI thread
    _worker_progress = Signal(object)

    def __init__(
        self,
        store: Store,
        tasks: TaskManager,
        *,
        schedule: SyncSchedule | None = None,
        client_factory: ClientFactory | None = None,
        sizer: BatchSizer | None = None,
        lang: str = "id",
        use_network_information: bool = True,
        after_save_s: float = 2.0,
        after_pull: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        """``after_pull`` runs on the I/O worker once each sync's pull has completed (the app
        passes the retention purge, services/retention.purge_after_sync)."""
        super().__init__(parent)
        self._after_pull = after_pull
        self.store = store
        self.tasks = tasks
        self.schedule = schedule or SyncSchedule()
        self.lang = lang
        self._client_factory: ClientFactory = client_factory or (lambda st: make_client(st, lang))
        self._sizer = sizer or BatchSizer()  # the link's learnt batch size outlives one run
        self._link = LinkEstimate()  # and so does what was measured of the link
        self._state = ConnectionState.NOT_ENROLLED
        self._enrolled = False
        self._pending = -1
        self._last_success: datetime | None = None
        self._versions = VersionNotice(VersionState.UNKNOWN, None, None)
        self._cancel = threading.Event()
        self._future: Future[Any] | None = None
        self._checking = False
        self._started = False
        self._stopped = False
        self._again = False  # a record was saved while a sync ran: one more right after it
        #: seconds from a save to its sync while online (a few saves in a row share it)
        self.after_save_s = after_save_s
        self.last_report: SyncReport | None = None

        self._timer = QTimer(self)  # the next automatic attempt
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._automatic_attempt)
        self._network: Any = None
        if use_network_information:
            self._network = _load_network_information()
            if self._network is not None:
                self._network.reachabilityChanged.connect(self._reachability_changed)
        self._worker_progress.connect(self._deliver_progress, Qt.ConnectionType.QueuedConnection)

    # --- public ---------------------------------------------------------------------------
    @property
    def state(self) -> ConnectionState:
        return self._state

    @property
    def syncing(self) -> bool:
        return self._future is not None

    @property
    def pending(self) -> int:
        return max(self._pending, 0)

    @property
    def last_success(self) -> datetime | None:
        return self._last_success

    @property
    def versions(self) -> VersionNotice:
        """What the server last said of this desktop's version (an update required or
        available); it never stops saving or syncing."""
        return self._versions

    @property
    def has_network_hint(self) -> bool:
        return self._network is not None

    def start(self) -> None:
        """Read the store's state, then sync soon if enrolled."""
        self._started = True
        self._stopped = False
        self._refresh(then_sync=True)

    def stop(self, wait_s: float = 10.0) -> None:
        """Stop scheduling, cancel a running sync and wait (a little) for it to let go."""
        self._stopped = True
        self._timer.stop()
        self._cancel.set()
        future = self._future
        if future is not None and wait_s > 0:
            try:
                future.result(timeout=wait_s)
            except Exception:  # cancelled, timed out, failed: we are leaving
                log.info("sync still running at shut-down; it stops at the next batch")

    def cancel(self) -> None:
        """Cancel the running sync (it stops between batches; nothing sent is lost)."""
        self._cancel.set()

    def sync_now(self) -> bool:
        """A person asked: sync now, whatever the schedule says. False if one is running."""
        if self._stopped or self._future is not None:
            return False
        self._timer.stop()
        self._run_sync()
        return True

    def refresh_pending(self) -> None:
        """Re-read the pending count (after a save or an import); cheap."""
        if not self._stopped:
            self.tasks.run_db(
                read_snapshot,
                self.store,
                on_done=self._apply_snapshot,
                on_error=self._snapshot_failed,
            )

    def record_saved(self) -> None:
        """A record was saved (or corrected, or imported): send it soon when the server is
        known to answer (the last sync or health check succeeded), instead of at the next
        interval (up to ``interval_s``). Several saves in a row are one sync: an attempt
        already due sooner stays as it is, and a save during a sync asks for one more right
        after it (its records may have missed the running push). Offline, the back-off keeps
        its pace. Never blocks: the sync runs on the I/O pool as always."""
        if self._stopped or not self._enrolled:
            return
        if self._future is not None or self._checking:
            self._again = True
            return
        if self._state is not ConnectionState.ONLINE:
            return
        remaining = self._timer.remainingTime() if self._timer.isActive() else -1
        if 0 <= remaining <= self.after_save_s * 1000:
            return
        self._plan(self.after_save_s)

    def device_enrolled(self) -> None:
        """The enroll dialog succeeded: start syncing."""
        self.schedule.failures = 0
        self._stopped = False
        self._refresh(then_sync=True)

    def next_attempt_in_ms(self) -> int | None:
        return self._timer.remainingTime() if self._timer.isActive() else None

    # --- state ----------------------------------------------------------------------------
    def _set_state(self, state: ConnectionState) -> None:
        if state is not self._state:
            self._state = state
            self.state_changed.emit(state.value)

    def _refresh(self, then_sync: bool = False) -> None:
        def done(snap: SyncSnapshot) -> None:
            self._apply_snapshot(snap)
            if not snap.enrolled:
                self._set_state(ConnectionState.NOT_ENROLLED)
            elif self._state is ConnectionState.NOT_ENROLLED:
                self._set_state(ConnectionState.OFFLINE)
            if then_sync and snap.enrolled and not self._stopped:
                self._plan(0.5)

        self.tasks.run_db(read_snapshot, self.store, on_done=done, on_error=self._snapshot_failed)

    def _apply_snapshot(self, snap: SyncSnapshot) -> None:
        if snap.enrolled != self._enrolled:
            self._enrolled = snap.enrolled
            self.enrolled_changed.emit(snap.enrolled)
        if snap.pending != self._pending:
            self._pending = snap.pending
            self.pending_changed.emit(snap.pending)
        if snap.last_success != self._last_success:
            self._last_success = snap.last_success
            self.last_success_changed.emit(snap.last_success)
        if snap.versions != self._versions:
            self._versions = snap.versions
            self.versions_changed.emit(snap.versions)

    def _snapshot_failed(self, exc: BaseException) -> None:
        log.warning("cannot read the sync state: %r", exc)

    def _plan(self, seconds: float | None) -> None:
        """Schedule the next automatic attempt (None: wait for a person)."""
        self._timer.stop()
        if seconds is None or self._stopped:
            self.next_attempt_changed.emit(None)
            return
        self._timer.start(max(0, int(seconds * 1000)))
        self.next_attempt_changed.emit(datetime.now(UTC) + timedelta(seconds=seconds))

    # --- automatic attempts -------------------------------------------------------------------
    @Slot()
    def _automatic_attempt(self) -> None:
        if self._stopped or self._future is not None or self._checking:
            return
        if not self._enrolled:
            self._set_state(ConnectionState.NOT_ENROLLED)
            return
        if self._network_says_offline():
            # the OS knows there is no network: no request; look again at the back-off pace
            self._set_state(ConnectionState.OFFLINE)
            self._plan(self.schedule.next_delay(SyncOutcome.UNREACHABLE))
            return
        if self._state is ConnectionState.ONLINE:
            # the last sync worked: the sync's own first request is the check (an idle
            # sync is one request, not a readiness check and then a pull)
            self._run_sync()
            return
        self._checking = True
        self.tasks.run_io(self._health, on_done=self._health_checked, on_error=self._health_failed)

    def _client(self) -> SyncClient:
        client = self._client_factory(self.store)
        client.link = self._link
        return client

    def _health(self) -> tuple[bool, SyncClient | None]:
        """The readiness check; when the server answers, its client (and its open
        connection: on a slow link a second TLS handshake costs seconds and kilobytes) goes
        on to the sync."""
        client = self._client()
        try:
            healthy = client.health()
        except BaseException:
            client.close()
            raise
        if not healthy:
            client.close()
            return False, None
        return True, client

    def _health_checked(self, result: tuple[bool, SyncClient | None]) -> None:
        self._checking = False
        healthy, client = result
        if self._stopped or self._future is not None:  # a person pressed "sync now" meanwhile
            if client is not None:
                client.close()
            return
        if healthy:
            self._run_sync(client)
        else:
            self._set_state(ConnectionState.OFFLINE)
            self._plan(self.schedule.next_delay(SyncOutcome.UNREACHABLE))

    def _health_failed(self, exc: BaseException) -> None:
        self._checking = False
        code = exc.code if isinstance(exc, ApiError) else ""
        if code == E.NOT_ENROLLED:
            self._set_state(ConnectionState.NOT_ENROLLED)
            return
        log.warning("health check failed: %r", exc)
        self._set_state(ConnectionState.OFFLINE)
        self._plan(self.schedule.next_delay(SyncOutcome.UNREACHABLE))

    def _network_says_offline(self) -> bool:
        if self._network is None:
            return False
        from PySide6.QtNetwork import QNetworkInformation

        return bool(self._network.reachability() == QNetworkInformation.Reachability.Disconnected)

    @Slot(object)
    def _reachability_changed(self, reachability: Any) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        R = QNetworkInformation.Reachability
        if self._stopped or not self._enrolled:
            return
        if reachability == R.Disconnected:
            if self._future is None:
                self._set_state(ConnectionState.OFFLINE)
        elif reachability in (R.Online, R.Site, R.Local) and self._future is None:
            # the network is back: try soon, whatever the back-off said
            self._plan(self.schedule.connectivity_returned())

    # --- the sync ----------------------------------------------------------------------------
    def _run_sync(self, client: SyncClient | None = None) -> None:
        self._cancel = threading.Event()
        cancel = self._cancel
        self._set_state(ConnectionState.SYNCING)
        self.started.emit()
        self._future = self.tasks.run_io(
            self._sync_job, cancel, client, on_done=self._sync_done, on_error=self._sync_failed
        )

    def _sync_job(
        self, cancel: threading.Event, client: SyncClient | None = None
    ) -> tuple[SyncReport, SyncSnapshot]:
        """Runs on the I/O pool: no widgets, plain data in and out. ``client``: the one
        the readiness check used, or None for a new one."""
        try:
            if client is None:
                client = self._client()
        except ApiError as exc:
            outcome = SyncOutcome.REFUSED if exc.code == E.NOT_ENROLLED else SyncOutcome.UNREACHABLE
            return SyncReport(outcome, error_code=exc.code), read_snapshot(self.store)
        try:
            engine = SyncEngine(
                self.store,
                client,
                sizer=self._sizer,
                after_pull=self._after_pull,
            )
            report = engine.run(self._worker_progress.emit, cancel)
        finally:
            client.close()
        return report, read_snapshot(self.store)

    @Slot(object)
    def _deliver_progress(self, p: SyncProgress) -> None:
        if self._future is not None:
            self.progress.emit(p)

    def _sync_done(self, result: tuple[SyncReport, SyncSnapshot]) -> None:
        report, snap = result
        self._future = None
        self.last_report = report
        self._apply_snapshot(snap)
        if report.error_code == E.NOT_ENROLLED or not snap.enrolled:
            state = ConnectionState.NOT_ENROLLED
        elif report.outcome is SyncOutcome.REFUSED:
            state = ConnectionState.REFUSED
        elif report.outcome is SyncOutcome.UNREACHABLE:
            state = ConnectionState.OFFLINE
        elif report.outcome is SyncOutcome.PARTIAL and report.error_code in (E.SERVER_UNREACHABLE,):
            state = ConnectionState.OFFLINE
        else:
            state = ConnectionState.ONLINE
        self._set_state(state)
        again, self._again = self._again, False
        self.finished.emit(report)
        if report.outcome is SyncOutcome.CANCELLED:
            if not self._stopped:
                self._plan(self.schedule.interval_s)
        elif state is not ConnectionState.NOT_ENROLLED:
            delay = self.schedule.next_delay(report.outcome)
            if again and state is ConnectionState.ONLINE and snap.pending:
                delay = self.after_save_s  # saved during the sync and not sent by it
            self._plan(delay)

    def _sync_failed(self, exc: BaseException) -> None:
        """The engine never raises for sync failures; this is a bug or a local problem."""
        self._future = None
        log.error("sync failed: %r\n%s", exc, getattr(exc, "__loket_tb__", ""))
        report = SyncReport(SyncOutcome.PARTIAL, error_code=E.INTERNAL_ERROR)
        self.last_report = report
        self._set_state(ConnectionState.OFFLINE)
        self.finished.emit(report)
        self._plan(self.schedule.next_delay(SyncOutcome.UNREACHABLE))


def _load_network_information() -> Any:
    """The OS connectivity hint, or None when no backend is available on this system."""
    try:
        from PySide6.QtNetwork import QNetworkInformation

        if not QNetworkInformation.loadDefaultBackend():
            return None
        info = QNetworkInformation.instance()
        if info is None:
            return None
        if not info.supports(QNetworkInformation.Feature.Reachability):
            return None
        return info
    except Exception:  # no plugin, no D-Bus: fall back to health checks
        log.info("no QNetworkInformation backend; relying on health checks")
        return None
