"""Processes killed with SIGKILL in the middle of the work:

* the server, while it ingests a push (the proxy sees the request go in, a seeded moment later
  the whole server is killed), then restarted on the same database;
* the desktop's sync process, at seeded moments while batches are on the wire or being applied,
  then run again.

Afterwards the checker finds every record once, at its latest revision, nothing half-written.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time

from tests.faults.checker import check
from tests.faults.conftest import tally
from tests.faults.harness import make_devices
from tests.support.faultproxy import Fault, FaultProxy
from tests.support.liveserver import ROOT

SEED = 4242


def test_server_killed_mid_ingest_then_restarted(tmp_path, server, central) -> None:
    kills = 3
    proxy = FaultProxy(server.port, seed=SEED).start()  # no random faults: it only watches
    devices = make_devices(tmp_path, server, central, 2, sync_urls=[proxy.url] * 2, seed=SEED)
    rng = random.Random(SEED)
    dirs = [d.data_dir for d in devices]
    armed = threading.Event()
    timers: list[threading.Timer] = []

    def kill_soon(req) -> None:
        if armed.is_set() and req.path.startswith("/api/v1/sync/push"):
            armed.clear()
            timer = threading.Timer(rng.uniform(0.0, 0.12), server.kill)
            timers.append(timer)
            timer.start()

    proxy.on_forwarded = kill_soon
    try:
        for k in range(kills):
            for d in devices:
                d.register(80)
                if k:
                    for rid in rng.sample(d.ids, 3):
                        d.edit(rid, rng.randrange(10_000))
            armed.set()
            threads = [
                threading.Thread(target=lambda d=d: d.engine(batch=80, retries=1).run())
                for d in devices
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            for timer in timers:
                timer.join()
            assert server.proc is None, "the server was not killed"
            server.start()
            report = check(dirs, central.url)
            assert report.ok, f"after kill {k}: {report}"
        for d in devices:
            d.drain()
        report = check(dirs, central.url, settled=True)
        assert report.ok, report
        assert report.created == report.central == 2 * 80 * kills
        assert proxy.upstream_lost >= 1  # at least one kill landed before the answer: mid-ingest
        tally({"server_sigkill": kills})
    finally:
        proxy.stop()
        for d in devices:
            d.close()


def _run_and_kill(data_dir, after_lines: int, extra_s: float) -> bool:
    """Start the sync process, SIGKILL it after ``after_lines`` progress lines and ``extra_s``
    seconds; True if it was killed (False: it finished first)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.sync_runner", str(data_dir), "6"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    seen = 0
    for line in proc.stdout:
        if line.startswith("done"):
            proc.wait()
            return False
        if line.startswith(("push", "pull")):
            seen += 1
            if seen >= after_lines:
                break
    time.sleep(extra_s)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return proc.returncode == -signal.SIGKILL


def test_desktop_sync_process_killed_mid_sync_then_run_again(tmp_path, server, central) -> None:
    rng = random.Random(SEED)
    # delays widen the window in which a batch is on the wire (sent, not yet answered)
    proxy = FaultProxy(
        server.port, seed=SEED, fault_rate=0.6, weights={Fault.DELAY: 1.0}, max_delay_s=0.08
    ).start()
    (device,) = make_devices(tmp_path, server, central, 1, sync_urls=[proxy.url], seed=SEED + 1)
    killed = 0
    try:
        for k in range(5):
            device.register(60)
            for rid in rng.sample(device.ids, 4):
                device.edit(rid, rng.randrange(10_000))
            if k:
                held = [r[0] for r in central.rows("SELECT id FROM registrations")]
                for rid in rng.sample(held, 3):
                    central.decide(rid, rng.choice(("verified", "returned")))
            killed += _run_and_kill(device.data_dir, rng.randint(1, 6), rng.uniform(0.0, 0.06))
            report = check([device.data_dir], central.url)
            assert report.ok, f"after kill {k}: {report}"
        assert killed >= 3
        proxy.set_rate(0.0)
        device.drain()
        report = check([device.data_dir], central.url, settled=True)
        assert report.ok, report
        assert report.created == report.central == 300
        tally({"desktop_sigkill": killed, **proxy.counts})
    finally:
        proxy.stop()
        device.close()
