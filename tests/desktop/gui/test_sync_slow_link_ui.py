"""The app's automatic sync on a slow or absent link (issue 17): an automatic sync with
nothing to send opens one connection (the readiness check's goes on to the sync: on 2G each
TLS handshake costs seconds and kilobytes of metered data), and the status bar says when the
next try is and when a batch without an answer goes again. A real server behind
:class:`tests.support.slowlink.SlowLink` (which counts connections), the real controller
and status-bar widget."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from common.i18n import Lang
from desktop.application import install_translator
from desktop.store import Store
from desktop.store.keys import KeySlots
from desktop.sync.commands import enroll_device
from desktop.sync.controller import ConnectionState, SyncController
from desktop.sync.engine import SyncOutcome, SyncProgress
from desktop.sync.schedule import SyncSchedule
from desktop.tasks import TaskManager
from desktop.widgets.sync_status import SyncStatusWidget
from tests.support.liveserver import LiveServer
from tests.support.slowlink import SlowLink

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    yield server
    server.stop()


class Counter:
    """An enrolled store whose server is reached through a link that counts connections,
    with the controller and the status-bar widget in Indonesian."""

    def __init__(self, qtbot: Any, folder: Path, server: LiveServer) -> None:
        self.translator = install_translator(QApplication.instance(), Lang.ID)
        self.server = server
        self.link = SlowLink(server.port, rate_bps=50_000_000, rtt_s=0.0).start()
        self.store = Store.open(folder, KeySlots.new_key())
        enroll_device(self.store, self.link.url, server.office_and_code())
        self.tasks = TaskManager()
        self.sync = SyncController(
            self.store,
            self.tasks,
            schedule=SyncSchedule(interval_s=3600),
            use_network_information=False,
        )
        self.widget = SyncStatusWidget(self.sync, "id")
        qtbot.addWidget(self.widget)

    @property
    def log(self) -> str:
        """The server's access log so far."""
        return self.server.log_path.read_text(errors="replace")

    def close(self) -> None:
        self.sync.stop()
        self.tasks.shutdown(wait=True)
        self.store.close()
        self.link.stop()
        install_translator(QApplication.instance(), Lang.EN, self.translator)


@pytest.fixture
def counter(qtbot: Any, tmp_path: Path, live: LiveServer) -> Iterator[Counter]:
    c = Counter(qtbot, tmp_path / "desk", live)
    yield c
    c.close()


def test_an_automatic_sync_with_nothing_to_send_opens_one_connection(
    qtbot: Any, counter: Counter
) -> None:
    before = counter.link.connections
    with qtbot.waitSignal(counter.sync.finished, timeout=30_000) as done:
        counter.sync.start()  # reads the store, checks the server, syncs
    assert done.args[0].outcome is SyncOutcome.OK
    assert counter.link.connections - before == 1  # the check and the pull on one connection
    # once online, the next automatic sync is its pull alone: no readiness check first
    log = counter.log
    checks, pulls = log.count("GET /readyz"), log.count("GET /api/v1/sync/pull")
    with qtbot.waitSignal(counter.sync.finished, timeout=30_000) as again:
        counter.sync._plan(0.1)  # the schedule's next attempt, brought forward
    assert again.args[0].outcome is SyncOutcome.OK
    assert (counter.log.count("GET /readyz"), counter.log.count("GET /api/v1/sync/pull")) == (
        checks,
        pulls + 1,
    )


def test_offline_the_status_bar_says_when_it_tries_again(qtbot: Any, counter: Counter) -> None:
    counter.link.stop()  # nothing answers there any more
    counter.sync.start()
    qtbot.waitUntil(lambda: counter.sync.state is ConnectionState.OFFLINE, timeout=30_000)
    qtbot.waitUntil(lambda: "mencoba lagi pukul" in counter.widget.state_label.text())
    shown = re.search(r"pukul (\d\d):(\d\d)", counter.widget.state_label.text())
    assert shown is not None
    due = counter.sync.next_attempt_in_ms()
    assert due is not None
    expected = (datetime.now(UTC) + timedelta(milliseconds=due)).astimezone()
    assert abs(int(shown[1]) * 60 + int(shown[2]) - (expected.hour * 60 + expected.minute)) <= 1


def test_a_batch_without_an_answer_shows_when_it_goes_again(counter: Counter) -> None:
    widget = counter.widget
    at = datetime.now(UTC) + timedelta(seconds=40)
    widget._progress(SyncProgress("push", 1000, 200, 40_000, sending=300))
    widget._paint_progress()
    assert widget.bar.format() == "200 dari 1000 data · mengirim 300…"
    widget._progress(SyncProgress("retry", 1000, 200, 40_000, sending=300, retry_at=at))
    widget._paint_progress()
    local = at.astimezone().strftime("%H:%M:%S")
    assert widget.bar.format() == f"Belum ada jawaban untuk 300 data; dikirim lagi pukul {local}"
