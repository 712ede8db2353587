"""The main window fits the screen it opens on: 1366x768 where there is room, at most 90 % of
the free area of a smaller or scaled screen (1366x768 at 125 % is 1093x614 logical pixels, and
1366x768 did not fit it). Run in a child process on the offscreen platform configured as that
screen: the test process's own QApplication cannot change its screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

CHILD = r"""
import sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from common.i18n import Lang
from desktop.services.operators import Operator
from desktop.services.registrations import RegistrationService
from desktop.store import Store
from desktop.store.keys import KeySlots
from desktop.tasks import TaskManager
from desktop.views.context import DeskContext
from desktop.views.main_window import MainWindow

app = QApplication([])
folder = Path(sys.argv[1])
store = Store.open(folder, KeySlots.new_key())
operator = Operator("petugas", "Petugas Satu")
ctx = DeskContext(operator=operator, lang=Lang.ID, data_dir=folder, office_name="Kantor",
                  write_receipt=lambda _r, path: path, import_csv=lambda *a, **k: None)
tasks = TaskManager()
window = MainWindow(RegistrationService(store, operator), tasks, ctx, None)
window.show()
app.processEvents()
free = window.screen().availableGeometry()
print("RESULT", free.width(), free.height(), window.width(), window.height(), flush=True)
window.ask_on_close = False
window.close()
tasks.shutdown()
store.close()
"""


def _run(tmp_path: Path, width: int, height: int, scale: str) -> tuple[int, ...]:
    config = tmp_path / "screen.json"
    screen = {
        "name": "counter",
        "x": 0,
        "y": 0,
        "width": width,
        "height": height,
        "logicalDpi": 96,
        "logicalBaseDpi": 96,
        "dpr": 1,
    }
    config.write_text(json.dumps({"screens": [screen]}))
    folder = tmp_path / "desk"
    folder.mkdir()
    env = {
        **os.environ,
        "QT_SCALE_FACTOR": scale,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
    }
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT"))
    return tuple(map(int, line.split()[1:]))


def test_the_main_window_fits_1366x768_at_125_percent(tmp_path: Path) -> None:
    sw, sh, w, h = _run(tmp_path, 1366, 768, "1.25")
    assert (sw, sh) == (1093, 614)
    assert w <= sw * 0.9 and h <= sh * 0.9, (w, h)


@pytest.mark.parametrize("screen", [(1920, 1080), (1600, 900)])
def test_the_main_window_is_1366x768_where_there_is_room(
    tmp_path: Path, screen: tuple[int, int]
) -> None:
    assert _run(tmp_path, *screen, "1")[2:] == (1366, 768)
