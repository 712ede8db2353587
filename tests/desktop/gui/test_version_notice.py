"""The version handshake in the window (issue 18 #5): a real server in its own process states
its minimum and current client versions (``LOKET_CLIENT_MIN_VERSION`` /
``LOKET_CLIENT_CURRENT_VERSION``); the engine stores them, the status bar says "Pembaruan
wajib" or "Versi baru tersedia", and a desktop below the minimum keeps saving and syncing (the
server accepts its records)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from common import __version__
from desktop.services.bundles import export_bundle
from desktop.store import settings as S
from desktop.sync.commands import sync_once
from desktop.sync.engine import SyncOutcome
from desktop.sync.versions import APP_VERSION, VersionState, notice
from tests.desktop.gui.test_sync_ui import Desk
from tests.support.liveserver import LiveServer

pytestmark = pytest.mark.timeout(120)


def _server(tmp_path: Path, **versions: str) -> LiveServer:
    env = {f"LOKET_{k.upper()}": v for k, v in versions.items()}
    return LiveServer(tmp_path / "server", env=env).start()


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[LiveServer]]:
    started: list[LiveServer] = []
    yield started
    for s in started:
        s.stop()
        print(s.log_path.read_text(errors="replace")[-3000:])


def test_below_the_minimum_the_clerk_is_told_and_keeps_working(
    qtbot: Any, tmp_path: Path, servers: list[LiveServer]
) -> None:
    server = _server(tmp_path, client_min_version="9.0.0", client_current_version="9.1.0")
    servers.append(server)
    desk = Desk(qtbot, tmp_path / "desk", server)  # enrolls, then its first sync runs
    try:
        with desk.store.read() as s:  # the engine stored what the pull answer said
            assert S.CLIENT_MIN_VERSION.get(s) == "9.0.0"
            assert S.CLIENT_CURRENT_VERSION.get(s) == "9.1.0"
        label = desk.status.version_label
        qtbot.waitUntil(label.isVisible)
        assert label.text() == "Pembaruan wajib: versi minimum 9.0.0; hubungi petugas TI"
        assert APP_VERSION in label.toolTip() and "9.1.0" in label.toolTip()
        # saving is not blocked, and the server accepts the records of a client below minimum
        desk.save(3, seed=11)
        # nor is exporting: the records go into a bundle file as well
        exported = export_bundle(desk.store, tmp_path / "out.loket", operator="petugas")
        assert exported.records == 3 and (tmp_path / "out.loket").stat().st_size > 0
        report = desk.sync_and_wait(qtbot)
        assert report.outcome is SyncOutcome.OK, report
        assert report.sent == 3 and report.outcomes == {"accepted": 3}
        assert desk.status.pending_label.text() == "Menunggu dikirim: 0"
        # `loket-desk sync` says it too
        lines: list[str] = []
        code, _ = sync_once(desk.store, say=lines.append, lang="en")
        assert int(code) == 0
        assert any(line.startswith("update required:") and "9.0.0" in line for line in lines)
    finally:
        desk.close()


def test_a_newer_version_is_announced(
    qtbot: Any, tmp_path: Path, servers: list[LiveServer]
) -> None:
    server = _server(tmp_path, client_current_version="0.9.0")
    servers.append(server)
    desk = Desk(qtbot, tmp_path / "desk", server)
    try:
        label = desk.status.version_label
        qtbot.waitUntil(label.isVisible)
        assert label.text() == "Versi baru tersedia: 0.9.0"
        lines: list[str] = []
        sync_once(desk.store, say=lines.append, lang="en")
        assert "new version available: 0.9.0 (this is 0.1.0)" in lines
    finally:
        desk.close()


def test_an_up_to_date_desktop_shows_nothing(
    qtbot: Any, tmp_path: Path, servers: list[LiveServer]
) -> None:
    server = _server(tmp_path)
    servers.append(server)
    desk = Desk(qtbot, tmp_path / "desk", server)
    try:
        with desk.store.read() as s:
            assert S.CLIENT_CURRENT_VERSION.get(s) == __version__
        assert desk.sync.versions.state is VersionState.UP_TO_DATE
        assert not desk.status.version_label.isVisible()
    finally:
        desk.close()


def test_what_the_versions_mean() -> None:
    assert notice(None, None, "0.1.0").state is VersionState.UNKNOWN
    assert notice("0.1.0", "0.1.0", "0.1.0").state is VersionState.UP_TO_DATE
    assert notice("0.1.0", "0.1.10", "0.1.9").state is VersionState.AVAILABLE
    assert notice("0.2.0", "0.3.0", "0.1.9").state is VersionState.REQUIRED
    assert notice("1.0", "1.0.0", "1.0.0rc1").state is VersionState.UP_TO_DATE
