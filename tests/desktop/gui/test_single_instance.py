"""One app per data folder (issue 13, smaller items): a second start on the same folder
raises the first window and exits instead of opening the store a second time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from desktop.instance import LOCK_NAME, InstanceGuard

ROOT = Path(__file__).resolve().parents[3]


def test_the_second_guard_on_a_folder_raises_the_first(qtbot: Any, tmp_path: Path) -> None:
    first = InstanceGuard(tmp_path)
    assert first.acquire()
    try:
        second = InstanceGuard(tmp_path)
        assert not second.acquire()  # the lock is taken
        with qtbot.waitSignal(first.raiseRequested, timeout=5_000):
            assert second.notify_first()
        (tmp_path / "elsewhere").mkdir()
        other = InstanceGuard(tmp_path / "elsewhere")
        assert other.acquire()  # another folder is another app
        other.release()
    finally:
        first.release()
    assert InstanceGuard(tmp_path).acquire()  # released: the next start gets it


def _log(folder: Path) -> str:
    path = folder / "logs" / "loket-desk.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_a_second_app_on_the_same_folder_raises_the_first_and_exits(tmp_path: Path) -> None:
    folder = tmp_path / "desk"
    folder.mkdir()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    cmd = [sys.executable, "-m", "desktop", "--data-dir", str(folder)]
    first = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        for _ in range(600):  # the first has the lock and listens (up to 60 s on a busy machine)
            if (folder / LOCK_NAME).exists() and InstanceGuard(folder).notify_first(200):
                break
            assert first.poll() is None, first.stderr.read() if first.stderr else ""
            time.sleep(0.1)
        second = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 0, second.stderr
        assert "already open" in second.stderr
        assert first.poll() is None  # the first carries on
        for _ in range(100):
            if _log(folder).count("second instance was started on this data folder") >= 2:
                break
            time.sleep(0.1)
        assert (
            _log(folder).count("second instance was started on this data folder") >= 2
        )  # ours and the test's
    finally:
        first.terminate()
        first.wait(timeout=30)
