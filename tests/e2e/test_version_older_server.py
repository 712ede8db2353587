"""A desktop with the version handshake against a server from before it (issue 18 #5): that
server refuses the unknown pull name ``client_version`` (``UNKNOWN_FIELD``), so the desktop
asks again without it and syncs as before; no versions are stored.

The older server is the real one: this repository's ``common`` and ``syncserver`` at the
commit before the handshake (``git archive``), run as ``loket-server`` from that tree."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.services.operators import create_first_operator
from desktop.store import settings as S
from desktop.sync.commands import enroll_device, make_client
from desktop.sync.engine import SyncEngine, SyncOutcome
from tests.support import liveserver, unavailable
from tests.support.liveserver import LiveServer

pytestmark = pytest.mark.timeout(180)

#: the last commit whose server does not know ``client_version``
BEFORE_HANDSHAKE = "545029e"


@pytest.fixture
def older_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    git = shutil.which("git")
    if git is None or not (liveserver.ROOT / ".git").exists():
        unavailable("git and the repository's history are needed for the older server")
    archive = subprocess.run(
        [git, "-C", str(liveserver.ROOT), "archive", BEFORE_HANDSHAKE, "common", "syncserver"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        unavailable(f"commit {BEFORE_HANDSHAKE} is not in this checkout's history")
    tree = tmp_path / "older"
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(tree, filter="data")
    monkeypatch.setattr(liveserver, "ROOT", tree)  # `python -m syncserver.cli` from that tree
    server = LiveServer(tmp_path / "server").start()
    yield server
    server.stop()
    print(server.log_path.read_text(errors="replace")[-4000:])


def test_an_older_server_is_asked_again_without_the_version(
    tmp_path: Path, older_server: LiveServer
) -> None:
    # the server runs the older code, which does not know the name
    assert "client_version" not in (liveserver.ROOT / "syncserver" / "api" / "sync.py").read_text()
    store, _ = create_first_operator(tmp_path / "desk", "petugas", "rahasia-sekali", "Petugas")
    try:
        enroll_device(store, older_server.url, older_server.office_and_code("320101", "32.01"))
        client = make_client(store)
        assert client.send_version
        report = SyncEngine(store, client).run()
        assert report.outcome is SyncOutcome.OK, report
        assert not client.send_version  # learned from the refusal; later pulls go without
        client.close()
        with store.read() as s:
            assert S.CLIENT_MIN_VERSION.get(s) is None and S.CLIENT_CURRENT_VERSION.get(s) is None
        log = older_server.log_path.read_text()
        assert '"GET /api/v1/sync/pull" 400' in log  # asked first with it, refused
        assert '"GET /api/v1/sync/pull" 200' in log
    finally:
        store.close()
