"""Acceptance (issue 5, in the window): the real server in its own process, a real enrolled
device store, the main window with the sync controller and its status-bar widget.

* Registrations saved offline are sent by "Sinkronkan sekarang" (F9): the pending count in the
  status bar falls to zero and the last-sync time updates, while the event loop keeps running
  (a 20 ms timer keeps ticking through the sync).
* A decision made centrally shows on the record view after the next sync: the reviewer's note
  of a returned record, which is editable, and saving it makes revision 2.
* With the server stopped, the sync history lists the failed attempt in a clerk's words.
* Relative times ("3 menit yang lalu") in Indonesian and English.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel

from common import errors as E
from common.enums import Status
from common.i18n import Lang
from common.synthetic import generate
from desktop.application import install_translator
from desktop.services.operators import Operator
from desktop.services.registrations import RegistrationService
from desktop.store import Store
from desktop.sync.commands import enroll_device
from desktop.sync.controller import ConnectionState, SyncController
from desktop.sync.engine import BatchSizer, SyncOutcome
from desktop.sync.schedule import SyncSchedule
from desktop.tasks import TaskManager
from desktop.views.context import DeskContext
from desktop.views.main_window import MainWindow
from desktop.widgets.sync_status import relative_time
from tests.support.liveserver import LiveServer

pytestmark = pytest.mark.timeout(120)


def open_store(folder: Path) -> Store:
    """The device's store, encrypted with a fresh key."""
    from desktop.store.keys import KeySlots

    return Store.open(folder, KeySlots.new_key())


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    yield server
    server.stop()
    print(server.log_path.read_text(errors="replace")[-4000:])  # shown when a test fails


class Desk:
    """An enrolled device with the main window, the task manager and the sync controller."""

    def __init__(
        self,
        qtbot: Any,
        folder: Path,
        server: LiveServer,
        lang: Lang = Lang.ID,
        enroll: bool = True,
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.translator = install_translator(QApplication.instance(), lang)  # as the app does
        self.store = open_store(folder)
        if enroll:
            enroll_device(self.store, server.url, server.office_and_code("320101", "32.01"))
        operator = Operator("petugas", "Petugas Satu")
        self.service = RegistrationService(self.store, operator)
        self.tasks = TaskManager()
        # a long interval: only the test (F9 / sync_now) starts a sync; small batches so a
        # sync takes a while and reports progress
        self.sync = SyncController(
            self.store,
            self.tasks,
            schedule=SyncSchedule(interval_s=3600),
            sizer=BatchSizer(initial=10, minimum=10, maximum=10),
            lang=lang.value,
            use_network_information=False,
        )
        ctx = DeskContext(
            operator=operator,
            lang=lang,
            data_dir=folder,
            office_name="Disnaker Kab. Bogor",
            write_receipt=lambda reg, path: path,
            import_csv=lambda *a, **k: None,
        )
        self.window = MainWindow(self.service, self.tasks, ctx, None, sync=self.sync)
        qtbot.addWidget(self.window)
        self.window.show()
        qtbot.waitExposed(self.window)
        self.status = self.window.sync_status
        if not enroll:
            self.sync.start()
            qtbot.waitUntil(lambda: self.status.state_label.text() == "Perangkat belum didaftarkan")
            return
        # started as the app starts it: reads the store, then syncs by itself (nothing yet)
        with qtbot.waitSignal(self.sync.finished, timeout=30_000) as first:
            self.sync.start()
        assert first.args[0].outcome is SyncOutcome.OK
        assert self.sync.state is ConnectionState.ONLINE

    def save(self, n: int, seed: int) -> list[str]:
        ids = []
        for sample in generate(n, seed, today=date.today()):
            result = self.service.save(sample.applicant)
            assert result.ok, result.problems
            ids.append(result.registration.id)
        self.window.update_pending()  # what a save in the form does
        return ids

    def sync_and_wait(self, qtbot: Any) -> Any:
        with qtbot.waitSignal(self.sync.finished, timeout=60_000) as blocker:
            assert self.sync.sync_now()
        return blocker.args[0]

    def close(self) -> None:
        self.sync.stop()
        self.window.close()
        self.tasks.shutdown(wait=True)
        self.store.close()
        install_translator(QApplication.instance(), Lang.EN, self.translator)


@pytest.fixture
def desk(qtbot: Any, tmp_path: Path, live_server: LiveServer) -> Iterator[Desk]:
    d = Desk(qtbot, tmp_path / "desk", live_server)
    yield d
    d.close()


def test_pending_falls_to_zero_and_last_sync_updates_while_the_window_responds(
    qtbot, desk: Desk
) -> None:
    status = desk.status
    assert status.last_label.text() == "Sinkronisasi terakhir: baru saja"  # the first, automatic
    desk.save(120, seed=5)
    qtbot.waitUntil(lambda: status.pending_label.text() == "Menunggu dikirim: 120")
    assert status.button.text() == "Sinkronkan sekarang"

    # the event loop must keep running during the sync: a 20 ms timer counts its ticks
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()) if desk.sync.syncing else None)
    timer.start()
    pending_seen: list[str] = []
    bar_seen: list[str] = []
    desk.sync.pending_changed.connect(lambda n: pending_seen.append(n))
    desk.sync.progress.connect(
        lambda _p: bar_seen.append(status.bar.text()) if status.bar.isVisible() else None
    )

    desk.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is desk.window)
    started = time.perf_counter()
    with qtbot.waitSignal(desk.sync.finished, timeout=60_000) as blocker:
        qtbot.keyClick(desk.window, Qt.Key.Key_F9)  # "Sinkronkan sekarang"
        assert desk.sync.syncing
        assert status.state_label.text() == "Menyinkronkan…"
    seconds = time.perf_counter() - started
    timer.stop()
    report = blocker.args[0]

    assert report.outcome is SyncOutcome.OK, report
    assert report.sent == 120 and report.pending_after == 0
    assert status.pending_label.text() == "Menunggu dikirim: 0"
    assert pending_seen[-1] == 0
    assert status.last_label.text() == "Sinkronisasi terakhir: baru saja"
    assert desk.sync.last_success is not None
    assert datetime.now(UTC) - desk.sync.last_success < timedelta(minutes=1)
    assert status.state_label.text() == "Daring"
    assert not status.bar.isVisible()  # hidden again after the sync
    # responsive: the timer ticked all through the sync (12 batches of 10, each a request);
    # how many ticks fit depends on how fast the server is, so count against the duration
    # (a window frozen for the sync would see none or one)
    assert len(ticks) >= max(3, 0.5 * seconds / 0.020), (len(ticks), seconds)
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert max(gaps) < 0.5, max(gaps)
    if seconds > 1.0:  # a sync that lasts more than a moment shows records and bytes
        assert bar_seen and " data · " in bar_seen[-1], bar_seen
    # the list shows what came back
    assert desk.service.counts_by_status()[Status.RECEIVED] == 120


def test_a_central_decision_shows_on_the_record_and_the_correction_is_revision_2(
    qtbot, desk: Desk, live_server: LiveServer
) -> None:
    from syncserver.db import make_engine, session_factory
    from syncserver.decisions import record_decision

    returned, rejected = desk.save(2, seed=9)
    assert desk.sync_and_wait(qtbot).outcome is SyncOutcome.OK

    engine = make_engine(f"sqlite:///{live_server.data_dir / 'loket-server.db'}")
    try:
        with session_factory(engine)() as s:
            record_decision(
                s, returned, "returned", "reviewer1", note="Nama ibu kandung salah ketik"
            )
            record_decision(s, rejected, "rejected", "reviewer1", reason="not_eligible")
            s.commit()
    finally:
        engine.dispose()

    report = desk.sync_and_wait(qtbot)
    assert report.outcome is SyncOutcome.OK and report.changes_applied == 2, report

    window = desk.window
    window.open_record(rejected)
    qtbot.waitUntil(lambda: window.dialog("recordView") is not None)
    view = window.dialog("recordView")
    reason = view.findChild(QLabel, "rejectReason")
    assert (
        reason is not None
        and reason.text() == "Alasan penolakan: Tidak memenuhi persyaratan program"
    )
    assert not view.edit_button.isEnabled()
    view.reject()
    qtbot.waitUntil(lambda: window.dialog("recordView") is None)

    window.open_record(returned)
    qtbot.waitUntil(lambda: window.dialog("recordView") is not None)
    view = window.dialog("recordView")
    note = view.findChild(QLabel, "reviewNote")
    assert note is not None and note.text() == "Catatan pemeriksa: Nama ibu kandung salah ketik"
    assert view.findChild(QLabel, "returnedHint") is not None
    assert view.edit_button.isEnabled()
    qtbot.keyClick(view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # edit
    form = window.form
    qtbot.waitUntil(lambda: form.registration_id == returned)
    form.boxes["mother_maiden_name"].editor.setText("Siti Aminah")
    with qtbot.waitSignal(form.saved, timeout=10_000) as saved:
        window.save()
    assert saved.args[0].provenance.revision == 2
    qtbot.waitUntil(lambda: desk.status.pending_label.text() == "Menunggu dikirim: 1")

    report = desk.sync_and_wait(qtbot)
    assert report.outcome is SyncOutcome.OK and report.sent == 1, report
    assert desk.service.get(returned).provenance.status is Status.RECEIVED
    assert desk.service.get(returned).provenance.revision == 2
    qtbot.waitUntil(lambda: desk.status.pending_label.text() == "Menunggu dikirim: 0")


def test_the_history_shows_a_failed_attempt_in_words_a_clerk_understands(
    qtbot, desk: Desk, live_server: LiveServer
) -> None:
    desk.save(3, seed=12)
    assert desk.sync_and_wait(qtbot).outcome is SyncOutcome.OK
    desk.save(2, seed=13)
    live_server.stop()

    report = desk.sync_and_wait(qtbot)
    assert report.outcome is SyncOutcome.UNREACHABLE and report.error_code == E.SERVER_UNREACHABLE
    assert desk.sync.state is ConnectionState.OFFLINE
    assert desk.status.state_label.text().startswith("Luring · mencoba lagi pukul ")
    assert desk.status.state_label.toolTip() == E.message(E.SERVER_UNREACHABLE, {}, "id")
    assert desk.status.pending_label.text() == "Menunggu dikirim: 2"  # nothing lost
    assert desk.sync.next_attempt_in_ms() is not None  # backing off, will try again

    window = desk.window
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)  # Sync history
    qtbot.waitUntil(lambda: window.dialog("syncHistoryView") is not None)
    history = window.dialog("syncHistoryView")
    qtbot.waitUntil(lambda: history.table.rowCount() == 3)  # the automatic first sync too
    table = history.table
    newest = [table.item(0, c).text() for c in range(table.columnCount())]
    older = [table.item(1, c).text() for c in range(table.columnCount())]
    assert newest[2] == "Server tak terjangkau"
    assert newest[7] == "Server tidak dapat dihubungi; data tetap tersimpan dan akan dikirim nanti."
    assert older[2] == "Berhasil" and older[3] == "3" and older[4] == "3" and older[7] == ""
    # the history follows the next attempt while it is open
    desk.sync_and_wait(qtbot)
    qtbot.waitUntil(lambda: history.table.rowCount() == 4)


def test_the_enroll_dialog_enrolls_the_device_and_sync_starts(
    qtbot, tmp_path: Path, live_server: LiveServer
) -> None:
    desk = Desk(qtbot, tmp_path / "new-desk", live_server, enroll=False)
    try:
        assert not desk.status.sync_action.isEnabled()
        window = desk.window
        window.open_enroll()  # the menu's "Daftarkan perangkat…"
        qtbot.waitUntil(lambda: window.dialog("enrollDialog") is not None)
        dialog = window.dialog("enrollDialog")
        dialog.url.setText(live_server.url)
        dialog.code.setText("BUKAN-KODE")
        dialog.submit()
        qtbot.waitUntil(
            lambda: not dialog.error.isHidden() and dialog.enroll_button.isEnabled(), timeout=20_000
        )
        assert dialog.error.text() == E.message(E.ENROLL_CODE_INVALID, {}, "id"), (
            dialog.error.text()
        )
        dialog.code.setText(live_server.office_and_code("320101", "32.01"))
        with qtbot.waitSignal(desk.sync.finished, timeout=30_000) as first:
            qtbot.keyClick(dialog.code, Qt.Key.Key_Return)  # Enter: "Daftarkan"
        assert first.args[0].outcome is SyncOutcome.OK
        assert window.dialog("enrollDialog") is None
        assert desk.status.state_label.text() == "Daring"
        assert desk.status.sync_action.isEnabled()
    finally:
        desk.close()


def test_relative_time_in_indonesian_and_english(qtbot) -> None:
    app = QApplication.instance()
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    cases = [
        (None, "belum pernah", "never"),
        (now - timedelta(seconds=20), "baru saja", "just now"),
        (now + timedelta(minutes=5), "baru saja", "just now"),  # a device clock behind
        (now - timedelta(minutes=1, seconds=10), "1 menit yang lalu", "1 minute ago"),
        (now - timedelta(minutes=3), "3 menit yang lalu", "3 minutes ago"),
        (now - timedelta(hours=1), "1 jam yang lalu", "1 hour ago"),
        (now - timedelta(hours=2, minutes=59), "2 jam yang lalu", "2 hours ago"),
        (now - timedelta(days=1, hours=3), "kemarin", "yesterday"),
        (now - timedelta(days=5), "5 hari yang lalu", "5 days ago"),
    ]
    translator = install_translator(app, Lang.ID)
    try:
        assert [relative_time(t, now) for t, _, _ in cases] == [i for _, i, _ in cases]
    finally:
        install_translator(app, Lang.EN, translator)
    assert [relative_time(t, now) for t, _, _ in cases] == [e for _, _, e in cases]
