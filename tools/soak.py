"""`make soak`: many devices syncing against a multi-process server on PostgreSQL for a while.

    .venv/bin/python tools/soak.py [--devices 8] [--minutes 10] [--workers 2] [--seed 1]

Starts a throw-away PostgreSQL cluster (tests/support/pgcluster.py) and ``loket-server run
--workers 2`` on it, enrolls N real desktop stores, and lets each behave like a busy counter
for ``--minutes``: register a few applicants, now and then correct one, sync, pause a moment;
a reviewer decides on received records meanwhile. No faults are injected: every sync must
succeed. Every 5 seconds it samples VmRSS (/proc/<pid>/status) of the server's master and
worker processes. At the end every device syncs once more and the checker
(tests/faults/checker.py) compares all devices with the central database.

Prints the totals and, per server process, RSS at start (after a one-minute warm-up, or the
first tenth of the run if shorter), at the end, the maximum, and the least-squares slope in
MiB per hour. Exits 1 on any sync error, any record lost or doubled, or memory that grew by
more than 10% and 20 MiB after the warm-up.
"""

from __future__ import annotations

import argparse
import random
import shutil
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
from tests.support.liveserver import LiveServer  # noqa: E402
from tests.support.pgcluster import PgCluster  # noqa: E402


def rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    out = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            out.extend(int(c) for c in text)
    except OSError:
        pass
    return out


def slope_mib_per_hour(samples: list[tuple[float, int]]) -> float:
    if len(samples) < 2:
        return 0.0
    n = len(samples)
    mt = sum(t for t, _ in samples) / n
    mv = sum(v for _, v in samples) / n
    var = sum((t - mt) ** 2 for t, _ in samples)
    if var == 0:
        return 0.0
    cov = sum((t - mt) * (v - mv) for t, v in samples)
    return cov / var * 3600 / 1024  # KiB/s -> MiB/h


class Sampler(threading.Thread):
    def __init__(self, master: int, every_s: float = 5.0):
        super().__init__(daemon=True)
        self.master = master
        self.every_s = every_s
        self.samples: dict[int, list[tuple[float, int]]] = {}
        self.stop = threading.Event()
        self.t0 = time.monotonic()

    def run(self) -> None:
        while not self.stop.is_set():
            now = time.monotonic() - self.t0
            for pid in [self.master, *children(self.master)]:
                kib = rss_kib(pid)
                if kib is not None:
                    self.samples.setdefault(pid, []).append((now, kib))
            self.stop.wait(self.every_s)


def clerk(
    device: Device, deadline: float, rng: random.Random, stats: Counter[str], errors: list[str]
) -> None:
    engine = device.engine(batch=200)
    while time.monotonic() < deadline:
        try:
            device.register(rng.randint(1, 8))
            stats["registered"] += 0  # counted from the stores at the end
            if device.ids and rng.random() < 0.3:
                for rid in rng.sample(device.ids, 1):
                    stats["edits"] += device.edit(rid, rng.randrange(10_000))
            for row in device.service.search(limit=50):  # correct what came back
                if row.status.value == "returned":
                    stats["edits"] += device.edit(row.id, rng.randrange(10_000))
            report = engine.run()
            stats["syncs"] += 1
            if report.outcome.value != "ok":
                errors.append(
                    f"{device.device_id}: sync {report.outcome.value} {report.error_code}"
                )
        except Exception as exc:
            errors.append(f"{device.device_id}: {type(exc).__name__}: {exc}")
        time.sleep(rng.uniform(0.5, 2.0))


def reviewer(
    central: Central, deadline: float, rng: random.Random, stats: Counter[str], errors: list[str]
) -> None:
    while time.monotonic() < deadline:
        try:
            rows = central.rows(
                "SELECT id FROM registrations WHERE status = 'received' ORDER BY random() LIMIT 20"
            )
            for (rid,) in rows:
                central.decide(rid, rng.choice(("verified", "verified", "returned", "rejected")))
                stats["decisions"] += 1
        except Exception as exc:
            errors.append(f"reviewer: {type(exc).__name__}: {exc}")
        time.sleep(rng.uniform(1.0, 3.0))


def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="loket-soak-"))
    pg = PgCluster().start()
    server: LiveServer | None = None
    devices: list[Device] = []
    central: Central | None = None
    try:
        url = pg.url(pg.create_database("loket_soak"))
        server = LiveServer(work / "server", database=url, workers=args.workers)
        server.cli("migrate")
        server.start()
        assert server.proc is not None
        central = Central(central_url(server))
        devices = make_devices(work, server, central, args.devices, seed=args.seed)
        sampler = Sampler(server.proc.pid)
        sampler.start()
        stats: Counter[str] = Counter()
        errors: list[str] = []
        deadline = time.monotonic() + args.minutes * 60
        threads = [
            threading.Thread(
                target=clerk, args=(d, deadline, random.Random(rng.random()), stats, errors)
            )
            for d in devices
        ]
        threads.append(
            threading.Thread(
                target=reviewer,
                args=(central, deadline, random.Random(rng.random()), stats, errors),
            )
        )
        print(
            f"soak: {args.devices} devices, {args.workers} workers on PostgreSQL, {args.minutes} min",
            flush=True,
        )
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            time.sleep(min(30.0, max(1.0, deadline - time.monotonic() + 1)))
            left = max(0, deadline - time.monotonic())
            total = central.scalar("SELECT count(*) FROM registrations")
            print(
                f"  {total} records at the server, {stats['syncs']} syncs, {len(errors)} errors, {left / 60:.1f} min left",
                flush=True,
            )
        for t in threads:
            t.join()
        sampler.stop.set()
        sampler.join()
        for d in devices:
            report = d.engine(batch=500).run()
            if report.outcome.value != "ok":
                errors.append(f"{d.device_id}: final sync {report.outcome.value}")
        report = check([d.data_dir for d in devices], central.url, settled=True)
        disagreements = [x for d in devices for x in status_disagreements(d.data_dir, central.url)]
        grew = _memory_table(sampler, args.minutes * 60, server.proc.pid)
        print()
        print("| result | count |")
        print("|---|---:|")
        for label, value in (
            ("devices", args.devices),
            ("syncs", stats["syncs"]),
            ("sync errors", len(errors)),
            ("edits", stats["edits"]),
            ("decisions", stats["decisions"]),
            ("records created on devices", report.created),
            ("records in the central db", report.central),
            ("lost", report.lost),
            ("doubled", report.doubled),
            ("other problems", len(report.problems)),
            ("status disagreements", len(disagreements)),
        ):
            print(f"| {label} | {value} |")
        for e in errors[:20]:
            print("error:", e)
        if not report.ok:
            print(report)
        return 0 if report.ok and not errors and not disagreements and not grew else 1
    finally:
        for d in devices:
            d.close()
        if central is not None:
            central.close()
        if server is not None:
            server.stop()
        pg.stop()
        shutil.rmtree(work, ignore_errors=True)


def _memory_table(sampler: Sampler, seconds: float, master: int) -> bool:
    warmup = min(60.0, seconds / 10)
    print()
    print("| server process | RSS start (MiB) | RSS end (MiB) | RSS max (MiB) | slope (MiB/h) |")
    print("|---|---:|---:|---:|---:|")
    grew = False
    for pid, samples in sorted(sampler.samples.items()):
        steady = [s for s in samples if s[0] >= warmup] or samples
        start, end = steady[0][1], steady[-1][1]
        peak = max(v for _, v in samples)
        role = "master" if pid == master else "worker"
        slope = slope_mib_per_hour(steady)
        print(
            f"| {role} {pid} | {start / 1024:.1f} | {end / 1024:.1f} | {peak / 1024:.1f} | {slope:+.1f} |"
        )
        if end - start > max(0.10 * start, 20 * 1024):
            grew = True
    print(
        f"(samples every {sampler.every_s:.0f} s; start = first sample after a {warmup:.0f} s warm-up)"
    )
    return grew


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--devices", type=int, default=8)
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    return run(p.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
