"""A private Xvfb X server for tests that need a real window (QT_QPA_PLATFORM=xcb).

``Xvfb -displayfd`` picks a free display number itself and writes it to a pipe, so there is no
race on ``/tmp/.X<n>-lock``. Only local (unix socket) connections are accepted (-nolisten tcp).

The test process itself keeps Qt's offscreen platform (a QApplication cannot switch platform),
so code that needs the real display runs in a subprocess with :meth:`Xvfb.env`::

    with Xvfb() as x:
        subprocess.run([sys.executable, "-m", "desktop", ...], env=x.env(), check=True)
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any


class XvfbNotAvailable(RuntimeError):
    """Xvfb is not installed (apt-get install xvfb xauth)."""


def find_xvfb() -> str | None:
    return shutil.which("Xvfb")


class Xvfb:
    def __init__(self, width: int = 1280, height: int = 800, depth: int = 24) -> None:
        self.width, self.height, self.depth = width, height, depth
        self.display: str | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self._log_path: Path | None = None

    def start(self, timeout: float = 20.0) -> Xvfb:
        exe = find_xvfb()
        if exe is None:
            raise XvfbNotAvailable(
                "Xvfb not found (apt-get install xvfb xauth); run `make system-deps`"
            )
        fd, log_name = tempfile.mkstemp(prefix="loket-xvfb-", suffix=".log")
        self._log_path = Path(log_name)
        r, w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [
                    exe,
                    "-displayfd",
                    str(w),
                    "-screen",
                    "0",
                    f"{self.width}x{self.height}x{self.depth}",
                    "-nolisten",
                    "tcp",
                    "-noreset",
                ],
                pass_fds=(w,),
                stdin=subprocess.DEVNULL,
                stdout=fd,
                stderr=fd,
                start_new_session=True,
            )
        finally:
            os.close(w)
            os.close(fd)
        buf = b""
        deadline = time.monotonic() + timeout
        try:
            while not buf.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    break
                ready, _, _ = select.select([r], [], [], min(left, 0.5))
                if ready:
                    chunk = os.read(r, 64)
                    if not chunk:
                        break
                    buf += chunk
        finally:
            os.close(r)
        if not buf.strip().isdigit():
            log = self.log()
            self.stop()
            raise RuntimeError(f"Xvfb did not report a display number: {buf!r}\n{log}")
        self.display = f":{int(buf.strip())}"
        return self

    def env(self, base: dict[str, str] | None = None, **extra: str) -> dict[str, str]:
        """Environment for a child process that should draw on this display (Qt xcb)."""
        assert self.display, "Xvfb not started"
        env = dict(os.environ if base is None else base)
        env.update(DISPLAY=self.display, QT_QPA_PLATFORM="xcb")
        env.pop("WAYLAND_DISPLAY", None)
        env.update(extra)
        return env

    def log(self) -> str:
        try:
            return self._log_path.read_text(errors="replace") if self._log_path else ""
        except OSError:
            return ""

    def screenshot(self, path: Path | str) -> Path:
        """Save the whole screen as PNG (needs ImageMagick's `import`, or xwd + a converter)."""
        assert self.display, "Xvfb not started"
        path = Path(path)
        env = dict(os.environ, DISPLAY=self.display)
        if shutil.which("import"):
            subprocess.run(["import", "-window", "root", str(path)], env=env, check=True)
            return path
        raise RuntimeError("no screenshot tool: apt-get install imagemagick")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        if self._log_path is not None:
            with contextlib.suppress(OSError):
                self._log_path.unlink()
            self._log_path = None
        self.display = None

    def __enter__(self) -> Xvfb:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
