"""What the desktop screenshot scripts share: run on a real X display (re-exec under xvfb-run
at 1366x768 when there is none), pump the Qt event loop, wait for a state, grab the screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

WIDTH, HEIGHT = 1366, 768  # the smallest office screen the app must fit


def ensure_display(prog: str) -> None:
    """Without $DISPLAY, run this same command again under xvfb-run (and exit with its code)."""
    if not os.environ.get("DISPLAY") and not os.environ.get("LOKET_SCREENSHOTS_CHILD"):
        xvfb_run = shutil.which("xvfb-run")
        if xvfb_run is None:
            sys.exit(f"{prog}: no $DISPLAY and no xvfb-run (apt-get install xvfb xauth)")
        env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "LOKET_SCREENSHOTS_CHILD": "1"}
        cmd = [xvfb_run, "-a", "-s", f"-screen 0 {WIDTH}x{HEIGHT}x24", sys.executable, *sys.argv]
        sys.exit(subprocess.call(cmd, env=env))
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")


def start(prog: str, doc: str, root: Path) -> tuple[Path, str]:
    """The screenshot tools' common start: parse --out and --lang, make sure there is a
    display (re-running under xvfb-run if need be), create the output folder."""
    import argparse

    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--out", default=str(root / "docs" / "screenshots"))
    ap.add_argument("--lang", default="id", choices=("id", "en"))
    args = ap.parse_args()
    ensure_display(prog)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    return out, str(args.lang)


def pump(ms: int = 150) -> None:
    """Run the Qt event loop for ``ms`` milliseconds."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(
    prog: str, pred: Callable[[], bool], timeout: float = 20.0, step_ms: int = 50
) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{prog}: the app did not get there in time")
        pump(step_ms)


def shot(prog: str, out: Path, name: str, settle_ms: int = 300) -> Path:
    """Let the screen settle, grab it whole, save ``out/name.png``."""
    from PySide6.QtGui import QGuiApplication

    pump(settle_ms)
    pixmap = QGuiApplication.primaryScreen().grabWindow(0)
    path = out / f"{name}.png"
    pixmap.save(str(path))
    print(f"{prog}: {path} ({pixmap.width()}x{pixmap.height()})")
    return path
