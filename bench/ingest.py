"""Ingest throughput of the sync server (issue 4).

    .venv/bin/python -m bench ingest          # both backends, median of 3 runs
    .venv/bin/python -m bench.ingest [--runs 3] [--backend sqlite|postgres|both] [--quick]

For each backend (SQLite, the embedded default; PostgreSQL, a throw-away cluster started with
tests/support/pgcluster.py) it starts the real server (`loket-server run`, gunicorn) on a free
port, enrolls four devices, and measures:

- batched: records per second for batches of 500 records, zstd-compressed, from 1 device and
  from 4 devices pushing concurrently (each device its own thread and HTTP connection);
- naive baseline, in the same run: one uncompressed JSON POST per record, from 1 and 4 devices;
- bytes on the wire per record: request body and response body (both compressed as sent);
- CPU per record of the server's processes and (PostgreSQL) the database's, from /proc: on a
  shared VM this is steadier than records per second (bench.machine.process_tree_cpu).

Bodies are encoded before the clock starts (a device compresses while it waits for the
line); the time is from the first request sent to the last answer received. Each figure is the
median of ``--runs`` runs; every run sends new records (new ids, new applicants) into the same
growing database. Data: common.synthetic with 2% duplicate NIKs, 5% shared family cards and 1%
invalid records.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from bench.machine import describe, process_tree_cpu
from common import protocol as P
from common import wire
from common.record import content_hash, new_registration_id
from common.regcode import make_code
from common.synthetic import generate

ROOT = Path(__file__).resolve().parent.parent
SERVER = [sys.executable, "-m", "syncserver"]
OFFICE = "320101"


@dataclass
class Device:
    id: str
    credential: str
    http: requests.Session
    no: int = 1  # device_no: the DDD part of its registration codes


@dataclass
class Result:
    records: int
    seconds: float
    request_bytes: int
    response_bytes: int
    client_cpu: float = 0.0  # CPU seconds the benchmark's own client threads used
    #: CPU seconds of each measured process tree during the run ("server", "database")
    cpu: dict[str, float] = field(default_factory=dict)

    def cpu_us_per_record(self, name: str) -> float:
        return self.cpu.get(name, float("nan")) / self.records * 1e6

    @property
    def client_share(self) -> float:
        """The clients' share of the machine's CPU during the run (all cores)."""
        return self.client_cpu / (self.seconds * (os.cpu_count() or 1))

    @property
    def rate(self) -> float:
        return self.records / self.seconds


def _free_port() -> int:
    sys.path.insert(0, str(ROOT))
    from tests.support.netutil import free_port

    return free_port()


class Server:
    def __init__(self, data_dir: Path, database: str, workers: int, threads: int) -> None:
        self.data_dir, self.database = data_dir, database
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "LOKET_THREADS": str(threads), "LOKET_LOG_LEVEL": "WARNING"}
        base = [*SERVER, "--data-dir", str(data_dir), "--database", database]
        subprocess.run([*base, "migrate"], check=True, env=env, cwd=ROOT, capture_output=True)
        subprocess.run(
            [*base, "add-office", OFFICE, "--name", "Bench", "--regency", "3201"],
            check=True,
            env=env,
            cwd=ROOT,
            capture_output=True,
        )
        self.base, self.env = base, env
        self.log = open(data_dir / "server.log", "wb")
        self.proc = subprocess.Popen(
            [
                *base,
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start: " + (data_dir / "server.log").read_text()[-2000:])

    def enroll(self) -> Device:
        out = subprocess.run(
            [*self.base, "enroll-code", OFFICE],
            check=True,
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout
        code = out.strip().splitlines()[-1]
        r = requests.post(
            self.url + "/api/v1/devices/enroll", json={"code": code, "device_name": "bench"}
        )
        r.raise_for_status()
        body = r.json()
        http = requests.Session()
        http.headers["Authorization"] = "Bearer " + body["credential"]
        return Device(body["device_id"], body["credential"], http, body["device_no"])

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Data:
    """Applicants generated once; each use gets a new registration id and, after the first
    pass over the pool, new NIK/KK serials (still valid), so every run sends new people."""

    def __init__(self, count: int, seed: int) -> None:
        samples = generate(
            count, seed=seed, duplicate_share=0.02, family_share=0.05, invalid_share=0.01
        )
        self.applicants = [s.applicant for s in samples]
        self.next = 0

    def records(self, n: int, device_no: int = 1) -> list[P.PushRecord]:
        out = []
        for _ in range(n):
            i = self.next % len(self.applicants)
            lap = self.next // len(self.applicants)
            self.next += 1
            a = self.applicants[i]
            if lap:
                a = dict(a)
                for key in ("nik", "kk_number"):
                    if len(a[key]) == 16 and a[key][12:] != "0000":
                        a[key] = a[key][:12] + f"{(int(a[key][12:]) + lap * 613) % 9999 + 1:04d}"
            out.append(
                P.PushRecord(
                    id=new_registration_id(),
                    code=make_code(OFFICE, device_no, self.next % 1000000),
                    revision=1,
                    base_revision=0,
                    content_hash=content_hash(a),
                    applicant=a,
                    operator="bench",
                    channel="counter",
                    device_time="2026-01-05T09:00:00Z",
                )
            )
        return out


#: Process trees whose CPU each run measures: name -> root pid (set by run_backend).
PROBES: dict[str, int] = {}


def _run_devices(
    devices: list[Device], url: str, bodies: dict[str, list[tuple[bytes, dict[str, str], int]]]
) -> Result:
    """Each device sends its bodies in order; all devices at once. Wall time of the whole,
    and the CPU the server's and the database's processes used meanwhile."""
    barrier = threading.Barrier(len(devices) + 1)
    totals = {"req": 0, "resp": 0, "records": 0}
    lock = threading.Lock()
    errors: list[str] = []

    def work(dev: Device) -> None:
        barrier.wait()
        req_b = resp_b = recs = 0
        for body, headers, n in bodies[dev.id]:
            r = dev.http.post(url + "/api/v1/sync/push", data=body, headers=headers, stream=True)
            raw = r.raw.read(decode_content=False)
            if r.status_code != 200:
                errors.append(f"{r.status_code} {raw[:200]!r}")
                return
            req_b += len(body)
            resp_b += len(raw)
            recs += n
        with lock:
            totals["req"] += req_b
            totals["resp"] += resp_b
            totals["records"] += recs

    threads = [threading.Thread(target=work, args=(d,)) for d in devices]
    for t in threads:
        t.start()
    before = {name: process_tree_cpu(pid) for name, pid in PROBES.items()}
    barrier.wait()
    t0, c0 = time.perf_counter(), time.process_time()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    client_cpu = time.process_time() - c0
    cpu = {name: process_tree_cpu(pid) - before[name] for name, pid in PROBES.items()}
    if errors:
        raise RuntimeError("push failed: " + errors[0])
    return Result(totals["records"], seconds, totals["req"], totals["resp"], client_cpu, cpu)


def batched(
    server: Server, devices: list[Device], data: Data, batches_per_device: int, size: int
) -> Result:
    bodies: dict[str, list[tuple[bytes, dict[str, str], int]]] = {}
    headers = {
        "Content-Type": "application/json",
        "Content-Encoding": "zstd",
        "Accept-Encoding": "zstd",
    }
    for dev in devices:
        bodies[dev.id] = []
        for _ in range(batches_per_device):
            req = P.PushRequest(dev.id, OFFICE, str(uuid.uuid4()), data.records(size, dev.no))
            bodies[dev.id].append((wire.compress(wire.dumps(req)), headers, size))
    return _run_devices(devices, server.url, bodies)


def naive(server: Server, devices: list[Device], data: Data, per_device: int) -> Result:
    bodies: dict[str, list[tuple[bytes, dict[str, str], int]]] = {}
    headers = {"Content-Type": "application/json", "Accept-Encoding": "identity"}
    for dev in devices:
        bodies[dev.id] = [
            (
                wire.dumps(P.PushRequest(dev.id, OFFICE, str(uuid.uuid4()), [rec])),
                headers,
                1,
            )
            for rec in data.records(per_device, dev.no)
        ]
    return _run_devices(devices, server.url, bodies)


def run_backend(
    name: str, database: str | None, args: argparse.Namespace, data: Data, db_pid: int | None = None
) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"loket-bench-{name}-"))
    # SQLite serialises writers: two processes keep one validating while the other writes;
    # PostgreSQL writes concurrently: a third process keeps both cores busy during commits
    workers = args.workers or (2 if database is None else 4)
    print(f"{name}: gunicorn, {workers} workers x {args.threads} threads", flush=True)
    server = Server(
        data_dir,
        database or f"sqlite:///{data_dir / 'loket-server.db'}",
        workers,
        args.threads,
    )
    out: dict[str, Any] = {"workers": workers, "threads": args.threads}
    out["loadavg_before"] = _loadavg()
    PROBES.clear()
    PROBES["server"] = server.proc.pid
    if db_pid is not None:
        PROBES["database"] = db_pid
    try:
        devices = [server.enroll() for _ in range(4)]
        # warm-up: every worker process imports, connects, loads the region list
        batched(server, devices, data, 1, 100)
        naive(server, devices[:1], data, 20)
        for n_dev in (1, 4):
            runs = [
                batched(server, devices[:n_dev], data, args.batches, 500) for _ in range(args.runs)
            ]
            base = [naive(server, devices[:n_dev], data, args.naive) for _ in range(args.runs)]
            rate = statistics.median(r.rate for r in runs)
            naive_rate = statistics.median(r.rate for r in base)
            last = runs[-1]
            out[f"{n_dev}dev"] = {
                "batched_rps": rate,
                "batched_runs": [round(r.rate) for r in runs],
                "naive_rps": naive_rate,
                "naive_runs": [round(r.rate) for r in base],
                "speedup": rate / naive_rate,
                "req_bytes_per_record": last.request_bytes / last.records,
                "resp_bytes_per_record": last.response_bytes / last.records,
                "naive_req_bytes_per_record": base[-1].request_bytes / base[-1].records,
                "naive_resp_bytes_per_record": base[-1].response_bytes / base[-1].records,
                "records_per_run": last.records,
                "client_cpu_share": statistics.median(r.client_share for r in runs),
                "naive_client_cpu_share": statistics.median(r.client_share for r in base),
                **{
                    f"{probe}_cpu_us_per_record": statistics.median(
                        r.cpu_us_per_record(probe) for r in runs
                    )
                    for probe in PROBES
                },
            }
            d = out[f"{n_dev}dev"]
            print(
                f"{name:8s} {n_dev} device(s): batched {rate:8,.0f} rec/s {d['batched_runs']}  "
                f"naive {naive_rate:6,.0f} rec/s {d['naive_runs']}  x{d['speedup']:.0f}  "
                f"wire {d['req_bytes_per_record']:.0f}+{d['resp_bytes_per_record']:.0f} B/record  "
                f"client CPU {d['client_cpu_share']:.1%} (naive {d['naive_client_cpu_share']:.0%})"
                + "".join(
                    f"  {probe} CPU {d[f'{probe}_cpu_us_per_record']:.0f} us/record"
                    for probe in PROBES
                ),
                flush=True,
            )
    finally:
        server.stop()
    out["loadavg_after"] = _loadavg()
    print(f"{name}: load average before {out['loadavg_before']}, after {out['loadavg_after']}")
    return out


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench ingest", description=__doc__.split("\n\n")[0])
    p.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--batches", type=int, default=8, help="batches of 500 per device per run")
    p.add_argument("--naive", type=int, default=300, help="single-record POSTs per device per run")
    p.add_argument(
        "--workers",
        type=int,
        default=0,
        help="server processes (default: 2 on SQLite, 4 on PostgreSQL)",
    )
    p.add_argument("--threads", type=int, default=2, help="threads per server process")
    p.add_argument("--quick", action="store_true", help="1 run, 2 batches: a smoke test")
    p.add_argument("--json", type=Path, help="also write the figures here")
    args = p.parse_args(argv or [])
    if args.quick:
        args.runs, args.batches, args.naive = 1, 2, 50
    print(describe())
    print(
        f"server: gunicorn; batches of 500, "
        f"{args.batches} per device per run; median of {args.runs} runs",
        flush=True,
    )
    data = Data(4000, seed=20260105)
    results: dict[str, Any] = {"machine": describe(), "when": datetime.now(UTC).isoformat()}
    if args.backend in ("sqlite", "both"):
        results["sqlite"] = run_backend("sqlite", None, args, data)
    if args.backend in ("postgres", "both"):
        sys.path.insert(0, str(ROOT))
        from tests.support.pgcluster import PgCluster

        with PgCluster(fast=False) as pg:
            results["postgres"] = run_backend(
                "postgres", pg.url(pg.create_database("bench")), args, data, pg.pid
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
