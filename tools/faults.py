"""`make faults`: the long fault-injection run (the short one is tests/faults/ in `make test`).

    .venv/bin/python tools/faults.py [--seed 1] [--faults 10000] [--devices 8] [--rate 0.6]
                                     [--postgres] [--kill-every 25]

A real ``loket-server`` (two worker processes; SQLite, or PostgreSQL with ``--postgres``) and
N real desktop stores, each syncing through its own fault proxy (tests/support/faultproxy.py:
drops mid-request and mid-response, delays, truncated answers, 502/503, replays, concurrent
replays), in rounds: every device registers and edits, central staff decide on some records,
all devices sync at the same time. Every ``--kill-every`` rounds the server is SIGKILLed a
seeded moment after a push went in, and restarted; in the rounds between, one device's sync
runs as a separate process that is SIGKILLed mid-sync. It stops once ``--faults`` faults were
injected, turns the faults off, lets every device finish, and runs the checker
(tests/faults/checker.py). Prints a table and exits 1 if anything was lost, doubled or
half-written. The fault schedule is seeded: each device's proxy draws from its own
``random.Random(seed + i)``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.faults.checker import check, status_disagreements  # noqa: E402
from tests.faults.harness import Central, Device, central_url, make_devices  # noqa: E402
from tests.support.faultproxy import FaultProxy  # noqa: E402
from tests.support.liveserver import LiveServer  # noqa: E402


def _sync_all(devices: list[Device], batch: int) -> None:
    threads = [threading.Thread(target=lambda d=d: d.engine(batch=batch).run()) for d in devices]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _kill_desktop_sync(device: Device, rng: random.Random) -> bool:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.sync_runner", str(device.data_dir), "3"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    wanted, seen = rng.randint(1, 4), 0
    for line in proc.stdout:
        if line.startswith("done"):
            proc.wait()
            return False
        if line.startswith(("push", "pull")):
            seen += 1
            if seen >= wanted:
                break
    time.sleep(rng.uniform(0, 0.05))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return proc.returncode == -signal.SIGKILL


def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="loket-faults-"))
    pg = None
    database = None
    if args.postgres:
        from tests.support.pgcluster import PgCluster

        pg = PgCluster().start()
        database = pg.url(pg.create_database("loket_faults"))
    server = LiveServer(work / "server", database=database, workers=2)
    if database:
        server.cli("migrate")
    server.start()
    central = Central(central_url(server))
    proxies = [
        FaultProxy(server.port, seed=args.seed + i, fault_rate=args.rate).start()
        for i in range(args.devices)
    ]
    devices = make_devices(
        work, server, central, args.devices, sync_urls=[p.url for p in proxies], seed=args.seed
    )
    kills: Counter[str] = Counter()
    problems_seen: list[str] = []
    started = time.monotonic()
    armed = threading.Event()
    timers: list[threading.Timer] = []

    def kill_soon(req) -> None:
        if armed.is_set() and req.path.startswith("/api/v1/sync/push"):
            armed.clear()
            t = threading.Timer(rng.uniform(0.0, 0.08), server.kill)
            timers.append(t)
            t.start()

    for p in proxies:
        p.on_forwarded = kill_soon

    def injected() -> int:
        return sum(p.injected for p in proxies) + sum(kills.values())

    round_no = 0
    try:
        while injected() < args.faults:
            round_no += 1
            for d in devices:
                d.register(rng.randint(2, 6))
                for rid in rng.sample(d.ids, min(2, len(d.ids))):
                    d.edit(rid, rng.randrange(10_000))
            if round_no % 3 == 0:
                held = [r[0] for r in central.rows("SELECT id FROM registrations ORDER BY id")]
                for rid in rng.sample(held, min(5, len(held))):
                    central.decide(rid, rng.choice(("verified", "returned", "rejected")))
                for d in devices:  # the clerks correct what came back
                    for row in d.service.search(status=None, limit=100_000):
                        if row.status.value == "returned":
                            d.edit(row.id, rng.randrange(10_000))
            if round_no % args.kill_every == 0:
                armed.set()
                _sync_all(devices, args.batch)
                for t in timers:
                    t.join()
                armed.clear()
                if server.proc is None:
                    kills["server_sigkill"] += 1
                    server.start()
            elif round_no % args.kill_every == args.kill_every // 2:
                kills["desktop_sigkill"] += _kill_desktop_sync(rng.choice(devices), rng)
            else:
                _sync_all(devices, args.batch)
            if round_no % 10 == 0:
                report = check([d.data_dir for d in devices], central.url)
                if not report.ok:
                    problems_seen.append(f"round {round_no}: {report}")
                print(
                    f"round {round_no}: {injected()} faults, {report.created} records, "
                    f"{time.monotonic() - started:.0f} s",
                    flush=True,
                )
        for p in proxies:
            p.set_rate(0.0)
            p.on_forwarded = None
        for d in devices:
            d.drain()
        report = check([d.data_dir for d in devices], central.url, settled=True)
        disagreements = [x for d in devices for x in status_disagreements(d.data_dir, central.url)]
        faults: Counter[str] = Counter()
        for p in proxies:
            faults.update(p.counts)
        faults.update(kills)
        mismatches = sum(p.replay_mismatches for p in proxies)
        _table(
            args, faults, report, round_no, time.monotonic() - started, mismatches, disagreements
        )
        ok = report.ok and not problems_seen and not disagreements and mismatches == 0
        for line in problems_seen:
            print(line)
        if not report.ok:
            print(report)
        return 0 if ok else 1
    finally:
        for p in proxies:
            p.stop()
        for d in devices:
            d.close()
        central.close()
        server.stop()
        if pg is not None:
            pg.stop()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _table(args, faults, report, rounds, seconds, mismatches, disagreements) -> None:
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print()
    print(
        f"make faults: seed {args.seed}, {args.devices} devices, fault rate {args.rate}, {backend}, "
        f"{rounds} rounds in {seconds / 60:.1f} min"
    )
    print()
    print(f"| {'fault':<28} | {'injected':>8} |")
    print(f"|{'-' * 30}|{'-' * 9}:|")
    for kind, n in sorted(faults.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"| {kind:<28} | {n:>8} |")
    print(f"| {'total':<28} | {sum(faults.values()):>8} |")
    print()
    print(f"| {'result':<28} | {'count':>8} |")
    print(f"|{'-' * 30}|{'-' * 9}:|")
    for label, value in (
        ("records created on devices", report.created),
        ("records in the central db", report.central),
        ("lost", report.lost),
        ("doubled", report.doubled),
        ("other problems", len(report.problems)),
        ("status disagreements", len(disagreements)),
        ("replays answered differently", mismatches),
    ):
        print(f"| {label:<28} | {value:>8} |")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--faults", type=int, default=10_000, help="stop after this many injected faults"
    )
    p.add_argument("--devices", type=int, default=8)
    p.add_argument("--rate", type=float, default=0.6, help="share of requests that get a fault")
    p.add_argument("--batch", type=int, default=3, help="records per push (small: more requests)")
    p.add_argument("--kill-every", type=int, default=25, help="rounds between server SIGKILLs")
    p.add_argument(
        "--postgres", action="store_true", help="central database on a throw-away PostgreSQL"
    )
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    return run(p.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
