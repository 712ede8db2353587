"""A real ``loket-server`` in its own process, for end-to-end, fault and browser tests.

``LiveServer(data_dir, database=None).start()`` runs ``loket-server --data-dir D run`` on a free
loopback port and waits for ``/readyz``; ``cli(...)`` runs admin subcommands against the same
data dir and database; ``stop()`` ends it (SIGTERM, then SIGKILL), ``kill()`` is SIGKILL.
``netns=NS`` runs it inside network namespace ``NS`` (``ip netns exec``; the link emulator,
tests/support/linkemu.py) and checks readiness from there; ``host`` is the address it binds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support.netutil import free_port

ROOT = Path(__file__).resolve().parents[2]


class LiveServer:
    def __init__(
        self,
        data_dir: Path,
        database: str | None = None,
        workers: int = 1,
        env: dict[str, str] | None = None,
        netns: str | None = None,
        host: str = "127.0.0.1",
    ):
        self.data_dir = Path(data_dir)
        self.database = database
        self.workers = workers
        self.netns = netns
        self.host = host
        # a fresh namespace has every port free; outside one, ask this machine
        self.port = free_port() if netns is None else 8470
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = self.data_dir / "server.log"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _base(self) -> list[str]:
        cmd = [sys.executable, "-m", "syncserver.cli", "--data-dir", str(self.data_dir)]
        if self.database:
            cmd += ["--database", self.database]
        return cmd

    def cli(
        self, *args: str, password: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        if password is not None:
            env["LOKET_PASSWORD"] = password
        result = subprocess.run(
            [*self._base(), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"loket-server {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result

    def start(self, timeout: float = 60.0) -> LiveServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        prefix = ["ip", "netns", "exec", self.netns] if self.netns else []
        self.proc = subprocess.Popen(
            [
                *prefix,
                *self._base(),
                "run",
                "--host",
                self.host,
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"server exited with {self.proc.returncode}:\n{self.log_path.read_text(errors='replace')[-3000:]}"
                )
            try:
                if self._ready():
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise AssertionError(
            f"server not ready in {timeout}s:\n{self.log_path.read_text(errors='replace')[-3000:]}"
        )

    def _ready(self) -> bool:
        def get() -> bool:
            return requests.get(self.url + "/readyz", timeout=1).status_code == 200

        if self.netns is None:
            return get()
        from tests.support.linkemu import in_netns

        return in_netns(self.netns, get, timeout=10)

    def _signal_group(self, sig: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self) -> None:
        if self.proc is None:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.proc.wait(timeout=15)
        self.proc = None

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers): no clean shutdown."""
        if self.proc is None:
            return
        self._signal_group(signal.SIGKILL)
        self.proc.wait(timeout=15)
        self.proc = None

    def restart(self) -> LiveServer:
        self.stop()
        return self.start()

    def office_and_code(
        self, office: str = "320101", regency: str = "32.01", name: str = "Disnaker Kab. Bogor"
    ) -> str:
        """Make sure ``office`` exists and return a fresh one-time enrollment code for it."""
        self.cli("add-office", office, "--name", name, "--regency", regency, check=False)
        out = self.cli("enroll-code", office).stdout.strip().splitlines()
        return out[-1].strip()
